/**
 * The console in a real browser: headless Chromium (Debian's `chromium`) driven by playwright-core against
 * the real app on an embedded MongoDB. No screenshots are written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADMIN_TOKEN, FGW_TOKEN, startAdminApp, type AdminApp } from '../admin/helpers/admin-app.js';
import { launchChromium } from '../helpers/browser.js';

let app: AdminApp;
let browser: Browser;
let profile: string;
const refs: Record<string, string> = {};

beforeAll(async () => {
  // CI installs chromium (.ci/run); a missing browser is a failure, not a skip.
  app = await startAdminApp({ listen: true });
  refs.rural = await app.submit({ title: '关于发展乡村民宿的建议' });
  refs.chengyu = await app.submit({ theme: 'chengyu_economic_circle', title: '关于共建成渝物流通道的建议' });
  refs.xss = await app.submit({ title: '<img src=x onerror="window.__pwned=1">标题', proposal: '<script>window.__pwned=2</script>建议内容很具体。' });
  profile = mkdtempSync(path.join(tmpdir(), 'jianyan-chromium-'));
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Break-glass sign-in with a token (the WeCom sign-in has its own tests in workday.browser.test.ts). */
async function signedIn(token = ADMIN_TOKEN): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${app.url}/console/#/list`);
  await page.click('details.break-glass summary');
  await page.fill('#token', token);
  await page.click('#signin-form button[type=submit]');
  await page.waitForSelector('#list-table tbody tr[data-reference]');
  return page;
}

const listed = (page: Page) => page.$$eval('#list-table tbody tr[data-reference]', (rows) => rows.map((r) => r.getAttribute('data-reference')));

describe('the console', () => {
  test('a wrong token is refused and the right one signs in to the list', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.url}/console/#/list`);
    await page.click('details.break-glass summary');
    await page.fill('#token', 'wrong-token-xxxxxxxxxxxxxxxxxxxx');
    await page.click('#signin-form button[type=submit]');
    await expect.poll(() => page.textContent('#signin-error')).toContain('令牌无效');
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('#signin-form button[type=submit]');
    await page.waitForSelector('#list-table tbody tr[data-reference]');
    expect(await listed(page)).toEqual(expect.arrayContaining([refs.rural, refs.chengyu, refs.xss]));
    expect(await page.textContent('#who')).toContain('区信访办');
    // Submitted at 10:00 Beijing time: shown as such whatever the browser's time zone (here UTC).
    expect(await page.textContent(`#list-table tbody tr[data-reference="${refs.rural}"]`)).toContain('2021-07-01 10:00');
    await page.close();
  }, 30_000);

  test('without WeCom, 企业微信登录 says it is not available and points to the break-glass sign-in', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.url}/console/`);
    await page.click('[data-testid=signin-wecom]');
    await expect.poll(() => page.textContent('[data-testid=signin-message]')).toBe('企业微信登录暂未开通，请使用应急令牌登录。');
    expect(await page.isVisible('#nav')).toBe(false);
    await page.close();
  }, 30_000);

  test('filters narrow the list', async () => {
    const page = await signedIn();
    await page.selectOption('#filters select[name=theme]', 'chengyu_economic_circle');
    await page.click('#filters button[type=submit]');
    await expect.poll(() => listed(page)).toEqual([refs.chengyu]);
    expect(await page.textContent('#list-summary')).toContain('共 1 条');
    await page.close();
  }, 30_000);

  test('citizen text is shown as text, never run as HTML', async () => {
    const page = await signedIn();
    const row = page.locator(`#list-table tr[data-reference="${refs.xss}"]`);
    expect(await row.textContent()).toContain('<img src=x onerror="window.__pwned=1">标题');
    await row.locator('a').click();
    await page.waitForSelector('#detail-title');
    expect(await page.textContent('#detail')).toContain('<script>window.__pwned=2</script>建议内容很具体。');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.close();
  }, 30_000);

  test("the office escalates, records the leaders' instruction and assigns a unit, which then sees it", async () => {
    const page = await signedIn(ADMIN_TOKEN);
    await page.goto(`${app.url}/console/#/s/${refs.rural}`);
    await page.click('[data-testid=action-escalate]');
    await page.fill('#act-escalate input[name=note]', '涉及全区乡村振兴');
    await page.click('[data-testid=action-submit-escalate]');
    await expect.poll(() => page.textContent('[data-testid=action-result]')).toContain('已完成');
    await page.click('[data-testid=action-instruction]');
    await page.fill('#act-instruction input[name=leader]', '李区长');
    await page.fill('#act-instruction textarea[name=text]', '请区发展改革委研究落实');
    await page.check('#act-instruction input[name=assignTo][value=fgw]');
    await page.click('[data-testid=action-submit-instruction]');
    await expect.poll(() => page.textContent('#detail-status')).toBe('已交办');
    expect(await page.textContent('#assignments')).toContain('区发展改革委');
    // Signed in with the token (break-glass), the history says so: no self-declared name.
    expect(await page.textContent('#history')).toContain('区信访办（应急登录）');
    await page.close();

    const unit = await signedIn(FGW_TOKEN);
    expect(await listed(unit)).toEqual([refs.rural]);
    await unit.close();
  }, 30_000);

  test('statistics are drawn as charts', async () => {
    const page = await signedIn();
    await page.click('#nav a[data-view=stats]');
    await page.waitForSelector('.chart svg rect.bar');
    expect(await page.locator('[data-chart="按主题"] rect.bar').count()).toBe(2);
    expect(await page.textContent('#rate-response')).toContain('按时受理率');
    await page.close();
  }, 30_000);

  test('an export downloads the filtered list', async () => {
    const page = await signedIn();
    await page.selectOption('#filters select[name=theme]', 'chengyu_economic_circle');
    await page.click('#filters button[type=submit]');
    await expect.poll(() => listed(page)).toEqual([refs.chengyu]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const file = path.join(profile, 'export.csv');
    await download.saveAs(file);
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(refs.chengyu);
    expect(text).not.toContain(refs.rural!);
    await page.close();
  }, 30_000);

  test('the chat simulator talks to the bot over /dev/chat', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.url}/console/simulator.html`);
    await page.fill('#sim-text', '我想提建议');
    await page.click('#composer button[type=submit]');
    await page.waitForSelector('.msg.bot');
    expect(await page.textContent('#sim-state')).toBe('theme');
    const options = await page.$$eval('.msg.bot .options button', (bs) => bs.map((b) => b.textContent));
    expect(options).toContain('乡村振兴');
    await page.click('.msg.bot .options button:has-text("乡村振兴")');
    await expect.poll(() => page.textContent('#sim-state')).toBe('title');
    await page.close();
  }, 30_000);

  test('the simulator forwards a pasted chat record as an agent, shown as text only', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.url}/console/simulator.html`);
    await page.fill('#sim-user', 'daili-lisi');
    await page.selectOption('#sim-role', 'agent');
    await page.click('#sim-forward-box summary');
    await page.fill('#sim-forward-title', '李四和王五的聊天记录');
    await page.fill(
      '#sim-forward',
      [
        '李四：王大爷，您说说村里的事？',
        '王五：我们村的柑橘每年烂在地里，路也不好走，运不出去。',
        '建议镇上牵头建一个冷链仓储点，把村道硬化到果园。<img src=x onerror="window.__pwned=3">',
        '王五：13912345678',
      ].join('\n'),
    );
    await page.click('#sim-forward-send');
    await expect.poll(() => page.textContent('#sim-state')).toBe('theme');
    const bot = (await page.$$eval('.msg.bot', (ms) => ms.map((m) => m.textContent))).join('\n');
    expect(bot).toContain('已收到转发的聊天记录：3条文字消息，发言人：李四、王五');
    // Three messages: the line without a name continued 王五's; the agent's own line was left out.
    expect(bot).toContain('已采用“王五”的2条发言作为建议内容，您（李四）的发言未计入');
    expect(bot).toContain('电话 13912345678');
    expect(await page.textContent('.msg.me')).toContain('<img src=x onerror="window.__pwned=3">');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.inputValue('#sim-forward')).toBe('');
    await page.close();
  }, 30_000);
});

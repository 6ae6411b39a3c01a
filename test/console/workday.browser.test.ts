/**
 * A working day in the console, in headless Chromium (Debian's `chromium`, driven by playwright-core),
 * against the real admin, handling and agents routes on an embedded MongoDB, signing in through the fake
 * WeCom's web sign-in (wecom-contract.md §7.7): the 信访办 clerk works the queue and assigns, a unit member
 * accepts, returns and answers, the citizen rates 不满意, the clerk closes it after review, a district
 * leader gives an instruction, and the clerk exports, reads statistics and the quota report.
 *
 * Every page a person sees is checked for English status codes and error text. Screenshots at 1440×900
 * and 390×844 go to a temporary folder, or to $SHOTS_DIR to keep them for a person to look at.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { STAFF, startAdminApp, type AdminApp } from '../admin/helpers/admin-app.js';
import { startFakeWeCom, type FakeWeCom } from '../fakes/fake-wecom-server.js';
import { launchChromium } from '../helpers/browser.js';

let app: AdminApp;
let wecom: FakeWeCom;
let browser: Browser;
let work: string;
// Screenshots go to a temporary folder, removed afterwards; set SHOTS_DIR to keep them and look at them.
let shots = process.env.SHOTS_DIR ?? '';
const refs: Record<string, string> = {};
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

beforeAll(async () => {
  wecom = await startFakeWeCom();
  app = await startAdminApp({ listen: true, handlingRoutes: true, now: '2021-07-01T10:00:00+08:00', wecom: { url: wecom.url, corpId: 'ww0123456789abcdef', agentId: 1000002, secret: 'app-secret' } });
  const office = { kind: 'office' as const, id: STAFF.clerk.userid };
  // Assigned to 区教委 on 1 July and never accepted: late by the 12th.
  refs.late = await app.submit({ title: '关于增设学校周边护学岗的建议' });
  await app.handling.assign(refs.late, { units: ['jw'], by: office });
  app.clock.set('2021-07-08T10:00:00+08:00');
  // Assigned on the 8th: its accept deadline (3 working days) is the 13th, due soon on the 12th.
  refs.soon = await app.submit({ title: '关于延长社区图书室开放时间的建议' });
  await app.handling.assign(refs.soon, { units: ['fgw'], by: office });
  app.clock.set('2021-07-12T10:00:00+08:00');
  refs.fresh = await app.submit({ title: '关于发展乡村民宿的建议', proposer: { name: '周小梅', phone: '13900001111', unit: '某某村委会' } });
  refs.wrongUnit = await app.submit({ title: '关于规范校外培训收费的建议' });
  await app.handling.assign(refs.wrongUnit, { units: ['fgw'], by: office });
  refs.forLeaders = await app.submit({ theme: 'chengyu_economic_circle', title: '关于共建成渝物流通道的建议' });
  work = mkdtempSync(path.join(tmpdir(), 'jianyan-workday-'));
  if (!shots) shots = path.join(work, 'shots');
  mkdirSync(shots, { recursive: true });
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await wecom?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** What a person reads must be Chinese: no status codes, no English errors, no stack traces. */
async function expectPlainChinese(page: Page): Promise<void> {
  const text = await page.evaluate(() => document.body.innerText);
  expect(text).not.toMatch(
    /\b(submitted|assigned|accepted|answered|evaluated|closed|returned|escalated|rejected|withdrawn|adopted|satisfied|unsatisfied|reassigned|office|unit|undefined|null|NaN|Failed to fetch|HTTP|Error|expected string)\b/i,
  );
  expect(text).not.toMatch(/\b[a-z]+_[a-z_]+\b/);
  expect(text).not.toMatch(/\bat .+:\d+:\d+/);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

/** Nothing on the page scrolls sideways. */
const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

/** Signs in through WeCom as `who` in a fresh browser context (its own cookies). */
async function signIn(who: { userid: string } | { openid: string }, viewport = DESKTOP): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport, acceptDownloads: true, locale: 'zh-CN', timezoneId: 'UTC' });
  const page = await ctx.newPage();
  await page.goto(`${app.url}/console/`);
  wecom.signInAs(who);
  await page.click('[data-testid=signin-wecom]');
  await page.waitForURL(/\/console\//);
  return { ctx, page };
}

const rowOf = (page: Page, list: 'queue' | 'list', reference: string) => page.locator(`[data-testid=${list}-row][data-reference="${reference}"]`);
const bucketCount = async (page: Page, id: string) => Number(await page.textContent(`[data-testid=queue-bucket-${id}] .bucket-count`));

async function runAction(page: Page, id: string, fill: () => Promise<void> = async () => {}, confirm = false): Promise<string> {
  await page.click(`[data-testid=action-${id}]`);
  await fill();
  await page.click(`[data-testid=action-submit-${id}]`);
  if (confirm) await page.click('[data-testid=confirm-yes]');
  await expect.poll(() => page.locator('[data-testid=action-result]').first().textContent()).toMatch(/已完成|。$/);
  return (await page.locator('[data-testid=action-result]').first().textContent()) ?? '';
}

describe('a day in the console', () => {
  test('someone who is not in the members directory is told so, in Chinese, and gets no session', async () => {
    const { ctx, page } = await signIn({ openid: 'o-not-a-member' });
    await expect.poll(() => page.textContent('[data-testid=signin-message]')).toContain('不在本系统的人员名单中');
    expect((await ctx.cookies()).map((c) => c.name)).not.toContain('jy_session');
    expect((await page.request.get(`${app.url}/api/me`)).status()).toBe(401);
    expect(await page.isVisible('#nav')).toBe(false);
    await expectPlainChinese(page);
    await shot(page, 'signin-denied-desktop');
    await ctx.close();
  }, 30_000);

  test('the clerk signs in with WeCom and works the queue: late and due-soon items say who must act, by when', async () => {
    const { ctx, page } = await signIn({ userid: STAFF.clerk.userid });
    await page.waitForSelector('[data-testid=queue-buckets] a');
    expect(await page.textContent('[data-testid=who-name]')).toBe('区信访办 · 陈信访');
    // The session cookie is HttpOnly and SameSite=Strict; the browser's script cannot read it.
    const cookie = (await ctx.cookies()).find((c) => c.name === 'jy_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(await page.evaluate(() => document.cookie)).not.toContain('jy_session');
    // WeCom got the state the server issued and the callback on this server.
    const redirect = wecom.signInRedirects.at(-1)!;
    expect(redirect.redirectUri).toBe(`${app.url}/auth/wecom/callback`);
    expect(redirect.state.length).toBeGreaterThan(20);

    expect(await bucketCount(page, 'to_assign')).toBe(2);
    expect(await bucketCount(page, 'overdue')).toBe(1);
    await shot(page, 'queue-clerk-desktop');
    await page.click('[data-testid=queue-bucket-overdue]');
    const late = rowOf(page, 'queue', refs.late!);
    await expect.poll(() => late.textContent()).toContain('区教委待受理（已超期）');
    expect(await late.getAttribute('class')).toBe('overdue');
    expect(await late.textContent()).toMatch(/超期 \d+ 个工作日/);
    await expectPlainChinese(page);

    // The list shows the same reading, amber for due soon; filters survive a reload.
    await page.goto(`${app.url}/console/#/list`);
    await page.waitForSelector('[data-testid=list-row]');
    expect(await rowOf(page, 'list', refs.soon!).getAttribute('class')).toBe('due-soon');
    expect(await rowOf(page, 'list', refs.soon!).textContent()).toContain('2021-07-13 剩 1 个工作日');
    // Sorted by due date (kept in the address): the late one first, the one due soon next.
    await page.click('[data-testid=sort-due]');
    await page.waitForURL(/sort=due/);
    await expect.poll(() => page.locator('[data-testid=list-row]').evaluateAll((rows) => rows.slice(0, 2).map((r) => r.getAttribute('data-reference')))).toEqual([refs.late, refs.soon]);
    await page.click('[data-testid=sort-due]');
    // The unsorted list is drawn before the search is typed, as a clerk would see it.
    await page.waitForURL((u) => !/sort=due/.test(u.hash));
    await expect.poll(() => page.locator('[data-testid=list-row]').count(), { timeout: 10_000 }).toBe(5);
    await page.fill('[data-testid=filter-text]', '周小梅');
    await page.click('[data-testid=filter-submit]');
    await expect.poll(() => page.locator('[data-testid=list-row]').count(), { timeout: 10_000 }).toBe(1);
    await page.reload();
    await expect.poll(() => page.locator('[data-testid=list-row]').getAttribute('data-reference')).toBe(refs.fresh);
    expect(await page.inputValue('[data-testid=filter-text]')).toBe('周小梅');
    await shot(page, 'list-clerk-desktop');
    await ctx.close();
  }, 60_000);

  test('the clerk assigns; the unit member accepts and answers 暂不采纳 with a reason, and returns one that is not theirs', async () => {
    const clerk = await signIn({ userid: STAFF.clerk.userid });
    await clerk.page.goto(`${app.url}/console/#/s/${refs.fresh}`);
    await clerk.page.waitForSelector('[data-testid=actions] .action-list');
    // Only what fits a new suggestion: no 办结, no 改派, no 市级结果.
    for (const absent of ['close', 'reassign', 'city-outcome', 'accept', 'answer']) expect(await clerk.page.locator(`[data-testid=action-${absent}]`).count()).toBe(0);
    await runAction(clerk.page, 'assign', () => clerk.page.check('#act-assign input[name=units][value=fgw]'));
    expect(await clerk.page.textContent('#detail-status')).toBe('已交办');
    expect(await clerk.page.textContent('#history')).toContain('区信访办·陈信访');
    await shot(clerk.page, 'detail-assigned-desktop');

    const member = await signIn({ userid: STAFF.fgwMember.userid });
    const page = member.page;
    await page.waitForSelector('[data-testid=queue-bucket-to_accept]');
    expect(await page.textContent('[data-testid=who-name]')).toBe('区发展改革委 · 李四');
    expect(await bucketCount(page, 'to_accept')).toBe(3);
    await shot(page, 'queue-unit-desktop');
    await rowOf(page, 'queue', refs.fresh!).locator('a').click();
    await page.waitForSelector('[data-testid=action-accept]');
    await runAction(page, 'accept');
    expect(await page.textContent('#detail-status')).toBe('已受理');
    // Once accepted there is no 受理 or 退回 any more, only 答复.
    expect(await page.locator('[data-testid=action-accept]').count()).toBe(0);
    expect(await page.locator('[data-testid=action-return]').count()).toBe(0);
    await page.click('[data-testid=action-answer]');
    await page.selectOption('[data-testid=answer-outcome]', 'not_adopted');
    await page.fill('#act-answer textarea[name=reason]', '感谢您关心乡村发展，民宿用地规划今年已批复，暂无调整空间。');
    await page.fill('#act-answer textarea[name=text]', '我委已会同镇政府研究，明年修编规划时一并考虑您的建议。');
    await page.click('[data-testid=action-submit-answer]');
    // Citizen-visible: asked first.
    expect(await page.textContent('.confirm')).toContain('答复会原文发送给建议人');
    await page.click('[data-testid=confirm-yes]');
    await expect.poll(() => page.textContent('#detail-status')).toBe('已答复');
    const answered = await app.suggestions.getByReference(refs.fresh!);
    const assignment = (answered!.assignments as Record<string, any>[]).find((a) => a.unit === 'fgw')!;
    // Recorded as the signed-in member, never a name typed into the form.
    expect(assignment.answer).toMatchObject({ outcome: 'not_adopted', by: 'unit:fgw:lisi' });
    expect(await page.textContent('#assignments')).toContain('暂不采纳原因：感谢您关心乡村发展');
    await expectPlainChinese(page);
    await shot(page, 'detail-answered-unit-desktop');

    // Not theirs: returned with a reason, and the clerk sees it waiting to be assigned again.
    await page.goto(`${app.url}/console/#/s/${refs.wrongUnit}`);
    await page.waitForSelector('[data-testid=action-return]');
    expect(await runAction(page, 'return', () => page.fill('#act-return textarea[name=reason]', '校外培训收费归区教委管理，建议改交区教委。'), true)).toBe('退回：已完成。');
    // No longer theirs: the member is back on their queue, where it is gone.
    await page.waitForURL(/#\/queue$/);
    await expect.poll(() => rowOf(page, 'queue', refs.wrongUnit!).count()).toBe(0);
    await clerk.page.goto(`${app.url}/console/#/queue?bucket=to_assign`);
    await expect.poll(() => rowOf(clerk.page, 'queue', refs.wrongUnit!).textContent()).toContain('区信访办待分办');
    await clerk.ctx.close();
    await member.ctx.close();
  }, 90_000);

  test('rated 不满意, the item waits for review; the clerk closes it after a confirmation', async () => {
    const doc = await app.suggestions.getByReference(refs.fresh!);
    const r = await app.handling.rate(refs.fresh!, { citizen: doc!.citizen as never, rating: 'unsatisfied', comment: '希望尽快落实' });
    expect(r.ok).toBe(true);
    const { ctx, page } = await signIn({ userid: STAFF.clerk.userid });
    await page.waitForSelector('[data-testid=queue-bucket-review]');
    expect(await bucketCount(page, 'review')).toBe(1);
    await page.click('[data-testid=queue-bucket-review]');
    await rowOf(page, 'queue', refs.fresh!).locator('a').click();
    await page.waitForSelector('[data-testid=action-close]');
    expect(await page.textContent('#detail')).toContain('不满意；意见：希望尽快落实');
    await page.click('[data-testid=action-close]');
    await page.click('[data-testid=action-submit-close]');
    expect(await page.textContent('.confirm')).toContain('确认办结');
    await page.click('[data-testid=confirm-yes]');
    await expect.poll(() => page.textContent('#detail-status')).toBe('已办结');
    expect(await page.textContent('[data-testid=action-result]')).toBe('办结：已完成。');
    await expectPlainChinese(page);
    await shot(page, 'detail-closed-desktop');
    await ctx.close();
  }, 60_000);

  test('a district leader gives an instruction on an escalated suggestion, recorded as themselves', async () => {
    const clerk = await signIn({ userid: STAFF.clerk.userid });
    await clerk.page.goto(`${app.url}/console/#/s/${refs.forLeaders}`);
    await runAction(clerk.page, 'escalate', () => clerk.page.fill('#act-escalate input[name=note]', '涉及成渝合作'));
    await clerk.ctx.close();

    const { ctx, page } = await signIn({ userid: STAFF.leader.userid });
    await page.waitForSelector('[data-testid=queue-bucket-instruction]');
    expect(await page.textContent('[data-testid=who-name]')).toBe('区领导 · 王区长');
    expect(await bucketCount(page, 'instruction')).toBe(1);
    await rowOf(page, 'queue', refs.forLeaders!).locator('a').click();
    await page.waitForSelector('[data-testid=action-instruction]');
    // A leader has no office actions.
    expect(await page.locator('[data-testid=action-reject]').count()).toBe(0);
    await page.click('[data-testid=action-instruction]');
    expect(await page.inputValue('#act-instruction input[name=leader]')).toBe('王区长');
    await page.fill('#act-instruction textarea[name=text]', '请区发展改革委牵头研究');
    await page.check('#act-instruction input[name=assignTo][value=fgw]');
    await page.click('[data-testid=action-submit-instruction]');
    await expect.poll(() => page.textContent('#detail-status')).toBe('已交办');
    expect(await page.textContent('#history')).toContain('区领导·王区长');
    await expectPlainChinese(page);
    await shot(page, 'detail-leader-desktop');
    await ctx.close();
  }, 60_000);

  test('the detail shows similar earlier suggestions, and the clerk marks a duplicate from there', async () => {
    await app.models.Suggestion.updateOne({ reference: refs.wrongUnit }, { $set: { similarTo: [{ reference: refs.late, score: 0.82 }] } });
    const { ctx, page } = await signIn({ userid: STAFF.clerk.userid });
    await page.goto(`${app.url}/console/#/s/${refs.wrongUnit}`);
    await page.waitForSelector('[data-testid=similar-panel]');
    expect(await page.textContent('[data-testid=similar-panel]')).toContain(`${refs.late} 关于增设学校周边护学岗的建议`);
    expect(await page.textContent('[data-testid=similar-panel]')).toContain('相似度 82%');
    await page.click(`[data-testid=mark-duplicate-${refs.late}]`);
    await page.click('[data-testid=confirm-yes]');
    await expect.poll(() => page.textContent('#detail')).toContain(`与 ${refs.late} 重复`);
    expect(await page.textContent('[data-testid=action-result]')).toBe('标记重复：已完成。');
    await expectPlainChinese(page);
    await shot(page, 'detail-similar-desktop');
    await ctx.close();
  }, 60_000);

  test('the export has every field in Chinese, a frozen header and the date in its name, and matches the console', async () => {
    const { ctx, page } = await signIn({ userid: STAFF.clerk.userid });
    await page.goto(`${app.url}/console/#/list`);
    await page.waitForSelector('[data-testid=list-row]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-xlsx]')]);
    expect(download.suggestedFilename()).toBe('人民建议_2021-07-12.xlsx');
    const file = path.join(work, 'export.xlsx');
    await download.saveAs(file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(file) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const header = (ws.getRow(1).values as string[]).slice(1);
    for (const h of ['办理结果', '暂不采纳原因', '受理期限', '答复期限', '答复时间', '是否超期', '区领导批示', '市级采纳结果', '表彰奖励', '评价意见']) expect(header).toContain(h);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const rows = new Map<string, Record<string, string>>();
    ws.eachRow((row, n) => {
      if (n === 1) return;
      const v = (row.values as string[]).slice(1);
      rows.set(v[0]!, Object.fromEntries(header.map((h, i) => [h, String(v[i] ?? '')])));
    });
    expect(rows.size).toBe(Number(/共 (\d+) 条/.exec((await page.textContent('[data-testid=list-summary]')) ?? '')?.[1]));
    expect(rows.get(refs.fresh!)).toMatchObject({ 办理状态: '已办结', 办理结果: '暂不采纳', 满意度评价: '不满意', 评价意见: '希望尽快落实' });
    expect(rows.get(refs.fresh!)!['暂不采纳原因']).toContain('民宿用地规划');
    expect(rows.get(refs.late!)).toMatchObject({ 是否超期: '是', 待办理: '区教委待受理' });
    expect(rows.get(refs.forLeaders!)!['区领导批示']).toBe('王区长：请区发展改革委牵头研究');
    await ctx.close();
  }, 60_000);

  test('statistics are district totals by default, say their scope, and a unit filter is shown as such', async () => {
    const { ctx, page } = await signIn({ userid: STAFF.clerk.userid });
    // A filtered list does not narrow the statistics.
    await page.goto(`${app.url}/console/#/list?unit=fgw`);
    await page.waitForSelector('[data-testid=list-row]');
    await page.click('[data-testid=nav-stats]');
    await page.waitForSelector('[data-testid=stats-total]');
    expect(await page.textContent('[data-testid=stats-scope]')).toBe('统计范围：全区合计 · 全部时间');
    expect(await page.textContent('[data-testid=stats-total]')).toBe('共 5 条建议');
    // Only the units with suggestions in scope are listed (区发展改革委, 区教委); the rest are counted below.
    expect(await page.locator('[data-testid=unit-rates] tbody tr').count()).toBe(2);
    expect(await page.textContent('#stats')).toMatch(/其余 \d+ 个单位在此范围内暂无承办的建议/);
    expect(await page.textContent('[data-testid=campaign-counts]')).toMatch(/区领导批示\s*1/);
    await expectPlainChinese(page);
    await shot(page, 'stats-district-desktop');
    await page.selectOption('[data-testid=stats-unit]', 'fgw');
    await page.click('[data-testid=stats-submit]');
    await expect.poll(() => page.textContent('[data-testid=stats-total]')).toBe('共 3 条建议');
    expect(await page.textContent('[data-testid=stats-scope]')).toBe('统计范围：全部时间 · 承办单位：区发展改革委');
    // A bar opens the list with the same filter.
    await page.locator('[data-chart="按主题"] a').first().click();
    await page.waitForURL(/#\/list\?/);
    expect(page.url()).toContain('unit=fgw');
    // A month's bar opens that month's list, with the same totals.
    await page.goBack();
    await page.waitForSelector('[data-chart="按月份"] a');
    await page.locator('[data-chart="按月份"] a').first().click();
    await page.waitForURL(/from=2021-07-01/);
    expect(page.url()).toContain('to=2021-07-31');
    await expect.poll(() => page.textContent('[data-testid=list-summary]')).toBe('共 3 条（已按条件筛选）');
    await ctx.close();
  }, 60_000);

  test('the quota report is a Chinese table with a quarter picker and downloads', async () => {
    const { ctx, page } = await signIn({ userid: STAFF.clerk.userid });
    await page.click('[data-testid=nav-quota]');
    await page.waitForSelector('[data-testid=quota-table]');
    expect(await page.textContent('[data-testid=quota-table] thead')).toContain('考核结果');
    expect(await page.inputValue('[data-testid=quota-quarter]')).toBe('3');
    await expectPlainChinese(page);
    expect(await pageWidth(page)).toBeLessThanOrEqual(DESKTOP.width);
    await shot(page, 'quota-desktop');
    await page.selectOption('[data-testid=quota-quarter]', '2');
    await page.click('[data-testid=quota-submit]');
    await expect.poll(() => page.textContent('[data-testid=quota-summary]')).toContain('2021年第2季度');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=quota-xlsx]')]);
    expect(download.suggestedFilename()).toBe('quota-2021-Q2.xlsx');
    await ctx.close();
  }, 60_000);

  test('on a phone lists are cards and nothing scrolls sideways; a keyboard user can skip to the content', async () => {
    const { ctx, page } = await signIn({ userid: STAFF.clerk.userid }, PHONE);
    await page.waitForSelector('[data-testid=queue-buckets] a');
    expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'queue-clerk-phone');
    await page.goto(`${app.url}/console/#/list`);
    await page.waitForSelector('[data-testid=list-row]');
    expect(await page.locator('[data-testid=list-row]').first().evaluate((tr) => getComputedStyle(tr).display)).toBe('block');
    expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width);
    // The filters fold away on a phone; the keyword search stays.
    expect(await page.isVisible('[data-testid=filter-status]')).toBe(false);
    expect(await page.isVisible('[data-testid=filter-text]')).toBe(true);
    await shot(page, 'list-clerk-phone');
    await page.click('[data-testid=filters-more]');
    expect(await page.isVisible('[data-testid=filter-status]')).toBe(true);
    for (const view of [`#/s/${refs.fresh}`, '#/stats', '#/quota']) {
      await page.goto(`${app.url}/console/${view}`);
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(200);
      expect(await pageWidth(page), view).toBeLessThanOrEqual(PHONE.width);
      await expectPlainChinese(page);
      await shot(page, `phone-${view.replace(/[#/]/g, '') || 'home'}`);
    }
    await page.reload();
    await page.waitForSelector('#nav:not([hidden])');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('skip-link');
    await ctx.close();
  }, 60_000);

  test('a unit member opening the console inside the WeCom app on a phone is signed in without a QR code', async () => {
    const ctx = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) wxwork/4.1.22 MicroMessenger/7.0.1 Language/zh' });
    const page = await ctx.newPage();
    wecom.signInAs({ userid: STAFF.fgwMember.userid });
    await page.goto(`${app.url}/console/`);
    await page.waitForSelector('[data-testid=queue-buckets] a');
    expect(await page.textContent('[data-testid=who-name]')).toBe('区发展改革委 · 李四');
    expect(wecom.received.filter((r) => r.api === 'connect/oauth2/authorize').length).toBeGreaterThan(0);
    expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await expectPlainChinese(page);
    await shot(page, 'queue-unit-phone-in-wecom');
    await ctx.close();
  }, 30_000);

  test('signing out ends the session on the server', async () => {
    const { ctx, page } = await signIn({ userid: STAFF.clerk.userid });
    await page.waitForSelector('[data-testid=signout]');
    const sid = (await ctx.cookies()).find((c) => c.name === 'jy_session')!.value;
    await page.click('[data-testid=signout]');
    await expect.poll(() => page.textContent('[data-testid=signin-message]')).toBe('您已退出登录。');
    // The old cookie no longer works even if someone kept it.
    const res = await fetch(`${app.url}/api/me`, { headers: { cookie: `jy_session=${sid}` } });
    expect(res.status).toBe(401);
    await ctx.close();
  }, 30_000);
});

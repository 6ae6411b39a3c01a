/**
 * Abuse: markup a citizen and a unit wrote, shown in the office console of the whole service, in headless
 * Chromium (playwright-core, /usr/bin/chromium). The list and the detail page show every field as text;
 * nothing of it runs. The console's own behaviour is tested in test/console/console.browser.test.ts.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { ADMIN_TOKEN, FGW_TOKEN, startAbuseWorld, type AbuseWorld } from './abuse-world.js';

const XSS = {
  title: '<img src=x onerror="window.__pwned=1">=1+1关于村道路灯的建议',
  proposal: '<script>window.__pwned=2</script>村里主干道没有路灯，夜里出行不安全。建议每50米装一盏太阳能路灯。',
  feasibility: '<svg onload="window.__pwned=3"></svg>+cmd 太阳能路灯无需布线，每盏约三千元，村集体出资。',
  identity: '王五，13712345678，<b onmouseover="window.__pwned=4">万州区某某村委会</b>',
  answer: '<iframe srcdoc="<script>parent.__pwned=5</script>"></iframe>@SUM(1) 已采纳，本月安装。',
};

let w: AbuseWorld;
let browser: Browser;
let reference = '';

beforeAll(async () => {
  w = await startAbuseWorld();
  reference = (await w.submit('xss-citizen', XSS)).reference;
  expect((await w.apiPost(`/suggestions/${reference}/reassign`, { units: ['fgw'] })).status).toBe(200);
  expect((await w.apiPost(`/suggestions/${reference}/answer`, { unit: 'fgw', outcome: 'adopted', text: XSS.answer, by: 'unit_li' }, FGW_TOKEN)).status).toBe(200);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await w?.close();
});

async function signedIn(token: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${w.base}/console/#/list`);
  await page.click('details.break-glass summary');
  await page.fill('#token', token);
  await page.click('#signin-form button[type=submit]');
  await page.waitForSelector('#list-table tbody tr[data-reference]');
  return page;
}

const pwned = (page: Page) => page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned);

test.each([
  ['the office', ADMIN_TOKEN],
  ['the answering unit', FGW_TOKEN],
])('%s sees every hostile field as text in the list and the detail, and none of it runs', async (_who, token) => {
  const page = await signedIn(token);
  const row = page.locator(`#list-table tr[data-reference="${reference}"]`);
  expect(await row.textContent()).toContain(XSS.title);
  // No element the citizen wrote became a real element.
  expect(await page.locator('#list-table img, #list-table script, #list-table svg, #list-table iframe').count()).toBe(0);
  await row.locator('a').click();
  await page.waitForSelector('#detail-title');
  const detail = (await page.textContent('#detail')) ?? '';
  expect(detail).toContain(XSS.title);
  expect(detail).toContain(XSS.proposal);
  expect(detail).toContain(XSS.feasibility);
  expect(detail).toContain(XSS.answer);
  expect(await page.locator('#detail img, #detail script, #detail svg, #detail iframe, #detail b[onmouseover]').count()).toBe(0);
  await page.hover('#detail');
  expect(await pwned(page)).toBeUndefined();
  await page.close();
}, 30_000);

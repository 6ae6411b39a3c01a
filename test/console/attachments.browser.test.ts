/**
 * A suggestion's photo in the console (headless Chromium): the thumbnail is fetched with the console session,
 * shown from a blob: URL, and opens full size; a unit without the assignment cannot read the file.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { silentLogger } from '../../src/infra/logger.js';
import { loadTestConfig } from '../../src/infra/config.js';
import { createWeComApi, type WeComApi } from '../../src/wecom-api/index.js';
import { ADMIN_TOKEN, JW_TOKEN, startAdminApp, type AdminApp } from '../admin/helpers/admin-app.js';
import { startFakeWeCom, type FakeWeCom } from '../fakes/fake-wecom-server.js';
import { pngPhoto } from '../fakes/media-fixtures.js';
import { launchChromium } from '../helpers/browser.js';

let fake: FakeWeCom;
let wecom: WeComApi;
let app: AdminApp;
let browser: Browser;
let reference = '';

beforeAll(async () => {
  fake = await startFakeWeCom();
  wecom = createWeComApi({ config: loadTestConfig(fake.botEnv()), logger: silentLogger });
  app = await startAdminApp({ listen: true, media: wecom });
  // A citizen's photo, downloaded from the fake WeCom with media/get and kept for their draft, then submitted.
  const citizen = { channel: 'wecom-kf' as const, id: 'wmConsolePhoto01' };
  const mediaId = fake.addMedia(pngPhoto(40, 30, [200, 40, 40]), { contentType: 'image/png', filename: '路面塌陷.png' });
  expect(await app.attachments.receive({ channel: citizen.channel, senderId: citizen.id, messageId: 'photo-1', attachment: { kind: 'image', mediaId } })).toBe('已收到图片1张，会随建议一并提交。');
  const files = await app.attachments.draftOf(citizen);
  reference = await app.submit({ title: '关于修复塌陷路面的建议', citizen, attachments: files });
  await app.attachments.bind(files.map((f) => f.id), reference);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await wecom?.close();
  await fake?.close();
});

describe('attachments in the console', () => {
  test('the detail shows the photo as a thumbnail that opens full size', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.url}/console/#/list`);
    // Without WeCom in this test, the office signs in with the break-glass token.
    await page.click('details.break-glass summary');
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('#signin-form button[type=submit]');
    await page.waitForSelector('#list-table tbody tr[data-reference]');
    await page.goto(`${app.url}/console/#/s/${reference}`);
    await page.waitForSelector('#attachments img.thumb');
    expect(await page.textContent('#attachments')).toContain('附件（1）');
    expect(await page.textContent('#attachments')).toContain('路面塌陷.png');
    // The real PNG decoded in the page: 40×30 pixels.
    await expect.poll(() => page.$eval('#attachments img.thumb', (img) => [(img as HTMLImageElement).naturalWidth, (img as HTMLImageElement).naturalHeight])).toEqual([40, 30]);
    await page.click('#attachments img.thumb');
    await page.waitForSelector('dialog.attachment-viewer[open] img');
    await page.close();
  }, 30_000);

  test('a unit the suggestion is not assigned to cannot read the file', async () => {
    const doc = (await app.http.inject({ url: `/api/suggestions/${reference}`, headers: app.auth() })).json();
    const url = doc.attachments[0].url as string;
    expect((await app.http.inject({ url, headers: app.auth() })).headers['content-type']).toBe('image/png');
    expect((await app.http.inject({ url, headers: app.auth(JW_TOKEN) })).statusCode).toBe(403);
  });
});

/**
 * Photos, voice, files and locations, end to end against the whole service (`startService`, embedded
 * engine on a data directory) and the fake WeCom: the citizen writes over 微信客服, media are fetched with
 * media/get, stored in GridFS, and the unit that handles the suggestion downloads them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { fixedClock, type Clock } from '../../src/infra/clock.js';
import { loadTestConfig, type AppConfig } from '../../src/infra/config.js';
import { startService, type RunningService } from '../../src/main.js';
import { startFakeWeCom, type FakeWeCom } from '../fakes/fake-wecom-server.js';
import { amrVoice, pdfDocument, pngPhoto } from '../fakes/media-fixtures.js';
import { good, IN_CAMPAIGN } from '../helpers/conversation.js';

const KF = 'wkAJ2GCAAAZSfhHCt7IFSvLKtMPxyJTw';
const CITIZEN = 'wmCitizenPhoto0001';
const ADMIN = 'attachments-admin-token';
const CGJ = 'cgj-token-0123456789abcdefghij';
const JTJ = 'jtj-token-0123456789abcdefghij';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const AGENT = 'wmAgentZhao000000001';

function serviceConfig(fake: FakeWeCom, dataDir: string): AppConfig {
  const base = loadTestConfig({ ...fake.botEnv(), DATA_DIR: dataDir, ADMIN_TOKEN: ADMIN, PORT: '0', HOST: '127.0.0.1' });
  return {
    ...base,
    // An agent of 龙驹镇 who writes from 微信客服.
    agents: [{ id: 'zhao', name: '赵六', unit: 'longju', kfExternalUserIds: [AGENT], devUsers: [] }],
    units: base.units.map((u) => (u.id === 'cgj' ? { ...u, wecomUserIds: ['cg_zhao'] } : u.id === 'longju' ? { ...u, wecomUserIds: ['lj_wang'] } : u)),
    adminApi: { ...base.adminApi, unitTokens: [{ unit: 'cgj', token: CGJ }, { unit: 'jtj', token: JTJ }] },
    notifications: { ...base.notifications, consoleUrl: 'https://jianyan.example.gov.cn/console/' },
  };
}

async function world(opts: { fake?: FakeWeCom; dataDir?: string; clock?: Clock; configure?: (c: AppConfig) => AppConfig } = {}) {
  const fake = opts.fake ?? (await startFakeWeCom());
  if (!opts.fake) cleanups.push(() => fake.close());
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'jy-att-'));
  if (!opts.dataDir) cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const clock = opts.clock ?? fixedClock(IN_CAMPAIGN);
  const service: RunningService = await startService({ config: (opts.configure ?? ((c) => c))(serviceConfig(fake, dataDir)), clock });
  let closed = false;
  const close = async () => {
    if (!closed) await service.close();
    closed = true;
  };
  cleanups.push(close);
  const addr = service.app.server.address();
  if (!addr || typeof addr !== 'object') throw new Error('not listening');
  fake.setBot(`http://127.0.0.1:${addr.port}`);

  /** What the citizen reads after one message of theirs (the texts and menu heads the bot sent). */
  const after = async (send: () => void) => {
    const before = fake.kfMessagesTo(CITIZEN).length;
    send();
    await fake.notifyKf(KF);
    await service.drain();
    return fake
      .kfMessagesTo(CITIZEN)
      .slice(before)
      .map((m) => m.text ?? m.menu?.head ?? '')
      .join('\n');
  };
  return {
    fake,
    dataDir,
    clock,
    service,
    close,
    says: (text: string) => after(() => fake.customerSays(KF, CITIZEN, text)),
    sendsPhoto: (bytes: Buffer, contentType = 'image/png') =>
      after(() => fake.customerSendsMedia(KF, CITIZEN, 'image', fake.addMedia(bytes, { contentType, filename: 'IMG_0412.png' }))),
    sendsMedia: (kind: 'image' | 'voice' | 'file', mediaId: string) => after(() => fake.customerSendsMedia(KF, CITIZEN, kind, mediaId)),
    sendsLocation: (address: string) => after(() => fake.customerSendsLocation(KF, CITIZEN, { latitude: 30.8071, longitude: 108.6874, name: '玉合村村委会', address })),
    api: (url: string, token: string) => service.app.inject({ url, headers: { authorization: `Bearer ${token}` } }),
  };
}

type World = Awaited<ReturnType<typeof world>>;

/** From 我想提建议 to the proposal step of a 日常建议. */
async function startDraft(w: World, title: string) {
  await w.says('我想提建议');
  await w.says('3'); // 日常建议
  await w.says(title);
  await w.says('解决问题');
}

let lastSummary = '';
async function finish(w: World): Promise<string> {
  await w.says('完成');
  await w.says(good.feasibility);
  await w.says('完成');
  lastSummary = await w.says(good.identity);
  const done = await w.says('确认提交');
  const reference = /WZ2021-\d{6}/.exec(done)?.[0];
  if (!reference) throw new Error(`not submitted: ${done}`);
  return reference;
}

describe('a photo sent mid-draft reaches the unit that handles the suggestion', () => {
  test('kept with the draft, counted on the card, listed in the admin API and downloaded by the assigned unit only', async () => {
    const w = await world();
    await startDraft(w, '关于规范玉合村集镇占道经营的建议');
    await w.says('赶场天玉合村集镇的摊贩占道经营，车辆进不去，还发生过剐蹭。');
    const photo = pngPhoto(16, 12);
    expect(await w.sendsPhoto(photo)).toBe('已收到图片1张，会随建议一并提交。');
    // The draft goes on where it was.
    await w.says('建议在集镇入口划定临时摊位区，安排专人在赶场天疏导交通。');
    const reference = await finish(w);
    // The summary before confirming, and 查询 afterwards, say a photo goes with it.
    expect(lastSummary).toContain('附件：图片1张');
    expect(await w.says(`查询 ${reference}`)).toContain('附件：图片1张');

    const doc = (await w.api(`/api/suggestions/${reference}`, ADMIN)).json();
    // 城管 by the topic, 龙驹镇 by the village the citizen named.
    expect(doc.assignments.map((a: { unit: string }) => a.unit)).toEqual(['cgj', 'longju']);
    expect(doc.attachments).toEqual([
      { id: expect.stringMatching(/^[0-9a-f]{32}$/), kind: 'image', name: 'IMG_0412.png', size: photo.length, contentType: 'image/png', status: 'stored', url: expect.stringMatching(/^\/api\/attachments\//) },
    ]);
    const url = doc.attachments[0].url as string;

    // The unit's card says a photo came with it.
    const cardOf = () => w.fake.appDelivered.find((d) => d.touser === 'cg_zhao' && d.body.msgtype === 'template_card');
    await expect.poll(cardOf, { timeout: 10_000, interval: 50 }).toBeDefined();
    const card = cardOf()!.body.template_card as { horizontal_content_list: { keyname: string; value: string; type?: number; url?: string }[] };
    expect(card.horizontal_content_list).toContainEqual({ keyname: '附件', value: '图片1张', type: 1, url: `https://jianyan.example.gov.cn/console/#/s/${reference}` });

    const byUnit = await w.api(url, CGJ);
    expect(byUnit.statusCode).toBe(200);
    expect(byUnit.headers['content-type']).toBe('image/png');
    expect(Buffer.compare(byUnit.rawPayload, photo)).toBe(0);
    expect((await w.api(url, ADMIN)).statusCode).toBe(200);
    // 区交通局 has no part in this suggestion.
    expect((await w.api(url, JTJ)).statusCode).toBe(403);
    expect((await w.api(`/api/attachments/${'0'.repeat(32)}`, ADMIN)).statusCode).toBe(404);
    // 受理 on the card reaches the citizen on 微信客服 through the account they wrote to (no WECOM_KF_OPEN_KFIDS is set).
    const taskId = (cardOf()!.body.template_card as { task_id: string }).task_id;
    await w.fake.memberClicksCard('cg_zhao', taskId, 'accept');
    await w.service.drain();
    await expect.poll(() => w.fake.kfMessagesTo(CITIZEN).some((m) => m.text?.includes(`您的建议 ${reference} 已由区城市管理局受理`)), { timeout: 10_000, interval: 50 }).toBe(true);
    // The console's viewer is served, and its page may show the fetched bytes (blob: images, audio, video).
    const viewer = await w.service.app.inject({ url: '/console/attachments-view.js' });
    expect(viewer.statusCode).toBe(200);
    expect(viewer.headers['content-security-policy']).toContain("img-src 'self' data: blob:");
  }, 60_000);
});

describe('voice, location, and what cannot be kept', () => {
  test('voice is kept and the citizen is asked for the gist; a location is kept, shown and routes to its town', async () => {
    const w = await world();
    await startDraft(w, '关于修复村道路面的建议');
    expect(await w.sendsMedia('voice', w.fake.addMedia(amrVoice(), { contentType: 'audio/amr', filename: 'voice.amr' }))).toBe(
      '已收到语音1条，会随建议一并提交。由于暂时无法识别语音内容，请再用文字简要说明语音里讲的内容。',
    );
    expect(await w.sendsLocation('重庆市万州区龙驹镇玉合村')).toBe('已记下位置：重庆市万州区龙驹镇玉合村，会随建议一并提交，并帮助确定承办单位。');
    await w.says('这段路面坑洼很多，下雨天积水，摩托车经常摔倒。建议尽快修补路面并疏通边沟，雨季前完成。');
    const reference = await finish(w);
    const doc = (await w.api(`/api/suggestions/${reference}`, ADMIN)).json();
    // The place came only from the location: 交通 by the topic, 龙驹镇 by the address.
    expect(doc.assignments.map((a: { unit: string }) => a.unit)).toEqual(['jtj', 'longju']);
    expect(doc.attachments.map((a: { kind: string; contentType: string | null }) => [a.kind, a.contentType])).toEqual([
      ['voice', 'audio/amr'],
      ['location', null],
    ]);
    expect(doc.attachments[1]).toMatchObject({ url: null, location: { latitude: 30.8071, longitude: 108.6874, address: '重庆市万州区龙驹镇玉合村' } });
  }, 60_000);

  test('an oversized photo, a file that is not what it says, and an expired media id are refused politely; the draft stays', async () => {
    const w = await world();
    await startDraft(w, '关于规范集镇占道经营的建议');
    const huge = Buffer.concat([pngPhoto(), Buffer.alloc(3 * 1024 * 1024, 7)]);
    expect(await w.sendsPhoto(huge)).toBe('这个图片超过了2MB，无法保存。您填写的内容都还在，可以换一个较小的文件，或直接用文字说明。');
    // Said to be a JPEG photo, but the bytes are a PDF.
    expect(await w.sendsPhoto(pdfDocument(), 'image/jpeg')).toContain('这个图片的格式无法识别，没有保存');
    const old = w.fake.addMedia(pngPhoto(), { contentType: 'image/png', filename: 'old.png' });
    w.fake.expireMedia(old);
    expect(await w.sendsMedia('image', old)).toBe('这个图片已过期，无法保存，请重新发送一次。');
    // A PDF sent as a file is kept.
    expect(await w.sendsMedia('file', w.fake.addMedia(pdfDocument(), { contentType: 'application/pdf', filename: '情况说明.pdf' }))).toBe('已收到文件1个，会随建议一并提交。');
    // The draft is where it was: the proposal step goes on.
    expect(await w.says('建议在集镇入口划定临时摊位区，安排专人在赶场天疏导交通，减少剐蹭事故。')).not.toContain('无法');
    const reference = await finish(w);
    const doc = (await w.api(`/api/suggestions/${reference}`, ADMIN)).json();
    expect(doc.attachments).toEqual([expect.objectContaining({ kind: 'file', name: '情况说明.pdf', contentType: 'application/pdf' })]);
    expect(w.fake.calls('media/get').filter((c) => c.errcode === 40007)).toHaveLength(1);
  }, 60_000);
});

describe('the count limit', () => {
  test('past the limit a photo is refused politely and the draft keeps the ones before', async () => {
    const w = await world({ configure: (c) => ({ ...c, attachments: { ...c.attachments, maxPerSuggestion: 2 } }) });
    await startDraft(w, '关于规范集镇占道经营的建议');
    expect(await w.sendsPhoto(pngPhoto(4, 4))).toBe('已收到图片1张，会随建议一并提交。');
    expect(await w.sendsPhoto(pngPhoto(5, 5))).toBe('已收到图片2张，会随建议一并提交。');
    expect(await w.sendsPhoto(pngPhoto(6, 6))).toBe('每条建议最多可附2个附件，这个没有保存。您填写的内容都还在，请继续。');
    await w.says('集镇入口摊贩占道，车辆进不去，建议划定临时摊位区并安排专人在赶场天疏导交通。');
    const reference = await finish(w);
    expect((await w.api(`/api/suggestions/${reference}`, ADMIN)).json().attachments.map((a: { kind: string }) => a.kind)).toEqual(['image', 'image']);
  }, 60_000);
});

describe('from the app', () => {
  test("an agent's photo sent in the app is downloaded with the app's token and kept for their draft", async () => {
    const w = await world({ configure: (c) => ({ ...c, agents: [...c.agents, { id: 'li', name: '李明', unit: 'cgj', wecomUserId: 'li_ming', kfExternalUserIds: [], devUsers: [] }] }) });
    const photo = pngPhoto(7, 7);
    await w.fake.memberSendsImage('li_ming', w.fake.addMedia(photo, { contentType: 'image/png', filename: 'stall.png' }));
    await w.service.drain();
    expect(w.fake.appDelivered.filter((d) => d.touser === 'li_ming').map((d) => (d.body.text as { content: string }).content)).toEqual(['已收到图片1张，会随建议一并提交。']);
    // The same token as the app's own message/send (not the 微信客服 secret's).
    const get = w.fake.calls('media/get').at(-1)!;
    expect(get.errcode).toBe(0);
    expect(get.query.access_token).toBe(w.fake.calls('message/send').at(-1)!.query.access_token);
    expect(w.fake.mediaServed).toHaveLength(1);
  }, 60_000);
});

describe('a cancelled draft', () => {
  test('takes its photos with it: the next suggestion starts without them', async () => {
    const w = await world();
    await startDraft(w, '关于规范集镇占道经营的建议');
    expect(await w.sendsPhoto(pngPhoto())).toBe('已收到图片1张，会随建议一并提交。');
    expect(await w.says('取消')).toContain('确定要取消吗');
    expect(await w.says('是')).toContain('已取消');
    await startDraft(w, '关于修复村道路面的建议');
    await w.says('这段路面坑洼很多，下雨天积水，摩托车经常摔倒。建议尽快修补路面并疏通边沟，雨季前完成。');
    const reference = await finish(w);
    expect(lastSummary).not.toContain('附件');
    expect((await w.api(`/api/suggestions/${reference}`, ADMIN)).json().attachments).toEqual([]);
  }, 60_000);
});

describe('a forwarded chat record', () => {
  test("keeps its pictures as attachments of the agent's entry", async () => {
    const w = await world();
    const agentSays = async (text: string) => {
      const before = w.fake.kfMessagesTo(AGENT).length;
      w.fake.customerSays(KF, AGENT, text);
      await w.fake.notifyKf(KF);
      await w.service.drain();
      return w.fake.kfMessagesTo(AGENT).slice(before).map((m) => m.text ?? m.menu?.head ?? '').join('\n');
    };
    await agentSays('你好'); // the agent's reply window is open
    const photo = pngPhoto(12, 9);
    const media = w.fake.addMedia(photo, { contentType: 'image/png', filename: 'road.png' });
    const t0 = Math.floor(Date.now() / 1000) - 600;
    const line = (sender: string, at: number, msg: Record<string, unknown>) => ({ send_time: at, msgtype: msg.msgtype, sender_name: sender, msg_content: JSON.stringify(msg) });
    w.fake.appendKfItem(KF, {
      msgid: 'from_msgid_merged_photo',
      open_kfid: KF,
      external_userid: AGENT,
      send_time: Math.floor(Date.now() / 1000),
      origin: 3,
      msgtype: 'merged_msg',
      merged_msg: {
        title: '赵六和孙丽的聊天记录',
        item: [
          line('赵六', t0, { msgtype: 'text', text: { content: '孙大姐，您说说？' } }),
          line('孙丽', t0 + 30, { msgtype: 'text', text: { content: '我是龙驹镇玉合村的村民，村里到镇上的公路有一段塌方了，一下雨就走不了，建议尽快修复并加装护栏。' } }),
          line('孙丽', t0 + 60, { msgtype: 'image', image: { media_id: media } }),
        ],
      },
    });
    await w.fake.notifyKf(KF);
    await w.service.drain();
    expect(w.fake.kfMessagesTo(AGENT).map((m) => m.text ?? m.menu?.head ?? '').join('\n')).toContain('已采用“孙丽”的1条发言作为建议内容');
    await agentSays('3'); // 日常建议
    await agentSays('关于修复玉合村塌方公路的建议');
    await agentSays('解决问题');
    await agentSays('塌方路段约30米，可由镇上组织抢修，交通部门补助材料费，护栏每米约200元。');
    await agentSays('完成');
    await agentSays('孙丽，13912345678，龙驹镇玉合村');
    await agentSays('是');
    const done = await agentSays('确认');
    const reference = /WZ2021-\d{6}/.exec(done)?.[0];
    expect(reference).toBeDefined();
    // The picture went with the entry and was downloaded with the 微信客服 token.
    await expect.poll(async () => (await w.api(`/api/suggestions/${reference}`, ADMIN)).json().attachments, { timeout: 10_000, interval: 50 }).toEqual([
      expect.objectContaining({ kind: 'image', name: 'road.png', contentType: 'image/png', size: photo.length, status: 'stored' }),
    ]);
  }, 60_000);
});

describe('downloads survive a worker restart', () => {
  test('a photo WeCom could not serve at first is fetched by the background job of the next worker', async () => {
    const fake = await startFakeWeCom();
    cleanups.push(() => fake.close());
    const dataDir = mkdtempSync(path.join(tmpdir(), 'jy-att-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = await world({ fake, dataDir });
    await startDraft(first, '关于规范集镇占道经营的建议');
    // WeCom is busy for every try of this download.
    fake.inject('media/get', { errcode: -1 }, 4);
    const photo = pngPhoto(10, 10);
    expect(await first.sendsPhoto(photo)).toBe('已收到图片，正在保存，会随建议一并提交。');
    await first.says('集镇入口摊贩占道，车辆进不去，建议划定临时摊位区并安排专人在赶场天疏导交通。');
    const reference = await finish(first);
    expect((await first.api(`/api/suggestions/${reference}`, ADMIN)).json().attachments).toEqual([expect.objectContaining({ kind: 'image', status: 'pending', url: null })]);
    await first.close();

    // The next worker (same database) retries once the first worker's claim (a lease) and the backoff have run out.
    const clock = fixedClock(IN_CAMPAIGN);
    clock.advance(5 * 60_000);
    const second = await world({ fake, dataDir, clock });
    await expect.poll(() => fake.mediaServed.length, { timeout: 10_000, interval: 50 }).toBe(1);
    await expect.poll(async () => (await second.api(`/api/suggestions/${reference}`, ADMIN)).json().attachments[0].status, { timeout: 5_000, interval: 50 }).toBe('stored');
    const doc = (await second.api(`/api/suggestions/${reference}`, ADMIN)).json();
    expect(doc.attachments).toEqual([expect.objectContaining({ kind: 'image', status: 'stored', size: photo.length })]);
    expect(Buffer.compare((await second.api(doc.attachments[0].url, ADMIN)).rawPayload, photo)).toBe(0);
  }, 60_000);
});

import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Redis } from 'ioredis';
import { RedisKeys } from '../../../src/infra/redis-keys.js';
import { createAgentDirectory, createMemoryAgentStore } from '../../../src/agents/agent-directory.js';
import { fixedClock } from '../../../src/infra/clock.js';
import { startFakeWeCom, type FakeWeCom } from '../../fakes/fake-wecom-server.js';
import { echoHandler, startBot, type BotWorker } from '../../fakes/wecom-harness.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis-server.js';

const KF = 'wkKF0001';
const C1 = 'wmCitizen001';

let fake: FakeWeCom;
const bots: BotWorker[] = [];
afterEach(async () => {
  for (const b of bots.splice(0)) await b.close();
  await fake?.close();
});
const bot = async (...a: Parameters<typeof startBot>) => {
  const b = await startBot(...a);
  bots.push(b);
  return b;
};

describe('callback security', () => {
  test('URL verification answers the decrypted echostr as the whole body on both callback URLs', async () => {
    fake = await startFakeWeCom();
    await bot(fake, { conversation: echoHandler().handler });
    for (const path of ['/wecom/callback', '/wecom/kf/callback']) {
      const r = await fake.verifyUrl(path);
      expect(r).toEqual({ status: 200, body: r.expected, expected: r.expected });
    }
  });

  test('a bad signature, another corp id, a replayed timestamp, garbage and an oversized body are refused and nothing is processed', async () => {
    fake = await startFakeWeCom();
    const echo = echoHandler();
    const b = await bot(fake, { conversation: echo.handler });
    const text = (content: string) =>
      `<xml><ToUserName><![CDATA[ww0123456789abcdef]]></ToUserName><FromUserName><![CDATA[agent_wang]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>1</MsgId><AgentID>1000002</AgentID></xml>`;
    expect((await fake.callback('/wecom/callback', text('a'), { signature: true })).status).toBe(403);
    expect((await fake.callback('/wecom/callback', text('b'), { corpId: 'wwotherorg' })).status).toBe(403);
    expect((await fake.callback('/wecom/callback', text('c'), { timestamp: Math.floor(Date.now() / 1000) - 3600 })).status).toBe(403);
    expect((await fake.callback('/wecom/callback', text('d'), { body: '<xml><Encrypt>' })).status).toBe(400);
    expect((await fake.callback('/wecom/callback', text('e'), { body: `<xml><Encrypt>${'A'.repeat(200_000)}</Encrypt></xml>` })).status).toBe(413);
    await b.wecom.drain();
    expect(echo.seen).toEqual([]);
    expect(fake.received).toEqual([]);
  });
});

describe('the self-built app (staff)', () => {
  test('an agent’s message reaches the engine with the agent role and the reply arrives by message/send; an unknown member is told politely', async () => {
    fake = await startFakeWeCom();
    const echo = echoHandler((t) => [{ text: `代录：${t}`, options: [{ id: 'ok', label: '确认' }, { id: 'no', label: '取消' }] }]);
    const b = await bot(fake, { conversation: echo.handler });
    expect(await fake.memberSays('agent_wang', '帮群众代录一条建议')).toMatchObject({ status: 200, body: '' });
    await fake.memberSays('stranger', '你好');
    await b.wecom.drain();
    expect(echo.seen).toEqual([expect.objectContaining({ senderId: 'agent_wang', role: 'agent', channel: 'wecom-app', text: '帮群众代录一条建议' })]);
    expect(fake.appDelivered.map((d) => [d.touser, (d.body.text as { content: string }).content])).toEqual([
      ['agent_wang', '代录：帮群众代录一条建议\n请回复序号或选项：\n1. 确认\n2. 取消'],
      ['stranger', expect.stringContaining('暂未登记')],
    ]);
  });

  test('the app knows everyone the directory of people knows: a unit handler, a config agent and one the office added', async () => {
    fake = await startFakeWeCom();
    const echo = echoHandler();
    const store = createMemoryAgentStore();
    const b = await bot(fake, {
      conversation: echo.handler,
      configure: (c) => ({
        ...c,
        units: c.units.map((u) => (u.id === 'cgj' ? { ...u, wecomUserIds: ['cg_zhao'] } : u)),
        agents: [...c.agents, { id: 'longju-liu', name: '刘敏', unit: 'longju', wecomUserId: 'liumin', kfExternalUserIds: [], devUsers: [] }],
      }),
      people: (config) => createAgentDirectory({ config, store, clock: fixedClock('2021-07-01T10:00:00+08:00'), cacheMs: 0 }),
    });
    const admin = createAgentDirectory({ config: b.config, store, clock: fixedClock('2021-07-01T10:00:00+08:00') });
    expect(await admin.put({ id: 'zouma-chen', name: '陈亮', unit: 'zouma', wecomUserId: 'chenliang', kfExternalUserIds: [], devUsers: [], active: true })).toMatchObject({ ok: true });
    for (const who of ['cg_zhao', 'liumin', 'chenliang', 'stranger']) await fake.memberSays(who, '你好');
    await b.wecom.drain();
    expect(echo.seen.map((m) => [m.senderId, m.role])).toEqual([
      ['cg_zhao', 'unit'],
      ['liumin', 'agent'],
      ['chenliang', 'agent'],
    ]);
    expect(fake.appDelivered.filter((d) => (d.body.text as { content: string }).content.includes('暂未登记')).map((d) => d.touser)).toEqual(['stranger']);
  });

  test('a menu click arrives as its key; a template-card click reaches the registered hook, whose response_code updates the card', async () => {
    fake = await startFakeWeCom();
    const echo = echoHandler();
    const b = await bot(fake, { conversation: echo.handler });
    const clicks: { taskId: string; eventKey: string; responseCode: string }[] = [];
    b.wecom.onTemplateCardEvent(async (ev) => {
      clicks.push(ev);
      await b.wecom.appClient.updateTemplateCard({ userids: [ev.from], response_code: ev.responseCode, button: { replace_name: '已接收' } });
    });
    await fake.memberClicksMenu('unit_li', 'my_tasks');
    const { responseCode } = await fake.memberClicksCard('unit_li', 'sugg-42-notify', 'accept');
    await b.wecom.drain();
    expect(echo.seen).toEqual([expect.objectContaining({ senderId: 'unit_li', role: 'unit', optionId: 'my_tasks' })]);
    expect(clicks).toEqual([expect.objectContaining({ taskId: 'sugg-42-notify', eventKey: 'accept', responseCode })]);
    expect(fake.cardUpdates).toEqual([expect.objectContaining({ response_code: responseCode, agentid: 1000002 })]);
  });

  test('a card click whose handler fails for a while is retried and applied once; one that keeps failing asks the member to click again', async () => {
    fake = await startFakeWeCom();
    const b = await bot(fake, { conversation: echoHandler().handler });
    let failures = 2;
    const applied: string[] = [];
    b.wecom.onTemplateCardEvent(async (ev) => {
      if (ev.taskId === 'always-down' || failures-- > 0) throw new Error('storage unavailable');
      applied.push(ev.taskId);
    });
    await fake.memberClicksCard('unit_li', 'sugg-7-notify', 'accept');
    await b.wecom.drain();
    expect(applied).toEqual(['sugg-7-notify']);
    expect(fake.appDelivered).toEqual([]);

    await fake.memberClicksCard('unit_li', 'always-down', 'accept');
    await b.wecom.drain();
    expect(applied).toEqual(['sugg-7-notify']);
    expect(fake.appDelivered.map((d) => [d.touser, (d.body.text as { content: string }).content])).toEqual([['unit_li', expect.stringContaining('请稍后再点一次')]]);
  });

  test('a callback WeCom retries (same MsgId) is answered once, and repeated events (same sender and CreateTime) count once', async () => {
    fake = await startFakeWeCom();
    const echo = echoHandler();
    const b = await bot(fake, { conversation: echo.handler });
    const first = await fake.memberSays('agent_wang', '第一条', '7290000000000000777');
    const again = await fake.memberSays('agent_wang', '第一条', '7290000000000000777');
    await fake.memberClicksMenu('agent_wang', 'help');
    await fake.memberClicksMenu('agent_wang', 'help');
    expect([first.status, again.status]).toEqual([200, 200]);
    await b.wecom.drain();
    expect(echo.seen.map((s) => s.text)).toEqual(['第一条', 'help']);
    expect(fake.appDelivered).toHaveLength(2);
  });

  test('when the token expires mid-conversation the call is retried once with a fresh token and nothing is lost', async () => {
    fake = await startFakeWeCom();
    const b = await bot(fake, { conversation: echoHandler().handler });
    await fake.memberSays('agent_wang', '一');
    await b.wecom.drain();
    fake.expireTokens();
    await fake.memberSays('agent_wang', '二');
    await b.wecom.drain();
    expect(fake.appDelivered.map((d) => (d.body.text as { content: string }).content)).toEqual(['收到：一', '收到：二']);
    expect(fake.calls('message/send').map((c) => c.errcode)).toEqual([0, 42001, 0]);
    expect(fake.calls('gettoken')).toHaveLength(2);
  });
});

describe('微信客服 mechanics', () => {
  test('duplicate and out-of-order notifications: every customer message is answered once, in order, through empty pages', async () => {
    fake = await startFakeWeCom({ syncPageSize: 1 });
    const echo = echoHandler();
    const b = await bot(fake, { conversation: echo.handler });
    fake.customerSays(KF, C1, '甲');
    fake.customerSays(KF, C1, '乙');
    fake.servicerSays(KF, C1, '人工客服的话');
    fake.emptyPagesNext(KF, 2);
    fake.customerSays(KF, C1, '丙');
    // Three notifications for the same messages, the later ones arriving while the first is processed.
    await Promise.all([fake.notifyKf(KF), fake.notifyKf(KF, { path: '/wecom/callback' }), fake.notifyKf(KF)]);
    await b.wecom.drain();
    await fake.notifyKf(KF);
    await b.wecom.drain();
    expect(echo.seen.map((s) => s.text)).toEqual(['甲', '乙', '丙']);
    expect(fake.kfMessagesTo(C1).map((m) => m.text)).toEqual(['收到：甲', '收到：乙', '收到：丙']);
  });

  test('the reply window: at most 5 messages per customer message; the rest is kept and delivered when the customer writes again', async () => {
    fake = await startFakeWeCom();
    const b = await bot(fake, { conversation: echoHandler().handler });
    fake.customerSays(KF, C1, '你好');
    await fake.notifyKf(KF);
    await b.wecom.drain();
    const news = Array.from({ length: 6 }, (_, i) => ({ text: `进度通知${i + 1}` }));
    const r = await b.wecom.kfOutbox.enqueue({ openKfId: KF, externalUserId: C1 }, news);
    expect(r).toEqual({ sent: 4, kept: 2, dropped: 0 });
    expect(fake.calls('kf/send_msg').every((c) => c.errcode === 0)).toBe(true);
    fake.customerSays(KF, C1, '还有消息吗');
    await fake.notifyKf(KF);
    await b.wecom.drain();
    expect(fake.kfMessagesTo(C1).map((m) => m.text)).toEqual([
      '收到：你好',
      '进度通知1', '进度通知2', '进度通知3', '进度通知4',
      '收到：还有消息吗',
      '进度通知5', '进度通知6',
    ]);
  });

  test('95018 (session taken by a servicer) keeps the message instead of retrying it', async () => {
    fake = await startFakeWeCom();
    const b = await bot(fake, { conversation: echoHandler().handler });
    fake.customerSays(KF, C1, '你好');
    await fake.notifyKf(KF);
    await b.wecom.drain();
    fake.setServiceState(KF, C1, 3);
    const r = await b.wecom.kfOutbox.enqueue({ openKfId: KF, externalUserId: C1 }, [{ text: '您的建议已受理' }, { text: '第二条' }]);
    expect(r).toEqual({ sent: 0, kept: 2, dropped: 0 });
    expect(fake.calls('kf/send_msg').map((c) => c.errcode)).toEqual([0, 95018]);
  });

  test('a long reply is split at the byte limit on sentence boundaries, and more than 10 options fall back to a numbered list', async () => {
    fake = await startFakeWeCom();
    const long = '这是一句完整的话。'.repeat(120);
    const many = Array.from({ length: 12 }, (_, i) => ({ id: `o${i}`, label: `选项${i + 1}` }));
    const b = await bot(fake, { conversation: echoHandler((t) => (t === '长' ? [{ text: long }] : [{ text: '请选择', options: many }])).handler });
    fake.customerSays(KF, C1, '长');
    fake.customerSays(KF, C1, '多');
    await fake.notifyKf(KF);
    await b.wecom.drain();
    const got = fake.kfMessagesTo(C1);
    const texts = got.map((m) => m.text!);
    expect(texts.slice(0, -1).join('')).toBe(long);
    expect(texts.slice(0, -1).every((t) => Buffer.byteLength(t) <= 2048 && t.endsWith('。'))).toBe(true);
    expect(texts.at(-1)).toContain('12. 选项12');
  });

  test("one turn's replies reach the citizen as one message where the limits allow: texts joined, a text before a menu as its head", async () => {
    fake = await startFakeWeCom();
    const themes = [{ id: 'economy', label: '经济发展' }, { id: 'livelihood', label: '民生保障' }];
    const long = '这是一句完整的话。'.repeat(60); // 1,620 bytes: fits a text, not a menu head (1,024)
    const b = await bot(fake, {
      conversation: echoHandler((t) =>
        t === '开始'
          ? [{ text: '您好！这里是万州区人民建议征集助手。' }, { text: '提交一条建议大约需要5分钟。' }, { text: '请选择建议的主题：', options: themes }]
          : [{ text: long }, { text: '请选择建议的主题：', options: themes }],
      ).handler,
    });
    fake.customerSays(KF, C1, '开始');
    await fake.notifyKf(KF);
    await b.wecom.drain();
    expect(fake.kfMessagesTo(C1)).toEqual([
      {
        msgtype: 'msgmenu',
        menu: {
          head: '您好！这里是万州区人民建议征集助手。\n\n提交一条建议大约需要5分钟。\n\n请选择建议的主题：',
          items: [{ id: 'economy', content: '经济发展' }, { id: 'livelihood', content: '民生保障' }],
        },
      },
    ]);
    fake.customerSays(KF, C1, '再来');
    await fake.notifyKf(KF);
    await b.wecom.drain();
    expect(fake.kfMessagesTo(C1).slice(1).map((m) => m.text ?? m.menu?.head)).toEqual([long, '请选择建议的主题：']);
  });
});

describe('limits and faults', () => {
  test('40 app messages to one member in a burst: none over 30 per (compressed) minute, none dropped, none refused', async () => {
    fake = await startFakeWeCom({ limits: { minuteMs: 1_000, blockMs: 300 }, memberOverflow: 'drop' });
    const b = await bot(fake, { conversation: echoHandler().handler });
    await Promise.all(Array.from({ length: 40 }, (_, i) => b.wecom.appClient.sendAppMessage({ touser: 'unit_li', msgtype: 'text', text: { content: `第${i + 1}条` } })));
    expect(fake.appDelivered).toHaveLength(40);
    expect(fake.appDropped).toHaveLength(0);
    expect(fake.limitBreaches).toBe(0);
  });

  test('a 45009 storm is waited out for the block window instead of hammering WeCom; -1 and 5xx are retried at most three times', async () => {
    fake = await startFakeWeCom({ limits: { minuteMs: 1_000, blockMs: 300 } });
    fake.addRobot('robot-key-1');
    const b = await bot(fake, { conversation: echoHandler().handler });
    fake.inject('message/send', { errcode: 45009 }, 2);
    await b.wecom.appClient.sendAppMessage({ touser: 'unit_li', msgtype: 'text', text: { content: '限流后送达' } });
    const sends = fake.calls('message/send');
    expect(sends.map((c) => c.errcode)).toEqual([45009, 45009, 0]);
    // Each retry came only after the block window (300 ms here, 60 s in production): WeCom saw no call while blocked.
    expect(fake.callsWhileBlocked).toBe(0);

    // 30 robot messages with a 20/minute robot: the limiter spaces them; WeCom never says 45009.
    await Promise.all(Array.from({ length: 30 }, (_, i) => b.wecom.appClient.webhookSend('robot-key-1', { msgtype: 'text', text: { content: `群通知${i}` } })));
    expect(fake.robotDelivered).toHaveLength(30);
    expect(fake.calls('webhook/send').every((c) => c.errcode === 0)).toBe(true);

    fake.inject('message/update_template_card', { errcode: -1 }, 4);
    await expect(b.wecom.appClient.updateTemplateCard({ response_code: 'x', button: { replace_name: '已处理' } })).rejects.toMatchObject({ name: 'WeComApiError', errcode: -1 });
    expect(fake.calls('message/update_template_card')).toHaveLength(4);
    fake.inject('kf/sync_msg', { status: 502 }, 1);
    fake.customerSays(KF, C1, '五百零二之后');
    await fake.notifyKf(KF);
    await b.wecom.drain();
    expect(fake.kfMessagesTo(C1).map((m) => m.text)).toEqual(['收到：五百零二之后']);
    expect(fake.callsWhileBlocked).toBe(0);
  });

  test('a wrong secret is a configuration error, reported clearly and not retried', async () => {
    fake = await startFakeWeCom({ secrets: ['kf-secret'] });
    const b = await bot(fake, { conversation: echoHandler().handler });
    await expect(b.wecom.checkCredentials()).rejects.toThrow(/WECOM_SECRET/);
    expect(fake.calls('gettoken')).toHaveLength(1);
  });
});

describe('two workers sharing one Redis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  test('notifications spread over both workers: each customer message answered once, the cursor kept in Redis, one token', async () => {
    fake = await startFakeWeCom({ syncPageSize: 3 });
    const echo = echoHandler();
    const w1 = await bot(fake, { conversation: echo.handler, redisUrl: redis.url });
    const w2 = await bot(fake, { conversation: echo.handler, redisUrl: redis.url, setBot: false });
    const customers = ['wmA', 'wmB', 'wmC'];
    for (let round = 0; round < 4; round++) {
      for (const c of customers) fake.customerSays(KF, c, `${c}-${round}`);
      await Promise.all([fake.notifyKf(KF, { bot: w1.url }), fake.notifyKf(KF, { bot: w2.url }), fake.notifyKf(KF, { bot: w2.url })]);
    }
    await Promise.all([w1.wecom.drain(), w2.wecom.drain()]);
    for (const c of customers) {
      expect(fake.kfMessagesTo(c).map((m) => m.text)).toEqual([0, 1, 2, 3].map((r) => `收到：${c}-${r}`));
    }
    expect(echo.seen).toHaveLength(12);
    const r = new Redis(redis.url);
    expect(await r.get(RedisKeys.kfCursor(KF))).toBeTruthy();
    r.disconnect();
    expect(fake.calls('gettoken')).toHaveLength(1);

    // A third worker starting later continues from the shared cursor: nothing is answered twice.
    const w3 = await bot(fake, { conversation: echo.handler, redisUrl: redis.url, setBot: false });
    fake.customerSays(KF, 'wmA', 'wmA-late');
    await fake.notifyKf(KF, { bot: w3.url });
    await w3.wecom.drain();
    expect(echo.seen).toHaveLength(13);
    expect(fake.kfMessagesTo('wmA').at(-1)?.text).toBe('收到：wmA-late');
  });
});

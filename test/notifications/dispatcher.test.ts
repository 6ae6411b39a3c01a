import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { silentLogger } from '../../src/infra/logger.js';
import { createDispatcher } from '../../src/notifications/dispatcher.js';
import type { Notifier } from '../../src/notifications/notifier.js';
import { startTestMongo, type TestMongo } from '../helpers/embedded-mongo.js';
import { redisAvailable, startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { startFakeWeCom, type FakeWeCom } from '../fakes/fake-wecom-server.js';
import { cardsTo, startWorld, type World } from './handling-world.js';

let mongo: TestMongo;
const open: { close(): Promise<void> }[] = [];
beforeAll(async () => {
  mongo = await startTestMongo();
});
afterAll(async () => {
  await mongo.close();
});
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function fakeWeCom(limits = {}): Promise<FakeWeCom> {
  // The contract's counts with a 1-second "minute", like the bot's FAST limiters.
  const fake = await startFakeWeCom({ limits: { minuteMs: 1_000, hourMs: 60_000, blockMs: 300, ...limits }, memberOverflow: 'error' });
  fake.addRobot('robot-fgw');
  fake.addRobot('robot-xfb');
  open.push(fake);
  return fake;
}
async function world(fake: FakeWeCom, opts: Partial<Parameters<typeof startWorld>[0]> = {}): Promise<World> {
  const w = await startWorld({ mongoUri: mongo.uri, fake, ...opts });
  open.push(w);
  return w;
}
const sendsOfCard = (fake: FakeWeCom, taskId: string) =>
  fake.calls('message/send').filter((c) => c.errcode === 0 && (c.body?.template_card as { task_id?: string } | undefined)?.task_id === taskId);

describe('delivered exactly as promised', () => {
  test('a worker that dies between "assigned" and "notified" loses nothing: the next worker delivers once', async () => {
    const fake = await fakeWeCom();
    const a = await world(fake);
    const ref = await a.submit();
    // Worker A stored the assignment with its outbox and died before dispatching.
    expect((await a.doc(ref)).outbox.map((e) => [e.kind, e.state])).toEqual([
      ['unit_card', 'pending'],
      ['robot_markdown', 'pending'],
    ]);
    const b = await world(fake, { dbName: a.dbName });
    expect(await b.dispatcher('worker-b').runOnce()).toMatchObject({ delivered: 2, dead: 0 });
    expect(await b.dispatcher('worker-c').runOnce()).toMatchObject({ claimed: 0 });
    expect(sendsOfCard(fake, `${ref}-fgw-1`)).toHaveLength(1);
    expect(cardsTo(fake, 'unit_li')).toHaveLength(1);
    expect(fake.robotDelivered).toHaveLength(1);
  });

  test('a worker that dies holding a claim delays the notification only until its lease runs out', async () => {
    const fake = await fakeWeCom();
    const w = await world(fake);
    const ref = await w.submit();
    const hung: Notifier = { deliver: () => new Promise(() => {}) };
    void w.dispatcher('dying', { unit_card: hung, robot_markdown: hung }).runOnce();
    await new Promise((r) => setTimeout(r, 200));
    const [card, robot] = (await w.doc(ref)).outbox;
    expect([card!.claimedBy, robot!.claimedBy ?? null]).toEqual(['dying', null]);

    // Another worker sends what is free (the robot summary) and leaves the claimed card alone…
    expect(await w.dispatcher('other').runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(sendsOfCard(fake, `${ref}-fgw-1`)).toHaveLength(0);
    // …until the dead worker's lease runs out.
    w.clock.advance(w.config.notifications.leaseSeconds * 1000 + 1);
    expect(await w.dispatcher('other').runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(sendsOfCard(fake, `${ref}-fgw-1`)).toHaveLength(1);
    expect((await w.doc(ref)).outbox.map((e) => [e.kind, e.state, e.attempts])).toEqual([
      ['unit_card', 'delivered', 2],
      ['robot_markdown', 'delivered', 1],
    ]);
  });

  test.runIf(redisAvailable || process.env.CI)('two dispatchers on one Redis deliver every notification once', async () => {
    const redis: TestRedis = await startTestRedis();
    open.push({ close: () => redis.stop() });
    const fake = await fakeWeCom();
    const a = await world(fake, { redisUrl: redis.url });
    const b = await world(fake, { redisUrl: redis.url, dbName: a.dbName });
    const refs: string[] = [];
    for (let i = 0; i < 12; i++) refs.push(await a.submit({ title: `成渝协同建议第${i + 1}条` }));
    const da = a.dispatcher('worker-a');
    const db = b.dispatcher('worker-b');
    for (let round = 0; round < 10; round++) {
      const [x, y] = await Promise.all([da.runOnce(), db.runOnce()]);
      if (x.claimed + y.claimed === 0) break;
    }
    for (const ref of refs) expect(sendsOfCard(fake, `${ref}-fgw-1`)).toHaveLength(1);
    expect(fake.robotDelivered).toHaveLength(12);
    expect(fake.limitBreaches).toBe(0);
    const delivered = await a.models.Suggestion.find({}, { outbox: 1 }).lean();
    const by = delivered.flatMap((d) => d.outbox.map((e) => e.claimedBy));
    expect(new Set(by)).toEqual(new Set(['worker-a', 'worker-b'])); // both took part
  });
});

describe('WeCom errors are retried without exceeding the limits', () => {
  test('system busy (-1), a frequency block (45009) and an expired token: each card still arrives once', async () => {
    const fake = await fakeWeCom();
    const w = await world(fake);
    const r1 = await w.submit();
    fake.inject('message/send', { errcode: -1 }, 2);
    await w.dispatcher().runOnce();
    expect(sendsOfCard(fake, `${r1}-fgw-1`)).toHaveLength(1);

    const r2 = await w.submit();
    fake.inject('message/send', { errcode: 45009 });
    await w.dispatcher().runOnce();
    expect(sendsOfCard(fake, `${r2}-fgw-1`)).toHaveLength(1);

    const r3 = await w.submit();
    fake.expireTokens();
    await w.dispatcher().runOnce();
    expect(sendsOfCard(fake, `${r3}-fgw-1`)).toHaveLength(1);
    expect(fake.calls('message/send').filter((c) => c.errcode === 42001 || c.errcode === 40014).length).toBeGreaterThan(0);

    expect(cardsTo(fake, 'unit_li')).toHaveLength(3);
    expect(fake.callsWhileBlocked).toBe(0);
    expect(fake.limitBreaches).toBe(0);
  });

  test('forty reminders to one member are paced under the per-member limit', async () => {
    const fake = await fakeWeCom();
    const w = await world(fake);
    const ref = await w.submit();
    await w.dispatcher().runOnce();
    for (let i = 0; i < 40; i++) {
      await w.handling.applyChange(ref, (s) => ({ ok: true, change: { status: s.status, history: { action: 'test_notice' }, outbox: [{ kind: 'unit_text', target: { unit: 'fgw', userids: ['unit_li'] }, payload: { text: `提醒 ${i + 1}` } }] } }), { kind: 'system' });
    }
    const stats = await w.dispatcher().runOnce();
    expect(stats).toMatchObject({ delivered: 40, retried: 0, dead: 0 });
    expect(fake.appDelivered.filter((d) => d.touser === 'unit_li' && d.body.msgtype === 'text')).toHaveLength(40);
    expect(fake.limitBreaches).toBe(0);
  });

  test('what keeps failing becomes a dead letter the office can see and send again', async () => {
    const fake = await fakeWeCom();
    const w = await world(fake, { maxAttempts: 2 });
    const ref = await w.submit();
    fake.inject('message/send', { errcode: -1 }, 10); // the client itself tries 4 times per attempt
    expect(await w.dispatcher().runOnce()).toMatchObject({ retried: 1, delivered: 1 }); // the robot got through
    expect(await w.dispatcher().runOnce()).toMatchObject({ claimed: 0 }); // backing off
    w.clock.advance(w.config.notifications.backoffSeconds * 1000);
    expect(await w.dispatcher().runOnce()).toMatchObject({ dead: 1 });
    const dl = await w.dispatcher().listDeadLetters();
    expect(dl).toEqual([expect.objectContaining({ reference: ref, kind: 'unit_card', attempts: 2, lastError: 'errcode -1', target: { unit: 'fgw', userids: ['unit_li', 'unit_zhao'] } })]);
    expect(cardsTo(fake, 'unit_li')).toHaveLength(0);

    expect(await w.dispatcher().retryDeadLetter(ref, dl[0]!.id)).toBe(true);
    await w.dispatcher().runOnce();
    expect(cardsTo(fake, 'unit_li')).toHaveLength(1);
    expect(await w.dispatcher().listDeadLetters()).toEqual([]);
  });

  test('a removed robot (93000) is not retried', async () => {
    const fake = await startFakeWeCom();
    open.push(fake);
    const w = await world(fake);
    await w.submit();
    expect(await w.dispatcher().runOnce()).toMatchObject({ delivered: 1, dead: 1 });
    expect(fake.calls('webhook/send')).toHaveLength(1);
  });
});

describe('a burst larger than one batch', () => {
  test('goes out run after run without waiting for the next poll, then the dispatcher rests', async () => {
    const fake = await fakeWeCom();
    const w = await world(fake);
    const refs: string[] = [];
    for (let i = 0; i < 7; i++) refs.push(await w.submit({ title: `成渝协同建议第${i + 1}条` }));
    // Two documents per run and an hour between polls: before, only the first run's cards went out
    // and the rest waited for the next poll.
    const dispatcher = createDispatcher({
      models: w.models,
      notifiers: w.notifiers(),
      clock: w.clock,
      logger: silentLogger,
      workerId: 'burst',
      options: { ...w.config.notifications, pollIntervalMs: 3_600_000, batchSize: 2, concurrency: 1 },
    });
    const pendingCount = () => w.models.Suggestion.countDocuments({ 'outbox.state': 'pending' });
    dispatcher.start();
    open.push({ close: () => dispatcher.stop() });
    await vi.waitFor(async () => expect(await pendingCount()).toBe(0), { timeout: 20_000, interval: 50 });
    for (const ref of refs) expect(sendsOfCard(fake, `${ref}-fgw-1`)).toHaveLength(1);
    expect(fake.robotDelivered).toHaveLength(7);

    // Nothing left: the next run finds nothing and waits for the poll, so a later card waits too.
    const sends = fake.calls('message/send').length;
    const late = await w.submit({ title: '晚到的建议' });
    await new Promise((r) => setTimeout(r, 300));
    expect(sendsOfCard(fake, `${late}-fgw-1`)).toHaveLength(0);
    expect(fake.calls('message/send')).toHaveLength(sends);
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { silentLogger } from '../../src/infra/logger.js';
import { createDispatcher } from '../../src/notifications/dispatcher.js';
import type { Notifier } from '../../src/notifications/notifier.js';
import { startTestMongo, type TestMongo } from '../helpers/embedded-mongo.js';
import { redisAvailable, startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { startFakeWeCom, type FakeWeCom } from '../fakes/fake-wecom-server.js';
import { cardsTo, handlingConfig, startWorld, type World } from '../handling/handling-world.js';

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
    // The card and the robot summary go to different recipients, so the dying worker had claimed both.
    expect([card!.claimedBy, robot!.claimedBy]).toEqual(['dying', 'dying']);

    // Another worker leaves the claimed notifications alone…
    expect(await w.dispatcher('other').runOnce()).toMatchObject({ claimed: 0 });
    expect(sendsOfCard(fake, `${ref}-fgw-1`)).toHaveLength(0);
    // …until the dead worker's lease runs out.
    w.clock.advance(w.config.notifications.leaseSeconds * 1000 + 1);
    expect(await w.dispatcher('other').runOnce()).toMatchObject({ claimed: 2, delivered: 2 });
    expect(sendsOfCard(fake, `${ref}-fgw-1`)).toHaveLength(1);
    expect((await w.doc(ref)).outbox.map((e) => [e.kind, e.state, e.attempts])).toEqual([
      ['unit_card', 'delivered', 2],
      ['robot_markdown', 'delivered', 2],
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

describe('one lane per recipient', () => {
  test("a member held by their per-minute limit delays neither another unit's card nor their own unit's robot", async () => {
    const fake = await fakeWeCom();
    // 区发展改革委 has one handler, allowed one app message per (1-second) minute; 区农业农村委 has another.
    const config = handlingConfig();
    const units = config.units.map((u) => (u.id === 'fgw' ? { ...u, wecomUserIds: ['unit_li'] } : u.id === 'nyncw' ? { ...u, wecomUserIds: ['unit_sun'] } : u));
    const w = await world(fake, { config: { ...config, units }, limits: { memberPerMinute: 1 } });
    // A burst for the busy member first (five cards: four must wait their turn), then one for the other unit.
    for (let i = 0; i < 5; i++) await w.submit({ title: `成渝协同建议第${i + 1}条` });
    const rural = await w.submit({ theme: 'rural_revitalization', title: '建设柑橘冷链仓储点', proposal: '建议在柑橘主产区建设冷链仓储点，减少柑橘烂在地里的损失，方便电商发货。' });
    const dispatcher = createDispatcher({ models: w.models, notifiers: w.notifiers(), clock: w.clock, logger: silentLogger, workerId: 'lanes', options: w.config.notifications });
    dispatcher.start();
    open.push({ close: () => dispatcher.stop() });

    // The other unit's card arrives while the busy member has had only their first card.
    await vi.waitFor(() => expect(cardsTo(fake, 'unit_sun')).toHaveLength(1), { timeout: 10_000, interval: 10 });
    expect(cardsTo(fake, 'unit_sun')[0]!.main_title.title).toContain(rural);
    expect(cardsTo(fake, 'unit_li').length).toBeLessThanOrEqual(1);
    // The busy member's unit robot gets all five summaries without waiting for the cards.
    await vi.waitFor(() => expect(fake.robotDelivered.filter((r) => r.key === 'robot-fgw')).toHaveLength(5), { timeout: 10_000, interval: 10 });
    expect(cardsTo(fake, 'unit_li').length).toBeLessThan(5);

    // The busy member's cards follow one by one as their limit allows, none lost.
    await vi.waitFor(() => expect(cardsTo(fake, 'unit_li')).toHaveLength(5), { timeout: 15_000, interval: 50 });
    expect(fake.limitBreaches).toBe(0);
  }, 30_000);
});

describe('outcomes written together', () => {
  test('each card of a run is recorded as it went: delivered, retried later, or parked', async () => {
    const fake = await fakeWeCom();
    const w = await world(fake);
    const refs: string[] = [];
    for (let i = 0; i < 6; i++) refs.push(await w.submit({ title: `成渝协同建议第${i + 1}条` }));
    // The fourth suggestion also carries a text WeCom refuses for good (empty content, errcode 44004).
    await w.handling.applyChange(refs[3]!, (s) => ({ ok: true, change: { status: s.status, history: { action: 'test_notice' }, outbox: [{ kind: 'unit_text', target: { unit: 'fgw', userids: ['unit_li'] }, payload: { text: '' } }] } }), { kind: 'system' });
    // The first card sent meets "system busy" on every one of the client's tries: that card is retried later.
    fake.inject('message/send', { errcode: -1 }, 4);
    const dispatcher = createDispatcher({ models: w.models, notifiers: w.notifiers(), clock: w.clock, logger: silentLogger, workerId: 'together', options: { ...w.config.notifications, concurrency: 1 } });

    expect(await dispatcher.runOnce()).toEqual({ claimed: 13, delivered: 11, retried: 1, dead: 1 });
    const now = w.clock.now().getTime();
    const docs = await Promise.all(refs.map((r) => w.doc(r)));
    const entries = docs.flatMap((d) => d.outbox);
    expect(entries.every((e) => e.attempts === 1 && e.claimedBy === 'together' && e.claimedUntil == null)).toBe(true);
    // The retried card: still pending, due after the backoff, with the error; its card never arrived.
    const retried = entries.filter((e) => e.state === 'pending');
    expect(retried).toEqual([expect.objectContaining({ kind: 'unit_card', lastError: 'errcode -1' })]);
    expect(retried[0]!.nextAttemptAt.getTime()).toBe(now + w.config.notifications.backoffSeconds * 1000);
    const retriedTask = (retried[0]!.payload as { taskId: string }).taskId;
    expect(sendsOfCard(fake, retriedTask)).toHaveLength(0);
    // The refused text: a dead letter with its errcode, listed for the office.
    expect(entries.filter((e) => e.state === 'dead')).toEqual([expect.objectContaining({ kind: 'unit_text', lastError: 'errcode 44004' })]);
    expect(await dispatcher.listDeadLetters()).toEqual([expect.objectContaining({ reference: refs[3], kind: 'unit_text', attempts: 1, lastError: 'errcode 44004' })]);
    // Everything else: delivered once, with the time it went.
    const delivered = entries.filter((e) => e.state === 'delivered');
    expect(delivered).toHaveLength(11);
    expect(delivered.every((e) => e.deliveredAt?.getTime() === now && e.lastError == null)).toBe(true);
    expect(fake.robotDelivered).toHaveLength(6);
    for (const d of docs) {
      const card = d.outbox.find((e) => e.kind === 'unit_card')!;
      const task = (card.payload as { taskId: string }).taskId;
      expect(sendsOfCard(fake, task)).toHaveLength(task === retriedTask ? 0 : 1);
    }

    // Nothing is due until the backoff has passed; then only the retried card goes, once.
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 0 });
    w.clock.advance(w.config.notifications.backoffSeconds * 1000);
    expect(await dispatcher.runOnce()).toEqual({ claimed: 1, delivered: 1, retried: 0, dead: 0 });
    expect(sendsOfCard(fake, retriedTask)).toHaveLength(1);
    expect(cardsTo(fake, 'unit_li')).toHaveLength(6);
  });

  test('a worker whose lease ran out mid-delivery does not overwrite the outcome of the worker that took over', async () => {
    const fake = await fakeWeCom();
    const w = await world(fake);
    const ref = await w.submit();
    const slowRef = await w.submit({ title: '慢送达的建议' });
    // Worker A's card notifier is stuck on the second suggestion's card until released.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const real = w.notifiers();
    const slow: Notifier = {
      async deliver(e, ctx) {
        if (ctx.reference === slowRef) await released;
        return real.unit_card!.deliver(e, ctx);
      },
    };
    const a = createDispatcher({ models: w.models, notifiers: { ...real, unit_card: slow }, clock: w.clock, logger: silentLogger, workerId: 'worker-a', options: w.config.notifications });
    const runA = a.runOnce();
    await vi.waitFor(async () => expect((await w.doc(slowRef)).outbox[0]).toMatchObject({ claimedBy: 'worker-a', attempts: 1 }), { timeout: 5_000, interval: 20 });
    await vi.waitFor(async () => expect((await w.doc(ref)).outbox.map((e) => e.state)).toEqual(['delivered', 'delivered']), { timeout: 5_000, interval: 20 });

    // A sent the robot summary meanwhile (another recipient, another lane). A's lease runs out; worker B
    // takes the card over and sends it.
    await vi.waitFor(async () => expect((await w.doc(slowRef)).outbox[1]).toMatchObject({ state: 'delivered', claimedBy: 'worker-a' }), { timeout: 5_000, interval: 20 });
    w.clock.advance(w.config.notifications.leaseSeconds * 1000 + 1);
    expect(await w.dispatcher('worker-b').runOnce()).toEqual({ claimed: 1, delivered: 1, retried: 0, dead: 0 });
    const byB = (await w.doc(slowRef)).outbox[0]!;
    expect(byB).toMatchObject({ state: 'delivered', claimedBy: 'worker-b', attempts: 2 });

    // A's send finally goes (WeCom's duplicate check holds it back) and A records nothing over B's outcome.
    release();
    await runA;
    expect((await w.doc(slowRef)).outbox[0]).toEqual(byB);
    expect((await w.doc(ref)).outbox[0]).toMatchObject({ state: 'delivered', claimedBy: 'worker-a', attempts: 1 });
    expect(await runA).toEqual({ claimed: 4, delivered: 4, retried: 0, dead: 0 });
    expect(cardsTo(fake, 'unit_li').filter((c) => c.task_id === `${slowRef}-fgw-1`)).toHaveLength(1);
    expect(fake.appDuplicates).toHaveLength(1);
    expect(fake.robotDelivered).toHaveLength(2);
  });
});

describe('a delivery that takes longer than a lease', () => {
  test('a card still waiting to be sent when its lease would run out is not taken over while its worker lives', async () => {
    const fake = await fakeWeCom();
    const w = await world(fake);
    const ref = await w.submit();
    // Stands for a card waiting for its member's limiter longer than a lease (at WeCom's limits a card can
    // wait about a minute for a member's window, and up to an hour for the hourly limit).
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const real = w.notifiers();
    const waiting: Notifier = {
      async deliver(e, ctx) {
        await released;
        return real.unit_card!.deliver(e, ctx);
      },
    };
    const options = { ...w.config.notifications, leaseSeconds: 5 };
    const a = createDispatcher({ models: w.models, notifiers: { ...real, unit_card: waiting }, clock: w.clock, logger: silentLogger, workerId: 'worker-a', options });
    const card = async () => (await w.doc(ref)).outbox[0]!;
    const runA = a.runOnce();
    await vi.waitFor(async () => expect(await card()).toMatchObject({ claimedBy: 'worker-a', attempts: 1 }), { timeout: 5_000, interval: 20 });
    expect((await card()).claimedUntil!.getTime()).toBe(w.clock.now().getTime() + 5_000);

    // Four seconds on, the worker has extended its lease (it does so every third of a lease)…
    w.clock.advance(4_000);
    await vi.waitFor(async () => expect((await card()).claimedUntil!.getTime()).toBe(w.clock.now().getTime() + 5_000), { timeout: 5_000, interval: 50 });
    // …so past the first lease, another worker leaves the card alone (the robot summary, another
    // recipient, was not held up behind the card: worker A sent it already).
    w.clock.advance(4_000);
    const b = createDispatcher({ models: w.models, notifiers: real, clock: w.clock, logger: silentLogger, workerId: 'worker-b', options });
    expect(await b.runOnce()).toEqual({ claimed: 0, delivered: 0, retried: 0, dead: 0 });
    expect(fake.robotDelivered).toHaveLength(1);

    release();
    expect(await runA).toEqual({ claimed: 2, delivered: 2, retried: 0, dead: 0 });
    expect(await card()).toMatchObject({ state: 'delivered', claimedBy: 'worker-a', attempts: 1, claimedUntil: null });
    expect(cardsTo(fake, 'unit_li')).toHaveLength(1);
    expect(fake.appDuplicates).toHaveLength(0);
  });
});

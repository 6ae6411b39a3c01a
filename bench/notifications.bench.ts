/**
 * Bench 4 — notifications: a burst of 5,000 unit cards (quick: 1,500) through the real delivery path. The
 * suggestions are stored on the embedded engine through the suggestion service and assigned with
 * `handling.assign`, one unit each, so every assignment writes its `unit_card` outbox entry exactly as the
 * product does; then two workers (as in production: each its own `buildHandling` and
 * `registerWeComRoutes`, one shared redis-server) start their dispatchers, which claim the entries, deliver
 * them through the WeCom card notifier → WeCom client → Redis-clustered limiters, and record them. The
 * fake WeCom enforces the contract's per-member limit over a sliding window, counts breaches, and holds
 * back duplicates (enable_duplicate_check) and reused task_ids.
 *
 * 50 units, each with one distinct handler userid (no group robots, so only app messages go out). Windows
 * are the contract's shrunk ten-fold (a 6-second "minute", a 6-minute "hour"; counts unchanged: 30 per
 * member per "minute"), so 5,000 cards take about 20 s; a 6 s window keeps pacing, not per-call CPU, the
 * thing measured, while the 60 ms trip margin stays about 1 % of the window, as in production. The
 * dispatchers run with the production settings (config.notifications, the default batch and lanes), poll
 * interval included (it is not scaled: it only matters when there is nothing to do).
 *
 * Figure: cards/s from the dispatchers' start to the last card received by the fake; baseline: the
 * sustained allowed rate (units × 30 per "minute"); target ≥ 0.9, zero breaches, zero duplicates. The quick
 * size (30 per member: one window's burst) goes out at once, so it measures the pipeline and may exceed
 * the baseline; the full size (100 per member, four windows) is the sustained figure. Seeding (submit +
 * assign) is timed separately and not part of the figure.
 */
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { registerWeComRoutes } from '../src/channels/wecom/index.js';
import { MemorySessionStore } from '../src/conversation/memory-session-store.js';
import { startEmbeddedMongo } from '../src/embedded-mongo/index.js';
import { offsetClock } from '../src/infra/clock.js';
import { loadTestConfig, type AppConfig } from '../src/infra/config.js';
import { RedisDedupeStore } from '../src/infra/dedupe.js';
import { RedisLockService } from '../src/infra/locks.js';
import { silentLogger } from '../src/infra/logger.js';
import { buildHandling } from '../src/notifications/index.js';
import type { OutboxEntry } from '../src/notifications/outbox.js';
import { createSuggestionModels } from '../src/suggestions/suggestion-model.js';
import { formatReference } from '../src/suggestions/reference-number.js';
import { createSuggestionService } from '../src/suggestions/suggestion-service.js';
import { startFakeWeCom } from '../test/fakes/fake-wecom-server.js';
import { FAST } from '../test/fakes/wecom-harness.js';
import { startTestRedis } from '../test/helpers/redis-server.js';
import { suggestionFor } from './conversations.bench.js';
import { figure, pool, round, sleep, type Figure } from './lib.js';

export interface NotificationsResult {
  name: 'notifications';
  notifications: number;
  members: number;
  workers: number;
  seedSeconds: number;
  deliverSeconds: number;
  figures: Figure[];
}

/** Inside the campaign; the clock then runs in real time (leases, backoff). */
const START = new Date('2021-07-01T10:00:00+08:00');
const WINDOWS = { minuteMs: 6_000, hourMs: 360_000 };

export async function run({
  quick = false,
  notifications = quick ? 500 : 5_000,
  members = 50,
  workers = 2,
}: { quick?: boolean; notifications?: number; members?: number; workers?: number } = {}): Promise<NotificationsResult> {
  const debug = (...a: unknown[]) => process.env.BENCH_DEBUG && console.error('[bench4]', ...a);
  const redisServer = await startTestRedis();
  const mongo = await startEmbeddedMongo({ allowProduction: true });
  const fake = await startFakeWeCom({ limits: { ...WINDOWS, blockMs: 300 }, memberOverflow: 'error' });
  const clock = offsetClock(START);
  const base = loadTestConfig({
    ...fake.botEnv(),
    REDIS_URL: redisServer.url,
  });
  // 50 handling units, one distinct WeCom handler each; the office stays (it must exist), with nobody.
  const units: AppConfig['units'] = [
    ...base.units.filter((u) => u.id === base.collectingOffice).map((u) => ({ ...u, wecomUserIds: [], robotKey: undefined })),
    ...Array.from({ length: members }, (_, k) => ({ id: `u${k}`, name: `测试单位${k + 1}`, kind: 'department' as const, coOrganizer: false, wecomUserIds: [`member${k}`] })),
  ];
  const config: AppConfig = Object.freeze({ ...base, units, members: [] });

  const open: (() => Promise<unknown>)[] = [];
  const startWorker = async (n: number) => {
    const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    const conn = mongoose.createConnection(`${mongo.uri}bench4`);
    await conn.asPromise();
    const models = createSuggestionModels(conn);
    await Promise.all([models.Suggestion.init(), models.Counter.init()]);
    const app = Fastify();
    const locks = new RedisLockService(redis);
    const wecom = registerWeComRoutes(app, {
      config,
      logger: silentLogger,
      conversation: { handle: async () => ({ replies: [], state: 'none' }) },
      redis,
      locks,
      dedupe: new RedisDedupeStore(redis),
      clock,
      limits: { ...WINDOWS, heartbeatMs: 100 },
      timing: { ...FAST.timing, requestTimeoutMs: 10_000 },
    });
    const part = buildHandling({ config, connection: conn, models, clock, logger: silentLogger, locks, sessions: new MemorySessionStore(), workerId: `worker-${n}` });
    part.attachWeCom(wecom);
    open.push(async () => {
      await part.stop();
      await wecom.close();
      await app.close();
      redis.disconnect();
      await conn.close();
    });
    await wecom.checkCredentials();
    return { models, part };
  };

  try {
    const ws = [];
    for (let n = 0; n < workers; n++) ws.push(await startWorker(n + 1));
    const { models, part } = ws[0]!;
    const suggestions = createSuggestionService({ models, clock, config });
    const campaign = config.campaigns[0]!;

    // Seed: one suggestion goes through `submit`; the others are stored as copies of it in bulk (submitting
    // 5,000 one by one takes over a minute on the embedded engine and is bench 3's subject). Every
    // suggestion is then assigned with `handling.assign`, one unit each, round robin, which writes its
    // `unit_card` outbox entry as the product does (100 cards per handler at full size).
    const s0 = performance.now();
    const s = suggestionFor(0);
    const [name, phone, unit] = s.identity.split('，');
    const first = await suggestions.submit({
      submissionKey: 'bench4:0',
      campaign: campaign.id,
      theme: campaign.themes[0]!.id,
      category: 'work',
      title: s.title,
      proposal: s.proposal,
      feasibility: s.feasibility,
      proposer: { name: name!, phone: phone!, unit: unit! },
      citizen: { channel: 'dev', id: 'bench-0' },
    });
    const template = (await models.Suggestion.findOne({ reference: first.reference }).lean()) as Record<string, unknown>;
    const { _id, ...shape } = template;
    const refs = [first.reference];
    for (let i = 1; i < notifications; i += 1_000) {
      const docs = [];
      for (let k = i; k < Math.min(notifications, i + 1_000); k++) {
        const reference = formatReference(config.service.referencePrefix, 2021, 100_000 + k);
        refs.push(reference);
        docs.push({ ...shape, reference, submissionKey: `bench4:${k}`, citizen: { channel: 'dev', id: `bench-${k}` }, title: `${suggestionFor(k).title}` });
      }
      await models.Suggestion.insertMany(docs, { lean: true });
    }
    const stored = (performance.now() - s0) / 1000;
    await pool(refs.length, 8, async (i) => {
      const r = await part.handling.assign(refs[i]!, { units: [`u${i % members}`], by: { kind: 'office', id: 'bench' } });
      if (!r.ok) throw new Error(`assign ${refs[i]}: ${r.code} ${r.message}`);
    });
    const seedSeconds = (performance.now() - s0) / 1000;
    const pending = await models.Suggestion.countDocuments({ outbox: { $elemMatch: { kind: 'unit_card', state: 'pending' } } });
    debug(`stored in ${round(stored)} s`);
    debug(`seeded ${refs.length} in ${round(seedSeconds)} s; ${pending} documents with a pending card`);

    // Deliver: every worker's dispatcher polls, claims and sends, as `handlingPart.start()` does.
    let counted = 0;
    let cardCount = 0;
    const cards = () => {
      for (; counted < fake.appDelivered.length; counted++) if (fake.appDelivered[counted]!.body.msgtype === 'template_card') cardCount++;
      return cardCount;
    };
    const t0 = performance.now();
    let last = t0;
    for (const w of ws) w.part.dispatcher.start();
    const deadline = t0 + Math.max(60_000, (notifications / ((members * 30) / (WINDOWS.minuteMs / 1000))) * 5_000);
    let seen = 0;
    while (performance.now() < deadline) {
      const c = cards();
      if (c !== seen) {
        seen = c;
        last = performance.now();
      }
      if (c >= notifications) break;
      await sleep(20);
    }
    const deliverSeconds = (last - t0) / 1000;
    for (const w of ws) await w.part.dispatcher.stop();

    const docs = (await models.Suggestion.find({}, { outbox: 1 }).lean()) as unknown as { outbox: OutboxEntry[] }[];
    const entries = docs.flatMap((d) => d.outbox.filter((e) => e.kind === 'unit_card'));
    const delivered = entries.filter((e) => e.state === 'delivered');
    const dead = entries.filter((e) => e.state === 'dead').length;
    const reclaimed = entries.reduce((n, e) => n + Math.max(0, e.attempts - 1), 0);
    const byWorker = Object.fromEntries(ws.map((_, n) => [`worker-${n + 1}`, delivered.filter((e) => e.claimedBy === `worker-${n + 1}`).length]));
    // Duplicates: a card sent twice is either held back by WeCom's duplicate check, refused for its used
    // task_id, or (neither) received twice.
    const accepted = fake.calls('message/send').filter((c) => c.errcode === 0 && (c.body as { msgtype?: string } | undefined)?.msgtype === 'template_card');
    const taskIds = accepted.map((c) => String((c.body?.template_card as { task_id?: string }).task_id));
    const sent = new Set(taskIds);
    const reusedTaskIds = fake.calls('message/send').filter((c) => c.errcode === 40058 && sent.has(String((c.body?.template_card as { task_id?: string } | undefined)?.task_id))).length;
    const duplicates = fake.appDuplicates.length + reusedTaskIds + (taskIds.length - sent.size);
    const errors = fake.calls('message/send').filter((c) => c.errcode !== 0).length;
    debug({ delivered: delivered.length, dead, reclaimed, byWorker, errors, callsWhileBlocked: fake.callsWhileBlocked });

    const perSec = cards() / deliverSeconds;
    const allowed = (members * 30) / (WINDOWS.minuteMs / 1000);
    return {
      name: 'notifications',
      notifications,
      members,
      workers,
      seedSeconds: round(seedSeconds),
      deliverSeconds: round(deliverSeconds, 2),
      figures: [
        figure({ name: `unit cards per second through ${workers} dispatchers (${notifications} to ${members} handlers)`, value: round(perSec), unit: 'msg/s', baseline: { name: 'allowed by the per-member sliding window', value: round(allowed) }, target: '≥ 0.9 × allowed', met: perSec >= 0.9 * allowed }),
        figure({ name: 'limit breaches seen by the fake WeCom', value: fake.limitBreaches, unit: 'breaches', target: '0', met: fake.limitBreaches === 0 }),
        figure({ name: 'duplicate sends (duplicate check, reused task_id, received twice)', value: duplicates, unit: 'sends', target: '0', met: duplicates === 0 }),
        figure({ name: 'cards received by handlers', value: cards(), unit: 'cards', baseline: { name: 'outbox entries written', value: notifications }, target: 'all, recorded delivered', met: cards() === notifications && delivered.length === notifications && dead === 0 }),
        figure({ name: 'outbox entries claimed again (lease ran out or retried)', value: reclaimed, unit: 'entries' }),
        ...ws.map((_, n) => figure({ name: `cards delivered by worker-${n + 1}`, value: byWorker[`worker-${n + 1}`] ?? 0, unit: 'cards' })),
        figure({ name: `seeding: store and handling.assign ${notifications} suggestions (not in the rate)`, value: round(seedSeconds), unit: 's' }),
      ],
    };
  } finally {
    for (const close of open.reverse()) await close().catch(() => undefined);
    await fake.close();
    await mongo.close();
    await redisServer.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await run({ quick: process.argv.includes('--quick') }), null, 2));
  process.exit(0);
}

/**
 * Bench 1 — inbound: encrypted 微信客服 callbacks for many concurrent conversations, through sync_msg, the
 * engine and Redis, to the replies the fake WeCom receives. The bot runs as a real worker process
 * (`src/main.ts`, Redis sessions) with the embedded engine as its own process; the fake WeCom and the
 * citizens run here. Paced runs (citizens write at a person's pace, and at four times that) for latency, a
 * saturated one (they write again at once) for throughput, which WeCom's per-corp limit on kf/send_msg caps
 * (bench/README.md).
 * Baseline, same machine and run: a server that only verifies, decrypts and acknowledges each callback.
 *
 *   npx tsx bench/inbound.bench.ts [--quick]
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openCallback, type SignedQuery } from '../src/channels/wecom/callback-crypto.js';
import { coachQuality } from '../src/judgement/quality-coach.js';
import { startFakeWeCom, type FakeWeCom } from '../test/fakes/fake-wecom-server.js';
import { startTestRedis } from '../test/helpers/redis-server.js';
import { startMongoProcess, startWorker } from '../test/helpers/service-process.js';
import { syntheticSuggestion } from './similarity.bench.js';
import { prng } from '../src/judgement/corpus/corpus-tools.js';
import { cpuMsOf, figure, percentile, round, sleep, type Figure } from './lib.js';

const OPEN_KFID = 'wkBENCHkf000000000000001';
/**
 * The synthetic suggestions whose proposal the quality coach accepts as a 解决问题 proposal: a few of them
 * read as 大、空、虚, and a citizen given that advice would rewrite rather than type the script's next line.
 */
const acceptable = (() => {
  const found: number[] = [];
  return (i: number): number => {
    for (let j = (found.at(-1) ?? -1) + 1; found.length <= i; j++) {
      const s = syntheticSuggestion(j);
      if (coachQuality(s.proposal, { category: 'problem', title: s.title }).ok) found.push(j);
    }
    return found[i]!;
  };
})();

/** A whole suggestion, different for each citizen (identical ones would be offered as similar). */
export function citizenScript(i: number): string[] {
  const s = syntheticSuggestion(acceptable(i));
  return [
    '我想提建议',
    '1',
    s.title,
    '解决问题',
    s.proposal,
    '完成',
    '可调用现有人员和设备，不需新增编制；预计花费不多，群众满意度会明显提高。',
    '完成',
    `张三，138${String(10_000_000 + i).slice(-8)}，万州区某某公司`,
    '确认提交',
  ];
}
const SCRIPT_LENGTH = citizenScript(0).length;

/** Total commands Redis has executed (INFO commandstats). */
async function redisCommands(url: string): Promise<number> {
  const { Redis } = await import('ioredis');
  const r = new Redis(url);
  try {
    const info = await r.info('commandstats');
    return [...info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)].filter((m) => m[1] !== 'info').reduce((n, m) => n + Number(m[2]), 0);
  } finally {
    r.disconnect();
  }
}

export interface InboundResult {
  name: 'inbound';
  conversations: number;
  messages: number;
  figures: Figure[];
}

/** Baseline: verify + decrypt + ack, nothing else; the same citizens send callbacks closed-loop. */
async function baseline(fake: FakeWeCom, conversations: number, perConversation: number): Promise<{ perSec: number; p50: number; p99: number }> {
  const secrets = fake['opts'];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const q = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams) as SignedQuery;
      const r = openCallback(secrets, q, body, { nowSeconds: Math.floor(Date.now() / 1000), maxSkewSeconds: 300 });
      res.writeHead(r.ok ? 200 : 403, { 'content-type': 'text/plain' }).end('');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const bot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const lat: number[] = [];
  const inner = (u: string) =>
    `<xml><ToUserName><![CDATA[${secrets.corpId}]]></ToUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[ENCA${u}]]></Token><OpenKfId><![CDATA[${OPEN_KFID}]]></OpenKfId></xml>`;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: conversations }, async (_, c) => {
      for (let i = 0; i < perConversation; i++) {
        const s = performance.now();
        const r = await fake.callback('/wecom/kf/callback', inner(`c${c}m${i}`), { bot });
        if (r.status !== 200) throw new Error(`baseline refused a callback: ${r.status}`);
        lat.push(performance.now() - s);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  return { perSec: (conversations * perConversation) / secs, p50: percentile(lat, 0.5), p99: percentile(lat, 0.99) };
}

export async function run({ quick = false, conversations = quick ? 50 : 200 }: { quick?: boolean; conversations?: number } = {}): Promise<InboundResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'jy-bench-inbound-'));
  const redis = await startTestRedis();
  const fake = await startFakeWeCom();
  fake.customerEnters(OPEN_KFID, 'warmup', false);
  // When each reply reached the fake, by the inbound message it answers: the bot derives kf msgids from
  // the inbound msgid (src/wecom-api/kf-outbox.ts `msgidFor`), so replies are attributed exactly,
  // even when a late reply of the previous turn arrives after the citizen already wrote again.
  const replyPrefix = (inboundMsgid: string) => `${createHash('sha256').update(inboundMsgid).digest('base64url').slice(0, 22)}_`;
  // Event-driven waiting: the load generator shares the cores with the worker, so it must not poll.
  const firstReplyAt = new Map<string, number>();
  const replyWaiters = new Map<string, () => void>();
  const deliveryWaiters = new Map<string, () => void>();
  const push = fake.kfDelivered.push.bind(fake.kfDelivered);
  fake.kfDelivered.push = (...items) => {
    const t = performance.now();
    const n = push(...items);
    for (const d of items) {
      const prefix = d.msgid.slice(0, 23);
      if (!firstReplyAt.has(prefix)) firstReplyAt.set(prefix, t);
      replyWaiters.get(prefix)?.();
      deliveryWaiters.get(d.touser)?.();
    }
    return n;
  };
  /** Resolves true once the first reply to `prefix` arrived, false after `ms`. */
  const firstReply = (prefix: string, ms: number) =>
    firstReplyAt.has(prefix)
      ? Promise.resolve(true)
      : new Promise<boolean>((resolve) => {
          const t = setTimeout(() => (replyWaiters.delete(prefix), resolve(false)), ms);
          replyWaiters.set(prefix, () => (clearTimeout(t), replyWaiters.delete(prefix), resolve(true)));
        });
  /** Resolves after `quietMs` without a delivery to `user` (at most `maxMs`). */
  const quiet = (user: string, quietMs: number, maxMs: number) =>
    new Promise<void>((resolve) => {
      const end = setTimeout(done, maxMs);
      let t = setTimeout(done, quietMs);
      deliveryWaiters.set(user, () => {
        clearTimeout(t);
        t = setTimeout(done, quietMs);
      });
      function done() {
        clearTimeout(t);
        clearTimeout(end);
        deliveryWaiters.delete(user);
        resolve();
      }
    });
  // The storage engine runs as its own process, as MongoDB does in production (BENCH_ENGINE_IN_PROCESS=1
  // keeps the development default: the embedded engine inside the worker, whose synchronous fsyncs then
  // stall the worker's event loop).
  const mongo = process.env.BENCH_ENGINE_IN_PROCESS === '1' ? undefined : await startMongoProcess({ dbPath: path.join(dir, 'mongo') });
  const worker = await startWorker({
    env: {
      REDIS_URL: redis.url,
      DATA_DIR: dir,
      ...(mongo ? { MONGODB_URI: `${mongo.uri}jianyan` } : {}),
      ...fake.botEnv(),
      LOG_LEVEL: 'error',
    },
    // BENCH_WORKER_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the worker.
    ...(process.env.BENCH_WORKER_ARGS ? { nodeArgs: process.env.BENCH_WORKER_ARGS.split(' ') } : {}),
  });
  fake.setBot(worker.base);
  /**
   * Citizens `from`…`from + n − 1` each walk their whole script. After a turn's first reply they wait for
   * 20 ms of quiet (the rest of the turn's replies), then `think()` ms, then write again; the first message
   * is written after `start()` ms (people do not all start at the same instant). The run's time is from
   * its start to the last first reply.
   */
  const drive = async (from: number, n: number, start: () => number, think: () => number) => {
    const lat: number[] = [];
    const byStep: number[][] = [];
    let completed = 0;
    let lost = 0;
    let lastReplyAt = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: n }, async (_, k) => {
        const c = from + k;
        const user = `wmBENCH${c}`;
        fake.customerEnters(OPEN_KFID, user, false);
        const first = start();
        if (first > 0) await sleep(first);
        for (const [step, text] of citizenScript(c).entries()) {
          const s = performance.now();
          const prefix = replyPrefix(fake.customerSays(OPEN_KFID, user, text));
          const ack = await fake.notifyKf(OPEN_KFID);
          if (ack.status !== 200) throw new Error(`bot refused a callback: ${ack.status}`);
          if (!(await firstReply(prefix, 10_000))) {
            lost++;
            continue;
          }
          const at = firstReplyAt.get(prefix)!;
          lat.push(at - s);
          (byStep[step] ??= []).push(at - s);
          lastReplyAt = Math.max(lastReplyAt, at);
          await quiet(user, 20, 10_000);
          const pause = think();
          if (pause > 0) await sleep(pause);
        }
        // The confirmation may still be on its way (bounded wait, outside the timed run).
        for (let w = 0; w < 100 && !fake.kfMessagesTo(user).some((m) => m.text?.includes('已提交')); w++) await quiet(user, 100, 100);
        const got = fake.kfMessagesTo(user);
        if (process.env.BENCH_DEBUG && k === 0) console.error(got.map((m) => m.text ?? m.menu?.head ?? '').join('\n---\n'));
        if (got.some((m) => m.text?.includes('已提交'))) completed++;
      }),
    );
    if (process.env.BENCH_DEBUG) console.error(byStep.map((xs, i) => `step ${i}: p50 ${round(percentile(xs, 0.5))} p99 ${round(percentile(xs, 0.99))} max ${round(Math.max(...xs))}`).join('\n'));
    return { lat, byStep, lost, completed, messages: n * SCRIPT_LENGTH, secs: (lastReplyAt - t0) / 1000 };
  };

  try {
    // 1. Paced runs: after each reply a citizen takes a while to write again, drawn uniformly within ±25 %
    //    of a mean; arrivals are spread over two means, so the first messages come at about the rate of
    //    the later ones. Latency here is the bot's own (the load stays under what WeCom lets it send, see
    //    2.). "A person's pace" (8 s: reading a reply and typing the next line on a phone; people are
    //    slower still) carries the target; "busy" (2 s) is four times that load. Quick: busy only,
    //    a quarter of the pause for a quarter of the citizens.
    const rand = prng(20210701);
    const pacedRuns = (quick ? [{ label: 'busy', meanMs: 500, target: false }] : [{ label: "a person's pace", meanMs: 8_000, target: true }, { label: 'busy', meanMs: 2_000, target: false }])
      .map((r) => ({ ...r, meanMs: Number(process.env.BENCH_THINK_MS) || r.meanMs }));
    const paced: { label: string; meanMs: number; target: boolean; run: Awaited<ReturnType<typeof drive>> }[] = [];
    for (const r of pacedRuns) {
      const run = await drive(paced.length * conversations, conversations, () => 2 * r.meanMs * rand(), () => r.meanMs * (0.75 + 0.5 * rand()));
      paced.push({ ...r, run });
    }

    // 2. Saturated: every citizen writes again as soon as the turn's replies are in. WeCom accepts at most
    //    10,000 calls of one API per corp per minute (contract §0.2) and every reply is a kf/send_msg call,
    //    so messages/s cannot exceed 166.7 / (replies per message) whatever the CPU; the replies queue for
    //    the corp's budget and latency is that queue.
    const cpu0 = cpuMsOf(worker.pid);
    const delivered0 = fake.kfDelivered.length;
    const redis0 = await redisCommands(redis.url);
    const full = await drive(paced.length * conversations, conversations, () => 0, () => 0);
    const cpu1 = cpuMsOf(worker.pid);
    const sendsPerSec = (fake.kfDelivered.length - delivered0) / full.secs;
    const repliesPerMessage = (fake.kfDelivered.length - delivered0) / full.messages;
    const redisPerMessage = ((await redisCommands(redis.url)) - redis0) / full.messages;
    if (process.env.BENCH_DEBUG) {
      const { Redis } = await import('ioredis');
      const r = new Redis(redis.url);
      console.error(await r.info('commandstats'));
      r.disconnect();
    }
    const perSec = full.lat.length / full.secs;
    const base = await baseline(fake, conversations, SCRIPT_LENGTH);
    const allowance = 10_000 / 60;
    const all = [...paced.map((p) => p.run), full];
    const lost = all.reduce((n, r) => n + r.lost, 0);
    return {
      name: 'inbound',
      conversations,
      messages: paced.reduce((n, p) => n + p.run.messages, 0) + full.messages,
      figures: [
        ...paced.flatMap(({ label, meanMs, target, run: r }) => {
          const p99 = percentile(r.lat, 0.99);
          return [
            figure({ name: `paced, ${label} (${(meanMs / 1000).toFixed(1)} s between a reply and the next message): messages per second offered`, value: round(r.lat.length / r.secs), unit: 'msg/s' }),
            figure({ name: `paced, ${label}: p50 latency (callback → first reply at WeCom)`, value: round(percentile(r.lat, 0.5)), unit: 'ms', baseline: { name: 'decrypt-and-ack p50 (saturated)', value: round(base.p50, 2) } }),
            figure({ name: `paced, ${label}: p99 latency (callback → first reply at WeCom)`, value: round(p99), unit: 'ms', ...(target ? { target: `< 50 ms at ${conversations} conversations`, met: p99 < 50 } : {}) }),
            // The submitting turn stores the suggestion (the submission-key check, the reference counter,
            // the routed insert: round trips one after another, two of them durable writes); every other
            // turn touches only Redis.
            figure({ name: `paced, ${label}: p99 latency of the submitting turn (确认提交)`, value: round(percentile(r.byStep.at(-1) ?? [], 0.99)), unit: 'ms' }),
            figure({ name: `paced, ${label}: p99 latency of the other turns`, value: round(percentile(r.byStep.slice(0, -1).flat(), 0.99)), unit: 'ms' }),
          ];
        }),
        figure({ name: 'saturated: messages per second (callback → reply at WeCom)', value: round(perSec), unit: 'msg/s', baseline: { name: 'decrypt-and-ack server', value: round(base.perSec) }, target: '≥ 0.5 × baseline', met: perSec >= 0.5 * base.perSec }),
        figure({ name: 'saturated: kf/send_msg calls per second', value: round(sendsPerSec), unit: 'calls/s', baseline: { name: 'WeCom per-corp allowance for one API (10,000 per minute)', value: round(allowance) } }),
        figure({ name: 'saturated: messages per second WeCom allows at this many replies per message', value: round(allowance / repliesPerMessage), unit: 'msg/s', baseline: { name: 'decrypt-and-ack server', value: round(base.perSec) } }),
        figure({ name: "WeCom limit breaches (per corp per API, kf/sync_msg), all runs, counted by the fake", value: fake.limitBreaches + fake.callsWhileBlocked, unit: 'calls', target: '0', met: fake.limitBreaches + fake.callsWhileBlocked === 0 }),
        figure({ name: 'saturated: replies per inbound message', value: round(repliesPerMessage, 2), unit: 'kf messages' }),
        figure({ name: 'saturated: p50 latency (callback → first reply at WeCom)', value: round(percentile(full.lat, 0.5)), unit: 'ms', baseline: { name: 'decrypt-and-ack p50', value: round(base.p50, 2) } }),
        figure({ name: 'saturated: p99 latency (callback → first reply at WeCom)', value: round(percentile(full.lat, 0.99)), unit: 'ms', baseline: { name: 'decrypt-and-ack p99', value: round(base.p99, 2) } }),
        ...(cpu0 !== undefined && cpu1 !== undefined
          ? [figure({ name: 'saturated: worker CPU time per inbound message (user + system)', value: round((cpu1 - cpu0) / full.messages, 2), unit: 'ms' })]
          : []),
        figure({ name: "saturated: Redis commands per inbound message (all of the worker's, incl. limiter heartbeats)", value: round(redisPerMessage, 1), unit: 'commands' }),
        figure({ name: 'conversations completed (suggestion submitted), all runs', value: all.reduce((n, r) => n + r.completed, 0), unit: 'conversations', baseline: { name: 'conversations started', value: all.length * conversations } }),
        figure({ name: 'messages without a reply, all runs', value: lost, unit: 'messages', baseline: { name: 'messages sent', value: all.reduce((n, r) => n + r.messages, 0) }, target: '0', met: lost === 0 }),
      ],
    };
  } finally {
    await worker.stop();
    await mongo?.stop();
    await fake.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await run({ quick: process.argv.includes('--quick') }), null, 2));
}

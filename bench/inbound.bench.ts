/**
 * Bench 1 — inbound: encrypted 微信客服 callbacks for many concurrent conversations, through sync_msg, the
 * engine and Redis, to the replies the fake WeCom receives. The bot runs as a real worker process
 * (`src/main.ts`, Redis sessions, embedded engine); the fake WeCom and the citizens run here.
 * Baseline, same machine and run: a server that only verifies, decrypts and acknowledges each callback.
 *
 *   npx tsx bench/inbound.bench.ts [--quick]
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openCallback, type SignedQuery } from '../src/channels/wecom/callback-crypto.js';
import { startFakeWeCom, type FakeWeCom } from '../test/fakes/fake-wecom-server.js';
import { startTestRedis } from '../test/helpers/redis-server.js';
import { startWorker } from '../test/helpers/service-process.js';
import { syntheticSuggestion } from './similarity.bench.js';
import { figure, percentile, round, sleep, type Figure } from './lib.js';

const OPEN_KFID = 'wkBENCHkf000000000000001';
/** A whole suggestion, different for each citizen (identical ones would be offered as similar). */
export function citizenScript(i: number): string[] {
  const s = syntheticSuggestion(i);
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

/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux; undefined elsewhere). Less
 * sensitive than throughput to other load on a shared machine, so before/after comparisons use it too.
 */
function cpuMsOf(pid: number): number | undefined {
  try {
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

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
  // the inbound msgid (src/channels/wecom/kf-outbox.ts `msgidFor`), so replies are attributed exactly,
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
  const worker = await startWorker({
    env: {
      REDIS_URL: redis.url,
      DATA_DIR: dir,
      ...fake.botEnv(),
      LOG_LEVEL: 'error',
    },
    // BENCH_WORKER_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the worker.
    ...(process.env.BENCH_WORKER_ARGS ? { nodeArgs: process.env.BENCH_WORKER_ARGS.split(' ') } : {}),
  });
  fake.setBot(worker.base);
  try {
    const lat: number[] = [];
    let completed = 0;
    let lost = 0;
    const cpu0 = cpuMsOf(worker.pid);
    const delivered0 = fake.kfDelivered.length;
    const redis0 = await redisCommands(redis.url);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: conversations }, async (_, c) => {
        const user = `wmBENCH${c}`;
        fake.customerEnters(OPEN_KFID, user, false);
        for (const text of citizenScript(c)) {
          const s = performance.now();
          const prefix = replyPrefix(fake.customerSays(OPEN_KFID, user, text));
          const ack = await fake.notifyKf(OPEN_KFID);
          if (ack.status !== 200) throw new Error(`bot refused a callback: ${ack.status}`);
          if (!(await firstReply(prefix, 10_000))) {
            lost++;
            continue;
          }
          lat.push(firstReplyAt.get(prefix)! - s);
          // Let the rest of this turn's replies arrive (20 ms without a delivery) before the citizen answers.
          await quiet(user, 20, 10_000);
        }
        // The confirmation may still be on its way (bounded wait).
        for (let k = 0; k < 100 && !fake.kfMessagesTo(user).some((m) => m.text?.includes('已提交')); k++) await quiet(user, 100, 100);
        const got = fake.kfMessagesTo(user);
        if (process.env.BENCH_DEBUG && c === 0) console.error(got.map((m) => m.text ?? m.menu?.head ?? '').join('\n---\n'));
        if (got.some((m) => m.text?.includes('已提交'))) completed++;
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    const cpu1 = cpuMsOf(worker.pid);
    const sendsPerSec = (fake.kfDelivered.length - delivered0) / secs;
    const redisPerMessage = ((await redisCommands(redis.url)) - redis0) / (conversations * SCRIPT_LENGTH);
    if (process.env.BENCH_DEBUG) {
      const { Redis } = await import('ioredis');
      const r = new Redis(redis.url);
      console.error(await r.info('commandstats'));
      r.disconnect();
    }
    const messages = conversations * SCRIPT_LENGTH;
    const perSec = lat.length / secs;
    const base = await baseline(fake, conversations, SCRIPT_LENGTH);
    return {
      name: 'inbound',
      conversations,
      messages,
      figures: [
        figure({ name: 'inbound messages per second (callback → reply at WeCom)', value: round(perSec), unit: 'msg/s', baseline: { name: 'decrypt-and-ack server', value: round(base.perSec) }, target: '≥ 0.5 × baseline', met: perSec >= 0.5 * base.perSec }),
        figure({ name: 'inbound p50 latency (callback → first reply at WeCom)', value: round(percentile(lat, 0.5)), unit: 'ms', baseline: { name: 'decrypt-and-ack p50', value: round(base.p50, 2) } }),
        figure({ name: 'inbound p99 latency (callback → first reply at WeCom)', value: round(percentile(lat, 0.99)), unit: 'ms', baseline: { name: 'decrypt-and-ack p99', value: round(base.p99, 2) }, target: `< 50 ms at ${conversations} conversations`, met: percentile(lat, 0.99) < 50 }),
        // WeCom allows one corp 10,000 calls of one API per minute (contract §0.2), and every reply is a
        // kf/send_msg call: messages/s cannot exceed 166.7 / (replies per message), whatever the CPU.
        figure({ name: 'kf replies delivered per second (kf/send_msg calls)', value: round(sendsPerSec), unit: 'calls/s', baseline: { name: 'WeCom per-corp limit for one API (10,000 per minute)', value: round(10_000 / 60) } }),
        ...(cpu0 !== undefined && cpu1 !== undefined
          ? [figure({ name: 'worker CPU time per inbound message (user + system)', value: round((cpu1 - cpu0) / messages, 2), unit: 'ms' })]
          : []),
        figure({ name: 'Redis commands per inbound message (all of the worker\'s, incl. limiter heartbeats)', value: round(redisPerMessage, 1), unit: 'commands' }),
        figure({ name: 'conversations completed (suggestion submitted)', value: completed, unit: 'conversations', baseline: { name: 'conversations started', value: conversations } }),
        figure({ name: 'messages without a reply', value: lost, unit: 'messages', baseline: { name: 'messages sent', value: messages }, target: '0', met: lost === 0 }),
      ],
    };
  } finally {
    await worker.stop();
    await fake.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await run({ quick: process.argv.includes('--quick') }), null, 2));
}

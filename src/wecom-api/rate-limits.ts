/**
 * The WeCom limits of wecom-contract.md §0.2, §7.2 and §8 encoded as bottleneck limiters, so the bot slows
 * itself down before WeCom has to refuse. With Redis (`REDIS_URL`), limiters use bottleneck's clustering
 * (`datastore: 'ioredis'`) and every worker shares one budget; without Redis they are in-process.
 *
 * Also holds "blocks": after a 45009 WeCom blocks a scope for the limit's window (minute → 60 s, hour →
 * 60 min); `block(scope, ms)` records that (in Redis when present) and `whenUnblocked(scope)` waits it out.
 *
 * @example
 * const limits = createWeComLimiters({ redis, settings: { heartbeatMs: 250 } });
 * await limits.appMessage(['zhangsan'], () => client.post('message/send', body));
 */
import { createHash } from 'node:crypto';
import Bottleneck from 'bottleneck';
import { Redis as IORedis } from 'ioredis';
import type { Redis } from '../infra/redis.js';
import { RedisKeys } from '../infra/redis-keys.js';

/** The contract's numbers. Tests may shrink the windows (and only the windows) to run quickly. */
export interface WeComLimitSettings {
  /** message/send: per app per member (§0.2). */
  memberPerMinute: number;
  memberPerHour: number;
  /** Group robot webhook: per robot (§8). */
  robotPerMinute: number;
  /** kf/sync_msg without a callback token (§7.2). */
  kfSyncNoTokenPerMinute: number;
  /** kf/sync_msg concurrency (§7.2, reported ≈ 5). */
  kfSyncConcurrent: number;
  /** Per corp, per single API (§0.2). */
  apiPerMinute: number;
  apiPerHour: number;
  minuteMs: number;
  hourMs: number;
  /**
   * How often the per-minute API buckets notice a refill (bottleneck must be told for Redis clustering),
   * and so the finest refill step: a call waiting for the per-corp budget waits up to one beat. The other
   * limiters beat at most once a second (each beat is a Redis script per limiter key).
   */
  heartbeatMs: number;
  /**
   * Longest one limited call (one HTTP attempt) can take; the client's request timeout must be shorter.
   * Only a worker that dies mid-call lets a slot go before its hold ends: bottleneck frees it this long
   * after the hold would have ended (see `slidingWindow`).
   */
  callTimeoutMs: number;
}

export const CONTRACT_LIMITS: WeComLimitSettings = {
  memberPerMinute: 30,
  memberPerHour: 1000,
  robotPerMinute: 20,
  kfSyncNoTokenPerMinute: 10,
  kfSyncConcurrent: 5,
  apiPerMinute: 10_000,
  apiPerHour: 150_000,
  minuteMs: 60_000,
  hourMs: 3_600_000,
  heartbeatMs: 100,
  callTimeoutMs: 60_000,
};

export interface WeComLimiters {
  readonly settings: WeComLimitSettings;
  /** message/send to these members (each member's minute and hour budget is taken). */
  appMessage<T>(members: readonly string[], fn: () => Promise<T>): Promise<T>;
  /** webhook/send for one robot key. */
  robot<T>(robotKey: string, fn: () => Promise<T>): Promise<T>;
  /** kf/sync_msg; without a token the much smaller budget applies, and always the per-corp one. */
  kfSync<T>(withToken: boolean, fn: () => Promise<T>): Promise<T>;
  /** Any other API, per corp and API path. */
  api<T>(apiPath: string, fn: () => Promise<T>): Promise<T>;
  /** Records that WeCom blocked `scope` for `ms` (after a 45009). Shared through Redis when present. */
  block(scope: string, ms: number): Promise<void>;
  /** Resolves once `scope` is no longer blocked. */
  whenUnblocked(scope: string): Promise<void>;
  close(): Promise<void>;
}

export interface WeComLimitersDeps {
  /** Shared Redis: limiters and blocks are then shared by all workers. */
  redis?: Redis;
  /** Distinguishes deployments (e.g. the corp id), so two corps on one Redis keep separate budgets. */
  namespace?: string;
  settings?: Partial<WeComLimitSettings>;
}

const short = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

export function createWeComLimiters({ redis, namespace = 'default', settings: override }: WeComLimitersDeps = {}): WeComLimiters {
  const s: WeComLimitSettings = { ...CONTRACT_LIMITS, ...override };
  // A duplicate connection: bottleneck quits the client it was given when it disconnects. Without
  // auto-pipelining: ioredis sends a script inside a pipeline as a full EVAL every time (it remembers loaded
  // scripts per socket, and a pipeline is a new "socket" each time), and bottleneck's scripts are several KB
  // each: writing them was the largest single item (7 %) in a busy worker's CPU profile (bench 1).
  const connection = redis ? new Bottleneck.IORedisConnection({ client: redis.duplicate({ enableAutoPipelining: false }), Redis: IORedis }) : undefined;
  const cluster = connection ? { datastore: 'ioredis', connection } : { datastore: 'local' };
  const group = (name: string, opts: Bottleneck.ConstructorOptions) =>
    new Bottleneck.Group({ ...cluster, id: RedisKeys.rateLimiter(`${namespace}:${name}`), heartbeatInterval: s.heartbeatMs, ...opts });
  // The per-corp API budget (large n, below; the small limits use `slidingWindow` further down). It must keep
  // ANY window of `ms` (sliding: WeCom's windows are not aligned with ours) at or under `n`, measured where
  // WeCom counts, i.e. after the request's trip; these buckets count grants on Redis's clock, so they hold
  // only while grant-to-arrival delays vary by less than the margin of 1 % of the window (at least 60 ms):
  // 600 ms at the contract's minute. That is an assumption, not a construction (the small limits broke it
  // at 60 ms; see `slidingWindow`); at 10,000 per minute the sliding log's 10,000 held jobs would cost more.
  //
  // Minute-level limits get ~99 % of the allowed sustained rate:
  //  - small n: `minTime = (ms + margin) / n` — calls at least that far apart; any window then holds at
  //    most floor(ms / minTime) + 1 = n calls. No bursts, but no budget is held back either.
  //  - large n (the per-corp API budget): a token bucket with a small burst (2 % of n) whose refill over
  //    a window fills the rest — capacity + amount × (floor(window / interval) + 1) ≤ n, since at most
  //    that many refill instants fall into any window.
  // Hour-level limits keep half the budget as a burst (capacity n/2, the other half refilled over the
  // window): an hour is long, and what matters there is that a burst of cards is not spread over an hour;
  // a sustained load is held to the minute-level limits well before the hour-level one matters.
  const margin = (ms: number) => Math.max(60, Math.ceil(ms * 0.01));
  const bucket = (n: number, ms: number, capacity: number, minInterval: number): Bottleneck.ConstructorOptions => {
    const window = ms + margin(ms);
    const rest = n - capacity;
    const points = (interval: number) => Math.floor(window / interval) + 1;
    // The refill with the highest rate (amount per interval) whose refill instants in any window fit in
    // `rest`, among intervals from the heartbeat (bottleneck only notices a refill on a beat) up to 20 beats.
    // floor() makes neighbouring intervals differ (the contract's minute: 15 per 100 ms is 150/s, 16 per
    // 101 ms is 158/s), and a refill larger than the bucket would be cut to its capacity.
    // Of refills within 1 % of the best rate, the most frequent wins: a call finding the bucket empty waits
    // for the next refill.
    const fallback = { interval: Math.ceil(window / Math.max(1, rest - 1)) + 1, amount: 1 }; // fits whatever n
    const refills = [fallback];
    for (let interval = minInterval; interval <= Math.min(window, minInterval * 20); interval++) {
      const amount = Math.min(capacity, Math.floor(rest / points(interval)));
      if (amount >= 1) refills.push({ interval, amount });
    }
    const rate = (r: { interval: number; amount: number }) => r.amount / r.interval;
    const top = Math.max(...refills.map(rate));
    const best = refills.filter((r) => rate(r) >= 0.99 * top).sort((a, b) => a.interval - b.interval)[0]!;
    return { reservoir: capacity, reservoirIncreaseAmount: best.amount, reservoirIncreaseInterval: best.interval, reservoirIncreaseMaximum: capacity };
  };
  const perMinute = (n: number, ms: number): Bottleneck.ConstructorOptions =>
    n <= 100 ? { minTime: Math.ceil((ms + margin(ms)) / n) } : bucket(n, ms, Math.max(1, Math.floor(n * 0.02)), s.heartbeatMs);
  // The hour buckets hold half their budget as a burst and are rarely waited on: they beat (and refill) at
  // most once a second.
  const slowBeat = Math.max(s.heartbeatMs, 1_000);
  const perHour = (n: number, ms: number): Bottleneck.ConstructorOptions => bucket(n, ms, Math.max(1, Math.floor(n / 2)), slowBeat);

  /**
   * "At most n calls in ANY window of `ms`, across all workers", by construction, for the small per-member,
   * per-robot and kf limits. A clustered bottleneck limiter with `maxConcurrent: n` (the running count lives
   * in Redis, taken and given back by atomic scripts), whose job holds its slot from the grant until
   * `ms + margin` after the call has returned (`hold` below) — a sliding log of the last window's calls.
   *
   * Why that holds wherever and whenever WeCom counts: a call reaches WeCom at some instant r with
   * grant ≤ r ≤ return (the grant happens before the request leaves, the answer comes after WeCom got it).
   * Take any window (a, a + ms] of WeCom's clock and the calls that reached it then: each was granted before
   * a + ms and gives its slot back no earlier than its return + ms ≥ r + ms > a + ms. So at the instant
   * a + ms all of them hold a slot at once, and bottleneck never lets more than n be held. No timestamp is
   * compared across machines — only the order of events and one local timer of `ms`; the margin (0.2 % of
   * the window, at least 10 ms) covers timer and clock-rate slack.
   *
   * (What it replaced: `minTime = (ms + margin) / n` spaced the GRANTS on Redis's clock, but the request
   * reaches WeCom a variable time later — the trip, and an event loop busy with thousands of other calls —
   * so calls granted 202 ms apart arrived bunched whenever an early one was delayed more than a later one by
   * over the 60 ms margin; at a 6 s window bench 4 saw ~100 breaches in 5,000. Between the hour limiter's
   * grant and the call, the minute limiter's queue added minutes; a message to several members held one
   * member's pacing slot while it waited for the next member.)
   *
   * Cost: a slot is busy for ms + margin + the call's round trip, so the sustained rate is
   * n / (ms + margin + trip) — 99.6 % of the limit for a 60 s minute and a 100 ms trip; bursts of up to n go
   * at once. A worker that dies mid-hold leaves its slots taken until bottleneck's job `expiration`
   * (hold + `callTimeoutMs`) frees them; the group's key timeout is longer than that, so Redis never forgets
   * a held slot.
   */
  const holdMargin = (ms: number) => Math.max(10, Math.ceil(ms * 0.002));
  interface SlidingWindow {
    group: Bottleneck.Group;
    holdMs: number;
    expiration: number;
  }
  const slidingWindow = (name: string, n: number, ms: number): SlidingWindow => {
    const holdMs = ms + holdMargin(ms);
    const expiration = holdMs + s.callTimeoutMs;
    // The heartbeat only frees the slots of a dead worker's expired jobs here (a returned slot is announced
    // by bottleneck's own pub/sub), and every beat is a script plus a publish per member limiter: 1 s is enough.
    const opts = { maxConcurrent: n, timeout: expiration + Math.max(60_000, ms), heartbeatInterval: slowBeat };
    return { group: group(name, opts), holdMs, expiration };
  };
  const memberMinute = slidingWindow('member-min', s.memberPerMinute, s.minuteMs);
  const memberHour = slidingWindow('member-hour', s.memberPerHour, s.hourMs);
  const robots = slidingWindow('robot', s.robotPerMinute, s.minuteMs);
  const kfSyncNoToken = slidingWindow('kfsync-notoken', s.kfSyncNoTokenPerMinute, s.minuteMs);
  const holdTimers = new Set<NodeJS.Timeout>();
  /** Runs `fn` in a slot of `w` for `key`; resolves with fn's result at once, keeps the slot `holdMs` longer. */
  const hold = <T>(w: SlidingWindow, key: string, fn: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      let started = false;
      w.group
        .key(key)
        .schedule({ expiration: w.expiration }, async () => {
          started = true;
          try {
            resolve(await fn());
          } catch (err) {
            reject(err); // the request may still have reached WeCom: the slot is held all the same
          }
          if (closed) return new Promise<void>(() => undefined); // keep it: Redis frees it at expiration
          await new Promise<void>((r) => {
            const t = setTimeout(() => {
              holdTimers.delete(t);
              r();
            }, w.holdMs);
            holdTimers.add(t);
          });
        })
        .catch((err: unknown) => {
          if (!started) reject(err); // never granted (Redis down, limiter closed): the call fails
        });
    });
  const kfSyncAll = group('kfsync', { maxConcurrent: s.kfSyncConcurrent, heartbeatInterval: slowBeat });
  // The per-corp API budget is taken from Redis in chunks (see `chunked` below): a chunk's tokens are
  // spent within `tokenLifeMs` of the grant, so the clustered buckets count windows that much longer.
  const tokenLifeMs = Math.max(10, Math.min(1_000, Math.floor(s.minuteMs / 4)));
  const apiMinuteOpts = perMinute(s.apiPerMinute, s.minuteMs + tokenLifeMs);
  const apiHourOpts = perHour(s.apiPerHour, s.hourMs + tokenLifeMs);
  const apiMinute = group('api-min', apiMinuteOpts);
  const apiHour = group('api-hour', { ...apiHourOpts, heartbeatInterval: slowBeat });
  // Largest chunk: 1 % of the minute budget, and never more than a bucket can ever hold (a heavier job
  // would wait forever) nor than a pacing limiter spaces out (one call per minTime).
  const capacityOf = (o: Bottleneck.ConstructorOptions) => (o.reservoir == null ? 1 : Number(o.reservoirIncreaseMaximum ?? o.reservoir));
  const maxChunk = Math.max(1, Math.min(Math.floor(s.apiPerMinute / 100), capacityOf(apiMinuteOpts), capacityOf(apiHourOpts)));
  const groups = [memberMinute.group, memberHour.group, robots.group, kfSyncNoToken.group, kfSyncAll, apiMinute, apiHour];

  /**
   * The per-corp, per-API budget without a Redis round trip per call. Each call goes through a local
   * bottleneck limiter whose reservoir holds tokens this worker was granted by the clustered minute and
   * hour buckets (one weighted job takes a whole chunk). Why the limit still holds across workers: every
   * call spends one granted token; a chunk is granted only when calls wait and no token is left, and its
   * unspent tokens are dropped `tokenLifeMs` after the grant, so a call at time t spends a token granted in
   * [t − tokenLifeMs, t]. Any window of length W therefore holds at most the tokens granted in a window of
   * W + tokenLifeMs, and the clustered buckets keep those at or under the limit (they are built for
   * W + tokenLifeMs, plus the usual margin for the request's trip). The chunk follows demand (calls in the
   * last token life, at least the calls waiting, at most `maxChunk`), so a quiet worker does not hold budget.
   */
  const chunked = (apiPath: string) => {
    // The tokens are a plain count and the calls a FIFO, handed out synchronously: a local bottleneck here
    // (as before) passes every job through several timer turns (its submit and drain locks), one job at a
    // time, so on a busy event loop it admitted only ~70 calls/s and left granted tokens to expire unspent
    // while hundreds of calls waited (bench 1).
    let tokens = 0;
    const queue: { go: () => void; fail: (err: unknown) => void }[] = [];
    let granting = false;
    let generation = 0;
    let period = 0;
    let callsNow = 0;
    let callsBefore = 0;
    const count = () => {
      const p = Math.floor(Date.now() / tokenLifeMs);
      if (p !== period) {
        callsBefore = p === period + 1 ? callsNow : 0;
        callsNow = 0;
        period = p;
      }
      callsNow++;
    };
    /** Starts waiting calls while tokens last; asks for a chunk when calls are left waiting. */
    const pump = () => {
      while (tokens > 0 && queue.length > 0) {
        tokens--;
        queue.shift()!.go();
      }
      if (queue.length > 0) void grant();
    };
    // When a grant fails (Redis unreachable), the calls waiting then are failed with its error rather than
    // left hanging.
    const grant = async (): Promise<void> => {
      if (granting || closed) return;
      granting = true;
      try {
        while (queue.length > 0 && tokens === 0) {
          const chunk = Math.max(1, Math.min(maxChunk, Math.max(queue.length, callsBefore + callsNow)));
          await apiHour.key(apiPath).schedule({ weight: chunk }, () => apiMinute.key(apiPath).schedule({ weight: chunk }, async () => undefined));
          const gen = ++generation;
          tokens = chunk;
          setTimeout(() => {
            if (gen !== generation) return;
            tokens = 0;
            void grant();
          }, tokenLifeMs).unref();
          pump();
        }
      } catch (err) {
        generation++;
        tokens = 0;
        for (const w of queue.splice(0)) w.fail(err);
      } finally {
        granting = false;
      }
    };
    return <T>(fn: () => Promise<T>): Promise<T> => {
      count();
      return new Promise<T>((resolve, reject) => {
        queue.push({ go: () => void (async () => fn())().then(resolve, reject), fail: reject });
        pump();
      });
    };
  };
  let closed = false;
  const apiBudgets = new Map<string, ReturnType<typeof chunked>>();
  const apiBudget = (apiPath: string) => {
    let b = apiBudgets.get(apiPath);
    if (!b) apiBudgets.set(apiPath, (b = chunked(apiPath)));
    return b;
  };

  const memoryBlocks = new Map<string, number>();
  const blockKey = (scope: string) => RedisKeys.wecomBlock(`${namespace}:${scope}`);
  const remainingBlockMs = async (scope: string): Promise<number> => {
    if (redis) return Math.max(0, await redis.pttl(blockKey(scope)));
    return Math.max(0, (memoryBlocks.get(scope) ?? 0) - Date.now());
  };

  const through = <T>(limiters: Bottleneck[], fn: () => Promise<T>): Promise<T> => {
    const [first, ...rest] = limiters;
    if (!first) return fn();
    return first.schedule(() => through(rest, fn));
  };

  return {
    settings: s,
    // Slots are taken in one global order (every hour slot, then every minute slot, members sorted), so two
    // messages to crossing member lists cannot each hold what the other waits for. Holding a slot while
    // waiting for the next one only wastes that slot's time; the guarantee does not depend on the order.
    appMessage<T>(members: readonly string[], fn: () => Promise<T>): Promise<T> {
      const sorted = [...new Set(members)].sort();
      const slots = [...sorted.map((m) => [memberHour, m] as const), ...sorted.map((m) => [memberMinute, m] as const)];
      return slots.reduceRight<() => Promise<T>>((inner, [w, m]) => () => hold(w, m, inner), fn)();
    },
    robot: (robotKey, fn) => hold(robots, short(robotKey), fn),
    // sync_msg is a corp API like any other (§0.2): inside its concurrency slot it also spends a token of the
    // per-corp budget, taken last so that the token is spent at once (see `chunked`).
    kfSync: (withToken, fn) => {
      const run = () => through([kfSyncAll.key('all')], () => apiBudget('kf/sync_msg')(fn));
      return withToken ? run() : hold(kfSyncNoToken, 'all', run);
    },
    api: (apiPath, fn) => apiBudget(apiPath)(fn),
    async block(scope, ms) {
      if (redis) await redis.set(blockKey(scope), '1', 'PX', Math.max(1, Math.round(ms)));
      else memoryBlocks.set(scope, Math.max(memoryBlocks.get(scope) ?? 0, Date.now() + ms));
    },
    async whenUnblocked(scope) {
      for (let left = await remainingBlockMs(scope); left > 0; left = await remainingBlockMs(scope)) {
        await new Promise((r) => setTimeout(r, Math.min(left, 5_000)));
      }
    },
    async close() {
      closed = true;
      for (const t of holdTimers) clearTimeout(t);
      holdTimers.clear();
      await Promise.all(groups.map((g) => g.disconnect(false)));
      for (const g of groups) for (const l of g.limiters()) await l.limiter.disconnect(false);
      await connection?.disconnect(false);
    },
  };
}

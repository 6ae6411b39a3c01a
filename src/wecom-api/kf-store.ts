/**
 * What the 微信客服 channel keeps between callbacks, shared by all workers through Redis (in memory for one
 * process): the sync_msg cursor per kf account, "pull again" requests, each customer's reply window, and
 * messages kept until the customer next writes. Redis and memory twins behave the same.
 */
import type { Redis } from '../infra/redis.js';
import { RedisKeys, RedisTtls } from '../infra/redis-keys.js';

export interface KfStore {
  getCursor(openKfId: string): Promise<string | undefined>;
  setCursor(openKfId: string, cursor: string): Promise<void>;
  /** Records that a pull is wanted (with the newest callback token, '' for none). */
  requestPull(openKfId: string, token: string): Promise<void>;
  /** Takes the pending pull request, if any. */
  takePullRequest(openKfId: string): Promise<string | undefined>;
  /** The customer wrote at `atMs`: a new reply window opens (count back to 0). */
  customerWrote(openKfId: string, user: string, atMs: number): Promise<void>;
  /**
   * Reserves one message slot in the customer's window; false when the window is closed (no customer
   * message yet, too old, or `maxMessages` already sent).
   */
  reserve(openKfId: string, user: string, nowMs: number, windowMs: number, maxMessages: number): Promise<boolean>;
  /** WeCom said the window is used up (95001/95002/95018): no more sends until the customer writes. */
  closeWindow(openKfId: string, user: string): Promise<void>;
  /** Keeps messages for later (appended). */
  keep(openKfId: string, user: string, items: string[]): Promise<void>;
  /** Puts messages back at the front (the ones that did not fit this time). */
  keepFirst(openKfId: string, user: string, items: string[]): Promise<void>;
  /** Takes all kept messages. */
  takeKept(openKfId: string, user: string): Promise<string[]>;
  /** 转人工: a person has (true) or no longer has (false) the customer's session; the bot stays silent meanwhile. */
  setWithPerson(openKfId: string, user: string, on: boolean): Promise<void>;
  withPerson(openKfId: string, user: string): Promise<boolean>;
  /** Remembers the kf account a customer wrote to (their news goes back through it). */
  rememberAccount(user: string, openKfId: string): Promise<void>;
  /** The kf account the customer last wrote to, if known. */
  accountOf(user: string): Promise<string | undefined>;
}

const RESERVE_SCRIPT = `
local at = tonumber(redis.call("hget", KEYS[1], "at") or "-1")
local sent = tonumber(redis.call("hget", KEYS[1], "sent") or "0")
if at < 0 or tonumber(ARGV[1]) - at > tonumber(ARGV[2]) or sent >= tonumber(ARGV[3]) then return 0 end
redis.call("hincrby", KEYS[1], "sent", 1)
return 1`;

const TAKE_ALL_SCRIPT = `local v = redis.call("lrange", KEYS[1], 0, -1) redis.call("del", KEYS[1]) return v`;

export class RedisKfStore implements KfStore {
  constructor(private readonly redis: Redis) {}
  async getCursor(k: string) {
    return (await this.redis.get(RedisKeys.kfCursor(k))) ?? undefined;
  }
  async setCursor(k: string, c: string) {
    await this.redis.set(RedisKeys.kfCursor(k), c);
  }
  async requestPull(k: string, token: string) {
    await this.redis.set(RedisKeys.kfPullRequest(k), token, 'EX', RedisTtls.kfPullRequest);
  }
  async takePullRequest(k: string) {
    return (await this.redis.getdel(RedisKeys.kfPullRequest(k))) ?? undefined;
  }
  async customerWrote(k: string, u: string, atMs: number) {
    const key = RedisKeys.kfWindow(k, u);
    await this.redis.multi().hset(key, { at: atMs, sent: 0 }).expire(key, RedisTtls.kfWindow).exec();
  }
  async reserve(k: string, u: string, nowMs: number, windowMs: number, max: number) {
    return (await this.redis.eval(RESERVE_SCRIPT, 1, RedisKeys.kfWindow(k, u), nowMs, windowMs, max)) === 1;
  }
  async closeWindow(k: string, u: string) {
    const key = RedisKeys.kfWindow(k, u);
    // With its TTL: a customer with no window yet must not leave a key behind for ever.
    await this.redis.multi().hset(key, 'sent', 1_000_000).expire(key, RedisTtls.kfWindow).exec();
  }
  async keep(k: string, u: string, items: string[]) {
    if (!items.length) return;
    const key = RedisKeys.kfPending(k, u);
    await this.redis.multi().rpush(key, ...items).expire(key, RedisTtls.kfPending).exec();
  }
  async keepFirst(k: string, u: string, items: string[]) {
    if (!items.length) return;
    const key = RedisKeys.kfPending(k, u);
    await this.redis.multi().lpush(key, ...[...items].reverse()).expire(key, RedisTtls.kfPending).exec();
  }
  async takeKept(k: string, u: string) {
    return ((await this.redis.eval(TAKE_ALL_SCRIPT, 1, RedisKeys.kfPending(k, u))) as string[] | null) ?? [];
  }
  async setWithPerson(k: string, u: string, on: boolean) {
    if (on) await this.redis.set(RedisKeys.kfPerson(k, u), '1', 'EX', RedisTtls.kfPerson);
    else await this.redis.del(RedisKeys.kfPerson(k, u));
  }
  async withPerson(k: string, u: string) {
    return (await this.redis.exists(RedisKeys.kfPerson(k, u))) === 1;
  }
  async rememberAccount(u: string, k: string) {
    await this.redis.set(RedisKeys.kfAccount(u), k, 'EX', RedisTtls.kfAccount);
  }
  async accountOf(u: string) {
    return (await this.redis.get(RedisKeys.kfAccount(u))) ?? undefined;
  }
}

/**
 * The one-process twin. Entries expire after the same TTLs as the Redis keys (swept on each write), so a
 * long-running single worker does not keep every customer it ever served.
 */
export class MemoryKfStore implements KfStore {
  private readonly now: () => number;
  private cursors = new Map<string, string>();
  private pulls = new Map<string, { token: string; until: number }>();
  private windows = new Map<string, { at: number; sent: number; until: number }>();
  private kept = new Map<string, { items: string[]; until: number }>();
  private persons = new Map<string, { until: number }>();
  private accounts = new Map<string, { openKfId: string; until: number }>();
  private nextSweep = 0;

  constructor(opts: { now?: () => number } = {}) {
    this.now = opts.now ?? Date.now;
  }

  /** How many entries are held (diagnostics and tests). */
  get size(): { windows: number; kept: number; pulls: number } {
    return { windows: this.windows.size, kept: this.kept.size, pulls: this.pulls.size };
  }

  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + 60_000;
    for (const map of [this.pulls, this.windows, this.kept, this.persons, this.accounts] as Map<string, { until: number }>[]) {
      for (const [k, v] of map) if (v.until <= now) map.delete(k);
    }
  }
  private live<T extends { until: number }>(map: Map<string, T>, key: string): T | undefined {
    const v = map.get(key);
    if (v && v.until <= this.now()) {
      map.delete(key);
      return undefined;
    }
    return v;
  }

  async getCursor(k: string) {
    return this.cursors.get(k);
  }
  async setCursor(k: string, c: string) {
    this.cursors.set(k, c);
  }
  async requestPull(k: string, token: string) {
    const now = this.now();
    this.sweep(now);
    this.pulls.set(k, { token, until: now + RedisTtls.kfPullRequest * 1000 });
  }
  async takePullRequest(k: string) {
    const t = this.live(this.pulls, k);
    this.pulls.delete(k);
    return t?.token;
  }
  async customerWrote(k: string, u: string, atMs: number) {
    const now = this.now();
    this.sweep(now);
    this.windows.set(`${k}|${u}`, { at: atMs, sent: 0, until: now + RedisTtls.kfWindow * 1000 });
  }
  async reserve(k: string, u: string, nowMs: number, windowMs: number, max: number) {
    const w = this.live(this.windows, `${k}|${u}`);
    if (!w || nowMs - w.at > windowMs || w.sent >= max) return false;
    w.sent++;
    return true;
  }
  async closeWindow(k: string, u: string) {
    const w = this.live(this.windows, `${k}|${u}`);
    if (w) w.sent = Number.MAX_SAFE_INTEGER;
  }
  async keep(k: string, u: string, items: string[]) {
    this.put(k, u, (cur) => [...cur, ...items], items.length);
  }
  async keepFirst(k: string, u: string, items: string[]) {
    this.put(k, u, (cur) => [...items, ...cur], items.length);
  }
  private put(k: string, u: string, merge: (cur: string[]) => string[], added: number): void {
    if (!added) return;
    const now = this.now();
    this.sweep(now);
    const cur = this.live(this.kept, `${k}|${u}`)?.items ?? [];
    this.kept.set(`${k}|${u}`, { items: merge(cur), until: now + RedisTtls.kfPending * 1000 });
  }
  async rememberAccount(u: string, k: string) {
    const now = this.now();
    this.sweep(now);
    this.accounts.set(u, { openKfId: k, until: now + RedisTtls.kfAccount * 1000 });
  }
  async accountOf(u: string) {
    return this.live(this.accounts, u)?.openKfId;
  }
  async takeKept(k: string, u: string) {
    const v = this.live(this.kept, `${k}|${u}`)?.items ?? [];
    this.kept.delete(`${k}|${u}`);
    return v;
  }
  async setWithPerson(k: string, u: string, on: boolean) {
    if (on) this.persons.set(`${k}|${u}`, { until: this.now() + RedisTtls.kfPerson * 1000 });
    else this.persons.delete(`${k}|${u}`);
  }
  async withPerson(k: string, u: string) {
    return this.live(this.persons, `${k}|${u}`) !== undefined;
  }
}

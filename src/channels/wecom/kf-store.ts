/**
 * What the 微信客服 channel keeps between callbacks, shared by all workers through Redis (in memory for one
 * process): the sync_msg cursor per kf account, "pull again" requests, each customer's reply window, and
 * messages kept until the customer next writes. Redis and memory twins behave the same.
 */
import type { Redis } from '../../infra/redis.js';
import { RedisKeys, RedisTtls } from '../../infra/redis-keys.js';

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
    await this.redis.hset(RedisKeys.kfWindow(k, u), 'sent', 1_000_000);
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
}

export class MemoryKfStore implements KfStore {
  private cursors = new Map<string, string>();
  private pulls = new Map<string, string>();
  private windows = new Map<string, { at: number; sent: number }>();
  private kept = new Map<string, string[]>();
  async getCursor(k: string) {
    return this.cursors.get(k);
  }
  async setCursor(k: string, c: string) {
    this.cursors.set(k, c);
  }
  async requestPull(k: string, token: string) {
    this.pulls.set(k, token);
  }
  async takePullRequest(k: string) {
    const t = this.pulls.get(k);
    this.pulls.delete(k);
    return t;
  }
  async customerWrote(k: string, u: string, atMs: number) {
    this.windows.set(`${k}|${u}`, { at: atMs, sent: 0 });
  }
  async reserve(k: string, u: string, nowMs: number, windowMs: number, max: number) {
    const w = this.windows.get(`${k}|${u}`);
    if (!w || nowMs - w.at > windowMs || w.sent >= max) return false;
    w.sent++;
    return true;
  }
  async closeWindow(k: string, u: string) {
    const w = this.windows.get(`${k}|${u}`);
    if (w) w.sent = Number.MAX_SAFE_INTEGER;
  }
  async keep(k: string, u: string, items: string[]) {
    this.kept.set(`${k}|${u}`, [...(this.kept.get(`${k}|${u}`) ?? []), ...items]);
  }
  async keepFirst(k: string, u: string, items: string[]) {
    this.kept.set(`${k}|${u}`, [...items, ...(this.kept.get(`${k}|${u}`) ?? [])]);
  }
  async takeKept(k: string, u: string) {
    const v = this.kept.get(`${k}|${u}`) ?? [];
    this.kept.delete(`${k}|${u}`);
    return v;
  }
}

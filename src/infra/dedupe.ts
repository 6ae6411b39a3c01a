/**
 * "Have we seen this id?" for platform retries (WeCom resends a callback; kf sync_msg can return a message
 * twice). `claim` is atomic: exactly one caller gets true for an id within the TTL.
 */
import type { Redis } from './redis.js';

export interface DedupeStore {
  /** True the first time `key` is claimed within `ttlSeconds`; false for every repeat. */
  claim(key: string, ttlSeconds: number): Promise<boolean>;
  /** Forget a claim (when processing failed before anything took effect, so a retry may run). */
  forget(key: string): Promise<void>;
}

export class RedisDedupeStore implements DedupeStore {
  constructor(private readonly redis: Redis) {}
  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.set(key, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
  }
  async forget(key: string): Promise<void> {
    await this.redis.del(key);
  }
}

export class MemoryDedupeStore implements DedupeStore {
  private readonly seen = new Map<string, number>();
  private lastSweep = 0;
  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    const now = Date.now();
    // Expired claims are swept at most once a minute, so a full map never costs a scan per claim.
    if (now - this.lastSweep > 60_000) {
      this.lastSweep = now;
      for (const [k, until] of this.seen) if (until <= now) this.seen.delete(k);
    }
    const until = this.seen.get(key);
    if (until !== undefined && until > now) return false;
    this.seen.set(key, now + ttlSeconds * 1000);
    return true;
  }
  async forget(key: string): Promise<void> {
    this.seen.delete(key);
  }
}

/**
 * Short leases ("only one at a time"): per-sender message handling, the kf puller, token refresh,
 * the scheduler. Redis-backed across workers, in-memory for one process. A lease expires by itself so a
 * crashed holder never blocks others for longer than its TTL.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from './redis.js';

export interface Lease {
  /** Gives the lease back (only if still ours). */
  release(): Promise<void>;
  /** Renews the lease for another `ttlMs` (only if still ours); false when it was lost. */
  extend(ttlMs: number): Promise<boolean>;
}

export interface LockService {
  /** Tries once; undefined when someone else holds it. */
  tryAcquire(key: string, ttlMs: number): Promise<Lease | undefined>;
  /** Waits (polling) up to `waitMs` for the lease; undefined on time-out. */
  acquire(key: string, ttlMs: number, waitMs: number): Promise<Lease | undefined>;
}

const RELEASE_SCRIPT = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
const EXTEND_SCRIPT = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;

abstract class PollingLockService implements LockService {
  abstract tryAcquire(key: string, ttlMs: number): Promise<Lease | undefined>;
  async acquire(key: string, ttlMs: number, waitMs: number): Promise<Lease | undefined> {
    const deadline = Date.now() + waitMs;
    let delay = 5;
    for (;;) {
      const lease = await this.tryAcquire(key, ttlMs);
      if (lease || Date.now() >= deadline) return lease;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 100);
    }
  }
}

export class RedisLockService extends PollingLockService {
  constructor(private readonly redis: Redis) {
    super();
  }
  async tryAcquire(key: string, ttlMs: number): Promise<Lease | undefined> {
    const token = randomUUID();
    const ok = await this.redis.set(key, token, 'PX', ttlMs, 'NX');
    if (ok !== 'OK') return undefined;
    return {
      release: async () => void (await this.redis.eval(RELEASE_SCRIPT, 1, key, token)),
      extend: async (ms) => (await this.redis.eval(EXTEND_SCRIPT, 1, key, token, ms)) === 1,
    };
  }
}

export class MemoryLockService extends PollingLockService {
  private readonly held = new Map<string, { token: string; until: number }>();
  async tryAcquire(key: string, ttlMs: number): Promise<Lease | undefined> {
    const now = Date.now();
    const cur = this.held.get(key);
    if (cur && cur.until > now) return undefined;
    const token = randomUUID();
    this.held.set(key, { token, until: now + ttlMs });
    return {
      release: async () => {
        if (this.held.get(key)?.token === token) this.held.delete(key);
      },
      extend: async (ms) => {
        const held = this.held.get(key);
        if (held?.token !== token || held.until <= Date.now()) return false;
        held.until = Date.now() + ms;
        return true;
      },
    };
  }
}

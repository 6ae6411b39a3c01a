/**
 * Redis SessionStore: one string key per conversation (RedisKeys.session), JSON value, `EX` = the draft TTL.
 * Errors propagate: the turn answers "busy, try again" and nothing is acknowledged.
 */
import type { Redis } from '../infra/redis.js';
import { RedisKeys } from '../infra/redis-keys.js';
import type { SessionStore } from './session-store.js';

export class RedisSessionStore implements SessionStore {
  constructor(private readonly redis: Pick<Redis, 'get' | 'set' | 'del'>) {}

  async get(conversationId: string): Promise<unknown> {
    const json = await this.redis.get(RedisKeys.session(conversationId));
    if (json === null) return undefined;
    try {
      return JSON.parse(json) as unknown;
    } catch {
      // A corrupt record is reported to the caller as an unreadable session, which restarts politely.
      return { corrupt: true };
    }
  }

  async set(conversationId: string, session: unknown, ttlSeconds: number): Promise<void> {
    await this.redis.set(RedisKeys.session(conversationId), JSON.stringify(session), 'EX', Math.max(1, Math.ceil(ttlSeconds)));
  }

  async delete(conversationId: string): Promise<void> {
    await this.redis.del(RedisKeys.session(conversationId));
  }
}

/** The Redis store (REDIS_URL set). */
export function createRedisSessionStore(redis: Pick<Redis, 'get' | 'set' | 'del'>): SessionStore {
  return new RedisSessionStore(redis);
}

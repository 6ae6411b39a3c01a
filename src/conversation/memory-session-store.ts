/**
 * In-memory SessionStore for one process (no REDIS_URL). Records are kept as JSON text, so what works here
 * is exactly what survives Redis; expiry follows the injected clock, so it honours JIANYAN_NOW.
 */
import type { Clock } from '../infra/clock.js';
import type { SessionStore } from './session-store.js';

export class MemorySessionStore implements SessionStore {
  private readonly records = new Map<string, { json: string; expiresAt: number }>();

  constructor(private readonly clock: Clock = { now: () => new Date() }) {}

  async get(conversationId: string): Promise<unknown> {
    const rec = this.records.get(conversationId);
    if (!rec) return undefined;
    if (rec.expiresAt <= this.clock.now().getTime()) {
      this.records.delete(conversationId);
      return undefined;
    }
    return JSON.parse(rec.json) as unknown;
  }

  async set(conversationId: string, session: unknown, ttlSeconds: number): Promise<void> {
    const now = this.clock.now().getTime();
    if (this.records.size > 10_000) for (const [k, r] of this.records) if (r.expiresAt <= now) this.records.delete(k);
    this.records.set(conversationId, { json: JSON.stringify(session), expiresAt: now + ttlSeconds * 1000 });
  }

  async delete(conversationId: string): Promise<void> {
    this.records.delete(conversationId);
  }
}

/** The in-memory store (no REDIS_URL); pass the service clock so expiry follows JIANYAN_NOW. */
export function createMemorySessionStore(clock?: Clock): SessionStore {
  return new MemorySessionStore(clock);
}

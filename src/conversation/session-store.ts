/**
 * Where sessions live between messages. One port, three adapters sharing one contract test suite:
 * redis-session-store.ts (any number of workers; used when REDIS_URL is set), mongo-session-store.ts (the
 * database, used without Redis: drafts survive a restart on embedded defaults) and memory-session-store.ts
 * (one process, tests).
 */

/** Stores one JSON-serialisable session per conversation id (`channel:senderId`). */
export interface SessionStore {
  /** The stored record (as parsed JSON, to be checked with `decodeSession`), or undefined when none or expired. */
  get(conversationId: string): Promise<unknown>;
  /** Stores `session`, replacing any previous one; it expires `ttlSeconds` after this write. */
  set(conversationId: string, session: unknown, ttlSeconds: number): Promise<void>;
  /** Forgets the conversation's session. */
  delete(conversationId: string): Promise<void>;
}

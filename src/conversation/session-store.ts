/**
 * Where sessions live between messages. One port, two adapters sharing one contract test suite:
 * memory-session-store.ts (single process, the embedded default) and redis-session-store.ts (any number
 * of workers; used when REDIS_URL is set).
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

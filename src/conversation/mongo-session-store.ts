/**
 * MongoDB SessionStore (no REDIS_URL: the embedded engine on `npm start`, or a real MongoDB): one document
 * per conversation in `sessions`, the session as JSON text, so drafts survive a restart as they do on Redis.
 *
 * Two times per record: `expiresAt` on the service clock (what `get` honours, so JIANYAN_NOW demos expire
 * drafts on campaign time as the memory store does) and `purgeAt` on real time, under a TTL index, so the
 * database removes expired records by itself whatever the service clock says.
 *
 * @example
 * const sessions = createMongoSessionStore(connection, clock);
 * await sessions.set('dev:u1', session, 7 * 86400);
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { Clock } from '../infra/clock.js';
import type { SessionStore } from './session-store.js';

interface SessionRecord {
  _id: string;
  json: string;
  expiresAt: Date;
  purgeAt: Date;
}

const sessionSchema = new Schema<SessionRecord>(
  {
    _id: { type: String, required: true },
    json: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    purgeAt: { type: Date, required: true },
  },
  { collection: 'sessions', versionKey: false },
);
sessionSchema.index({ purgeAt: 1 }, { expireAfterSeconds: 0 });

export class MongoSessionStore implements SessionStore {
  constructor(
    private readonly model: Model<SessionRecord>,
    private readonly clock: Clock = { now: () => new Date() },
    private readonly realNow: () => number = Date.now,
  ) {}

  async get(conversationId: string): Promise<unknown> {
    const rec = await this.model.findOne({ _id: conversationId, expiresAt: { $gt: this.clock.now() } }, { json: 1 }).lean<Pick<SessionRecord, 'json'>>();
    if (!rec) return undefined;
    try {
      return JSON.parse(rec.json) as unknown;
    } catch {
      // As on Redis: a corrupt record reads as an unreadable session, which restarts politely.
      return { corrupt: true };
    }
  }

  async set(conversationId: string, session: unknown, ttlSeconds: number): Promise<void> {
    const ms = Math.max(1, ttlSeconds) * 1000;
    await this.model.updateOne(
      { _id: conversationId },
      { $set: { json: JSON.stringify(session), expiresAt: new Date(this.clock.now().getTime() + ms), purgeAt: new Date(this.realNow() + ms) } },
      { upsert: true },
    );
  }

  async delete(conversationId: string): Promise<void> {
    await this.model.deleteOne({ _id: conversationId });
  }
}

/** The model of the `sessions` collection (with its TTL index) on `conn`. */
export function createSessionModel(conn: Connection): Model<SessionRecord> {
  return (conn.models.ConversationSession as Model<SessionRecord> | undefined) ?? conn.model<SessionRecord>('ConversationSession', sessionSchema);
}

/** The MongoDB store; call `await model.init()` (or this function's `ready`) before relying on the TTL index. */
export async function createMongoSessionStore(conn: Connection, clock?: Clock): Promise<SessionStore> {
  const model = createSessionModel(conn);
  await model.init();
  return new MongoSessionStore(model, clock);
}

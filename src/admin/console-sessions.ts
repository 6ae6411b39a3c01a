/**
 * Server-side console sessions: the browser holds only a random id in an HttpOnly cookie; the store keeps
 * the signed-in person under the id's SHA-256 (a leaked store reveals no usable cookie) until it expires.
 * Redis when configured (a key with a TTL), else the database (a collection with an expiry index; reads
 * also check the expiry, so an engine without TTL indexes never honours an old session).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Schema, type Connection, type Model } from 'mongoose';
import type { Clock } from '../infra/clock.js';
import { KeyPrefix } from '../infra/redis-keys.js';
import type { RequestActor } from './admin-auth.js';

export interface ConsoleSession {
  actor: RequestActor;
  createdAt: string;
  expiresAt: string;
}

export interface ConsoleSessionStore {
  /** Starts a session; returns the cookie value (the only copy of the raw id). */
  create(actor: RequestActor, ttlMs: number): Promise<{ id: string; session: ConsoleSession }>;
  /** The session of a cookie value, or undefined when unknown or expired. */
  get(id: string): Promise<ConsoleSession | undefined>;
  /** Ends a session (sign-out). */
  destroy(id: string): Promise<void>;
}

const hashId = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');
const validId = (id: string) => /^[A-Za-z0-9_-]{43}$/.test(id);
const newId = () => randomBytes(32).toString('base64url');
const redisKey = (hash: string) => `${KeyPrefix}console:session:${hash}`;

export function createRedisConsoleSessionStore(redis: Redis, clock: Clock): ConsoleSessionStore {
  return {
    async create(actor, ttlMs) {
      const id = newId();
      const now = clock.now();
      const session = { actor, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + ttlMs).toISOString() };
      await redis.set(redisKey(hashId(id)), JSON.stringify(session), 'PX', ttlMs);
      return { id, session };
    },
    async get(id) {
      if (!validId(id)) return undefined;
      const raw = await redis.get(redisKey(hashId(id)));
      if (!raw) return undefined;
      const session = JSON.parse(raw) as ConsoleSession;
      return Date.parse(session.expiresAt) > clock.now().getTime() ? session : undefined;
    },
    async destroy(id) {
      if (validId(id)) await redis.del(redisKey(hashId(id)));
    },
  };
}

interface SessionDoc {
  _id: string;
  actor: RequestActor;
  createdAt: Date;
  expiresAt: Date;
}

export function createConsoleSessionModel(connection: Connection): Model<SessionDoc> {
  const existing = connection.models.ConsoleSession as Model<SessionDoc> | undefined;
  if (existing) return existing;
  const schema = new Schema<SessionDoc>(
    {
      _id: { type: String, required: true },
      actor: { type: Schema.Types.Mixed, required: true },
      createdAt: { type: Date, required: true },
      expiresAt: { type: Date, required: true, index: { expireAfterSeconds: 0 } },
    },
    { versionKey: false, collection: 'console_sessions' },
  );
  return connection.model<SessionDoc>('ConsoleSession', schema);
}

export function createMongoConsoleSessionStore(model: Model<SessionDoc>, clock: Clock): ConsoleSessionStore {
  return {
    async create(actor, ttlMs) {
      const id = newId();
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + ttlMs);
      await model.create({ _id: hashId(id), actor, createdAt: now, expiresAt });
      return { id, session: { actor, createdAt: now.toISOString(), expiresAt: expiresAt.toISOString() } };
    },
    async get(id) {
      if (!validId(id)) return undefined;
      const doc = await model.findById(hashId(id)).lean();
      if (!doc || doc.expiresAt.getTime() <= clock.now().getTime()) return undefined;
      return { actor: doc.actor, createdAt: doc.createdAt.toISOString(), expiresAt: doc.expiresAt.toISOString() };
    },
    async destroy(id) {
      if (validId(id)) await model.deleteOne({ _id: hashId(id) });
    },
  };
}

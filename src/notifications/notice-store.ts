/**
 * Notices kept for a citizen until they next write (dev chat, terminal, and 微信客服 when no kf sender
 * is wired): the engine prepends `takePending(citizen)` to its replies. Keyed by the outbox entry id, so
 * a redelivered entry is kept once; taking marks them shown atomically, so two workers never show one twice.
 *
 * `takePending` runs on every citizen message and almost never finds anything. With `markers` (the
 * conversation session store, i.e. Redis) it usually skips MongoDB altogether: a per-citizen "nothing
 * unseen as of version V" marker (10 minutes) is trusted only while the citizen's notice version is still V,
 * and every `keep` writes a new version after storing the notice. A missing or unreadable marker or version
 * means "ask MongoDB", so losing them (Redis flushed, an older worker that writes no version) can only
 * cost a query or, for an older worker's notice, show it at most 10 minutes late — never lose it.
 */
import { randomUUID } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import type { CitizenRef, } from '../domain/suggestion-types.js';
import type { OutboundReply, ReplyOption } from '../domain/messages.js';
import type { Clock } from '../infra/clock.js';

const noticeSchema = new Schema(
  {
    outboxId: { type: String, required: true, unique: true },
    citizen: { type: new Schema({ channel: { type: String, required: true }, id: { type: String, required: true } }, { _id: false }), required: true },
    reference: { type: String, required: true },
    text: { type: String, required: true },
    options: { type: [new Schema({ id: String, label: String }, { _id: false })], default: undefined },
    keptAt: { type: Date, required: true },
    shownAt: Date,
    takenBy: String,
  },
  { collection: 'citizen_notices' },
);
noticeSchema.index({ 'citizen.channel': 1, 'citizen.id': 1, shownAt: 1, keptAt: 1 });

interface NoticeDoc {
  outboxId: string;
  citizen: CitizenRef;
  reference: string;
  text: string;
  options?: ReplyOption[];
  keptAt: Date;
  shownAt?: Date;
  takenBy?: string;
}

export interface NoticeStore {
  /** Keeps a notice (idempotent per outbox entry id). */
  keep(n: { outboxId: string; citizen: CitizenRef; reference: string; text: string; options?: ReplyOption[] }): Promise<void>;
  /** The citizen's unseen notices, oldest first, marked shown. */
  takePending(citizen: CitizenRef): Promise<OutboundReply[]>;
}

/** Where the per-citizen markers live: an expiring key-value store (the conversation's session store, keys `notices:…`). */
export interface NoticeMarkers {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
}

/** How long "nothing unseen" is trusted (it also needs the version it was taken at to be current). */
const CLEAN_TTL_SECONDS = 10 * 60;
/**
 * A version must outlive every "nothing unseen" marker taken before it was written (else an expired
 * version would match a marker taken when there was none yet); a day is far beyond the 10 minutes plus
 * however long a take can stall between its MongoDB read and its marker write.
 */
const VERSION_TTL_SECONDS = 24 * 3600;

export function createNoticeStore(conn: Connection, clock: Clock, opts: { markers?: NoticeMarkers } = {}): NoticeStore {
  const Notice = ((conn.models.CitizenNotice as Model<NoticeDoc> | undefined) ?? conn.model<NoticeDoc>('CitizenNotice', noticeSchema)) as Model<NoticeDoc>;
  const { markers } = opts;
  const versionKey = (c: CitizenRef) => `notices:version:${c.channel}:${c.id}`;
  const cleanKey = (c: CitizenRef) => `notices:clean:${c.channel}:${c.id}`;
  /** The citizen's notice version ('' when none is recorded); undefined when it cannot be read. */
  const versionOf = async (c: CitizenRef): Promise<string | undefined> => {
    const v = await markers!.get(versionKey(c));
    return v === undefined ? '' : typeof v === 'string' ? v : undefined;
  };
  return {
    async keep(n) {
      await Notice.updateOne(
        { outboxId: n.outboxId },
        { $setOnInsert: { ...n, ...(n.options ? {} : { options: undefined }), keptAt: clock.now() } },
        { upsert: true },
      );
      // After the notice is stored, and before the delivery counts as done: if this write fails or the
      // worker dies first, the dispatcher delivers the entry again (the upsert above is then a no-op).
      if (markers) await markers.set(versionKey(n.citizen), randomUUID(), VERSION_TTL_SECONDS);
    },
    async takePending(citizen) {
      // Read BEFORE MongoDB: a notice kept after this read writes a newer version, so the marker written
      // below cannot match it.
      let version: string | undefined;
      if (markers) {
        const [v, clean] = await Promise.all([versionOf(citizen), markers.get(cleanKey(citizen))]).catch(() => [undefined, undefined] as const);
        if (v !== undefined && clean !== null && typeof clean === 'object' && (clean as { version?: unknown }).version === v) return [];
        version = v;
      }
      const unseen = { 'citizen.channel': citizen.channel, 'citizen.id': citizen.id, shownAt: null };
      const markClean = async () => {
        if (markers && version !== undefined) await markers.set(cleanKey(citizen), { version }, CLEAN_TTL_SECONDS).catch(() => undefined);
      };
      // An indexed existence read (nothing hydrated or written) before the update and the read.
      if (!(await Notice.exists(unseen))) {
        await markClean();
        return [];
      }
      const token = randomUUID();
      await Notice.updateMany(unseen, { $set: { shownAt: clock.now(), takenBy: token } });
      const docs = await Notice.find({ takenBy: token }).sort({ keptAt: 1, _id: 1 }).lean();
      await markClean();
      return docs.map((d) => ({ text: d.text, ...(d.options?.length ? { options: d.options.map((o) => ({ id: o.id, label: o.label })) } : {}) }));
    },
  };
}

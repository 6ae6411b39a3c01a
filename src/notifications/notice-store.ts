/**
 * Notices kept for a citizen until they next write (dev chat, terminal, and 微信客服 when no kf sender
 * is wired): the engine prepends `takePending(citizen)` to its replies. Keyed by the outbox entry id, so
 * a redelivered entry is kept once; taking marks them shown atomically, so two workers never show one twice.
 */
import { randomUUID } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import type { CitizenRef, } from '../suggestions/suggestion-types.js';
import type { OutboundReply, ReplyOption } from '../channels/channel-types.js';
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

export function createNoticeStore(conn: Connection, clock: Clock): NoticeStore {
  const Notice = ((conn.models.CitizenNotice as Model<NoticeDoc> | undefined) ?? conn.model<NoticeDoc>('CitizenNotice', noticeSchema)) as Model<NoticeDoc>;
  return {
    async keep(n) {
      await Notice.updateOne(
        { outboxId: n.outboxId },
        { $setOnInsert: { ...n, ...(n.options ? {} : { options: undefined }), keptAt: clock.now() } },
        { upsert: true },
      );
    },
    async takePending(citizen) {
      const unseen = { 'citizen.channel': citizen.channel, 'citizen.id': citizen.id, shownAt: null };
      // Called on every citizen message, and almost always nothing is kept: one indexed existence read
      // (no document is hydrated or written) instead of an update and a read. A notice kept just after
      // this read is taken on the citizen's next message, exactly as one kept just after the update.
      if (!(await Notice.exists(unseen))) return [];
      const token = randomUUID();
      await Notice.updateMany(unseen, { $set: { shownAt: clock.now(), takenBy: token } });
      const docs = await Notice.find({ takenBy: token }).sort({ keptAt: 1, _id: 1 }).lean();
      return docs.map((d) => ({ text: d.text, ...(d.options?.length ? { options: d.options.map((o) => ({ id: o.id, label: o.label })) } : {}) }));
    },
  };
}

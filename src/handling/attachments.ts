/**
 * Attachments: photos, voice, video, files and locations citizens (and agents) send with a suggestion.
 *
 * - A non-text message never reaches the conversation engine: it is kept for the sender's
 *   draft (the `attachments` collection, not yet bound to a suggestion) and says so ("已收到图片1张…").
 * - Media are downloaded with `media/get` (contract §7.6; WeCom keeps them three days): first while the
 *   sender waits (bounded by `inlineFetchMs`), then by a background job with retries and backoff that any
 *   worker runs, so a worker that dies or restarts loses nothing. What is kept is checked by content (the
 *   type sniffed from the bytes with `file-type`, never the name), size- and count-limited from config,
 *   and stored in GridFS through the driver's `GridFSBucket`.
 * - On submission (src/handling/submission.ts) the draft's attachments are listed in the suggestion (units'
 *   cards count them; routing reads location addresses) and bound to its reference.
 * - The conversation hands non-text messages here (src/conversation/attachments-handler.ts); the admin API
 *   lists them with the suggestion and serves the bytes to the office and the units the suggestion is
 *   assigned to (src/admin/attachment-routes.ts).
 *
 * @example
 *   const attachments = createAttachments({ connection, config, clock, logger, media: () => wecom });
 *   attachments.start(); // the background download job
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileTypeFromBuffer } from 'file-type';
import mongoose, { Schema, type Connection, type Model } from 'mongoose';
import type { InboundAttachment } from '../domain/messages.js';
import type { MediaDownload } from '../wecom-api/wecom-api-client.js';
import { WeComApiError } from '../wecom-api/wecom-errors.js';
import type { Clock } from '../infra/clock.js';
import type { AppConfig } from '../infra/config.js';
import type { Logger } from '../infra/logger.js';
import { attachmentCounts, attachmentTexts, type AttachmentKind } from '../../flows/texts/attachments.js';

const { GridFSBucket } = mongoose.mongo;
type ObjectId = mongoose.mongo.ObjectId;

export type MediaKind = Exclude<AttachmentKind, 'location'>;
export type AttachmentStatus = 'pending' | 'stored' | 'refused' | 'failed';
export type RefusalReason = 'too_large' | 'wrong_type' | 'expired' | 'gave_up';

export interface AttachmentDoc {
  _id: string;
  owner: { channel: string; id: string };
  /** The WeCom message it came in (a retry of the message keeps nothing twice). */
  messageId: string;
  kind: AttachmentKind;
  /** The channel whose token downloads it (kf media with the kf secret's token, app media with the app's). */
  source?: string;
  mediaId?: string;
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  status: AttachmentStatus;
  reason?: RefusalReason | null;
  reference?: string | null;
  fileId?: ObjectId | null;
  name?: string | null;
  size?: number | null;
  contentType?: string | null;
  attempts: number;
  nextAttemptAt: Date;
  claimedUntil?: Date | null;
  lastError?: string | null;
  receivedAt: Date;
}

/** How an attachment is listed with its suggestion (stored in the suggestion document at submission). */
export interface AttachmentRef {
  id: string;
  kind: AttachmentKind;
  location?: { latitude: number; longitude: number; name?: string; address?: string };
}

/** What the admin API shows of an attachment. */
export interface AttachmentView {
  id: string;
  kind: AttachmentKind;
  name: string | null;
  size: number | null;
  contentType: string | null;
  status: AttachmentStatus;
  /** The bytes (GET with the office's or an assigned unit's token); null for a location or a file not kept. */
  url: string | null;
  location?: AttachmentRef['location'];
}

/** Who downloads media: the WeCom clients (the kf one for 微信客服 media, the app one for app media). */
export interface MediaSource {
  kfClient: { mediaGet(mediaId: string, maxBytes: number): Promise<MediaDownload> };
  appClient: { mediaGet(mediaId: string, maxBytes: number): Promise<MediaDownload> };
}

export interface AttachmentsDeps {
  connection: Connection;
  config: Pick<AppConfig, 'attachments' | 'service'>;
  clock: Clock;
  logger: Logger;
  /** The WeCom clients, once WeCom is configured (read at each download). */
  media: () => MediaSource | undefined;
}

/** The parts of an inbound message attachments look at (the conversation's InboundMessage fits). */
export interface IncomingAttachment {
  channel: string;
  senderId: string;
  messageId: string;
  attachment?: InboundAttachment;
  forwarded?: { items: { attachment?: InboundAttachment }[] };
}

export type FetchResult = 'stored' | 'pending' | 'claimed_elsewhere' | RefusalReason;

export interface Attachments {
  /** Keeps a non-text message for the sender's draft and answers what happened to it. */
  receive(message: IncomingAttachment & { attachment: InboundAttachment }): Promise<string>;
  /** Keeps the images and files of a forwarded chat record for the forwarding agent's draft. */
  keepForwarded(message: IncomingAttachment): Promise<number>;
  /** The attachments of a draft not yet submitted (kept ones and those still downloading). */
  draftOf(owner: { channel: string; id: string }): Promise<AttachmentRef[]>;
  /** Binds attachments to a stored suggestion. */
  bind(ids: string[], reference: string): Promise<void>;
  /** Deletes a draft's attachments (the sender cancelled it), files included. */
  discardDraft(owner: { channel: string; id: string }): Promise<number>;
  /** Deletes attachments of drafts never submitted, older than `olderThanMs` (the drafts' lifetime). */
  purgeStale(olderThanMs: number): Promise<number>;
  /** One download attempt (claims the attachment first). */
  fetchOne(id: string): Promise<FetchResult>;
  /** One pass of the background job: every due download. */
  runOnce(): Promise<{ stored: number; retried: number; refused: number }>;
  /** Views for the admin API, in the order given. */
  describe(refs: { id: string; kind: string; location?: AttachmentRef['location'] }[]): Promise<AttachmentView[]>;
  /** The bytes of a stored attachment, with the suggestion it belongs to. */
  open(id: string): Promise<{ doc: AttachmentDoc; stream: NodeJS.ReadableStream } | undefined>;
  start(): void;
  stop(): Promise<void>;
}

export function createAttachmentModel(connection: Connection): Model<AttachmentDoc> {
  const existing = connection.models.Attachment as Model<AttachmentDoc> | undefined;
  if (existing) return existing;
  const schema = new Schema<AttachmentDoc>(
    {
      _id: { type: String, required: true },
      owner: { channel: { type: String, required: true }, id: { type: String, required: true } },
      messageId: { type: String, required: true },
      kind: { type: String, required: true },
      source: String,
      mediaId: String,
      location: { type: { latitude: Number, longitude: Number, name: String, address: String }, default: undefined, _id: false },
      status: { type: String, required: true },
      reason: String,
      reference: { type: String, default: null },
      fileId: { type: Schema.Types.ObjectId, default: null },
      name: String,
      size: Number,
      contentType: String,
      attempts: { type: Number, default: 0 },
      nextAttemptAt: { type: Date, required: true },
      claimedUntil: { type: Date, default: null },
      lastError: String,
      receivedAt: { type: Date, required: true },
    },
    { collection: 'attachments', timestamps: true, versionKey: false },
  );
  schema.index({ messageId: 1, kind: 1 }, { unique: true });
  schema.index({ 'owner.channel': 1, 'owner.id': 1, reference: 1 });
  schema.index({ status: 1, nextAttemptAt: 1 });
  return connection.model<AttachmentDoc>('Attachment', schema);
}

const MB = 1024 * 1024;

let idSeq = 0;
/** 32 hex characters that sort in the order attachments arrived (time, then a per-process counter). */
const newId = () => (BigInt(Date.now()) * 4096n + BigInt(idSeq++ % 4096)).toString(16).padStart(14, '0') + randomBytes(9).toString('hex');

/** SILK voice (微信客服 `voice_format` 1) carries its own header; file-type does not know it. */
const isSilk = (b: Buffer) => b.subarray(0, 10).toString('latin1').includes('#!SILK');

/** The content type the bytes are, if it is one the kind may be. */
async function sniff(kind: MediaKind, bytes: Buffer, fileTypes: readonly string[]): Promise<{ mime: string; ext: string } | undefined> {
  if (kind === 'voice' && isSilk(bytes)) return { mime: 'audio/silk', ext: 'silk' };
  const t = await fileTypeFromBuffer(bytes);
  if (!t) return undefined;
  if (kind === 'image') return t.mime.startsWith('image/') ? t : undefined;
  if (kind === 'video') return t.mime.startsWith('video/') ? t : undefined;
  if (kind === 'voice') return t.mime.startsWith('audio/') ? t : undefined;
  return fileTypes.includes(t.mime) ? t : undefined;
}

export function createAttachments(deps: AttachmentsDeps): Attachments {
  const { connection, clock } = deps;
  const cfg = deps.config.attachments;
  const log = deps.logger.child({ component: 'attachments' });
  const Attachment = createAttachmentModel(connection);
  const bucket = () => new GridFSBucket(connection.db!, { bucketName: 'attachments' });
  const unbound = (owner: { channel: string; id: string }): Record<string, unknown> => ({ 'owner.channel': owner.channel, 'owner.id': owner.id, reference: null, status: { $in: ['pending', 'stored'] } });

  const backoffMs = (attempts: number) => Math.min(cfg.backoffSeconds * 1000 * 2 ** Math.max(0, attempts - 1), cfg.maxBackoffSeconds * 1000);

  async function claim(id: string): Promise<AttachmentDoc | null> {
    const now = clock.now();
    return Attachment.findOneAndUpdate(
      { _id: id, status: 'pending', $or: [{ claimedUntil: null }, { claimedUntil: { $lte: now } }] },
      { $set: { claimedUntil: new Date(now.getTime() + cfg.leaseSeconds * 1000) }, $inc: { attempts: 1 } },
      { new: true },
    ).lean<AttachmentDoc>();
  }

  async function settle(id: string, set: Partial<AttachmentDoc>): Promise<void> {
    await Attachment.updateOne({ _id: id }, { $set: { ...set, claimedUntil: null } });
  }

  async function fetchOne(id: string): Promise<FetchResult> {
    const doc = await claim(id);
    if (!doc) return 'claimed_elsewhere';
    const kind = doc.kind as MediaKind;
    const maxBytes = cfg.maxBytes[kind];
    const media = deps.media();
    try {
      if (!media || !doc.mediaId) throw new Error('WeCom is not configured on this worker');
      const client = doc.source === 'wecom-app' ? media.appClient : media.kfClient;
      const got = await client.mediaGet(doc.mediaId, maxBytes);
      if (got.tooLarge) {
        await settle(id, { status: 'refused', reason: 'too_large', contentType: got.contentType });
        return 'too_large';
      }
      const type = await sniff(kind, got.bytes, cfg.fileTypes);
      if (!type) {
        log.info({ id, kind, declared: got.contentType }, 'attachment refused: its bytes are not a kept type');
        await settle(id, { status: 'refused', reason: 'wrong_type' });
        return 'wrong_type';
      }
      const name = (got.filename && got.filename.replace(/[\\/\r\n"]/g, '_').slice(0, 120)) || `${kind}-${id.slice(0, 8)}.${type.ext}`;
      const upload = bucket().openUploadStream(name, { metadata: { attachment: id, contentType: type.mime } });
      await pipeline(Readable.from([got.bytes]), upload);
      await settle(id, { status: 'stored', fileId: upload.id as ObjectId, name, size: got.bytes.length, contentType: type.mime, lastError: null });
      return 'stored';
    } catch (err) {
      // 40007: the media id is unknown or expired (three days): retrying cannot help.
      if (err instanceof WeComApiError && err.errcode === 40007) {
        await settle(id, { status: 'failed', reason: 'expired', lastError: `errcode ${err.errcode}` });
        return 'expired';
      }
      const message = err instanceof Error ? err.message : String(err);
      if (doc.attempts >= cfg.maxAttempts) {
        log.error({ id, attempts: doc.attempts, err: message }, 'attachment download given up');
        await settle(id, { status: 'failed', reason: 'gave_up', lastError: message });
        return 'gave_up';
      }
      log.warn({ id, attempts: doc.attempts, err: message }, 'attachment download failed; will retry');
      await settle(id, { nextAttemptAt: new Date(clock.now().getTime() + backoffMs(doc.attempts)), lastError: message });
      return 'pending';
    }
  }

  const placeOf = (a: Extract<InboundAttachment, { kind: 'location' }>) =>
    a.address || a.name || `${a.latitude.toFixed(5)}, ${a.longitude.toFixed(5)}`;

  async function keep(message: IncomingAttachment, attachment: InboundAttachment, suffix = ''): Promise<{ doc: AttachmentDoc; created: boolean } | 'too_many'> {
    const owner = { channel: message.channel, id: message.senderId };
    const messageId = `${message.channel}:${message.messageId}${suffix}`;
    const existing = await Attachment.findOne({ messageId, kind: attachment.kind }).lean<AttachmentDoc>();
    if (existing) return { doc: existing, created: false };
    if ((await Attachment.countDocuments(unbound(owner))) >= cfg.maxPerSuggestion) return 'too_many';
    const now = clock.now();
    const doc: AttachmentDoc = {
      _id: newId(),
      owner,
      messageId,
      kind: attachment.kind,
      source: message.channel,
      ...(attachment.kind === 'location'
        ? { location: { latitude: attachment.latitude, longitude: attachment.longitude, ...(attachment.name ? { name: attachment.name } : {}), ...(attachment.address ? { address: attachment.address } : {}) }, status: 'stored' as const, name: placeOf(attachment) }
        : { mediaId: attachment.mediaId, status: 'pending' as const }),
      attempts: 0,
      nextAttemptAt: now,
      receivedAt: now,
    };
    try {
      await Attachment.create(doc);
      return { doc, created: true };
    } catch (err) {
      if ((err as { code?: number }).code === 11000) {
        const again = await Attachment.findOne({ messageId, kind: attachment.kind }).lean<AttachmentDoc>();
        if (again) return { doc: again, created: false };
      }
      throw err;
    }
  }

  /** Deletes attachments and their stored files (a file already gone is not an error). */
  async function remove(docs: AttachmentDoc[]): Promise<number> {
    for (const d of docs) {
      if (d.fileId) await bucket().delete(d.fileId).catch(() => undefined);
      await Attachment.deleteOne({ _id: d._id, reference: null });
    }
    return docs.length;
  }

  const countOfKind = (owner: { channel: string; id: string }, kind: AttachmentKind) => Attachment.countDocuments({ ...unbound(owner), kind });

  /** The first download, while the sender waits for the acknowledgement (bounded). */
  async function fetchInline(id: string): Promise<FetchResult> {
    if (cfg.inlineFetchMs <= 0) return 'pending';
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<FetchResult>((r) => (timer = setTimeout(() => r('pending'), cfg.inlineFetchMs)));
    try {
      return await Promise.race([fetchOne(id), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;

  const service: Attachments = {
    async receive(message) {
      const a = message.attachment;
      const owner = { channel: message.channel, id: message.senderId };
      const kept = await keep(message, a);
      if (kept === 'too_many') return attachmentTexts.tooMany(cfg.maxPerSuggestion);
      const { doc } = kept;
      if (a.kind === 'location') return attachmentTexts.location(doc.name ?? placeOf(a));
      const result = doc.status === 'pending' ? await fetchInline(doc._id) : doc.status === 'stored' ? 'stored' : (doc.reason ?? 'gave_up');
      switch (result) {
        case 'stored': {
          const n = await countOfKind(owner, a.kind);
          return a.kind === 'voice' ? attachmentTexts.voice(n) : attachmentTexts.received(a.kind, n);
        }
        case 'too_large':
          return attachmentTexts.tooLarge(a.kind, Math.floor(cfg.maxBytes[a.kind] / MB));
        case 'wrong_type':
          return attachmentTexts.wrongType(a.kind);
        case 'expired':
          return attachmentTexts.expired(a.kind);
        default:
          // Still downloading (WeCom slow, or another worker has it): the job keeps trying.
          return a.kind === 'voice' ? attachmentTexts.voice(await countOfKind(owner, a.kind)) : attachmentTexts.saving(a.kind);
      }
    },
    async keepForwarded(message) {
      let n = 0;
      for (const [i, item] of (message.forwarded?.items ?? []).entries()) {
        if (!item.attachment || (item.attachment.kind !== 'image' && item.attachment.kind !== 'file')) continue;
        const kept = await keep(message, item.attachment, `#${i}`);
        if (kept === 'too_many') break;
        if (kept.created) n++;
      }
      return n;
    },
    async draftOf(owner) {
      const docs = await Attachment.find(unbound(owner)).sort({ _id: 1 }).lean<AttachmentDoc[]>();
      return docs.map((d) => ({ id: d._id, kind: d.kind, ...(d.location ? { location: d.location } : {}) }));
    },
    async bind(ids, reference) {
      if (ids.length) await Attachment.updateMany({ _id: { $in: ids }, reference: null }, { $set: { reference } });
    },
    async discardDraft(owner) {
      return remove(await Attachment.find({ 'owner.channel': owner.channel, 'owner.id': owner.id, reference: null }).lean<AttachmentDoc[]>());
    },
    async purgeStale(olderThanMs) {
      const before = new Date(clock.now().getTime() - olderThanMs);
      return remove(await Attachment.find({ reference: null, receivedAt: { $lt: before } }).limit(200).lean<AttachmentDoc[]>());
    },
    fetchOne,
    async runOnce() {
      const stats = { stored: 0, retried: 0, refused: 0 };
      const now = clock.now();
      const due = await Attachment.find({ status: 'pending', nextAttemptAt: { $lte: now }, $or: [{ claimedUntil: null }, { claimedUntil: { $lte: now } }] }, { _id: 1 })
        .sort({ nextAttemptAt: 1 })
        .limit(20)
        .lean<{ _id: string }[]>();
      for (const { _id } of due) {
        const r = await fetchOne(_id);
        if (r === 'stored') stats.stored++;
        else if (r === 'pending') stats.retried++;
        else if (r !== 'claimed_elsewhere') stats.refused++;
      }
      return stats;
    },
    async describe(refs) {
      const docs = await Attachment.find({ _id: { $in: refs.map((r) => r.id) } }).lean<AttachmentDoc[]>();
      const byId = new Map(docs.map((d) => [d._id, d]));
      return refs.map((r) => {
        const d = byId.get(r.id);
        const stored = d?.status === 'stored' && d.fileId;
        return {
          id: r.id,
          kind: r.kind as AttachmentKind,
          name: d?.name ?? null,
          size: d?.size ?? null,
          contentType: d?.contentType ?? null,
          status: d?.status ?? 'failed',
          url: stored ? `/api/attachments/${r.id}` : null,
          ...(r.location ? { location: r.location } : {}),
        };
      });
    },
    async open(id) {
      const doc = await Attachment.findById(id).lean<AttachmentDoc>();
      if (!doc || doc.status !== 'stored' || !doc.fileId) return undefined;
      return { doc, stream: bucket().openDownloadStream(doc.fileId) };
    },
    start() {
      if (!stopped) return;
      stopped = false;
      let purgedAt = 0;
      const loop = () => {
        if (stopped) return;
        // Once an hour: attachments of drafts that were never submitted go when the drafts do.
        const purge =
          Date.now() - purgedAt > 3_600_000
            ? ((purgedAt = Date.now()), service.purgeStale(deps.config.service.draftTtlDays * 24 * 3_600_000).catch((err: unknown) => log.warn({ err }, 'purging stale attachments failed')))
            : Promise.resolve();
        running = purge
          .then(() => service.runOnce())
          .catch((err: unknown) => {
            log.error({ err }, 'attachment download run failed');
            return { stored: 0, retried: 0, refused: 0 };
          })
          .then((s) => {
            running = undefined;
            if (!stopped) timer = setTimeout(loop, s.stored + s.refused > 0 ? 0 : cfg.pollIntervalMs);
          });
      };
      loop();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
  return service;
}

/** `图片2张、位置1个` for a suggestion's attachments (summary, 查询, cards, exports). */
export function describeCounts(refs: readonly Pick<AttachmentRef, 'kind'>[] | undefined): string {
  return refs?.length ? attachmentCounts(refs.map((r) => r.kind)) : '';
}

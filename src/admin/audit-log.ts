/**
 * The audit log: every write through the admin API records who did it (the authenticated identity, never a
 * name the client sends), what, to which target, the state before and after, and the request id.
 *
 * Tamper-evident: entries are numbered (`seq` 1, 2, 3 … unique) and hash-chained — each entry's `hash` is
 * the SHA-256 of its own content in canonical JSON (RFC 8785, `json-canonicalize`) together with the previous
 * entry's hash (`prevHash`). Nothing here updates or deletes an entry; {@link AuditLog.verify} (the admin
 * route `GET /api/audit/verify` and `npm run audit:verify`) recomputes the chain and names the first entry
 * that was edited, removed or inserted. (Removing the newest entries leaves a shorter valid chain: compare
 * the count with an earlier verification to detect that.)
 */
import { createHash } from 'node:crypto';
import { canonicalize } from 'json-canonicalize';
import { Schema, type Connection, type Model } from 'mongoose';
import type { Clock } from '../infra/clock.js';

/** Who did it: the authenticated identity (`admin-token`, `unit-token` with the unit as id, a signed-in member …). */
export interface AuditActor {
  kind: string;
  id: string;
  name: string;
}

export interface AuditEntry {
  seq: number;
  at: Date;
  actor: AuditActor;
  /** What was done: `mark_valuable`, `assign`, `answer`, `put_agent`, … */
  action: string;
  /** The suggestion's reference, or another target (`agent:<id>`). */
  target: string;
  before: unknown;
  after: unknown;
  /** The HTTP request id (also in the request's log lines). */
  requestId: string | null;
  prevHash: string;
  hash: string;
}

export type NewAuditEntry = Pick<AuditEntry, 'actor' | 'action' | 'target'> & { before: unknown; after: unknown; requestId?: string | null };

const auditSchema = new Schema<AuditEntry>(
  {
    seq: { type: Number, required: true, unique: true },
    at: { type: Date, required: true },
    actor: { type: new Schema({ kind: String, id: String, name: String }, { _id: false }), required: true },
    action: { type: String, required: true },
    target: { type: String, required: true },
    before: { type: Schema.Types.Mixed, default: null },
    after: { type: Schema.Types.Mixed, default: null },
    requestId: { type: String, default: null },
    prevHash: { type: String, required: true },
    hash: { type: String, required: true },
  },
  { collection: 'audit_log', versionKey: false, minimize: false },
);
auditSchema.index({ target: 1, seq: -1 });

export type AuditModel = Model<AuditEntry>;

export function createAuditModel(conn: Connection): AuditModel {
  return (conn.models.AuditEntry as AuditModel | undefined) ?? conn.model<AuditEntry>('AuditEntry', auditSchema);
}

/** The `prevHash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** Values as JSON has them (dates → ISO strings, undefined dropped), so the stored form hashes the same. */
const jsonValue = (v: unknown): unknown => (v === undefined ? null : JSON.parse(JSON.stringify(v)));

/** The hash of an entry: SHA-256 over the canonical JSON of everything but the hash itself. */
export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  const content = {
    seq: e.seq,
    at: new Date(e.at).toISOString(),
    actor: { kind: e.actor.kind, id: e.actor.id, name: e.actor.name },
    action: e.action,
    target: e.target,
    before: jsonValue(e.before),
    after: jsonValue(e.after),
    requestId: e.requestId ?? null,
    prevHash: e.prevHash,
  };
  return createHash('sha256').update(canonicalize(content), 'utf8').digest('hex');
}

export type AuditVerification =
  | { ok: true; entries: number; headHash: string }
  | { ok: false; entries: number; seq: number; problem: 'missing' | 'out_of_order' | 'edited' | 'broken_link'; message: string };

export interface AuditLog {
  /** Appends one entry to the chain (safe with several writers: the unique `seq` decides, a loser retries). */
  record(entry: NewAuditEntry): Promise<AuditEntry>;
  list(q: { target?: string; page: number; pageSize: number }): Promise<{ items: AuditEntry[]; total: number }>;
  /** Recomputes the whole chain; reports the first entry that does not fit. */
  verify(): Promise<AuditVerification>;
}

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

/** The audit log over its mongoose model. */
export function createAuditLog({ model, clock }: { model: AuditModel; clock: Clock }): AuditLog {
  // One append at a time in this process; other processes are ordered by the unique seq.
  let tail: Promise<unknown> = Promise.resolve();

  async function append(entry: NewAuditEntry): Promise<AuditEntry> {
    for (let attempt = 0; ; attempt++) {
      const last = await model.findOne({}, { seq: 1, hash: 1 }).sort({ seq: -1 }).lean<Pick<AuditEntry, 'seq' | 'hash'>>();
      const draft: Omit<AuditEntry, 'hash'> = {
        seq: (last?.seq ?? 0) + 1,
        at: clock.now(),
        actor: { kind: entry.actor.kind, id: entry.actor.id, name: entry.actor.name },
        action: entry.action,
        target: entry.target,
        before: jsonValue(entry.before),
        after: jsonValue(entry.after),
        requestId: entry.requestId ?? null,
        prevHash: last?.hash ?? GENESIS_HASH,
      };
      const full: AuditEntry = { ...draft, hash: entryHash(draft) };
      try {
        await model.create(full);
        return full;
      } catch (err) {
        if (!isDuplicateKey(err) || attempt >= 20) throw err;
      }
    }
  }

  return {
    record(entry) {
      const next = tail.then(() => append(entry));
      tail = next.catch(() => undefined);
      return next;
    },
    async list({ target, page, pageSize }) {
      const filter = target ? { target } : {};
      const [items, total] = await Promise.all([
        model.find(filter, { _id: 0 }).sort({ seq: -1 }).skip((page - 1) * pageSize).limit(pageSize).lean<AuditEntry[]>(),
        model.countDocuments(filter),
      ]);
      return { items, total };
    },
    async verify() {
      let expected = 1;
      let prevHash = GENESIS_HASH;
      const cursor = model.find({}, { _id: 0 }).sort({ seq: 1 }).lean<AuditEntry[]>().cursor();
      for await (const raw of cursor) {
        const e = raw as unknown as AuditEntry;
        if (e.seq !== expected) {
          await cursor.close();
          return e.seq > expected
            ? { ok: false, entries: expected - 1, seq: expected, problem: 'missing', message: `entry ${expected} is missing (the next one is ${e.seq})` }
            : { ok: false, entries: expected - 1, seq: e.seq, problem: 'out_of_order', message: `entry ${e.seq} appears where ${expected} was expected` };
        }
        if (e.prevHash !== prevHash) {
          await cursor.close();
          return { ok: false, entries: expected - 1, seq: e.seq, problem: 'broken_link', message: `entry ${e.seq} does not follow entry ${e.seq - 1} (an entry was replaced or removed)` };
        }
        const { hash, ...rest } = e;
        if (entryHash(rest) !== hash) {
          await cursor.close();
          return { ok: false, entries: expected - 1, seq: e.seq, problem: 'edited', message: `entry ${e.seq} was changed after it was written` };
        }
        prevHash = hash;
        expected++;
      }
      return { ok: true, entries: expected - 1, headHash: prevHash };
    },
  };
}

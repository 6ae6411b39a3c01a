/**
 * The audit log of the admin API: every write records who did what to which suggestion, when, and the
 * touched fields before and after. Append-only; read back by the office at GET /api/audit.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { Clock } from '../infra/clock.js';

export interface AuditEntry {
  at: Date;
  /** `office`, `unit:<id>`, optionally with the operator's name: `office(张三)`. */
  actor: string;
  /** What was done: `mark_valuable`, `escalate`, `record_instruction`, `recommend_to_city`, `city_outcome`, `nominate_award`, … */
  action: string;
  /** The suggestion's reference (or another target id). */
  target: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

const auditSchema = new Schema<AuditEntry>(
  {
    at: { type: Date, required: true },
    actor: { type: String, required: true },
    action: { type: String, required: true },
    target: { type: String, required: true },
    before: { type: Schema.Types.Mixed, default: null },
    after: { type: Schema.Types.Mixed, default: null },
  },
  { collection: 'audit_log', versionKey: false, minimize: false },
);
auditSchema.index({ target: 1, at: -1 });
auditSchema.index({ at: -1 });

export type AuditModel = Model<AuditEntry>;

export function createAuditModel(conn: Connection): AuditModel {
  return (conn.models.AuditEntry as AuditModel | undefined) ?? conn.model<AuditEntry>('AuditEntry', auditSchema);
}

export interface AuditLog {
  record(entry: Omit<AuditEntry, 'at'>): Promise<void>;
  list(q: { target?: string; page: number; pageSize: number }): Promise<{ items: AuditEntry[]; total: number }>;
}

/** The audit log over its mongoose model. */
export function createAuditLog({ model, clock }: { model: AuditModel; clock: Clock }): AuditLog {
  return {
    async record(entry) {
      await model.create({ ...entry, at: clock.now() });
    },
    async list({ target, page, pageSize }) {
      const filter = target ? { target } : {};
      const [items, total] = await Promise.all([
        model.find(filter, { _id: 0 }).sort({ at: -1 }).skip((page - 1) * pageSize).limit(pageSize).lean<AuditEntry[]>(),
        model.countDocuments(filter),
      ]);
      return { items, total };
    },
  };
}

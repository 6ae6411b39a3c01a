/**
 * Server-side cursors: the remaining results of a find/aggregate kept by id for getMore,
 * closed by killCursors, exhaustion, or after sitting idle longer than the timeout.
 */
import { BSON, Long } from 'bson';
import { MongoCommandError } from '../errors.js';
import { MAX_BSON_SIZE } from '../wire-protocol.js';
import type { Doc } from '../types-bridge.js';

interface OpenCursor {
  ns: string;
  docs: Doc[];
  pos: number;
  lastUsed: number;
}

/** Leaves room for the reply envelope around the batch. */
const BATCH_BYTES = MAX_BSON_SIZE - 64 * 1024;

export class CursorManager {
  private readonly open = new Map<bigint, OpenCursor>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly idleTimeoutMs: number) {
    this.timer = setInterval(() => this.sweep(), Math.max(50, Math.min(60_000, idleTimeoutMs / 4)));
    this.timer.unref();
  }

  get size(): number {
    return this.open.size;
  }

  /** Takes the first batch; keeps a cursor only when results remain. */
  start(ns: string, docs: Doc[], batchSize: number | undefined, singleBatch: boolean): Doc {
    const cur: OpenCursor = { ns, docs, pos: 0, lastUsed: Date.now() };
    const firstBatch = this.take(cur, batchSize ?? 101);
    let id = 0n;
    if (!singleBatch && cur.pos < docs.length) {
      do id = BigInt.asUintN(63, BigInt(Math.floor(Math.random() * 2 ** 52)) * 4096n + BigInt(Math.floor(Math.random() * 4096)));
      while (id === 0n || this.open.has(id));
      this.open.set(id, cur);
    }
    return { cursor: { firstBatch, id: Long.fromBigInt(id), ns }, ok: 1 };
  }

  getMore(id: bigint, collection: string, db: string, batchSize: number | undefined): Doc {
    const cur = this.open.get(id);
    if (!cur) throw new MongoCommandError(43, `cursor id ${id} not found`);
    if (cur.ns !== `${db}.${collection}`) {
      throw new MongoCommandError(13, `Requested getMore on namespace '${db}.${collection}', but cursor belongs to a different namespace ${cur.ns}`);
    }
    cur.lastUsed = Date.now();
    const nextBatch = this.take(cur, batchSize ?? Number.MAX_SAFE_INTEGER);
    let outId = id;
    if (cur.pos >= cur.docs.length) {
      this.open.delete(id);
      outId = 0n;
    }
    return { cursor: { nextBatch, id: Long.fromBigInt(outId), ns: cur.ns }, ok: 1 };
  }

  kill(ids: bigint[]): Doc {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const id of ids) (this.open.delete(id) ? killed : notFound).push(Long.fromBigInt(id));
    return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
  }

  sweep(now = Date.now()): void {
    for (const [id, c] of this.open) if (now - c.lastUsed > this.idleTimeoutMs) this.open.delete(id);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.open.clear();
  }

  private take(cur: OpenCursor, batchSize: number): Doc[] {
    const out: Doc[] = [];
    let bytes = 0;
    while (cur.pos < cur.docs.length && out.length < batchSize) {
      const d = cur.docs[cur.pos]!;
      const size = BSON.calculateObjectSize(d);
      // Always return at least one document so a cursor cannot stall.
      if (out.length > 0 && bytes + size > BATCH_BYTES) break;
      bytes += size;
      out.push(d);
      cur.pos++;
    }
    return out;
  }
}

export function toCursorId(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (v && typeof v === 'object' && (v as { _bsontype?: string })._bsontype === 'Long') return (v as Long).toBigInt();
  throw new MongoCommandError(14, "BSON field 'getMore.getMore' is the wrong type, expected type 'long'");
}

export const batchSizeOf = (v: unknown, field: string): number | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || v < 0 || !Number.isFinite(v)) {
    throw new MongoCommandError(2, `${field} must be a non-negative number`);
  }
  return v === 0 ? 0 : v;
};

/** getMore and killCursors. The context is typed by the slice they use: the command context holds this manager. */
export const cursorHandlers: Record<string, (cmd: Doc, ctx: { db: string; cursors: CursorManager }) => Doc | Promise<Doc>> = {
  getMore: (cmd, ctx) =>
    ctx.cursors.getMore(toCursorId(cmd.getMore), String(cmd.collection), ctx.db, batchSizeOf(cmd.batchSize, 'batchSize') || undefined),
  killCursors: (cmd, ctx) => {
    if (!Array.isArray(cmd.cursors)) throw new MongoCommandError(14, "BSON field 'killCursors.cursors' is missing or not an array");
    return ctx.cursors.kill(cmd.cursors.map(toCursorId));
  },
};

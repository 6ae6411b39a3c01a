/**
 * The command dispatcher and background work (TTL expiry). Independent of sockets: `run()` takes a
 * command body and returns the reply document, waiting for durability before acknowledging writes.
 */
import { CODE_NAMES, MongoCommandError, toMongoError } from './errors.js';
import { adminHandlers } from './commands/admin.js';
import { aggregateHandlers } from './commands/aggregate.js';
import { catalogHandlers } from './commands/catalog.js';
import type { CommandContext, Handler } from './commands/context.js';
import { crudHandlers } from './commands/crud.js';
import { CursorManager, cursorHandlers } from './commands/cursors.js';
import { indexHandlers } from './commands/indexes.js';
import type { Store } from './store.js';
import { compareValues, pathValues, type Doc } from './types-bridge.js';

const HANDLERS: Record<string, Handler> = {
  ...adminHandlers,
  ...catalogHandlers,
  ...crudHandlers,
  ...cursorHandlers,
  ...aggregateHandlers,
  ...indexHandlers,
};

const WRITE_COMMANDS = new Set([
  'insert', 'update', 'delete', 'findAndModify', 'findandmodify', 'create', 'drop', 'dropDatabase',
  'renameCollection', 'createIndexes', 'dropIndexes', 'deleteIndexes', 'aggregate',
]);

export interface EngineOptions {
  cursorTimeoutMs?: number;
  ttlIntervalMs?: number;
  logger?: { warn(o: object, msg?: string): void; error(o: object, msg?: string): void };
}

export class Engine {
  readonly cursors: CursorManager;
  private readonly startedAt = Date.now();
  private ttlTimer: NodeJS.Timeout | null = null;
  readonly opcounters: Record<string, number> = { insert: 0, query: 0, update: 0, delete: 0, getmore: 0, command: 0 };
  connections = 0;
  totalConnections = 0;

  constructor(
    readonly store: Store,
    private readonly opts: EngineOptions = {},
  ) {
    this.cursors = new CursorManager(opts.cursorTimeoutMs ?? 10 * 60_000);
    const every = opts.ttlIntervalMs ?? 60_000;
    this.ttlTimer = setInterval(() => void this.expireTtl().catch(() => undefined), every);
    this.ttlTimer.unref();
  }

  /** Executes one command and returns the reply (never throws: errors become `{ok: 0, ...}`). */
  async run(body: Doc, db: string, connectionId: number): Promise<Doc> {
    const name = Object.keys(body)[0];
    const ctx: CommandContext = {
      store: this.store,
      cursors: this.cursors,
      db,
      connectionId,
      startedAt: this.startedAt,
      stats: { connections: () => this.connections, totalConnections: () => this.totalConnections, opcounters: this.opcounters },
    };
    let isWrite = false;
    try {
      if (!name) throw new MongoCommandError(59, 'no such command: empty command object');
      const handler = Object.prototype.hasOwnProperty.call(HANDLERS, name) ? HANDLERS[name] : undefined;
      if (!handler) {
        if (name === 'commitTransaction' || name === 'abortTransaction') {
          throw new MongoCommandError(20, 'Transaction numbers are only allowed on a replica set member or mongos');
        }
        throw new MongoCommandError(59, `no such command: '${name}'`);
      }
      // A standalone mongod refuses retryable writes and transactions this way; the driver turns it
      // into its usual "does not support retryable writes" error.
      if (body.txnNumber !== undefined || body.startTransaction !== undefined || body.autocommit !== undefined) {
        throw new MongoCommandError(20, 'Transaction numbers are only allowed on a replica set member or mongos');
      }
      if (typeof db !== 'string' || db === '' || /[/\\. "$\0]/.test(db)) throw new MongoCommandError(73, `Invalid database name: '${db}'`);
      if (name === 'getMore') this.opcounters.getmore!++;
      isWrite = WRITE_COMMANDS.has(name);
      const reply = await handler(narrowOptionInts(body), ctx);
      if (isWrite) await this.store.commit();
      return reply;
    } catch (e) {
      if (isWrite) {
        // Earlier statements of a failed batch were applied; they must be durable before we answer.
        try {
          await this.store.commit();
        } catch (ce) {
          return toMongoError(ce).toReply();
        }
      }
      if (e instanceof MongoCommandError) return e.toReply();
      const isMingo = e instanceof Error && (e.constructor.name === 'MingoError' || e.name === 'MingoError');
      if (isMingo) return toMongoError(e).toReply();
      this.opts.logger?.error({ err: e instanceof Error ? e.stack : String(e), command: name }, 'embedded-mongo: internal error');
      return { ok: 0, errmsg: `internal error: ${e instanceof Error ? e.message : String(e)}`, code: 1, codeName: CODE_NAMES[1] };
    }
  }

  /** Deletes documents whose TTL-indexed date is older than `expireAfterSeconds`. */
  async expireTtl(now = Date.now()): Promise<number> {
    let removed = 0;
    for (const colls of this.store.dbs.values()) {
      for (const coll of colls.values()) {
        for (const idx of coll.indexes.values()) {
          const secs = idx.spec.expireAfterSeconds;
          if (secs === undefined) continue;
          const field = Object.keys(idx.spec.key)[0]!;
          for (const doc of [...coll.docs.values()]) {
            const dates = pathValues(doc, field).filter((v): v is Date => v instanceof Date);
            if (dates.length === 0) continue;
            const earliest = dates.reduce((a, b) => (compareValues(a, b) <= 0 ? a : b));
            if (earliest.getTime() + secs * 1000 <= now) {
              this.store.delete(coll, doc);
              removed++;
            }
          }
        }
      }
    }
    if (removed > 0) await this.store.commit();
    return removed;
  }

  close(): void {
    if (this.ttlTimer) clearInterval(this.ttlTimer);
    this.ttlTimer = null;
    this.cursors.close();
  }
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const narrow = (v: unknown): unknown => (typeof v === 'bigint' && v <= SAFE && v >= -SAFE ? Number(v) : v);
const narrowValues = (v: unknown): unknown => {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || (v as { _bsontype?: string })._bsontype || v instanceof Date) return v;
  const d = v as Doc;
  if (!Object.values(d).some((x) => typeof x === 'bigint')) return v;
  const out: Doc = {};
  for (const k of Object.keys(d)) Object.defineProperty(out, k, { value: narrow(d[k]), enumerable: true, writable: true, configurable: true });
  return out;
};

/** Command options that are counts, flags or directions, where MongoDB takes any numeric type. */
const OPTION_INTS = ['limit', 'skip', 'batchSize', 'maxTimeMS', 'ntoreturn', 'expireAfterSeconds', 'size', 'max'];
const OPTION_DOCS = ['sort', 'projection', 'fields', 'hint', 'key'];

/**
 * A client may send an int64 (`NumberLong(10)`, the Go and Java drivers' longs) wherever MongoDB reads a
 * count or a direction: limits, batch sizes, sort and index directions, projection flags, `$limit`/
 * `$skip`/`$sort`/`$sample`/`$project`. Those become numbers; documents, filters and expression values
 * keep their int64s. Cursor ids are left alone (`toCursorId` reads them as bigint).
 */
function narrowOptionInts(body: Doc): Doc {
  let out: Doc | null = null;
  const set = (k: string, v: unknown) => {
    if (v === body[k]) return;
    out ??= { ...body };
    out[k] = v;
  };
  for (const k of OPTION_INTS) if (typeof body[k] === 'bigint') set(k, narrow(body[k]));
  for (const k of OPTION_DOCS) if (body[k] !== undefined) set(k, narrowValues(body[k]));
  const cursor = body.cursor as Doc | undefined;
  if (cursor && typeof cursor === 'object' && typeof cursor.batchSize === 'bigint') set('cursor', { ...cursor, batchSize: narrow(cursor.batchSize) });
  if (Array.isArray(body.indexes)) {
    const specs = body.indexes.map((ix) => {
      if (!ix || typeof ix !== 'object') return ix;
      const spec = ix as Doc;
      const key = narrowValues(spec.key);
      if (key === spec.key && typeof spec.expireAfterSeconds !== 'bigint') return ix;
      const copy: Doc = { ...spec, key };
      if (typeof spec.expireAfterSeconds === 'bigint') copy.expireAfterSeconds = narrow(spec.expireAfterSeconds);
      return copy;
    });
    if (specs.some((ix, i) => ix !== (body.indexes as unknown[])[i])) set('indexes', specs);
  }
  if (Array.isArray(body.pipeline)) {
    const stages = body.pipeline.map((st) => {
      if (!st || typeof st !== 'object' || Array.isArray(st)) return st;
      const [name] = Object.keys(st as Doc);
      const arg = (st as Doc)[name!];
      if ((name === '$limit' || name === '$skip') && typeof arg === 'bigint') return { [name]: narrow(arg) };
      if (name === '$sort' || name === '$project') {
        const n = narrowValues(arg);
        return n === arg ? st : { [name]: n };
      }
      if (name === '$sample' && arg && typeof arg === 'object' && typeof (arg as Doc).size === 'bigint') return { $sample: { ...(arg as Doc), size: narrow((arg as Doc).size) } };
      return st;
    });
    if (stages.some((st, i) => st !== (body.pipeline as unknown[])[i])) set('pipeline', stages);
  }
  return out ?? body;
}

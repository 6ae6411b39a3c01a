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
      const reply = await handler(body, ctx);
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

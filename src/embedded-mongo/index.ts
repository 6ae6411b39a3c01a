/**
 * Jianyan's embedded MongoDB-compatible engine: a small database speaking the MongoDB wire protocol
 * on loopback, so unchanged mongoose code can run without a MongoDB server. For development and
 * tests only; production uses real MongoDB via `MONGODB_URI`.
 *
 * @example
 * ```ts
 * const mongo = await startEmbeddedMongo({ dbPath: './data/mongo' });
 * await mongoose.connect(mongo.uri + 'jianyan');
 * // ...
 * await mongoose.disconnect();
 * await mongo.close();
 * ```
 */
import { Engine } from './engine.js';
import { WireServer } from './server.js';
import { StorageLog } from './storage-log.js';
import { Store } from './store.js';

export interface EmbeddedMongoOptions {
  /** 0 or undefined = pick a free loopback port. */
  port?: number;
  /** Default '127.0.0.1'; non-loopback hosts are refused (the engine has no authentication). */
  host?: string;
  /** Directory for the log and snapshot; undefined = purely in memory. */
  dbPath?: string;
  /** Allow starting while NODE_ENV=production (also env EMBEDDED_MONGO_ALLOW_PRODUCTION=1). */
  allowProduction?: boolean;
  logger?: { info(o: object, msg?: string): void; warn(o: object, msg?: string): void; error(o: object, msg?: string): void };
}

/** Tuning knobs used by tests and benchmarks; not part of the stable API. */
export interface EmbeddedMongoInternalOptions extends EmbeddedMongoOptions {
  /** Compact the log once it exceeds this size (default 64 MiB). */
  compactThresholdBytes?: number;
  /** How often the TTL monitor runs (default 60 s, as in MongoDB). */
  ttlIntervalMs?: number;
  /** Idle cursors are closed after this long (default 10 min, as in MongoDB). */
  cursorTimeoutMs?: number;
}

export interface EmbeddedMongo {
  /** e.g. `mongodb://127.0.0.1:PORT/` — append a database name. */
  uri: string;
  port: number;
  /** Stops listening, closes sockets, flushes the log and releases the lock file. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Starts the engine and resolves once it accepts connections. */
export async function startEmbeddedMongo(opts: EmbeddedMongoInternalOptions = {}): Promise<EmbeddedMongo> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) {
    throw new Error(`embedded-mongo: refusing to bind to non-loopback host '${host}' (it has no authentication)`);
  }
  if (process.env.NODE_ENV === 'production' && !opts.allowProduction && process.env.EMBEDDED_MONGO_ALLOW_PRODUCTION !== '1') {
    throw new Error(
      'embedded-mongo: refusing to start with NODE_ENV=production; set MONGODB_URI to a real MongoDB, ' +
        'or pass allowProduction: true / EMBEDDED_MONGO_ALLOW_PRODUCTION=1 if you really mean it',
    );
  }
  let log: StorageLog | null = null;
  const store = (() => {
    if (!opts.dbPath) return new Store(null);
    log = new StorageLog({
      dir: opts.dbPath,
      compactThresholdBytes: opts.compactThresholdBytes,
      warn: (o, m) => opts.logger?.warn(o, m),
    });
    const { records, droppedTailBytes } = log.open();
    const s = new Store(log);
    try {
      s.replay(records);
      // Start from a compact snapshot so the next start replays little.
      if (log.logBytes > 0) log.compact();
    } catch (e) {
      log.close();
      throw e;
    }
    opts.logger?.info({ dbPath: opts.dbPath, records: records.length, droppedTailBytes }, 'embedded-mongo: data loaded');
    return s;
  })();
  const engine = new Engine(store, { cursorTimeoutMs: opts.cursorTimeoutMs, ttlIntervalMs: opts.ttlIntervalMs, logger: opts.logger });
  const server = new WireServer(engine, opts.logger);
  let port: number;
  try {
    port = await server.listen(opts.port ?? 0, host);
  } catch (e) {
    engine.close();
    (log as StorageLog | null)?.close();
    throw e;
  }
  const shownHost = host === '::1' ? '[::1]' : host;
  opts.logger?.info({ port, host, dbPath: opts.dbPath ?? null }, 'embedded-mongo: listening');
  let closing: Promise<void> | null = null;
  return {
    uri: `mongodb://${shownHost}:${port}/`,
    port,
    close: () =>
      (closing ??= (async () => {
        await server.close();
        engine.close();
        await store.commit().catch(() => undefined);
        (log as StorageLog | null)?.close();
      })()),
  };
}

export { Engine } from './engine.js';
export { MongoCommandError } from './errors.js';

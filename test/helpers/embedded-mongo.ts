/**
 * Test helper: one in-memory embedded MongoDB per test file.
 *
 * @example
 * ```ts
 * let mongo: TestMongo;
 * beforeAll(async () => { mongo = await startTestMongo(); await mongoose.connect(mongo.uri + 'test'); });
 * afterAll(async () => { await mongoose.disconnect(); await mongo.close(); });
 * ```
 */
import mongoose from 'mongoose';
import { afterAll, beforeAll } from 'vitest';
import { startEmbeddedMongo, type EmbeddedMongoInternalOptions } from '../../src/embedded-mongo/index.js';

export interface TestMongo {
  /** `mongodb://127.0.0.1:PORT/`; append a database name. */
  uri: string;
  close(): Promise<void>;
}

export async function startTestMongo(opts: Pick<EmbeddedMongoInternalOptions, 'dbPath' | 'ttlIntervalMs' | 'cursorTimeoutMs'> = {}): Promise<TestMongo> {
  const m = await startEmbeddedMongo({ ...opts, allowProduction: true });
  return { uri: m.uri, close: () => m.close() };
}

/**
 * The official driver on an embedded engine for one test file, with a fresh collection per case filled
 * with `docs`. Starts in `beforeAll` and closes in `afterAll`; `db()` and `uri()` are valid inside tests.
 *
 * @example
 *   const engine = useDriverOnEngine('conf19');
 *   it('…', async () => { const c = await engine.filled([{ _id: 1 }]); … });
 */
export function useDriverOnEngine(dbName: string) {
  let mongo: TestMongo | undefined;
  let client: mongoose.mongo.MongoClient | undefined;
  let n = 0;
  beforeAll(async () => {
    mongo = await startTestMongo();
    client = await mongoose.mongo.MongoClient.connect(mongo.uri);
  });
  afterAll(async () => {
    await client?.close();
    await mongo?.close();
  });
  const db = () => client!.db(dbName);
  return {
    db,
    uri: () => mongo!.uri,
    /** A new collection holding copies of `docs`. */
    async filled(docs: object[]) {
      const c = db().collection(`c${++n}`);
      if (docs.length) await c.insertMany(docs.map((d) => ({ ...d })) as never[]);
      return c;
    },
  };
}

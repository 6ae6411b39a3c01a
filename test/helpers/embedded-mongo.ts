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

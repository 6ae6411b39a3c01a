/**
 * The MongoDB connection: the server at MONGODB_URI (production: a replica set, writes with
 * w: "majority"), or — when unset — the embedded MongoDB-compatible engine started in-process on a free
 * loopback port with its files under DATA_DIR, which mongoose reaches over TCP exactly as it would MongoDB.
 */
import path from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import { startEmbeddedMongo, type EmbeddedMongo } from '../embedded-mongo/index.js';
import type { Env } from './config.js';
import type { Logger } from './logger.js';

export interface MongoHandle {
  connection: Connection;
  /** Set when the embedded engine was started. */
  embedded?: EmbeddedMongo;
  close(): Promise<void>;
}

/**
 * Connects mongoose to MONGODB_URI, or starts the embedded engine first. Under NODE_ENV=production the
 * embedded engine is refused unless EMBEDDED_MONGO_ALLOW_PRODUCTION=1 (both read from the parsed config,
 * not from the process environment).
 */
export async function connectMongo(env: Pick<Env, 'MONGODB_URI' | 'DATA_DIR' | 'NODE_ENV' | 'EMBEDDED_MONGO_ALLOW_PRODUCTION'>, logger: Logger): Promise<MongoHandle> {
  let embedded: EmbeddedMongo | undefined;
  let uri = env.MONGODB_URI;
  if (!uri) {
    const allowProduction = env.EMBEDDED_MONGO_ALLOW_PRODUCTION === '1';
    if (env.NODE_ENV === 'production' && !allowProduction) {
      throw new Error(
        'the embedded engine is for development and tests: refusing to start it with NODE_ENV=production; set MONGODB_URI ' +
          'to a real MongoDB (or EMBEDDED_MONGO_ALLOW_PRODUCTION=1 if you really mean it)',
      );
    }
    const dbPath = path.resolve(env.DATA_DIR, 'mongo');
    embedded = await startEmbeddedMongo({ dbPath, logger, allowProduction });
    uri = `${embedded.uri.replace(/\/$/, '')}/jianyan`;
    logger.info({ port: embedded.port, dbPath }, 'embedded MongoDB-compatible engine started (development/test only)');
  }
  const connection = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: 10_000,
    ...(embedded ? {} : { writeConcern: { w: 'majority' as const } }),
  });
  await connection.asPromise();
  logger.info({ embedded: Boolean(embedded) }, 'MongoDB connected');
  return {
    connection,
    embedded,
    async close() {
      await connection.close();
      await embedded?.close();
    },
  };
}

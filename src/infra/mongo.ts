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

export async function connectMongo(env: Pick<Env, 'MONGODB_URI' | 'DATA_DIR' | 'NODE_ENV'>, logger: Logger): Promise<MongoHandle> {
  let embedded: EmbeddedMongo | undefined;
  let uri = env.MONGODB_URI;
  if (!uri) {
    const dbPath = path.resolve(env.DATA_DIR, 'mongo');
    embedded = await startEmbeddedMongo({ dbPath, logger });
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

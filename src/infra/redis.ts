/**
 * Redis connection (ioredis). Only created when REDIS_URL is set; every Redis-backed part has an
 * in-memory twin for the single-process embedded default.
 */
import { Redis } from 'ioredis';
import type { Logger } from './logger.js';

export type { Redis };

export function createRedis(url: string, logger?: Logger): Redis {
  const redis = new Redis(url, {
    // Fail commands quickly while Redis is down instead of queueing them forever; callers answer
    // "busy, try again" and nothing is lost because nothing was acknowledged.
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: false,
  });
  redis.on('error', (err) => logger?.warn({ err: err.message }, 'redis error'));
  return redis;
}

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
    // Commands issued in the same event-loop turn (many concurrent conversations) go out in one write:
    // a socket write per command was the largest single CPU cost of bench 1. Order on the connection is
    // unchanged; MULTI blocks and subscriber commands are never auto-pipelined by ioredis.
    enableAutoPipelining: true,
  });
  redis.on('error', (err) => logger?.warn({ err: err.message }, 'redis error'));
  return redis;
}

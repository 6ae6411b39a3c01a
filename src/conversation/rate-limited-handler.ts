/**
 * The per-sender flood limit, as a wrapper around any ConversationHandler: at most `max` messages per
 * sender (`channel:senderId`) in a fixed window of `windowSeconds`. The first message over the limit gets
 * one polite reply (flows/texts/limits.ts); later ones in the same window get none, so a flood can neither
 * reach the engine nor make us flood the sender (or WeCom's reply quota) back.
 *
 * The count lives in Redis (`RedisKeys.senderRate`) so every worker shares it, or in memory for one process.
 * When the counter cannot be reached the message is let through: the inner handler then answers "busy"
 * itself if the same Redis is down, and a limit must never lose a citizen's message on its own.
 *
 * @example
 *   const conversation = createRateLimitedHandler({
 *     inner: createConversationService({ ... }),
 *     counter: redis ? new RedisSenderRateCounter(redis) : new MemorySenderRateCounter(),
 *     logger,
 *   });
 */
import type { ConversationHandler, InboundMessage, TurnResult } from './message-port.js';
import type { Logger } from '../infra/logger.js';
import type { Redis } from '../infra/redis.js';
import { RedisKeys } from '../infra/redis-keys.js';
import { senderLimitTexts } from '../../flows/texts/limits.js';
import { conversationIdOf } from './turn.js';

/** Counts messages per key in fixed windows. */
export interface SenderRateCounter {
  /** Adds one hit; returns the count in the current window (1 for the first) and the ms left in it. */
  hit(key: string, windowSeconds: number): Promise<{ count: number; resetMs: number }>;
}

const HIT_SCRIPT = `
local n = redis.call("incr", KEYS[1])
if n == 1 then redis.call("pexpire", KEYS[1], ARGV[1]) end
local ttl = redis.call("pttl", KEYS[1])
if ttl < 0 then redis.call("pexpire", KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

export class RedisSenderRateCounter implements SenderRateCounter {
  constructor(private readonly redis: Pick<Redis, 'eval'>) {}
  async hit(key: string, windowSeconds: number) {
    const [count, resetMs] = (await this.redis.eval(HIT_SCRIPT, 1, key, windowSeconds * 1000)) as [number, number];
    return { count, resetMs };
  }
}

export class MemorySenderRateCounter implements SenderRateCounter {
  private readonly windows = new Map<string, { count: number; until: number }>();
  constructor(private readonly now: () => number = Date.now) {}
  async hit(key: string, windowSeconds: number) {
    const now = this.now();
    if (this.windows.size > 50_000) for (const [k, w] of this.windows) if (w.until <= now) this.windows.delete(k);
    let w = this.windows.get(key);
    if (!w || w.until <= now) this.windows.set(key, (w = { count: 0, until: now + windowSeconds * 1000 }));
    w.count++;
    return { count: w.count, resetMs: w.until - now };
  }
}

export interface SenderRateLimit {
  /** Messages allowed per sender per window. */
  max: number;
  windowSeconds: number;
}

/** Generous for a person typing answers (a whole suggestion takes about ten messages), tight for a script. */
export const DEFAULT_SENDER_RATE_LIMIT: SenderRateLimit = { max: 20, windowSeconds: 60 };

export interface RateLimitedHandlerDeps {
  inner: ConversationHandler;
  counter: SenderRateCounter;
  logger: Pick<Logger, 'child'>;
  limit?: SenderRateLimit;
}

/** The `state` of a turn refused by the flood limit (the engine was not asked). */
export const RATE_LIMITED_STATE = 'rate_limited';

/** Wraps a handler with a per-sender flood limit: past `limit`, one polite refusal, then silence; the engine is not asked. */
export function createRateLimitedHandler({ inner, counter, logger, limit = DEFAULT_SENDER_RATE_LIMIT }: RateLimitedHandlerDeps): ConversationHandler {
  const log = logger.child({ component: 'sender-rate-limit' });
  return {
    async handle(message: InboundMessage): Promise<TurnResult> {
      const conversationId = conversationIdOf(message.channel, String(message.senderId));
      let hit: { count: number; resetMs: number } | undefined;
      try {
        hit = await counter.hit(RedisKeys.senderRate(conversationId), limit.windowSeconds);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'sender rate counter unavailable; message let through');
      }
      if (!hit || hit.count <= limit.max) return inner.handle(message);
      if (hit.count === limit.max + 1) {
        log.warn({ conversation: conversationId, max: limit.max, windowSeconds: limit.windowSeconds }, 'sender over the message limit');
        return { replies: [{ text: senderLimitTexts.tooFast(hit.resetMs / 1000) }], state: RATE_LIMITED_STATE };
      }
      return { replies: [], state: RATE_LIMITED_STATE };
    },
  };
}

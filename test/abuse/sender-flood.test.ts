/**
 * Abuse: a flood from one sender. The per-sender limit (shared through real Redis, or in memory) answers
 * the first message over the limit once, politely; the rest get nothing and never reach the engine, and
 * other citizens are not affected.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ConversationHandler, InboundMessage } from '../../src/conversation/message-port.js';
import { createConversationService, MemorySessionStore } from '../../src/conversation/index.js';
import { createRateLimitedHandler, MemorySenderRateCounter, RATE_LIMITED_STATE, RedisSenderRateCounter, type SenderRateCounter } from '../../src/conversation/rate-limited-handler.js';
import { fixedClock } from '../../src/infra/clock.js';
import { loadTestConfig } from '../../src/infra/config.js';
import { MemoryDedupeStore } from '../../src/infra/dedupe.js';
import { MemoryLockService } from '../../src/infra/locks.js';
import { silentLogger } from '../../src/infra/logger.js';
import { IN_CAMPAIGN } from '../helpers/conversation.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { MemorySuggestions } from '../fakes/memory-suggestions.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.stop();
});

function world(counter: SenderRateCounter) {
  const clock = fixedClock(IN_CAMPAIGN);
  const seen: string[] = [];
  const inner = createConversationService({
    config: loadTestConfig(),
    clock,
    logger: silentLogger,
    sessions: new MemorySessionStore(),
    locks: new MemoryLockService(),
    dedupe: new MemoryDedupeStore(),
    suggestions: new MemorySuggestions(clock),
  });
  const counting: ConversationHandler = { handle: (m) => (seen.push(m.messageId), inner.handle(m)) };
  const handler = createRateLimitedHandler({ inner: counting, counter, logger: silentLogger, limit: { max: 5, windowSeconds: 60 } });
  let n = 0;
  const msg = (senderId: string, text: string): InboundMessage => ({ channel: 'dev', senderId, messageId: `m${++n}`, text, receivedAt: clock.now() });
  return { handler, seen, msg };
}

describe.each([
  ['Redis', () => new RedisSenderRateCounter(redis.client())],
  ['memory', () => new MemorySenderRateCounter()],
])('a flood from one sender (%s counter)', (_name, counter) => {
  test('the first message over the limit gets one polite reply, the rest nothing, and the engine sees none of them', async () => {
    const { handler, seen, msg } = world(counter());
    const user = `flood-${_name}`;
    expect((await handler.handle(msg(user, '我想提建议'))).state).toBe('theme');
    for (let i = 0; i < 4; i++) await handler.handle(msg(user, '哈哈'));
    expect(seen).toHaveLength(5);

    const over = await handler.handle(msg(user, '哈哈'));
    expect(over.state).toBe(RATE_LIMITED_STATE);
    expect(over.replies).toHaveLength(1);
    expect(over.replies[0]!.text).toMatch(/速度有点快.*稍等.*分钟.*保留/);
    const rest = await Promise.all(Array.from({ length: 50 }, () => handler.handle(msg(user, '哈哈'))));
    expect(rest.every((r) => r.replies.length === 0 && r.state === RATE_LIMITED_STATE)).toBe(true);
    expect(seen).toHaveLength(5);

    // Another citizen is not affected.
    expect((await handler.handle(msg(`other-${_name}`, '我想提建议'))).state).toBe('theme');
  });
});

test('when the counter cannot be reached, messages are let through to the engine (a limit never loses a message)', async () => {
  const broken: SenderRateCounter = { hit: () => Promise.reject(new Error('redis down')) };
  const { handler, seen, msg } = world(broken);
  expect((await handler.handle(msg('no-counter', '我想提建议'))).state).toBe('theme');
  expect(seen).toHaveLength(1);
});

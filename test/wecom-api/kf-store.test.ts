import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Redis } from 'ioredis';
import { MemoryKfStore, RedisKfStore, type KfStore } from '../../src/wecom-api/kf-store.js';
import { RedisKeys, RedisTtls } from '../../src/infra/redis-keys.js';
import { redisAvailable, startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const HOUR = 3_600_000;
let redis: TestRedis | undefined;
let client: Redis | undefined;
beforeAll(async () => {
  if (redisAvailable) {
    redis = await startTestRedis();
    client = redis.client();
  }
});
afterAll(async () => {
  await redis?.stop();
});

let n = 0;
const twins: [string, () => KfStore][] = [
  ['memory', () => new MemoryKfStore()],
  ['redis', () => new RedisKfStore(client!)],
];

describe.each(twins)('the %s kf store', (name, make) => {
  const run = name === 'redis' && !redisAvailable ? test.skip : test;
  const user = () => `wm_user_${++n}`;

  run('a window opens when the customer writes, holds five messages, and closes after 48 hours', async () => {
    const s = make();
    const u = user();
    expect(await s.reserve('wk1', u, 0, 48 * HOUR, 5)).toBe(false); // the customer never wrote
    await s.customerWrote('wk1', u, 1_000);
    const five = await Promise.all([1, 2, 3, 4, 5, 6].map(() => s.reserve('wk1', u, 2_000, 48 * HOUR, 5)));
    expect(five.filter(Boolean)).toHaveLength(5);
    await s.customerWrote('wk1', u, 3_000);
    expect(await s.reserve('wk1', u, 3_000 + 49 * HOUR, 48 * HOUR, 5)).toBe(false);
  });

  run('kept messages come back in order, the ones put back first ahead of the rest, and only once', async () => {
    const s = make();
    const u = user();
    await s.keep('wk1', u, ['c', 'd']);
    await s.keepFirst('wk1', u, ['a', 'b']);
    expect(await s.takeKept('wk1', u)).toEqual(['a', 'b', 'c', 'd']);
    expect(await s.takeKept('wk1', u)).toEqual([]);
  });

  run('a window WeCom closed stays closed until the customer writes again', async () => {
    const s = make();
    const u = user();
    await s.customerWrote('wk1', u, 0);
    await s.closeWindow('wk1', u);
    expect(await s.reserve('wk1', u, 1, 48 * HOUR, 5)).toBe(false);
    await s.customerWrote('wk1', u, 2);
    expect(await s.reserve('wk1', u, 3, 48 * HOUR, 5)).toBe(true);
  });
});

describe('what the kf store keeps does not outlive its use', () => {
  test('the memory twin forgets windows, kept messages and pull requests after the same TTLs as Redis', async () => {
    let now = 0;
    const s = new MemoryKfStore({ now: () => now });
    await s.customerWrote('wk1', 'u1', 0);
    await s.keep('wk1', 'u1', ['kept']);
    await s.requestPull('wk1', 'TOKEN');
    now = (RedisTtls.kfPending + 1) * 1000;
    await s.customerWrote('wk1', 'u2', now); // any later activity sweeps what expired
    expect(await s.takeKept('wk1', 'u1')).toEqual([]);
    expect(await s.takePullRequest('wk1')).toBeUndefined();
    expect(s.size).toEqual({ windows: 1, kept: 0, pulls: 0 });
  });

  (redisAvailable ? test : test.skip)('closing the window of a customer Redis has no window for leaves no key without a TTL', async () => {
    const s = new RedisKfStore(client!);
    await s.closeWindow('wk1', 'never_wrote');
    const ttl = await client!.ttl(RedisKeys.kfWindow('wk1', 'never_wrote'));
    expect(ttl === -2 || (ttl > 0 && ttl <= RedisTtls.kfWindow)).toBe(true);
  });
});

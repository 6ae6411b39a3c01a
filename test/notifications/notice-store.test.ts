/**
 * Kept notices with their "nothing unseen" markers in the Redis session store: a citizen sees every kept
 * notice on their next message exactly once, whatever interleaving of keeping and taking, and with the
 * markers gone (Redis flushed, or a store that writes none).
 */
import { randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createRedisSessionStore } from '../../src/conversation/redis-session-store.js';
import { fixedClock } from '../../src/infra/clock.js';
import { createNoticeStore, type NoticeMarkers } from '../../src/notifications/notice-store.js';
import { startTestMongo, type TestMongo } from '../helpers/embedded-mongo.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

let mongo: TestMongo;
let redisServer: TestRedis;
let redis: Redis;
let conn: Connection;
const clock = fixedClock('2021-07-01T10:00:00+08:00');
const citizen = { channel: 'dev' as const, id: 'u1' };

beforeAll(async () => {
  mongo = await startTestMongo();
  redisServer = await startTestRedis();
  redis = new Redis(redisServer.url);
});
afterAll(async () => {
  redis.disconnect();
  await redisServer.stop();
  await mongo.close();
});
beforeEach(async () => {
  conn = mongoose.createConnection(`${mongo.uri}n${randomUUID().slice(0, 8)}`);
  await conn.asPromise();
  await redis.flushall();
});
afterEach(async () => {
  await conn.close();
});

const notice = (text: string) => ({ outboxId: randomUUID(), citizen, reference: 'WZ2021-000001', text });
const texts = (r: { text: string }[]) => r.map((n) => n.text);

describe('kept notices with markers in Redis', () => {
  test('a notice kept after the citizen was found to have none is shown on the next message, once', async () => {
    const store = createNoticeStore(conn, clock, { markers: createRedisSessionStore(redis) });
    expect(await store.takePending(citizen)).toEqual([]); // nothing yet: marked clean
    expect(await store.takePending(citizen)).toEqual([]);
    await store.keep(notice('您的建议已受理。'));
    expect(texts(await store.takePending(citizen))).toEqual(['您的建议已受理。']);
    expect(await store.takePending(citizen)).toEqual([]);
    // Another worker's store (same Redis and database) keeps one: this one shows it.
    await createNoticeStore(conn, clock, { markers: createRedisSessionStore(redis) }).keep(notice('您的建议已答复。'));
    expect(texts(await store.takePending(citizen))).toEqual(['您的建议已答复。']);
    expect(await store.takePending({ channel: 'dev', id: 'someone-else' })).toEqual([]);
  });

  test('a notice kept between the database read and the clean marker is not hidden by that marker', async () => {
    const sessions = createRedisSessionStore(redis);
    let store!: ReturnType<typeof createNoticeStore>;
    let interleaved = false;
    // The real Redis store; the first clean marker is written only after another notice was kept.
    const markers: NoticeMarkers = {
      get: (k) => sessions.get(k),
      async set(k, v, ttl) {
        if (k.startsWith('notices:clean:') && !interleaved) {
          interleaved = true;
          await store.keep(notice('您的建议已受理。'));
        }
        await sessions.set(k, v, ttl);
      },
    };
    store = createNoticeStore(conn, clock, { markers });
    expect(await store.takePending(citizen)).toEqual([]); // read before the notice existed
    expect(interleaved).toBe(true);
    expect(texts(await store.takePending(citizen))).toEqual(['您的建议已受理。']);
  });

  test('markers lost (Redis flushed) or never written (a store without markers) never hide a notice', async () => {
    const store = createNoticeStore(conn, clock, { markers: createRedisSessionStore(redis) });
    expect(await store.takePending(citizen)).toEqual([]);
    await store.keep(notice('第一条'));
    await redis.flushall();
    expect(texts(await store.takePending(citizen))).toEqual(['第一条']);
    await createNoticeStore(conn, clock).keep(notice('第二条'));
    await redis.flushall(); // the clean marker is gone too: the database is asked
    expect(texts(await store.takePending(citizen))).toEqual(['第二条']);
  });

  test('an unreadable version is treated as unknown: the database is asked', async () => {
    const store = createNoticeStore(conn, clock, { markers: createRedisSessionStore(redis) });
    expect(await store.takePending(citizen)).toEqual([]);
    await createNoticeStore(conn, clock).keep(notice('第三条'));
    await redis.set('jy:session:notices:version:dev:u1', '{not json');
    expect(texts(await store.takePending(citizen))).toEqual(['第三条']);
  });
});

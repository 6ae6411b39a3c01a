import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import mongoose, { type Connection } from 'mongoose';
import { createSessionModel, MemorySessionStore, MongoSessionStore, newSession, RedisSessionStore, decodeSession } from '../../src/conversation/index.js';
import type { SessionStore } from '../../src/conversation/session-store.js';
import { fixedClock } from '../../src/infra/clock.js';
import { RedisDedupeStore } from '../../src/infra/dedupe.js';
import { RedisLockService } from '../../src/infra/locks.js';
import { RedisKeys } from '../../src/infra/redis-keys.js';
import { citizenSuggestionFlow } from '../../flows/index.js';
import { good, startChat, walkTo } from '../helpers/conversation.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { startTestMongo, type TestMongo } from '../helpers/embedded-mongo.js';

const sample = () => {
  const s = newSession(citizenSuggestionFlow, new Date('2021-07-01T02:00:00Z'));
  s.stepId = 'proposal';
  s.answers = { theme: 'rural_revitalization', campaign: 'wz2021', title: good.title };
  s.buffer = [good.proposal[0]];
  return s;
};

/** The contract every SessionStore keeps. `expire` makes time pass beyond a TTL for that store. */
function contract(name: string, make: () => Promise<{ store: SessionStore; expire: (seconds: number) => Promise<void> }>) {
  describe(`${name} keeps the SessionStore contract`, () => {
    test('a stored session reads back equal, as plain JSON', async () => {
      const { store } = await make();
      await store.set('dev:u1', sample(), 3600);
      const back = await store.get('dev:u1');
      expect(back).toEqual(sample());
      const decoded = decodeSession(back);
      expect(decoded.ok).toBe(true);
    });

    test('an unknown conversation has no session', async () => {
      const { store } = await make();
      expect(await store.get('dev:nobody')).toBeUndefined();
    });

    test('set replaces, delete forgets, conversations are separate', async () => {
      const { store } = await make();
      await store.set('dev:a', sample(), 3600);
      await store.set('dev:b', { ...sample(), stepId: 'title' }, 3600);
      await store.set('dev:a', { ...sample(), stepId: 'identity' }, 3600);
      expect((await store.get('dev:a')) as { stepId: string }).toMatchObject({ stepId: 'identity' });
      expect((await store.get('dev:b')) as { stepId: string }).toMatchObject({ stepId: 'title' });
      await store.delete('dev:a');
      expect(await store.get('dev:a')).toBeUndefined();
      expect(await store.get('dev:b')).toBeDefined();
    });

    test('a session expires after its TTL, and each write renews it', async () => {
      const { store, expire } = await make();
      await store.set('dev:t', sample(), 2);
      await expire(1);
      await store.set('dev:t', sample(), 2);
      await expire(1);
      expect(await store.get('dev:t')).toBeDefined();
      await expire(2);
      expect(await store.get('dev:t')).toBeUndefined();
    });

    test('a typical draft is small (under 2 KB)', async () => {
      const { store } = await make();
      await store.set('dev:size', sample(), 3600);
      expect(JSON.stringify(await store.get('dev:size')).length).toBeLessThan(2048);
    });
  });
}

contract('MemorySessionStore', async () => {
  const clock = fixedClock('2021-07-01T10:00:00+08:00');
  return { store: new MemorySessionStore(clock), expire: async (s) => clock.advance(s * 1000) };
});

let mongo: TestMongo;
let conn: Connection;
let mongoDbs = 0;
beforeAll(async () => {
  mongo = await startTestMongo();
});
afterAll(async () => {
  await conn?.close();
  await mongo?.close();
});

contract('MongoSessionStore (the embedded engine)', async () => {
  await conn?.close();
  conn = mongoose.createConnection(`${mongo.uri}sessions_${process.pid}_${++mongoDbs}`);
  await conn.asPromise();
  const model = createSessionModel(conn);
  await model.init();
  const clock = fixedClock('2021-07-01T10:00:00+08:00');
  // The service clock decides expiry (as with JIANYAN_NOW); the TTL index only purges on real time.
  return { store: new MongoSessionStore(model, clock), expire: async (s) => clock.advance(s * 1000) };
});

describe('MongoSessionStore', () => {
  test('has a TTL index, so expired drafts are removed by the database itself', async () => {
    const c = mongoose.createConnection(`${mongo.uri}sessions_ttl_${process.pid}`);
    await c.asPromise();
    const model = createSessionModel(c);
    await model.init();
    const indexes = await c.collection('sessions').indexes();
    expect(indexes).toContainEqual(expect.objectContaining({ key: { purgeAt: 1 }, expireAfterSeconds: 0 }));
    await c.close();
  });
});

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.stop();
});

contract('RedisSessionStore', async () => {
  const client = redis.client();
  await client.flushdb();
  // Real Redis TTLs run on real time; PEXPIRE shortens the remaining life instead of sleeping.
  return {
    store: new RedisSessionStore(client),
    expire: async (seconds) => {
      for (const key of await client.keys(RedisKeys.session('*'))) {
        const left = await client.pttl(key);
        if (left <= seconds * 1000) await client.del(key);
        else await client.pexpire(key, left - seconds * 1000);
      }
    },
  };
});

describe('on Redis, a conversation runs across service instances', () => {
  test('a draft survives a restart, and the stored key carries the draft TTL', async () => {
    const client = redis.client();
    const clock = fixedClock('2021-07-01T10:00:00+08:00');
    const shared = { clock, sessions: new RedisSessionStore(client), locks: new RedisLockService(client), dedupe: new RedisDedupeStore(client) };
    const chat = await startChat({ shared, user: 'redis-user' });
    await walkTo(chat, 'feasibility');
    const ttl = await client.ttl(RedisKeys.session('dev:redis-user'));
    expect(ttl).toBeGreaterThan(6 * 24 * 3600);
    expect(ttl).toBeLessThanOrEqual(7 * 24 * 3600);

    const again = chat.restart();
    await again.say(good.feasibility);
    await again.say('完成');
    await again.say(good.identity);
    const turn = await again.say('确认');
    expect(turn.reference).toBe('WZ2021-000001');
  });

  test('two messages at once from one sender are serialised by the Redis lease', async () => {
    const client = redis.client();
    const clock = fixedClock('2021-07-01T10:00:00+08:00');
    const shared = { clock, sessions: new RedisSessionStore(client), locks: new RedisLockService(client), dedupe: new RedisDedupeStore(client) };
    const one = await startChat({ shared, user: 'redis-pair' });
    await walkTo(one, 'proposal');
    // Two service instances (two workers) receive one message each.
    const two = one.restart();
    await Promise.all([one.say(good.proposal[0]), two.say(good.proposal[1])]);
    await one.say('完成');
    expect(one.state).toBe('feasibility');
  });
});

/**
 * The per-member app-message limits (wecom-contract.md §0.2: 30 per minute and 1000 per hour per member,
 * "excess is dropped, not delivered") as WeCom counts them — over ANY sliding window, at the moment a request
 * reaches WeCom — against the clustered bottleneck limiters of src/wecom-api/rate-limits.ts on a real
 * redis-server shared by two workers. Windows are shrunk; counts are the contract's.
 *
 * The request's trip from the limiter's grant to WeCom is not constant (network, TLS, an event loop busy with
 * other work): the tests give each call a trip drawn from a fixed pseudo-random sequence, so calls granted in
 * order can arrive bunched up. Nothing is asserted about time; only what the fake WeCom delivered or dropped.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { prng } from '../../src/judgement/corpus/corpus-tools.js';
import { createRedis, type Redis } from '../../src/infra/redis.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createWeComLimiters, type WeComLimiters } from '../../src/wecom-api/rate-limits.js';
import { startFakeWeCom, type FakeWeCom } from '../fakes/fake-wecom-server.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

async function tokenOf(fake: FakeWeCom): Promise<string> {
  const res = await fetch(`${fake.url}/cgi-bin/gettoken?corpid=${fake['opts'].corpId}&corpsecret=app-secret`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** One message/send straight to the fake (no limiter): what WeCom would receive. */
async function send(fake: FakeWeCom, token: string, touser: string, content: string): Promise<number> {
  const res = await fetch(`${fake.url}/cgi-bin/message/send?access_token=${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ touser, msgtype: 'text', agentid: fake['opts'].agentId, text: { content } }),
  });
  return ((await res.json()) as { errcode: number }).errcode;
}

/** A fixed pseudo-random sequence of trips (the corpus tools' mulberry32), so a failing run can be replayed. */
function trips(seed: number, maxMs: number): () => number {
  const next = prng(seed);
  return () => Math.floor(next() * maxMs);
}

describe('the fake WeCom counts the per-member limit over a sliding window', () => {
  let fake: FakeWeCom | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  test('30 messages spaced exactly a window/30 apart are all delivered; a 31st within any window of the last 30 is dropped', async () => {
    let now = 1_000_000;
    fake = await startFakeWeCom({ now: () => now, limits: { minuteMs: 6_000 }, memberOverflow: 'drop' });
    const token = await tokenOf(fake);
    // 60 messages, one every 200 ms (6,000 / 30): every window of 6 s holds at most 30 of them.
    for (let i = 0; i < 60; i++) {
      expect(await send(fake, token, 'zhangsan', `第${i}条`)).toBe(0);
      now += 200;
    }
    expect(fake.limitBreaches).toBe(0);
    expect(fake.appDelivered).toHaveLength(60);

    // Now one every 199 ms for another member: the 31st lands 5,970 ms after the 1st — inside its window.
    for (let i = 0; i < 31; i++) {
      await send(fake, token, 'lisi', `第${i}条`);
      now += 199;
    }
    expect(fake.limitBreaches).toBe(1);
    expect(fake.appDropped.map((d) => d.touser)).toEqual(['lisi']);

    // A window not starting at the first message: 1 message, a pause, then 30 close together — the 31st
    // of them is over the limit although the first window (from the lone message) is long gone.
    now += 60_000;
    await send(fake, token, 'wangwu', 'lone');
    now += 3_000;
    for (let i = 0; i < 29; i++) {
      expect(await send(fake, token, 'wangwu', `b${i}`)).toBe(0);
      now += 10;
    }
    now += 2_990 - 290; // the lone message is 5,990 ms old: still in the window
    await send(fake, token, 'wangwu', 'over');
    expect(fake.limitBreaches).toBe(2);
    now += 20; // 6,010 ms after the lone message: it has left the window
    expect(await send(fake, token, 'wangwu', 'fits')).toBe(0);
    expect(fake.appDropped.map((d) => d.touser)).toEqual(['lisi', 'wangwu']);
  });
});

describe('the clustered limiters keep every member under the limit over any window, across workers', () => {
  let redisServer: TestRedis;
  let fake: FakeWeCom | undefined;
  const open: { limiters: WeComLimiters; redis: Redis }[] = [];
  beforeAll(async () => {
    redisServer = await startTestRedis();
  });
  afterEach(async () => {
    for (const w of open.splice(0)) {
      await w.limiters.close();
      w.redis.disconnect();
    }
    await fake?.close();
    fake = undefined;
  });
  afterAll(async () => {
    await redisServer?.stop();
  });

  const worker = (namespace: string, windows: { minuteMs: number; hourMs: number; apiPerMinute?: number; apiPerHour?: number }) => {
    const redis = createRedis(redisServer.url, silentLogger);
    const limiters = createWeComLimiters({ redis, namespace, settings: { ...windows, heartbeatMs: 20 } });
    open.push({ limiters, redis });
    return limiters;
  };

  test('a burst of 90 messages to each of 4 members from two workers, trips of 0–250 ms: none dropped', async () => {
    const windows = { minuteMs: 1_000, hourMs: 60_000 };
    fake = await startFakeWeCom({ limits: windows, memberOverflow: 'drop' });
    const token = await tokenOf(fake);
    const workers = [worker('burst', windows), worker('burst', windows)];
    const trip = trips(20240501, 250);
    const members = ['m0', 'm1', 'm2', 'm3'];
    await Promise.all(
      Array.from({ length: 360 }, (_, i) => {
        const to = members[i % members.length]!;
        return workers[i % 2]!.appMessage([to], async () => {
          await new Promise((r) => setTimeout(r, trip()));
          return send(fake!, token, to, `建议 #${i} 已分派`);
        });
      }),
    );
    expect(fake.limitBreaches).toBe(0);
    expect(fake.appDropped).toHaveLength(0);
    expect(fake.appDelivered).toHaveLength(360);
  });

  test('the hour limit holds too: 1,100 messages to one member reach it at 1,000 per "hour" and none is dropped', async () => {
    // The contract's 60:1 ratio of hour to minute, shrunk: a 50 ms "minute" and a 3 s "hour".
    const windows = { minuteMs: 50, hourMs: 3_000 };
    fake = await startFakeWeCom({ limits: windows, memberOverflow: 'drop' });
    const token = await tokenOf(fake);
    const workers = [worker('hour', windows), worker('hour', windows)];
    const trip = trips(7, 40);
    await Promise.all(
      Array.from({ length: 1_100 }, (_, i) =>
        workers[i % 2]!.appMessage(['zhaoliu'], async () => {
          await new Promise((r) => setTimeout(r, trip()));
          return send(fake!, token, 'zhaoliu', `第${i}条`);
        }),
      ),
    );
    expect(fake.limitBreaches).toBe(0);
    expect(fake.appDelivered).toHaveLength(1_100);
  });

  test('a message to several members waits for each one’s budget; crossing lists from two workers do not deadlock', async () => {
    const windows = { minuteMs: 500, hourMs: 30_000 };
    fake = await startFakeWeCom({ limits: windows, memberOverflow: 'drop' });
    const token = await tokenOf(fake);
    const workers = [worker('multi', windows), worker('multi', windows)];
    const trip = trips(99, 60);
    await Promise.all(
      Array.from({ length: 80 }, (_, i) => {
        const to = i % 2 === 0 ? ['a', 'b'] : ['b', 'a'];
        return workers[i % 2]!.appMessage(to, async () => {
          await new Promise((r) => setTimeout(r, trip()));
          return send(fake!, token, to.join('|'), `第${i}条`);
        });
      }),
    );
    expect(fake.limitBreaches).toBe(0);
    expect(fake.appDelivered).toHaveLength(160);
  });

  describe('the per-corp budget of one API (10,000 a minute; here 200 per 1-second "minute")', () => {
    // Only here are the counts shrunk as well as the window: at the contract's 10,000 no test could send
    // fast enough to reach the limit. Bot and fake use the same numbers.
    const limits = { minuteMs: 1_000, hourMs: 60_000, apiPerMinute: 200, apiPerHour: 3_000 };
    const OPEN_KFID = 'wkLIMITS000000000000001';

    /** 120 customers who each just wrote, so WeCom accepts up to 5 replies to each: 600 sends in all. */
    const customers = (f: FakeWeCom) => {
      f.customerEnters(OPEN_KFID, 'nobody', false);
      return Array.from({ length: 120 }, (_, c) => {
        f.customerSays(OPEN_KFID, `wm${c}`, '我想提建议');
        return `wm${c}`;
      });
    };
    const kfSend = async (f: FakeWeCom, token: string, touser: string, content: string): Promise<number> => {
      const res = await fetch(`${f.url}/cgi-bin/kf/send_msg?access_token=${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ touser, open_kfid: OPEN_KFID, msgtype: 'text', text: { content } }),
      });
      return ((await res.json()) as { errcode: number }).errcode;
    };

    test('the fake refuses a burst over the limit (the check below can fail)', async () => {
      fake = await startFakeWeCom({ limits, memberOverflow: 'drop' });
      const token = await tokenOf(fake);
      const codes = await Promise.all(customers(fake).flatMap((u) => Array.from({ length: 5 }, (_, k) => kfSend(fake!, token, u, `第${k}条`))));
      expect(fake.limitBreaches).toBeGreaterThan(0);
      expect(codes).toContain(45009);
    });

    test('600 kf replies from two workers, trips of 0–40 ms: every one delivered, no call over the limit', async () => {
      fake = await startFakeWeCom({ limits, memberOverflow: 'drop' });
      const token = await tokenOf(fake);
      const workers = [worker('corp', limits), worker('corp', limits)];
      const trip = trips(4242, 40);
      const codes = await Promise.all(
        customers(fake).flatMap((u, c) =>
          Array.from({ length: 5 }, (_, k) =>
            workers[(c + k) % 2]!.api('kf/send_msg', async () => {
              await new Promise((r) => setTimeout(r, trip()));
              return kfSend(fake!, token, u, `第${k}条`);
            }),
          ),
        ),
      );
      expect(fake.limitBreaches).toBe(0);
      expect(codes.filter((c) => c !== 0)).toEqual([]);
      expect(fake.kfDelivered).toHaveLength(600);
    });
  });
});


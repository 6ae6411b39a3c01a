/**
 * Faults: Redis restarted, and Redis unreachable for a while, under the whole service (startService with
 * REDIS_URL and the embedded engine). The citizen hears a polite busy reply, nothing already said is
 * lost, and the service recovers by itself when Redis is back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixedClock } from '../../src/infra/clock.js';
import { loadTestConfig } from '../../src/infra/config.js';
import { silentLogger } from '../../src/infra/logger.js';
import { startService, type RunningService } from '../../src/main.js';
import { good, IN_CAMPAIGN } from '../helpers/conversation.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

let redis: TestRedis;
let service: RunningService;
let dir: string;
let proxy: TcpProxy;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'jy-redis-fault-'));
  redis = await startTestRedis();
  proxy = await startTcpProxy(redis.port);
  const config = loadTestConfig({ DATA_DIR: dir, REDIS_URL: `redis://127.0.0.1:${proxy.port}`, ADMIN_TOKEN: 'redis-fault-admin' });
  service = await startService({ config, clock: fixedClock(IN_CAMPAIGN), logger: silentLogger, listen: false });
});
afterAll(async () => {
  await service?.close();
  await proxy?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function say(user: string, text: string) {
  const res = await service.app.inject({ method: 'POST', url: '/dev/chat', payload: { user, text } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { replies: { text: string }[]; state: string; reference?: string };
}
async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, tries = 60): Promise<T> {
  let v = await f();
  for (let i = 0; i < tries && !ok(v); i++) {
    await new Promise((r) => setTimeout(r, 250));
    v = await f();
  }
  return v;
}

describe('Redis goes away', () => {
  test('restarted (its data gone): the citizen is answered politely throughout and can start again at once', async () => {
    expect((await say('r-restart', '我想提建议')).state).toBe('theme');
    await redis.stop({ crash: true });
    await redis.restart();
    // Sessions lived in Redis without persistence: the draft is gone, the service answers normally.
    const after = await until(() => say('r-restart', '我想提建议'), (r) => r.state === 'theme');
    expect(after.state).toBe('theme');
    expect((await say('r-restart', '1')).state).toBe('title');
  });

  test('unreachable for a while: busy replies, nothing moves on, and the draft continues when Redis is back', async () => {
    expect((await say('r-down', '我想提建议')).state).toBe('theme');
    expect((await say('r-down', '1')).state).toBe('title');
    await proxy.cut();
    const during = await say('r-down', good.title);
    expect(during.replies.map((r) => r.text)).toEqual([expect.stringContaining('系统繁忙')]);
    expect(during.state).not.toBe('category');
    await proxy.restore();
    // Recovers by itself; the same answer, sent again, is taken where the draft was.
    const back = await until(() => say('r-down', good.title), (r) => r.state !== 'intake' && !r.replies.some((x) => x.text.includes('系统繁忙')));
    expect(back.state).toBe('category');
  });
});

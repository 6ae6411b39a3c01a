/**
 * Faults: real worker processes (`node --import tsx src/main.ts`) on one real Redis and one embedded
 * MongoDB-compatible engine running as its own process, killed with SIGKILL at the worst moments.
 * What a citizen would notice: the conversation goes on where it was, and the suggestion is stored once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { good } from '../helpers/conversation.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { startMongoProcess, startWorker, type MongoProcess, type WorkerProcess } from '../helpers/service-process.js';

let redis: TestRedis;
let mongo: MongoProcess;
let db: mongoose.Connection;
let dir: string;
const workers: WorkerProcess[] = [];

async function worker(): Promise<WorkerProcess> {
  const w = await startWorker({ env: { REDIS_URL: redis.url, MONGODB_URI: `${mongo.uri}jianyan`, DATA_DIR: dir } });
  workers.push(w);
  return w;
}
const storedFor = (user: string) => db.collection('suggestions').countDocuments({ 'citizen.id': user });

/** Good answers from 我想提建议 up to (not including) `until`, through whichever worker is given. */
async function walk(w: WorkerProcess, user: string, until: 'feasibility' | 'confirm'): Promise<void> {
  const steps: [string, string][] = [
    ['我想提建议', 'theme'],
    ['1', 'title'],
    [good.title, 'category'],
    ['解决问题', 'proposal'],
    [good.proposal.join(''), 'proposal'],
    ['完成', 'feasibility'],
    [good.feasibility, 'feasibility'],
    ['完成', 'identity'],
    [good.identity, 'confirm'],
  ];
  for (const [text, expected] of steps) {
    const r = await w.chat(user, text);
    expect(r.state, `after "${text}": ${r.replies.map((x) => x.text).join(' / ')}`).toBe(expected);
    if (expected === until && text !== good.proposal.join('') && text !== good.feasibility) return;
  }
}

async function sessionOf(user: string): Promise<Record<string, unknown> | undefined> {
  const raw = await redis.client().get(`jy:session:dev:${user}`);
  return raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'jy-faults-'));
  redis = await startTestRedis();
  mongo = await startMongoProcess({ dbPath: path.join(dir, 'mongo') });
  db = await mongoose.createConnection(`${mongo.uri}jianyan`).asPromise();
});
afterAll(async () => {
  for (const w of workers) await w.kill();
  await db?.close();
  await mongo?.stop();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a worker killed with SIGKILL', () => {
  test('mid-conversation: another worker carries on with the draft, and the suggestion is stored once', async () => {
    const a = await worker();
    await walk(a, 'crash-mid', 'feasibility');
    await a.kill();

    const b = await worker();
    expect((await b.chat('crash-mid', good.feasibility)).state).toBe('feasibility');
    expect((await b.chat('crash-mid', '完成')).state).toBe('identity');
    expect((await b.chat('crash-mid', good.identity)).state).toBe('confirm');
    const done = await b.chat('crash-mid', '确认提交');
    expect(done.state).toBe('submitted');
    expect(done.reference).toMatch(/^WZ2021-\d{6}$/);
    expect(await storedFor('crash-mid')).toBe(1);
    await b.stop();
  });

  test('at the moment of submit: the resent 确认 on another worker finishes the submission, stored exactly once', async () => {
    const a = await worker();
    await walk(a, 'crash-submit', 'confirm');
    // Storage stalls, so the worker is caught between saving the confirmed draft and storing it.
    mongo.pause();
    const inFlight = a.chat('crash-submit', '确认提交', { messageId: 'confirm-1', timeoutMs: 60_000 }).catch((e: Error) => e);
    for (let i = 0; i < 200 && !(await sessionOf('crash-submit'))?.pendingSubmit; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await sessionOf('crash-submit'))?.pendingSubmit).toBeTruthy();
    await a.kill();
    expect(await inFlight).toBeInstanceOf(Error);
    mongo.resume();

    const b = await worker();
    // The citizen's app resends the same message (same id) after the connection broke. While the dead
    // worker's per-sender lease (30 s) has not run out, the citizen is politely asked to send again.
    let resent = await b.chat('crash-submit', '确认提交', { messageId: 'confirm-1' });
    const busyTexts = new Set<string>();
    for (let i = 0; i < 30 && resent.state !== 'submitted'; i++) {
      for (const r of resent.replies) busyTexts.add(r.text);
      await new Promise((r) => setTimeout(r, 2_000));
      resent = await b.chat('crash-submit', '确认提交', { messageId: 'confirm-1' });
    }
    for (const t of busyTexts) expect(t).toContain('系统繁忙');
    expect(resent.state).toBe('submitted');
    expect(resent.reference).toMatch(/^WZ2021-\d{6}$/);
    expect(resent.replies.map((r) => r.text).join('')).toContain(resent.reference!);
    // A second resend is a duplicate: nothing new, nothing stored.
    const again = await b.chat('crash-submit', '确认提交', { messageId: 'confirm-1' });
    expect(again.replies).toEqual([]);
    expect(await storedFor('crash-submit')).toBe(1);
    await b.stop();
  }, 120_000);
});

describe('the storage engine killed and restarted', () => {
  test('a confirmed suggestion that cannot be written is kept, the citizen is told it is being registered, and it is written once storage returns', async () => {
    const w = await worker();
    await walk(w, 'mongo-down', 'confirm');
    await mongo.kill();
    const pending = await w.chat('mongo-down', '确认提交', { timeoutMs: 60_000 });
    expect(pending.state).not.toBe('submitted');
    expect(pending.replies.map((r) => r.text).join('')).toContain('正在登记');
    expect((await sessionOf('mongo-down'))?.pendingSubmit).toBeTruthy();

    await mongo.restart();
    // The next message (any text) registers it, with the same key.
    let done = await w.chat('mongo-down', '好的');
    for (let i = 0; i < 20 && done.state !== 'submitted'; i++) {
      await new Promise((r) => setTimeout(r, 500));
      done = await w.chat('mongo-down', '好的');
    }
    expect(done.state).toBe('submitted');
    expect(done.reference).toMatch(/^WZ2021-\d{6}$/);
    expect(await storedFor('mongo-down')).toBe(1);
    // The worker recovered by itself: a new conversation starts normally.
    expect((await w.chat('mongo-after', '我想提建议')).state).toBe('theme');
    await w.stop();
  });
});

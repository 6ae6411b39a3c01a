/**
 * Crash safety: the engine runs in a child process that is SIGKILLed in the middle of a write burst;
 * after a restart every acknowledged write must be present and the data files must load cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedMongo } from '../../src/embedded-mongo/index.js';
import { readFramed, StorageLog } from '../../src/embedded-mongo/storage-log.js';
import { Store } from '../../src/embedded-mongo/store.js';

const { MongoClient } = mongoose.mongo;
const here = path.dirname(fileURLToPath(import.meta.url));
const dirs: string[] = [];
const children: ChildProcess[] = [];

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'emb-mongo-'));
  dirs.push(d);
  return d;
}

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function startChild(dir: string, threshold?: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures/durable-child.ts'), dir, String(threshold ?? '')], {
    cwd: path.join(here, '../..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const line = buf.split('\n')[0];
      if (buf.includes('\n') && line) resolve(JSON.parse(line).port as number);
    });
    child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
  return { child, port };
}

/**
 * Runs concurrent inserts and $inc updates, records what was acknowledged, and SIGKILLs the child
 * once enough writes were acknowledged, while more are in flight.
 */
async function burstAndKill(dir: string, threshold?: number) {
  const { child, port } = await startChild(dir, threshold);
  const client = await MongoClient.connect(`mongodb://127.0.0.1:${port}/`, { maxPoolSize: 20, retryWrites: false });
  const coll = client.db('dur').collection<{ _id: string; w?: number; pad?: string; n?: number }>('docs');
  await coll.createIndex({ w: 1, seq: 1 }, { unique: true });
  const acked = new Set<string>();
  const counters = new Map<string, number>();
  let stop = false;
  const pad = 'x'.repeat(200);
  const worker = async (w: number) => {
    for (let i = 0; !stop; i++) {
      try {
        if (i % 5 === 4) {
          await coll.insertMany(Array.from({ length: 10 }, (_, j) => ({ _id: `w${w}-${i}-${j}`, w, seq: i * 100 + j, pad })) as never[]);
          for (let j = 0; j < 10; j++) acked.add(`w${w}-${i}-${j}`);
        } else if (i % 5 === 3) {
          const r = await coll.findOneAndUpdate({ _id: `ctr${w}` }, { $inc: { n: 1 } }, { upsert: true, returnDocument: 'after' });
          counters.set(`ctr${w}`, r!.n!);
        } else {
          await coll.insertOne({ _id: `w${w}-${i}`, w, seq: i * 100 + 99, pad } as never);
          acked.add(`w${w}-${i}`);
        }
      } catch {
        return; // the server died
      }
    }
  };
  const workers = Array.from({ length: 12 }, (_, w) => worker(w));
  while (acked.size < 1500) await new Promise((r) => setTimeout(r, 5));
  child.kill('SIGKILL');
  stop = true;
  await Promise.all(workers);
  await client.close(true).catch(() => undefined);
  await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
  return { acked, counters };
}

async function verify(dir: string, acked: Set<string>, counters: Map<string, number>) {
  // The files left behind by the crash parse as far as they go; only the last record may be torn.
  const log = path.join(dir, 'journal.log');
  const raw = fs.readFileSync(log);
  const parsed = readFramed(raw);
  expect(raw.length - parsed.goodBytes).toBeLessThan(64 * 1024);
  // The killed process left its lock file behind; a restart must treat it as stale.
  expect(fs.existsSync(path.join(dir, 'mongod.lock'))).toBe(true);
  const mongo = await startEmbeddedMongo({ dbPath: dir });
  const client = await MongoClient.connect(mongo.uri);
  try {
    const coll = client.db('dur').collection('docs');
    const ids = new Set((await coll.find({}, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id)));
    const missing = [...acked].filter((id) => !ids.has(id));
    expect(missing).toEqual([]);
    for (const [id, n] of counters) {
      const d = await coll.findOne({ _id: id as never });
      expect(d!.n).toBeGreaterThanOrEqual(n);
    }
    const idx = await coll.listIndexes().toArray();
    expect(idx.map((i) => i.name)).toContain('w_1_seq_1');
    // Unique index state was rebuilt: a duplicate is still refused after the restart.
    const one = await coll.findOne({ w: { $exists: true } });
    await expect(coll.insertOne({ _id: 'dup', w: one!.w, seq: one!.seq } as never)).rejects.toMatchObject({ code: 11000 });
  } finally {
    await client.close();
    await mongo.close();
  }
}

describe('durability', () => {
  it('keeps every acknowledged write across SIGKILL mid-burst', async () => {
    const dir = tempDir();
    const { acked, counters } = await burstAndKill(dir);
    expect(acked.size).toBeGreaterThanOrEqual(1500);
    await verify(dir, acked, counters);
  });

  it('keeps every acknowledged write across SIGKILL while compacting repeatedly', async () => {
    const dir = tempDir();
    const { acked, counters } = await burstAndKill(dir, 32 * 1024);
    expect(fs.existsSync(path.join(dir, 'snapshot.bson'))).toBe(true);
    await verify(dir, acked, counters);
  });

  it('refuses a data directory locked by a running process', async () => {
    const dir = tempDir();
    const { child } = await startChild(dir);
    await expect(startEmbeddedMongo({ dbPath: dir })).rejects.toThrow(/locked by running process/);
    child.kill('SIGKILL');
  });

  it('restarts right after SIGKILL while the dead engine is still an unreaped process', async () => {
    const dir = tempDir();
    const { child, port } = await startChild(dir);
    const client = await MongoClient.connect(`mongodb://127.0.0.1:${port}/`, { retryWrites: false });
    await client.db('dur').collection('docs').insertOne({ _id: 'before-kill' } as never);
    const pid = child.pid!;
    child.kill('SIGKILL');
    // Wait for the kernel to finish the process without giving the event loop a turn, so Node
    // cannot reap it: it stays a zombie whose pid still answers kill(pid, 0).
    const until = Date.now() + 10_000;
    const state = () => fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
    while (state() !== 'Z') if (Date.now() > until) throw new Error('the killed child never became a zombie');
    expect(() => process.kill(pid, 0)).not.toThrow();
    // The lock is taken synchronously inside this call, while the child is still a zombie.
    const started = startEmbeddedMongo({ dbPath: dir });
    expect(state()).toBe('Z');
    const mongo = await started;
    await client.close(true).catch(() => undefined);
    const c2 = await MongoClient.connect(mongo.uri);
    try {
      expect(await c2.db('dur').collection('docs').findOne({ _id: 'before-kill' } as never)).toEqual({ _id: 'before-kill' });
    } finally {
      await c2.close();
      await mongo.close();
    }
  });

  it('refuses a second engine on the same directory in one process, and releases the lock on close', async () => {
    const dir = tempDir();
    const a = await startEmbeddedMongo({ dbPath: dir });
    await expect(startEmbeddedMongo({ dbPath: dir })).rejects.toThrow(/already open/);
    await a.close();
    const b = await startEmbeddedMongo({ dbPath: dir });
    await b.close();
  });

  it('tolerates a torn last record', async () => {
    const dir = tempDir();
    const a = await startEmbeddedMongo({ dbPath: dir });
    const c = await MongoClient.connect(a.uri);
    await c.db('t').collection('x').insertMany([{ _id: 1 }, { _id: 2 }] as never[]);
    await c.close();
    await a.close();
    // Simulate a crash in the middle of appending a record.
    fs.appendFileSync(path.join(dir, 'journal.log'), Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 5, 6]));
    const b = await startEmbeddedMongo({ dbPath: dir });
    const c2 = await MongoClient.connect(b.uri);
    expect(await c2.db('t').collection('x').countDocuments()).toBe(2);
    await c2.db('t').collection('x').insertOne({ _id: 3 } as never);
    await c2.close();
    await b.close();
    const r = await startEmbeddedMongo({ dbPath: dir });
    const c3 = await MongoClient.connect(r.uri);
    expect(await c3.db('t').collection('x').countDocuments()).toBe(3);
    await c3.close();
    await r.close();
  });

  it('a full disk fails the write with an error and leaves memory and files consistent', () => {
    const dir = tempDir();
    let full = false;
    const log = new StorageLog({
      dir,
      beforeAppend: () => {
        if (full) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      },
    });
    log.open();
    const store = new Store(log);
    const coll = store.ensureCollection('d', 'c');
    store.insert(coll, { _id: 1 });
    const sizeBefore = log.logBytes;
    full = true;
    expect(() => store.insert(coll, { _id: 2 })).toThrow(expect.objectContaining({ code: 14031 }));
    expect(coll.docs.size).toBe(1);
    expect(log.logBytes).toBe(sizeBefore);
    full = false;
    store.insert(coll, { _id: 3 });
    log.close();
    const again = new StorageLog({ dir });
    const { records } = again.open();
    const s2 = new Store(again);
    s2.replay(records);
    expect([...s2.getCollection('d', 'c')!.docs.values()].map((d) => d._id)).toEqual([1, 3]);
    again.close();
  });

  it('group commit: writes of one turn share one sync, writes made while a sync is under way get the next one, and none is lost', async () => {
    const dir = tempDir();
    const log = new StorageLog({ dir });
    log.open();
    // 100 records appended in one turn: one fdatasync acknowledges them all.
    const first = Array.from({ length: 100 }, (_, i) => {
      log.append({ op: 'put', i });
      return log.commit();
    });
    await Promise.all(first);
    expect(log.syncs).toBe(1);

    // One record; once its sync has started (the flush runs on the next turn and hands the sync to the
    // thread pool), another one: it is not covered by the sync under way, so it gets a second one.
    log.append({ op: 'put', i: 100 });
    const a = log.commit();
    await new Promise((r) => setImmediate(r));
    log.append({ op: 'put', i: 101 });
    const b = log.commit();
    await Promise.all([a, b]);
    expect(log.syncs).toBe(3);
    log.close();

    const again = new StorageLog({ dir });
    expect(again.open().records.map((r) => r.i)).toEqual(Array.from({ length: 102 }, (_, i) => i));
    again.close();
  });
});


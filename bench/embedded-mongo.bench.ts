/**
 * Embedded MongoDB benchmark: inserts (in batches, with fsync), lookups by a unique key and a
 * report aggregation at 1,000 and 100,000 documents, through the official driver over TCP.
 *
 *   npx tsx bench/embedded-mongo.bench.ts [--quick]
 *
 * `run()` returns a JSON-able object for the bench runner.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import mongoose from 'mongoose';
import { startEmbeddedMongo } from '../src/embedded-mongo/index.js';

export interface EmbeddedMongoBenchOptions {
  /** Smaller sizes and fewer lookups, for a quick check. */
  quick?: boolean;
  sizes?: number[];
  lookups?: number;
  batchSize?: number;
}

export interface SizeResult {
  docs: number;
  insertDocsPerSec: number;
  insertBatchSize: number;
  lookupMicrosPerOp: number;
  lookupsPerSec: number;
  aggregateMs: number;
  syncs: string;
}

export interface EmbeddedMongoBenchResult {
  name: 'embedded-mongo';
  durable: true;
  sizes: SizeResult[];
  /** Lookup latency at the largest size divided by the smallest; ~1 means no slowdown with size. */
  lookupRatio: number;
  /** Floor the issue sets for insert throughput with fsync. */
  insertFloorDocsPerSec: 2000;
  insertFloorMet: boolean;
}

const UNITS = ['water', 'roads', 'schools', 'health', 'housing', 'transport', 'parks', 'safety'];

async function measure(docs: number, lookups: number, batchSize: number): Promise<SizeResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emb-bench-'));
  const mongo = await startEmbeddedMongo({ dbPath: dir, allowProduction: true });
  const client = await mongoose.mongo.MongoClient.connect(mongo.uri, { maxPoolSize: 4 });
  try {
    const coll = client.db('bench').collection('suggestions');
    await coll.createIndex({ reference: 1 }, { unique: true });
    const ref = (i: number) => `WZ2024-${String(i).padStart(6, '0')}`;
    const t0 = performance.now();
    for (let start = 0; start < docs; start += batchSize) {
      const batch = [];
      for (let i = start; i < Math.min(docs, start + batchSize); i++) {
        batch.push({
          reference: ref(i),
          unit: UNITS[i % UNITS.length],
          status: i % 3 === 0 ? 'answered' : 'submitted',
          rating: (i % 5) + 1,
          title: `Suggestion ${i}`,
          createdAt: new Date(1_700_000_000_000 + i * 1000),
        });
      }
      await coll.insertMany(batch, { ordered: true });
    }
    const insertMs = performance.now() - t0;
    // Warm up, then time sequential lookups by the unique key (round trip included).
    for (let i = 0; i < 200; i++) await coll.findOne({ reference: ref((i * 7919) % docs) });
    const t1 = performance.now();
    for (let i = 0; i < lookups; i++) {
      const d = await coll.findOne({ reference: ref((i * 104729) % docs) });
      if (!d) throw new Error('lookup missed');
    }
    const lookupMs = performance.now() - t1;
    const t2 = performance.now();
    const report = await coll
      .aggregate([
        { $match: { status: 'answered' } },
        { $group: { _id: '$unit', n: { $sum: 1 }, avgRating: { $avg: '$rating' } } },
        { $sort: { n: -1 } },
      ])
      .toArray();
    const aggregateMs = performance.now() - t2;
    if (report.length !== UNITS.length) throw new Error('aggregation returned the wrong number of groups');
    return {
      docs,
      insertDocsPerSec: Math.round(docs / (insertMs / 1000)),
      insertBatchSize: batchSize,
      lookupMicrosPerOp: Math.round((lookupMs * 1000) / lookups),
      lookupsPerSec: Math.round(lookups / (lookupMs / 1000)),
      aggregateMs: Math.round(aggregateMs * 10) / 10,
      syncs: 'fdatasync per acknowledged batch',
    };
  } finally {
    await client.close();
    await mongo.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(opts: EmbeddedMongoBenchOptions = {}): Promise<EmbeddedMongoBenchResult> {
  const sizes = opts.sizes ?? (opts.quick ? [1_000, 20_000] : [1_000, 100_000]);
  const lookups = opts.lookups ?? (opts.quick ? 1_000 : 3_000);
  const batchSize = opts.batchSize ?? 1_000;
  const results: SizeResult[] = [];
  for (const n of sizes) results.push(await measure(n, lookups, batchSize));
  const first = results[0]!;
  const last = results[results.length - 1]!;
  return {
    name: 'embedded-mongo',
    durable: true,
    sizes: results,
    lookupRatio: Math.round((last.lookupMicrosPerOp / first.lookupMicrosPerOp) * 100) / 100,
    insertFloorDocsPerSec: 2000,
    insertFloorMet: results.every((r) => r.insertDocsPerSec >= 2000),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await run({ quick: process.argv.includes('--quick') });
  for (const s of r.sizes) {
    console.log(
      `${String(s.docs).padStart(7)} docs: insert ${s.insertDocsPerSec} docs/s (batches of ${s.insertBatchSize}, fsync) | ` +
        `unique-key lookup ${s.lookupMicrosPerOp} µs (${s.lookupsPerSec}/s) | aggregate ${s.aggregateMs} ms`,
    );
  }
  console.log(`lookup latency ratio ${r.sizes[r.sizes.length - 1]!.docs}/${r.sizes[0]!.docs}: ${r.lookupRatio} (1.0 = flat)`);
  console.log(`insert floor 2000 docs/s met: ${r.insertFloorMet}`);
  console.log(JSON.stringify(r));
}

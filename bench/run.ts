/**
 * `npm run bench [-- --quick]`: runs every benchmark, prints each figure with the baseline measured in
 * the same run and their ratio, and writes everything to bench/results.json.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run as runConversations } from './conversations.bench.js';
import { run as runEmbeddedMongo } from './embedded-mongo.bench.js';
import { run as runInbound } from './inbound.bench.js';
import { run as runNotifications } from './notifications.bench.js';
import { runSimilarityBench } from './similarity.bench.js';
import { run as runStatistics } from './statistics.bench.js';
import { run as runStorageMongoose } from './storage.bench.js';

const quick = process.argv.includes('--quick');
const started = performance.now();
const results: Record<string, unknown> = {
  at: new Date().toISOString(),
  quick,
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, platform: `${os.platform()} ${os.release()}` },
};

type Printable = { name: string; value: number; unit: string; baseline?: { name: string; value: number }; ratio?: number; target?: string; met?: boolean };
function print(title: string, figures: Printable[]): void {
  console.log(`\n== ${title}`);
  for (const f of figures) {
    const base = f.baseline ? ` | baseline ${f.baseline.name}: ${f.baseline.value}${f.ratio !== undefined ? ` | ratio ${f.ratio}` : ''}` : '';
    const target = f.target ? ` | target ${f.target}: ${f.met ? 'met' : 'NOT met'}` : '';
    console.log(`  ${f.name}: ${f.value} ${f.unit}${base}${target}`);
  }
}

const inbound = await runInbound({ quick });
results.inbound = inbound;
print(`1. inbound 微信客服 (${inbound.conversations} concurrent conversations, ${inbound.messages} messages)`, inbound.figures);

const notifications = await runNotifications({ quick });
results.notifications = notifications;
for (const r of notifications.runs) {
  const how = `${r.notifications} unit cards to ${r.members} handlers through ${r.workers} dispatchers, clustered limiters`;
  print(
    r.label === 'contract'
      ? `4. notifications at the contract's limits (${how}, 30 per member per 60 s minute) — issue 9's figure`
      : `4. notifications, stress (${how}, windows shrunk ten-fold: 30 per 6 s "minute") — the delivery path's CPU per card, not the issue's target`,
    r.figures,
  );
}

const storage = await runEmbeddedMongo({ quick });
results.storage = storage;
const first = storage.sizes[0]!;
const last = storage.sizes[storage.sizes.length - 1]!;
print('3. storage (embedded engine, official driver)', [
  ...storage.sizes.map((s) => ({ name: `inserts at ${s.docs} docs (fsync per batch of ${s.insertBatchSize})`, value: s.insertDocsPerSec, unit: 'docs/s' })),
  { name: `lookup by reference at ${last.docs} docs`, value: last.lookupMicrosPerOp, unit: 'µs', baseline: { name: `lookup at ${first.docs} docs`, value: first.lookupMicrosPerOp }, ratio: storage.lookupRatio, target: 'no slow-down with size (ratio ≈ 1)', met: storage.lookupRatio < 2 },
  ...storage.sizes.map((s) => ({ name: `report aggregation at ${s.docs} docs`, value: s.aggregateMs, unit: 'ms' })),
]);

const conversations = await runConversations({ quick });
results.conversations = conversations;
print(`2. conversations over /dev/chat (${conversations.citizens} concurrent citizens, ${conversations.turns} turns, ${conversations.completed} completed)`, conversations.figures);

const storageMongoose = await runStorageMongoose({ quick });
results.storageMongoose = storageMongoose;
print(`3. storage through mongoose, the suggestion model and services (${storageMongoose.sizes.map((s) => s.docs).join(' and ')} suggestions)`, storageMongoose.figures);

const statistics = await runStatistics({ quick });
results.statistics = statistics;
print(`3. office statistics on the embedded engine (${statistics.docs} suggestions, compiled aggregation stages)`, statistics.figures);

const similarity = await runSimilarityBench({ quick });
results.similarity = similarity;
print('similar-suggestion index', similarity.map((f) => ({ ...f, ...(f.baseline ? { ratio: Math.round((f.value / f.baseline.value) * 1000) / 1000 } : {}) })));

results.seconds = Math.round((performance.now() - started) / 100) / 10;
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results.json');
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nall benchmarks took ${String(results.seconds)} s; results in ${path.relative(process.cwd(), out)}`);
process.exit(0);

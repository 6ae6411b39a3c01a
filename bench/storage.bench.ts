/**
 * Bench 3: storage through mongoose with the real suggestion model and services (src/suggestions/*) on the
 * embedded engine, at 1,000 and 100,000 suggestions (quick: 1,000 and 10,000):
 *   - inserts through the suggestion service's `submit` (reference counter + create, fsync'd), measured on
 *     a run of submits at each size;
 *   - lookups by reference (`getByReference`, the unique index);
 *   - the office's statistics as GET /api/stats computes them (src/admin/statistics.ts: an aggregation
 *     pipeline over every suggestion, folded into the figures);
 *   - the deadline report (src/notifications/deadline-scheduler.ts `deadlineReport`).
 * Each figure at the larger size is printed with the same figure at 1,000 as its baseline, and the ratio.
 *
 * Up to each size the collection is filled with `Suggestion.insertMany` (the same model, in batches of 1,000)
 * with documents shaped like submitted, routed and answered ones; the last `submitsAtSize` documents of each
 * size go through `submit`, and only those are timed as inserts.
 *
 *   npx tsx bench/storage.bench.ts [--quick]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import mongoose from 'mongoose';
import { createStatisticsReader, statisticsOptions } from '../src/admin/statistics.js';
import { startEmbeddedMongo } from '../src/embedded-mongo/index.js';
import { fixedClock } from '../src/infra/clock.js';
import { loadTestConfig } from '../src/infra/config.js';
import { MemoryLockService } from '../src/infra/locks.js';
import { silentLogger } from '../src/infra/logger.js';
import { createDeadlineScheduler } from '../src/handling/deadline-scheduler.js';
import { createHandlingService } from '../src/handling/handling-service.js';
import { createSuggestionModels } from '../src/suggestions/suggestion-model.js';
import { createSuggestionService } from '../src/suggestions/suggestion-service.js';
import { formatReference } from '../src/suggestions/reference-number.js';
import { suggestionFor } from './conversations.bench.js';
import { figure, round, type Figure } from './lib.js';

export interface StorageSize {
  docs: number;
  submitsPerSec: number;
  submitsMeasured: number;
  lookupMicros: number;
  statsMs: number;
  statsRows: number;
  deadlineReportMs: number;
}

export interface StorageResult {
  name: 'storage-mongoose';
  sizes: StorageSize[];
  figures: Figure[];
}

const NOW = '2021-07-01T10:00:00+08:00';
const UNITS = ['fgw', 'jw', 'nyncw', 'xczxj'];
const STATUSES = ['submitted', 'assigned', 'assigned', 'accepted', 'answered', 'closed'] as const;

export async function run({ quick = false, sizes = quick ? [1_000, 10_000] : [1_000, 100_000] }: { quick?: boolean; sizes?: number[] } = {}): Promise<StorageResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'jy-bench-storage-'));
  const mongo = await startEmbeddedMongo({ dbPath: dir, allowProduction: true });
  const conn = mongoose.createConnection(`${mongo.uri}bench`, { maxPoolSize: 8 });
  await conn.asPromise();
  const config = loadTestConfig();
  const clock = fixedClock(NOW);
  const models = createSuggestionModels(conn);
  await Promise.all([models.Suggestion.init(), models.Counter.init()]);
  const suggestions = createSuggestionService({ models, clock, config });
  const handling = createHandlingService({ models, clock, config });
  const deadlines = createDeadlineScheduler({ handling, models, clock, locks: new MemoryLockService(), logger: silentLogger, config });
  const campaign = config.campaigns[0]!;
  let seq = 0;

  const submission = (i: number) => {
    const s = suggestionFor(i);
    const [name, phone, unit] = s.identity.split('，');
    return {
      submissionKey: `bench:${i}`,
      campaign: campaign.id,
      theme: campaign.themes[i % campaign.themes.length]!.id,
      category: (['policy', 'work', 'problem', 'innovation'] as const)[i % 4],
      title: s.title,
      proposal: s.proposal,
      feasibility: s.feasibility,
      proposer: { name: name!, phone: phone!, unit: unit! },
      citizen: { channel: 'dev' as const, id: `bench-${i}` },
    };
  };

  const submitRun = async (n: number) => {
    const t0 = performance.now();
    for (let k = 0; k < n; k++) await suggestions.submit(submission(seq++));
    return n / ((performance.now() - t0) / 1000);
  };

  /** Fills up to `target` documents with insertMany, shaped like submitted / routed ones. */
  const fill = async (target: number) => {
    const now = clock.now();
    const year = 2021;
    const batch = 1_000;
    while (seq < target) {
      const docs = [];
      for (let k = 0; k < batch && seq < target; k++, seq++) {
        const sub = submission(seq);
        const status = STATUSES[seq % STATUSES.length]!;
        const unit = UNITS[seq % UNITS.length]!;
        const assigned = status !== 'submitted';
        docs.push({
          ...sub,
          reference: formatReference(config.service.referencePrefix, year, seq + 1),
          themeName: campaign.themes[seq % campaign.themes.length]!.name,
          status,
          level: 'district',
          submittedAt: new Date(now.getTime() - (seq % 60) * 86_400_000),
          history: [{ at: now, actor: `citizen:dev:bench-${seq}`, action: 'submit', to: 'submitted' }],
          valuable: false,
          qualityFlags: [],
          awards: [],
          rev: 1,
          createdAt: now,
          updatedAt: now,
          assignments: assigned
            ? [
                {
                  unit,
                  seq: 1,
                  active: true,
                  assignedAt: now,
                  acceptDueAt: new Date(now.getTime() + 5 * 86_400_000),
                  dueAt: new Date(now.getTime() + (seq % 40) * 86_400_000 - 10 * 86_400_000),
                  ...(status !== 'assigned' ? { acceptedAt: now } : {}),
                  ...(status === 'answered' || status === 'closed' ? { answeredAt: now, answer: { outcome: seq % 3 ? 'adopted' : 'for_reference', text: '已研究办理。', by: 'bench', at: now } } : {}),
                },
              ]
            : [],
        });
      }
      // lean: no hydration or validation per document (the fill is not what is measured).
      await models.Suggestion.insertMany(docs, { ordered: false, lean: true });
    }
    await models.Counter.updateOne({ _id: `suggestion:${config.service.referencePrefix}${year}` }, { $set: { seq } }, { upsert: true });
  };

  const lookup = async (n: number) => {
    const total = await models.Suggestion.estimatedDocumentCount();
    const t0 = performance.now();
    for (let k = 0; k < n; k++) {
      const ref = formatReference(config.service.referencePrefix, 2021, 1 + ((k * 7919) % total));
      if (!(await suggestions.getByReference(ref))) throw new Error(`lookup of ${ref} found nothing`);
    }
    return ((performance.now() - t0) * 1000) / n;
  };

  const statistics = createStatisticsReader({ models, clock });
  const stats = async () => {
    const t0 = performance.now();
    const st = await statistics.compute({}, statisticsOptions(config));
    return { ms: performance.now() - t0, rows: st.total };
  };

  const deadlineReport = async () => {
    const t0 = performance.now();
    await deadlines.deadlineReport(clock.now());
    return performance.now() - t0;
  };

  const submitsAtSize = quick ? 150 : 500;
  const out: StorageSize[] = [];
  const phases: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      phases[name] = round((phases[name] ?? 0) + (performance.now() - t0) / 1000, 2);
    }
  };
  try {
    await timed('warm-up', () => submitRun(50)); // JIT, connection pool, indexes; not a figure
    for (const size of sizes) {
      await timed('fill', () => fill(size - submitsAtSize));
      const rate = await timed('submits', () => submitRun(submitsAtSize));
      await lookup(100); // warm
      const lookupMicros = await timed('lookups', () => lookup(quick ? 500 : 2_000));
      const s = await timed('statistics', stats);
      const d = await timed('deadline report', deadlineReport);
      out.push({ docs: seq, submitsPerSec: round(rate), submitsMeasured: submitsAtSize, lookupMicros: round(lookupMicros), statsMs: round(s.ms), statsRows: s.rows, deadlineReportMs: round(d) });
    }
    if (process.env.BENCH_DEBUG) console.error('storage bench phases (s):', phases);
  } finally {
    await conn.close();
    await mongo.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const base = out[0]!;
  const figures: Figure[] = [];
  for (const s of out.slice(1)) {
    figures.push(
      figure({ name: `submit (service, fsync) at ${s.docs} docs`, value: s.submitsPerSec, unit: 'submits/s', baseline: { name: `at ${base.docs}`, value: base.submitsPerSec } }),
      figure({ name: `lookup by reference at ${s.docs} docs`, value: s.lookupMicros, unit: 'µs', baseline: { name: `at ${base.docs}`, value: base.lookupMicros }, target: 'no slow-down with size (ratio ≈ 1)', met: s.lookupMicros / base.lookupMicros < 2 }),
      figure({ name: `office statistics (aggregation over every suggestion) at ${s.docs} docs (${s.statsRows} counted)`, value: s.statsMs, unit: 'ms', baseline: { name: `at ${base.docs}`, value: base.statsMs } }),
      figure({ name: `deadline report at ${s.docs} docs`, value: s.deadlineReportMs, unit: 'ms', baseline: { name: `at ${base.docs}`, value: base.deadlineReportMs } }),
    );
  }
  return { name: 'storage-mongoose', sizes: out, figures };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const res = await run({ quick: process.argv.includes('--quick') });
  console.log(JSON.stringify(res, null, 2));
  process.exit(0);
}

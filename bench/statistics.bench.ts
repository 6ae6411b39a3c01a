/**
 * Bench: the office's statistics on the embedded engine at 100,000 suggestions (quick: 10,000).
 *
 * The figure is the aggregation GET /api/stats sends (`statisticsPipeline` from src/admin/statistics.ts,
 * over every suggestion), run through the official driver against the embedded engine. The baseline is
 * the same aggregation written as a plain JavaScript loop over the same documents already in memory
 * (`statisticsInPlainJs` below), measured in the same run; the ratio is engine / plain JS. Both results
 * are folded with `foldStatistics` and must be equal, or the bench fails. For reference it also times
 * mingo (the engine's interpreter, which evaluated every stage before stages were compiled) on the
 * first 10,000 documents.
 *
 *   npx tsx bench/statistics.bench.ts [--quick]
 */
import { isDeepStrictEqual } from 'node:util';
import { pathToFileURL } from 'node:url';
import mongoose from 'mongoose';
import { foldStatistics, offsetPeriods, statisticsPipeline, type StatisticsGroup, type StatisticsOptions } from '../src/admin/statistics.js';
import { startEmbeddedMongo } from '../src/embedded-mongo/index.js';
import { Aggregator } from '../src/embedded-mongo/mingo-setup.js';
import { figure, round, type Figure } from './lib.js';
import { prng } from '../src/judgement/corpus/corpus-tools.js';

export interface StatisticsBenchResult {
  name: 'statistics';
  docs: number;
  engineMs: number;
  plainJsMs: number;
  mingoMsAt10k: number;
  groups: number;
  figures: Figure[];
}

const NOW = new Date('2021-07-01T02:00:00Z');
const UNITS = ['fgw', 'jw', 'nyncw', 'xczxj', 'zjj', 'wjw'];
const THEMES = [['t1', '城市更新'], ['t2', '营商环境'], ['t3', '养老服务'], ['t4', '交通出行']] as const;
const STATUSES = ['submitted', 'assigned', 'accepted', 'answered', 'closed', 'rejected'];
const CATEGORIES = ['policy', 'work', 'problem', 'innovation', undefined];
const RATINGS = ['satisfied', 'basically_satisfied', 'unsatisfied', ''];
const DAY = 86_400_000;

export const OPTIONS: StatisticsOptions = {
  now: NOW,
  timezone: 'Asia/Shanghai',
  adoptedOutcomes: ['adopted', 'partially_adopted'],
  satisfiedRatings: ['satisfied', 'basically_satisfied'],
  unitNames: {},
  categoryLabels: {},
  statusLabels: {},
  noneLabel: '无',
};

/** Suggestions shaped like the model's: routed, accepted, answered, returned, rated, recommended to the city. */
export function makeSuggestions(n: number, seed = 19): Record<string, unknown>[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const docs: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const submittedAt = new Date(NOW.getTime() - Math.floor(rnd() * 400) * DAY - Math.floor(rnd() * DAY));
    const status = pick(STATUSES);
    const [theme, themeName] = pick(THEMES);
    const assignments: Record<string, unknown>[] = [];
    const nAssign = status === 'submitted' ? 0 : 1 + (rnd() < 0.2 ? 1 : 0) + (rnd() < 0.05 ? 1 : 0);
    for (let a = 0; a < nAssign; a++) {
      const assignedAt = new Date(submittedAt.getTime() + DAY);
      const as: Record<string, unknown> = { unit: pick(UNITS), seq: a + 1, assignedAt, acceptDueAt: new Date(assignedAt.getTime() + 3 * DAY), dueAt: new Date(assignedAt.getTime() + 15 * DAY) };
      if (rnd() < 0.1) as.returnedAt = new Date(assignedAt.getTime() + DAY);
      else if (rnd() < 0.05) as.active = false;
      else {
        as.active = true;
        if (rnd() < 0.7) as.acceptedAt = new Date(assignedAt.getTime() + Math.floor(rnd() * 5) * DAY);
        if (rnd() < 0.5) {
          as.answeredAt = new Date(assignedAt.getTime() + Math.floor(rnd() * 25) * DAY);
          as.answer = { outcome: pick(['adopted', 'partially_adopted', 'for_reference', 'not_adopted', '']), text: '已研究办理。' };
        }
      }
      assignments.push(as);
    }
    const doc: Record<string, unknown> = { reference: `JY${i}`, theme, themeName, status, submittedAt, assignments };
    const category = pick(CATEGORIES);
    if (category) doc.category = category;
    if (rnd() < 0.3) doc.evaluation = { rating: pick(RATINGS), at: NOW };
    if (rnd() < 0.05) doc.cityRecommendation = { outcome: pick(['pending', 'adopted', 'not_adopted']) };
    if (rnd() < 0.02) delete doc.themeName;
    docs.push(doc);
  }
  return docs;
}

const present = (v: unknown) => v !== null && v !== undefined;
const nonEmpty = (v: unknown) => typeof v === 'string' && v > '';
const before = (a: unknown, b: Date) => a instanceof Date && a.getTime() < b.getTime();
const notAfter = (a: unknown, b: unknown) => (a as Date).getTime() <= (b as Date).getTime();

/** The same aggregation as `statisticsPipeline({}, o)`, as a plain JavaScript loop (the baseline). */
export function statisticsInPlainJs(docs: readonly Record<string, unknown>[], o: StatisticsOptions): StatisticsGroup[] {
  const periods = offsetPeriods(o.timezone, o.now);
  const offsetMs = (t: number) => {
    const p = periods.find((x) => !x.until || t < x.until.getTime())!;
    const m = /^([+-])(\d{2}):(\d{2})$/.exec(p.offset)!;
    return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
  };
  const groups = new Map<string, StatisticsGroup>();
  for (const d of docs) {
    const t = (d.submittedAt as Date).getTime();
    const local = new Date(t + offsetMs(t));
    const month = `${local.getUTCFullYear()}-${String(local.getUTCMonth() + 1).padStart(2, '0')}`;
    const held = ((d.assignments as Record<string, unknown>[] | undefined) ?? []).filter((a) => !present(a.returnedAt) && a.active !== false);
    const counted = o.unit ? held.filter((a) => a.unit === o.unit) : held;
    const units = [...new Set(held.map((a) => a.unit as string))].sort();
    let accDue = 0, accOnTime = 0, ansDue = 0, ansOnTime = 0;
    for (const a of counted) {
      const accepted = present(a.acceptedAt) ? a.acceptedAt : a.answeredAt;
      if (present(accepted) || (present(a.acceptDueAt) && before(a.acceptDueAt, o.now))) accDue++;
      if (present(accepted) && (!present(a.acceptDueAt) || notAfter(accepted, a.acceptDueAt))) accOnTime++;
      if (present(a.answeredAt) || (present(a.dueAt) && before(a.dueAt, o.now))) ansDue++;
      if (present(a.answeredAt) && (!present(a.dueAt) || notAfter(a.answeredAt, a.dueAt))) ansOnTime++;
    }
    const cityAdopted = (d.cityRecommendation as { outcome?: string } | undefined)?.outcome === 'adopted';
    const answered = counted.some((a) => nonEmpty((a.answer as { outcome?: string } | undefined)?.outcome)) || cityAdopted;
    const adoptedAnswer = counted.some((a) => o.adoptedOutcomes.includes((a.answer as { outcome?: string } | undefined)?.outcome as string));
    const rating = (d.evaluation as { rating?: string } | undefined)?.rating;
    const evaluated = nonEmpty(rating) && (!o.unit || counted.length > 0);
    const id = { theme: d.theme as string, themeName: (d.themeName as string | undefined) ?? null, category: (d.category as string | undefined) ?? null, status: d.status as string, month, units };
    const key = JSON.stringify(id);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { _id: id, latest: d.submittedAt as Date, count: 0, accDue: 0, accOnTime: 0, ansDue: 0, ansOnTime: 0, answered: 0, adopted: 0, evaluated: 0, satisfied: 0 }));
    if ((d.submittedAt as Date).getTime() > g.latest.getTime()) g.latest = d.submittedAt as Date;
    g.count++;
    g.accDue += accDue;
    g.accOnTime += accOnTime;
    g.ansDue += ansDue;
    g.ansOnTime += ansOnTime;
    if (answered) g.answered++;
    if (answered && (adoptedAnswer || cityAdopted)) g.adopted++;
    if (evaluated) g.evaluated++;
    if (evaluated && o.satisfiedRatings.includes(rating as string)) g.satisfied++;
  }
  return [...groups.values()];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run({ quick = false, docs: n = quick ? 10_000 : 100_000 }: { quick?: boolean; docs?: number } = {}): Promise<StatisticsBenchResult> {
  const mongo = await startEmbeddedMongo({ allowProduction: true });
  const client = await mongoose.mongo.MongoClient.connect(mongo.uri);
  try {
    const coll = client.db('bench').collection('suggestions');
    const generated = makeSuggestions(n);
    for (let i = 0; i < generated.length; i += 5_000) await coll.insertMany(generated.slice(i, i + 5_000).map((d) => ({ ...d })));
    // The baseline reads the very documents the engine holds (with their _ids), already in memory.
    const inMemory = await coll.find({}).toArray();
    const pipeline = statisticsPipeline({}, OPTIONS);

    let engineGroups: StatisticsGroup[] = [];
    const engineRuns: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      engineGroups = (await coll.aggregate(pipeline as never[]).toArray()) as unknown as StatisticsGroup[];
      engineRuns.push(performance.now() - t0);
    }
    let jsGroups: StatisticsGroup[] = [];
    const jsRuns: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      jsGroups = statisticsInPlainJs(inMemory, OPTIONS);
      jsRuns.push(performance.now() - t0);
    }
    const fromEngine = foldStatistics(engineGroups, OPTIONS);
    const fromJs = foldStatistics(jsGroups, OPTIONS);
    if (!isDeepStrictEqual(fromEngine, fromJs) || engineGroups.length !== jsGroups.length) {
      throw new Error(`statistics bench: the engine and plain JS disagree\n${JSON.stringify({ fromEngine, fromJs, engineGroups: engineGroups.length, jsGroups: jsGroups.length })}`);
    }

    const sample = inMemory.slice(0, 10_000);
    const t0 = performance.now();
    new Aggregator(pipeline as never[]).run(sample);
    const mingoMs = performance.now() - t0;

    const engineMs = round(median(engineRuns));
    const plainJsMs = round(median(jsRuns));
    const figures = [
      figure({
        name: `office statistics (statisticsPipeline over every suggestion, driver → engine) at ${n} suggestions, ${engineGroups.length} groups`,
        value: engineMs,
        unit: 'ms',
        baseline: { name: 'the same aggregation in plain JavaScript over the same documents', value: plainJsMs },
        target: n >= 100_000 ? 'under 1 s at 100,000' : undefined,
        met: n >= 100_000 ? engineMs < 1000 : undefined,
      }),
      figure({ name: 'for reference: mingo interpreting the same pipeline over 10,000 of them (the engine before compiled stages)', value: round(mingoMs), unit: 'ms' }),
    ];
    return { name: 'statistics', docs: n, engineMs, plainJsMs, mingoMsAt10k: round(mingoMs), groups: engineGroups.length, figures };
  } finally {
    await client.close();
    await mongo.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const res = await run({ quick: process.argv.includes('--quick') });
  console.log(JSON.stringify(res, null, 2));
  process.exit(0);
}

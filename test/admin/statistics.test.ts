/**
 * The office statistics computed in the database (src/admin/statistics.ts) equal a straightforward
 * computation over the same stored documents: the in-memory function GET /api/stats used before, kept
 * here as the oracle. The documents vary every field the figures read: statuses, units (returned, ended,
 * unknown), deadlines met and missed, answers without a separate accept, city outcomes, ratings, and
 * submission instants on month boundaries of the service timezone (Asia/Shanghai across a year boundary,
 * and a timezone with daylight saving).
 */
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createStatisticsReader, offsetPeriods, statisticsOptions, type Bucket, type Rate, type Statistics, type StatisticsOptions } from '../../src/admin/statistics.js';
import { fixedClock } from '../../src/infra/clock.js';
import { loadTestConfig } from '../../src/infra/config.js';
import { createSuggestionModels, type SuggestionModels } from '../../src/suggestions/suggestion-model.js';
import { buildSuggestionFilter, type SuggestionFilter } from '../../src/suggestions/suggestion-service.js';
import { startTestMongo, type TestMongo } from '../helpers/embedded-mongo.js';

// ---------- the oracle: the former in-memory computation, unchanged ----------

type Doc = Record<string, any>;

const rate = (numerator: number, denominator: number): Rate => ({
  numerator,
  denominator,
  rate: denominator === 0 ? null : Math.round((numerator / denominator) * 10_000) / 10_000,
});

const time = (d: unknown): number | undefined => (d ? new Date(d as string | Date).getTime() : undefined);

function computeStatistics(docs: readonly Doc[], o: StatisticsOptions): Statistics {
  const now = o.now.getTime();
  const monthOf = new Intl.DateTimeFormat('en-CA', { timeZone: o.timezone, year: 'numeric', month: '2-digit' });
  const theme = new Map<string, Bucket>();
  const category = new Map<string, Bucket>();
  const unit = new Map<string, Bucket>();
  const status = new Map<string, Bucket>();
  const month = new Map<string, Bucket>();
  const bump = (m: Map<string, Bucket>, key: string, label: string) => {
    const b = m.get(key);
    if (b) b.count += 1;
    else m.set(key, { key, label, count: 1 });
  };
  let accOnTime = 0, accDue = 0, ansOnTime = 0, ansDue = 0, answered = 0, adopted = 0, evaluated = 0, satisfied = 0;

  for (const d of docs) {
    bump(theme, d.theme, d.themeName ?? d.theme);
    bump(category, d.category ?? 'none', d.category ? (o.categoryLabels[d.category] ?? d.category) : o.noneLabel);
    bump(status, d.status, o.statusLabels[d.status] ?? d.status);
    const parts = monthOf.formatToParts(new Date(d.submittedAt));
    const ym = `${parts.find((p) => p.type === 'year')?.value}-${parts.find((p) => p.type === 'month')?.value}`;
    bump(month, ym, ym);

    const active = ((d.assignments ?? []) as Doc[]).filter((a) => !a.returnedAt && a.active !== false);
    const units = [...new Set(active.map((a) => a.unit as string))];
    if (units.length === 0) bump(unit, 'none', o.noneLabel);
    for (const u of units) bump(unit, u, o.unitNames[u] ?? u);

    const counted = o.unit ? active.filter((a) => a.unit === o.unit) : active;
    for (const a of counted) {
      const accepted = time(a.acceptedAt) ?? time(a.answeredAt);
      const acceptDue = time(a.acceptDueAt);
      if (accepted !== undefined || (acceptDue !== undefined && acceptDue < now)) {
        accDue += 1;
        if (accepted !== undefined && (acceptDue === undefined || accepted <= acceptDue)) accOnTime += 1;
      }
      const ans = time(a.answeredAt);
      const due = time(a.dueAt);
      if (ans !== undefined || (due !== undefined && due < now)) {
        ansDue += 1;
        if (ans !== undefined && (due === undefined || ans <= due)) ansOnTime += 1;
      }
    }
    const answers = counted.filter((a) => a.answer?.outcome);
    if (answers.length || d.cityRecommendation?.outcome === 'adopted') {
      answered += 1;
      if (answers.some((a) => o.adoptedOutcomes.includes(a.answer.outcome)) || d.cityRecommendation?.outcome === 'adopted') adopted += 1;
    }
    if (d.evaluation?.rating && (!o.unit || counted.length)) {
      evaluated += 1;
      if (o.satisfiedRatings.includes(d.evaluation.rating)) satisfied += 1;
    }
  }

  const byCount = (m: Map<string, Bucket>) => [...m.values()].sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  return {
    total: docs.length,
    byTheme: byCount(theme),
    byCategory: byCount(category),
    byUnit: byCount(unit),
    byStatus: byCount(status),
    byMonth: [...month.values()].sort((a, b) => a.key.localeCompare(b.key)),
    rates: {
      response: rate(accOnTime, accDue),
      answer: rate(ansOnTime, ansDue),
      adoption: rate(adopted, answered),
      satisfaction: rate(satisfied, evaluated),
    },
  };
}

// ---------- a varied, deterministic set of suggestions ----------

const NOW = new Date('2022-01-20T10:00:00+08:00');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const STATUSES = ['submitted', 'assigned', 'accepted', 'answered', 'evaluated', 'closed', 'returned', 'escalated', 'recommended_to_city', 'rejected', 'withdrawn'];
const UNITS = ['fgw', 'jw', 'gzw', 'nyncw', 'retired_unit'];
const THEMES = [
  ['rural_revitalization', '乡村振兴'],
  ['chengyu_economic_circle', '成渝地区双城经济圈'],
  ['general', '日常建议'],
] as const;
const OUTCOMES = ['adopted', 'partially_adopted', 'not_adopted', 'for_reference'];
const RATINGS = ['satisfied', 'basically_satisfied', 'unsatisfied'];

/** Instants on and around local month boundaries: Shanghai's new year (UTC+8), and New York's DST months. */
const BOUNDARIES = [
  '2021-12-31T15:59:59.999Z', // 2021-12-31 23:59:59.999 in Shanghai
  '2021-12-31T16:00:00.000Z', // 2022-01-01 00:00 in Shanghai
  '2021-12-31T23:30:00.000Z', // still 2021-12 in UTC, 2022-01 in Shanghai
  '2021-11-30T16:00:00.000Z',
  '2022-01-31T15:59:00.000Z',
  '2021-11-01T03:59:00.000Z', // 2021-10-31 23:59 in New York (EDT)
  '2021-11-01T04:00:00.000Z', // 2021-11-01 00:00 in New York
  '2021-12-01T04:30:00.000Z', // 2021-11-30 23:30 in New York (EST)
  '2021-12-01T05:00:00.000Z', // 2021-12-01 00:00 in New York
  '2021-03-01T04:59:00.000Z',
  '2021-04-01T03:59:00.000Z',
  '2021-04-01T04:00:00.000Z',
].map((s) => new Date(s).getTime());

/** A small linear congruential generator: the same documents every run. */
function random(seed: number) {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32);
  return { next, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!, chance: (p: number) => next() < p };
}

function assignmentFor(r: ReturnType<typeof random>, unit: string, submittedAt: number): Doc {
  const assignedAt = submittedAt + r.next() * 2 * DAY;
  const a: Doc = { unit, assignedAt: new Date(assignedAt), seq: 1 };
  if (r.chance(0.9)) a.acceptDueAt = new Date(assignedAt + 5 * DAY);
  if (r.chance(0.9)) a.dueAt = new Date(assignedAt + 21 * DAY);
  const late = r.chance(0.3);
  // Accepted on time or late, answered without accepting first, or not yet either.
  const acceptance = r.pick(['accepted', 'accepted', 'answered_only', 'none']);
  if (acceptance === 'accepted') a.acceptedAt = new Date(assignedAt + (late ? 7 : 1) * DAY + (r.chance(0.1) ? 4 * DAY - 1 * DAY : 0));
  if (acceptance === 'answered_only' || (acceptance === 'accepted' && r.chance(0.6))) {
    a.answeredAt = new Date(assignedAt + (late ? 30 : 10) * DAY);
    if (r.chance(0.9)) a.answer = { outcome: r.pick(OUTCOMES), text: '已研究办理。', by: 'u1', at: a.answeredAt };
  }
  // An acceptance exactly at the deadline is on time.
  if (a.acceptDueAt && r.chance(0.05)) a.acceptedAt = a.acceptDueAt;
  const ending = r.next();
  if (ending < 0.1) Object.assign(a, { returnedAt: new Date(assignedAt + DAY), returnReason: '不属于本单位职责', active: false, endReason: 'returned' });
  else if (ending < 0.15) Object.assign(a, { active: false, endReason: 'reassigned', returnedAt: new Date(assignedAt + 2 * DAY) });
  else if (ending < 0.18) a.active = false; // ended without a returnedAt (older records)
  else if (ending < 0.2) a.returnedAt = new Date(assignedAt + DAY); // returned before `active` existed
  else if (ending < 0.9) a.active = true;
  // else: no `active` field at all (counts as active)
  return a;
}

function suggestions(count: number, seed: number): Doc[] {
  const r = random(seed);
  const docs: Doc[] = [];
  for (let i = 0; i < count; i++) {
    const [theme, themeName] = r.pick(THEMES);
    // Every instant distinct, so "the newest suggestion's theme name" is well defined.
    const submittedAt = i < BOUNDARIES.length ? BOUNDARIES[i]! : NOW.getTime() - Math.floor(r.next() * 420) * DAY - (i % 1440) * 60_000;
    const status = r.pick(STATUSES);
    const d: Doc = {
      reference: `WZJY-TEST-${String(i + 1).padStart(6, '0')}`,
      submissionKey: `stats:${seed}:${i}`,
      campaign: 'wanzhou2021',
      theme,
      // A theme renamed over time: the newest suggestion's name labels it.
      themeName: theme === 'general' && submittedAt < NOW.getTime() - 200 * DAY ? '日常建议（旧称）' : themeName,
      title: `建议 ${i}`,
      proposal: '建议内容。',
      proposer: { name: '张志刚', phone: '13800000000', unit: '某单位' },
      citizen: { channel: 'dev', id: `c${i % 37}` },
      level: r.chance(0.1) ? 'city' : 'district',
      status,
      valuable: r.chance(0.2),
      qualityFlags: [],
      submittedAt: new Date(submittedAt),
      assignments: [],
      history: [],
      outbox: [],
      awards: [],
      rev: 1,
    };
    if (r.chance(0.85)) d.category = r.pick(['policy', 'work', 'problem', 'innovation']);
    if (status !== 'submitted' && r.chance(0.9)) {
      const n = r.pick([1, 1, 1, 2, 2, 3]);
      for (let k = 0; k < n; k++) d.assignments.push(assignmentFor(r, r.pick(UNITS), submittedAt));
      // The same unit twice (reassigned back): the unit counts once in byUnit.
      if (r.chance(0.05)) d.assignments.push(assignmentFor(r, d.assignments[0].unit, submittedAt + DAY));
    }
    if (r.chance(0.1)) d.cityRecommendation = { at: new Date(submittedAt + DAY), by: 'admin', outcome: r.pick(['pending', 'adopted', 'not_adopted']) };
    if (r.chance(0.35)) d.evaluation = { rating: r.pick(RATINGS), at: new Date(submittedAt + 40 * DAY) };
    if (r.chance(0.15)) d.enteredBy = { agent: r.pick(['daili-lisi', 'daili-wang']), unit: r.pick(UNITS), enteredAt: new Date(submittedAt) };
    docs.push(d);
  }
  return docs;
}

// ---------- the comparison ----------

const config = loadTestConfig();
const clock = fixedClock(NOW.toISOString());
let mongo: TestMongo;
let conn: Connection;
let models: SuggestionModels;

beforeAll(async () => {
  mongo = await startTestMongo();
  conn = mongoose.createConnection(`${mongo.uri}statistics_test_${process.pid}`);
  await conn.asPromise();
  models = createSuggestionModels(conn);
  await models.Suggestion.init();
  await models.Suggestion.insertMany(suggestions(1_500, 20220120), { lean: true });
});

afterAll(async () => {
  await conn.close();
  await mongo.close();
});

const options = (timezone: string, unit?: string): Omit<StatisticsOptions, 'now'> => ({
  ...statisticsOptions(config),
  timezone,
  ...(unit ? { unit } : {}),
});

/** The oracle over the stored documents matching `f`, newest first (the order the admin API read them in). */
async function expected(f: SuggestionFilter, o: Omit<StatisticsOptions, 'now'>): Promise<Statistics> {
  const docs = await models.Suggestion.find(buildSuggestionFilter(f, clock.now())).sort({ submittedAt: -1 }).lean();
  return computeStatistics(docs as Doc[], { ...o, now: clock.now() });
}

describe('statistics in the database', () => {
  const cases: [what: string, filter: SuggestionFilter, unit?: string][] = [
    ['every suggestion', {}],
    ["a unit token's view (its assignments count)", { visibleToUnit: 'fgw' }, 'fgw'],
    ['the unit filter', { unit: 'jw' }, 'jw'],
    ['one status', { status: 'answered' }],
    ['a theme and category', { theme: 'general', category: 'policy' }],
    ['a submission range across the new year', { from: new Date('2021-12-01T00:00:00+08:00'), to: new Date('2022-01-16T00:00:00+08:00') }],
    ['overdue ones', { overdue: true }],
    ['city level, valuable', { level: 'city', valuable: true }],
    ["an agent's entries", { enteredBy: 'daili-lisi' }],
    ['nothing matches', { theme: 'no_such_theme' }],
  ];

  test.each(cases)('%s: equal to the straightforward computation', async (_what, filter, unit) => {
    const reader = createStatisticsReader({ models, clock });
    const got = await reader.compute(filter, options('Asia/Shanghai', unit));
    const want = await expected(filter, options('Asia/Shanghai', unit));
    expect(got).toEqual(want);
    if (Object.keys(filter).length === 0) {
      // Every stored suggestion is counted, and the sample really exercises what the figures read.
      expect(got.total).toBe(1_500);
      expect(got.byStatus).toHaveLength(STATUSES.length);
      expect(got.byMonth.map((b) => b.key)).toEqual(expect.arrayContaining(['2021-12', '2022-01']));
      for (const r of Object.values(got.rates)) expect(r.rate).toBeGreaterThan(0);
      for (const r of Object.values(got.rates)) expect(r.rate).toBeLessThan(1);
      expect(got.byTheme.find((b) => b.key === 'general')?.label).toBe('日常建议');
      expect(got.byUnit.map((b) => b.key)).toEqual(expect.arrayContaining(['none', 'retired_unit']));
    }
  });

  test('months are local months: the first minutes of 2022 in Shanghai count in 2022-01', async () => {
    const reader = createStatisticsReader({ models, clock });
    const around = { from: new Date('2021-12-31T15:00:00Z'), to: new Date('2021-12-31T23:59:00Z') };
    const st = await reader.compute(around, options('Asia/Shanghai'));
    expect(st.byMonth).toEqual([
      { key: '2021-12', label: '2021-12', count: 1 },
      { key: '2022-01', label: '2022-01', count: 2 },
    ]);
  });

  test('a timezone with daylight saving: months follow its offset of the day', async () => {
    const reader = createStatisticsReader({ models, clock });
    const got = await reader.compute({}, options('America/New_York'));
    expect(got).toEqual(await expected({}, options('America/New_York')));
    const around = { from: new Date('2021-11-01T03:00:00Z'), to: new Date('2021-12-01T06:00:00Z') };
    expect((await reader.compute(around, options('America/New_York'))).byMonth).toEqual([
      { key: '2021-10', label: '2021-10', count: 1 },
      { key: '2021-11', label: '2021-11', count: expect.any(Number) },
      { key: '2021-12', label: '2021-12', count: 1 },
    ]);
  });

  test("the timezone's offsets as instant ranges", () => {
    expect(offsetPeriods('Asia/Shanghai', NOW)).toEqual([{ offset: '+08:00' }]);
    const ny = offsetPeriods('America/New_York', NOW);
    expect(ny).toContainEqual({ until: new Date('2021-11-07T06:00:00Z'), offset: '-04:00' });
    expect(ny).toContainEqual({ until: new Date('2021-03-14T07:00:00Z'), offset: '-05:00' });
  });
});

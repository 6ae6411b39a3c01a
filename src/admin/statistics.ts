/**
 * Statistics the office reports: counts by theme, category, unit, status and month, and the four rates
 * offices are judged on —
 * - response rate (按时受理率): assignments accepted by their accept deadline, of those accepted or past it;
 * - answer rate (按期答复率): assignments answered by their answer deadline, of those answered or past it;
 * - adoption rate (采纳率): answered suggestions with an adopting answer (or adopted by the city), of all answered;
 * - satisfaction rate (满意率): evaluations with a satisfied rating, of all evaluations.
 * Assignments a unit returned do not count. With `unit` set, only that unit's assignments count.
 *
 * Computed in the database over every matching suggestion: `statisticsPipeline` turns each suggestion into
 * the few values the figures need and groups them by (theme, category, status, month, units), so the
 * result is one row per combination however many suggestions there are; `foldStatistics` adds the rows
 * up into the figures. Months are local months of the service timezone, computed from the timezone's UTC
 * offsets over instant ranges (`offsetPeriods`), so no named-timezone support is needed in the database.
 */
import type { PipelineStage } from 'mongoose';
import { categoryLabels, noneLabel, statusLabels } from '../../flows/texts/admin.js';
import type { Clock } from '../infra/clock.js';
import type { AppConfig } from '../infra/config.js';
import { buildSuggestionFilter, type SuggestionFilter } from '../suggestions/suggestion-service.js';
import type { SuggestionModels } from '../suggestions/suggestion-model.js';

export interface Rate {
  numerator: number;
  denominator: number;
  /** numerator / denominator, rounded to 4 places; null when nothing counts yet. */
  rate: number | null;
}

export interface Bucket {
  key: string;
  label: string;
  count: number;
}

export interface Statistics {
  total: number;
  byTheme: Bucket[];
  byCategory: Bucket[];
  byUnit: Bucket[];
  byStatus: Bucket[];
  /** `YYYY-MM` in the service timezone, oldest first. */
  byMonth: Bucket[];
  rates: { response: Rate; answer: Rate; adoption: Rate; satisfaction: Rate };
}

export interface StatisticsOptions {
  now: Date;
  timezone: string;
  adoptedOutcomes: readonly string[];
  satisfiedRatings: readonly string[];
  unitNames: Readonly<Record<string, string>>;
  categoryLabels: Readonly<Record<string, string>>;
  statusLabels: Readonly<Record<string, string>>;
  /** Count only this unit's assignments (unit tokens, or a unit filter). */
  unit?: string;
  /** Label of suggestions without a category / unit. */
  noneLabel: string;
}

/** The office's statistics options from config and the console's labels: all but `now` and `unit`. */
export function statisticsOptions(config: Pick<AppConfig, 'service' | 'units' | 'adminApi'>): Omit<StatisticsOptions, 'now' | 'unit'> {
  return {
    timezone: config.service.timezone,
    adoptedOutcomes: config.adminApi.adoptedOutcomes,
    satisfiedRatings: config.adminApi.satisfiedRatings,
    unitNames: Object.fromEntries(config.units.map((u) => [u.id, u.name])),
    categoryLabels,
    statusLabels,
    noneLabel,
  };
}

/** What the pipeline needs to know; labels are applied when folding. */
export type PipelineOptions = Pick<StatisticsOptions, 'now' | 'timezone' | 'adoptedOutcomes' | 'satisfiedRatings' | 'unit'>;

/** One output row of `statisticsPipeline`: the suggestions sharing these keys, and their rate counts. */
export interface StatisticsGroup {
  _id: { theme: string; themeName: string | null; category: string | null; status: string; month: string; units: string[] };
  /** Latest submittedAt of the group: the newest suggestion's theme name labels the theme. */
  latest: Date;
  count: number;
  accDue: number;
  accOnTime: number;
  ansDue: number;
  ansOnTime: number;
  answered: number;
  adopted: number;
  evaluated: number;
  satisfied: number;
}

const rate = (numerator: number, denominator: number): Rate => ({
  numerator,
  denominator,
  rate: denominator === 0 ? null : Math.round((numerator / denominator) * 10_000) / 10_000,
});

// ---------- the timezone as UTC offsets over instant ranges ----------

/** A span of instants in which the timezone's UTC offset is `offset` (`+08:00`); `until` is exclusive, absent on the last. */
export interface OffsetPeriod {
  until?: Date;
  offset: string;
}

const DAY = 86_400_000;
const PERIODS_FROM = Date.UTC(2000, 0, 1);
const periodCache = new Map<string, { end: number; periods: OffsetPeriod[] }>();

function offsetAt(fmt: Intl.DateTimeFormat, t: number): string {
  const name = fmt.formatToParts(new Date(t)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-]\d{2}):?(\d{2})?/.exec(name);
  return m ? `${m[1]}:${m[2] ?? '00'}` : '+00:00';
}

/**
 * The UTC offsets of `timeZone` from 2000 until at least five years after `now`, as consecutive periods
 * (one period for a zone without daylight saving, such as Asia/Shanghai). Offsets are sampled daily and
 * each change is narrowed to the minute. Instants before 2000 take the first period's offset, instants
 * after the last change the last one's. Cached per timezone.
 */
export function offsetPeriods(timeZone: string, now: Date): OffsetPeriod[] {
  const end = Date.UTC(now.getUTCFullYear() + 6, 0, 1);
  const cached = periodCache.get(timeZone);
  if (cached && cached.end >= end) return cached.periods;
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  const periods: OffsetPeriod[] = [];
  let current = offsetAt(fmt, PERIODS_FROM);
  for (let t = PERIODS_FROM + DAY; t <= end; t += DAY) {
    const o = offsetAt(fmt, t);
    if (o === current) continue;
    // The change lies in (t - DAY, t]: narrow it to the minute.
    let lo = t - DAY;
    let hi = t;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (offsetAt(fmt, mid) === current) lo = mid;
      else hi = mid;
    }
    periods.push({ until: new Date(hi), offset: current });
    current = o;
  }
  periods.push({ offset: current });
  periodCache.set(timeZone, { end, periods });
  return periods;
}

/** `YYYY-MM` of `date` (an expression) in the timezone, as an aggregation expression. */
export function localMonthExpression(date: unknown, timeZone: string, now: Date): unknown {
  const periods = offsetPeriods(timeZone, now);
  const format = (offset: string) => ({ $dateToString: { format: '%Y-%m', date, timezone: offset } });
  if (periods.length === 1) return format(periods[0]!.offset);
  return {
    $switch: {
      branches: periods.filter((p) => p.until).map((p) => ({ case: { $lt: [date, p.until] }, then: format(p.offset) })),
      default: format(periods[periods.length - 1]!.offset),
    },
  };
}

// ---------- the pipeline ----------

/** True when the expression is neither null nor missing. */
const present = (x: unknown) => ({ $ne: [{ $ifNull: [x, null] }, null] });
/** True for a non-empty string (what a JS truthiness test of a string field means). */
const nonEmpty = (x: unknown) => ({ $gt: [{ $ifNull: [x, ''] }, ''] });
const countWhere = (input: unknown, cond: unknown) => ({ $size: { $filter: { input, as: 'a', cond } } });
const flag = (cond: unknown) => ({ $cond: [cond, 1, 0] });

/**
 * Accepting: answering without a separate accept counts as accepting at that moment. Due: done, or its
 * deadline passed before `now`; on time: done by the deadline (or no deadline).
 */
function dueAndOnTime(done: unknown, deadline: unknown, now: Date) {
  return {
    due: { $or: [present(done), { $and: [present(deadline), { $lt: [deadline, now] }] }] },
    onTime: { $and: [present(done), { $or: [{ $not: [present(deadline)] }, { $lte: [done, deadline] }] }] },
  };
}

/** The aggregation pipeline over the suggestions matching `filter`: one `StatisticsGroup` per combination of keys. */
export function statisticsPipeline(filter: Record<string, unknown>, o: PipelineOptions): PipelineStage[] {
  const accepted = { $ifNull: ['$$a.acceptedAt', '$$a.answeredAt'] };
  const acc = dueAndOnTime(accepted, '$$a.acceptDueAt', o.now);
  const ans = dueAndOnTime('$$a.answeredAt', '$$a.dueAt', o.now);
  const cityAdopted = { $eq: ['$cityRecommendation.outcome', 'adopted'] };
  const answered = { $or: [{ $gt: [countWhere('$$counted', nonEmpty('$$a.answer.outcome')), 0] }, cityAdopted] };
  const adoptedAnswer = { $gt: [countWhere('$$counted', { $in: [{ $ifNull: ['$$a.answer.outcome', null] }, [...o.adoptedOutcomes]] }), 0] };
  const evaluated = { $and: [nonEmpty('$evaluation.rating'), ...(o.unit ? [{ $gt: [{ $size: '$$counted' }, 0] }] : [])] };
  const heldAssignments = {
    $filter: {
      input: { $ifNull: ['$assignments', []] },
      as: 'a',
      cond: { $and: [{ $not: [present('$$a.returnedAt')] }, { $ne: ['$$a.active', false] }] },
    },
  };
  const sum = (field: string) => ({ $sum: `$${field}` });
  return [
    { $match: filter },
    // One stage of per-suggestion values (each expression evaluated once), then one group.
    {
      $project: {
        _id: 0,
        theme: 1,
        themeName: { $ifNull: ['$themeName', null] },
        category: { $ifNull: ['$category', null] },
        status: 1,
        submittedAt: 1,
        month: localMonthExpression('$submittedAt', o.timezone, o.now),
        // Assignments still held (not returned, not ended) and, of those, the ones whose rates count.
        figures: {
          $let: {
            vars: { active: heldAssignments },
            in: {
              $let: {
                vars: { counted: o.unit ? { $filter: { input: '$$active', as: 'a', cond: { $eq: ['$$a.unit', o.unit] } } } : '$$active' },
                in: {
                  // Whether answered / evaluated, each evaluated once and used twice.
                  $let: {
                    vars: { answered, evaluated },
                    in: {
                      units: { $setUnion: [{ $map: { input: '$$active', as: 'a', in: '$$a.unit' } }] },
                      accDue: countWhere('$$counted', acc.due),
                      accOnTime: countWhere('$$counted', acc.onTime),
                      ansDue: countWhere('$$counted', ans.due),
                      ansOnTime: countWhere('$$counted', ans.onTime),
                      answered: flag('$$answered'),
                      adopted: flag({ $and: ['$$answered', { $or: [adoptedAnswer, cityAdopted] }] }),
                      evaluated: flag('$$evaluated'),
                      satisfied: flag({ $and: ['$$evaluated', { $in: [{ $ifNull: ['$evaluation.rating', null] }, [...o.satisfiedRatings]] }] }),
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    {
      $group: {
        _id: { theme: '$theme', themeName: '$themeName', category: '$category', status: '$status', month: '$month', units: '$figures.units' },
        latest: { $max: '$submittedAt' },
        count: { $sum: 1 },
        accDue: sum('figures.accDue'),
        accOnTime: sum('figures.accOnTime'),
        ansDue: sum('figures.ansDue'),
        ansOnTime: sum('figures.ansOnTime'),
        answered: sum('figures.answered'),
        adopted: sum('figures.adopted'),
        evaluated: sum('figures.evaluated'),
        satisfied: sum('figures.satisfied'),
      },
    },
  ];
}

/** Adds the groups up into the figures, with labels. */
export function foldStatistics(groups: readonly StatisticsGroup[], o: StatisticsOptions): Statistics {
  const theme = new Map<string, Bucket & { latest: number }>();
  const category = new Map<string, Bucket>();
  const unit = new Map<string, Bucket>();
  const status = new Map<string, Bucket>();
  const month = new Map<string, Bucket>();
  const add = (m: Map<string, Bucket>, key: string, label: string, n: number) => {
    const b = m.get(key);
    if (b) b.count += n;
    else m.set(key, { key, label, count: n });
  };
  const sum = { total: 0, accDue: 0, accOnTime: 0, ansDue: 0, ansOnTime: 0, answered: 0, adopted: 0, evaluated: 0, satisfied: 0 };
  for (const g of groups) {
    const k = g._id;
    const n = g.count;
    const latest = new Date(g.latest).getTime();
    const t = theme.get(k.theme);
    if (!t) theme.set(k.theme, { key: k.theme, label: k.themeName ?? k.theme, count: n, latest });
    else {
      t.count += n;
      if (latest > t.latest) Object.assign(t, { latest, label: k.themeName ?? k.theme });
    }
    add(category, k.category ?? 'none', k.category ? (o.categoryLabels[k.category] ?? k.category) : o.noneLabel, n);
    add(status, k.status, o.statusLabels[k.status] ?? k.status, n);
    add(month, k.month, k.month, n);
    const units = [...new Set(k.units ?? [])];
    if (units.length === 0) add(unit, 'none', o.noneLabel, n);
    for (const u of units) add(unit, u, o.unitNames[u] ?? u, n);
    sum.total += n;
    sum.accDue += g.accDue;
    sum.accOnTime += g.accOnTime;
    sum.ansDue += g.ansDue;
    sum.ansOnTime += g.ansOnTime;
    sum.answered += g.answered;
    sum.adopted += g.adopted;
    sum.evaluated += g.evaluated;
    sum.satisfied += g.satisfied;
  }
  const byCount = (m: Map<string, Bucket>) =>
    [...m.values()].map(({ key, label, count }) => ({ key, label, count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  return {
    total: sum.total,
    byTheme: byCount(theme),
    byCategory: byCount(category),
    byUnit: byCount(unit),
    byStatus: byCount(status),
    byMonth: [...month.values()].sort((a, b) => a.key.localeCompare(b.key)),
    rates: {
      response: rate(sum.accOnTime, sum.accDue),
      answer: rate(sum.ansOnTime, sum.ansDue),
      adoption: rate(sum.adopted, sum.answered),
      satisfaction: rate(sum.satisfied, sum.evaluated),
    },
  };
}

/** The statistics of GET /api/stats, read from the suggestions collection. */
export interface StatisticsReader {
  /** Figures over every suggestion matching `filter` (the admin list's filters and a unit token's visibility). */
  compute(filter: SuggestionFilter, o: Omit<StatisticsOptions, 'now'>): Promise<Statistics>;
}

export function createStatisticsReader({ models, clock }: { models: Pick<SuggestionModels, 'Suggestion'>; clock: Clock }): StatisticsReader {
  return {
    async compute(filter, options) {
      const o: StatisticsOptions = { ...options, now: clock.now() };
      const groups = await models.Suggestion.aggregate<StatisticsGroup>(statisticsPipeline(buildSuggestionFilter(filter, o.now), o));
      return foldStatistics(groups, o);
    },
  };
}

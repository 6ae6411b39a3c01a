/**
 * The proxy-entry quotas (the seed 一(五)1 and 二(四)2), computed from stored suggestions.
 *
 * - Routine: units of the configured kinds need, in each required month of a quarter (镇乡街道: first and
 *   last; 区级部门: middle), an entry occasion — a local day with at least `minPerOccasion` suggestions
 *   their agent entered (代理录入).
 * - Offsetting (冲抵): valuable campaign suggestions the unit's own people submitted themselves count in
 *   the month they were submitted; campaign suggestions the agent entered count as any proxy entry.
 * - Campaign: each such unit proxy-enters at least `minValuable` valuable campaign suggestions by the
 *   deadline (the 2021 campaign: the end of August). 'Valuable' is the office's flag.
 *
 * `computeQuarterReport` is pure (facts in, report out); `createMongoQuotaFacts` reads the facts.
 */
import type { Model } from 'mongoose';
import type { AppConfig, Unit } from '../infra/config.js';
import { dayKey, localDate, monthRange, placeInQuarter, quarterMonths, quarterRange, type Quarter } from './quarter-calendar.js';

/** What a stored suggestion contributes to the quotas. */
export interface QuotaFact {
  reference: string;
  submittedAt: Date;
  campaign: string;
  valuable: boolean;
  /** Set when an agent entered it: the agent's id and unit. */
  enteredBy?: { agent: string; unit: string };
  /** The proposer's 工作单位 as given (used for offsetting). */
  proposerUnit: string;
}

/** Reads the facts of suggestions submitted in [from, to). Withdrawn suggestions are left out. */
export interface QuotaFacts {
  between(from: Date, to: Date): Promise<QuotaFact[]>;
}

export type QuotaConfig = Pick<AppConfig, 'quotas' | 'units' | 'campaigns' | 'service'>;

/** Why a suggestion counts for a unit. */
export type CountReason = 'proxy_entry' | 'campaign_proxy_entry' | 'offset_valuable_campaign';

export interface CountedItem {
  reference: string;
  at: string;
  day: string;
  month: number;
  reason: CountReason;
  valuable: boolean;
  campaign: string;
  agent?: string;
}

export type MonthStatus = 'met' | 'missing' | 'open' | 'upcoming' | 'not_required';

export interface MonthReport {
  month: number;
  /** 1 first, 2 middle, 3 last. */
  place: 1 | 2 | 3;
  required: boolean;
  status: MonthStatus;
  /** Days with entries, and how many suggestions each; `counts` is false below `minPerOccasion`. */
  occasions: { day: string; suggestions: number; counts: boolean }[];
}

export interface CampaignReport {
  campaign: string;
  deadline: string;
  required: number;
  /** Valuable campaign suggestions the unit's agent entered by the deadline. */
  valuable: number;
  status: 'met' | 'missing' | 'open';
  references: string[];
}

export interface UnitQuarterReport {
  unit: string;
  unitName: string;
  kind: Unit['kind'];
  agents: string[];
  requiredMonths: number[];
  months: MonthReport[];
  /** Required months that ended without an entry occasion. */
  missingMonths: number[];
  /** Met: every required month met. Behind: a required month missed. In progress: not decided yet. */
  status: 'met' | 'behind' | 'in_progress';
  met: boolean;
  campaigns: CampaignReport[];
  counted: CountedItem[];
}

export interface QuarterReport {
  year: number;
  quarter: number;
  timezone: string;
  from: string;
  to: string;
  generatedAt: string;
  minPerOccasion: number;
  units: UnitQuarterReport[];
  summary: { units: number; met: number; behind: number; inProgress: number };
}

/** The routine months (places in the quarter) a unit must enter in; undefined when it has no quota. */
export function requiredPlaces(unit: Pick<Unit, 'kind'>, config: Pick<QuotaConfig, 'quotas'>): number[] | undefined {
  if (unit.kind === 'office') return undefined;
  const rule = config.quotas.routine.find((r) => (r.kinds as string[]).includes(unit.kind));
  return rule ? [...new Set(rule.months)].sort() : undefined;
}

const norm = (s: string) => s.normalize('NFKC').replace(/[\s（）()·•\-—]/g, '');

/** The unit whose people a proposer's 工作单位 names (its name, the name without 区, or an alias). */
export function unitOfProposer(proposerUnit: string, units: readonly Unit[], aliases: Record<string, string[]>): string | undefined {
  const p = norm(proposerUnit);
  if (p.length < 2) return undefined;
  for (const u of units) {
    const names = [u.name, ...(u.name.startsWith('区') && u.name.length >= 4 ? [u.name.slice(1)] : []), ...(aliases[u.id] ?? [])].map(norm);
    if (names.some((n) => n.length >= 2 && p.includes(n))) return u.id;
  }
  return undefined;
}

/** What one fact counts as, and for which unit. */
export function attribute(fact: QuotaFact, config: QuotaConfig): { unit: string; reason: CountReason } | undefined {
  if (fact.enteredBy) return { unit: fact.enteredBy.unit, reason: fact.campaign !== 'general' ? 'campaign_proxy_entry' : 'proxy_entry' };
  if (!config.quotas.offsetting || !fact.valuable || fact.campaign === 'general') return undefined;
  const unit = unitOfProposer(fact.proposerUnit, config.units, config.quotas.unitAliases);
  return unit ? { unit, reason: 'offset_valuable_campaign' } : undefined;
}

export interface ComputeInput {
  config: QuotaConfig;
  quarter: Quarter;
  now: Date;
  /** Facts of suggestions submitted in the quarter. */
  facts: readonly QuotaFact[];
  /** Facts of each quota campaign from its start to its deadline (by campaign id). */
  campaignFacts: Readonly<Record<string, readonly QuotaFact[]>>;
  /** Agents' names by unit. */
  agentsByUnit: Readonly<Record<string, string[]>>;
  /** Only this unit. */
  unit?: string;
}

/** Campaign quotas whose period [campaign start, deadline] overlaps the quarter. */
export function campaignsInQuarter(config: QuotaConfig, quarter: Quarter) {
  const { from, to } = quarterRange(quarter, config.service.timezone);
  return config.quotas.campaigns.filter((c) => {
    const start = config.campaigns.find((x) => x.id === c.campaign)?.start;
    return Date.parse(c.deadline) >= from.getTime() && (start === undefined || Date.parse(start) < to.getTime());
  });
}

/** Each unit's routine, offset and campaign quota standing in one quarter (the rules above). Pure. */
export function computeQuarterReport(input: ComputeInput): QuarterReport {
  const { config, quarter, now } = input;
  const tz = config.service.timezone;
  const range = quarterRange(quarter, tz);
  const months = quarterMonths(quarter);
  const min = config.quotas.minPerOccasion;
  const campaigns = campaignsInQuarter(config, quarter);

  const byUnit = new Map<string, CountedItem[]>();
  for (const f of input.facts) {
    const t = f.submittedAt.getTime();
    if (t < range.from.getTime() || t >= range.to.getTime()) continue;
    const a = attribute(f, config);
    if (!a) continue;
    const d = localDate(f.submittedAt, tz);
    const item: CountedItem = {
      reference: f.reference,
      at: f.submittedAt.toISOString(),
      day: dayKey(d),
      month: d.month,
      reason: a.reason,
      valuable: f.valuable,
      campaign: f.campaign,
      ...(f.enteredBy ? { agent: f.enteredBy.agent } : {}),
    };
    const list = byUnit.get(a.unit) ?? [];
    list.push(item);
    byUnit.set(a.unit, list);
  }

  const units: UnitQuarterReport[] = [];
  for (const u of config.units) {
    if (input.unit && u.id !== input.unit) continue;
    const places = requiredPlaces(u, config);
    if (!places) continue;
    const counted = (byUnit.get(u.id) ?? []).sort((a, b) => a.at.localeCompare(b.at) || a.reference.localeCompare(b.reference));
    const monthReports: MonthReport[] = months.map((m) => {
      const place = placeInQuarter(m);
      const required = places.includes(place);
      const perDay = new Map<string, number>();
      for (const c of counted) if (c.month === m) perDay.set(c.day, (perDay.get(c.day) ?? 0) + 1);
      const occasions = [...perDay.entries()].sort().map(([day, n]) => ({ day, suggestions: n, counts: n >= min }));
      const { from, to } = monthRange(quarter.year, m, tz);
      const met = occasions.some((o) => o.counts);
      const status: MonthStatus = !required ? 'not_required' : met ? 'met' : now >= to ? 'missing' : now >= from ? 'open' : 'upcoming';
      return { month: m, place, required, status, occasions };
    });
    const missingMonths = monthReports.filter((m) => m.status === 'missing').map((m) => m.month);
    const allMet = monthReports.every((m) => !m.required || m.status === 'met');
    const campaignReports: CampaignReport[] = campaigns.map((c) => {
      const deadline = new Date(c.deadline);
      const refs = (input.campaignFacts[c.campaign] ?? [])
        .filter((f) => f.enteredBy?.unit === u.id && f.valuable && f.campaign === c.campaign && f.submittedAt <= deadline)
        .map((f) => f.reference)
        .sort();
      const status = refs.length >= c.minValuable ? 'met' : now > deadline ? 'missing' : 'open';
      return { campaign: c.campaign, deadline: c.deadline, required: c.minValuable, valuable: refs.length, status, references: refs };
    });
    units.push({
      unit: u.id,
      unitName: u.name,
      kind: u.kind,
      agents: [...(input.agentsByUnit[u.id] ?? [])],
      requiredMonths: monthReports.filter((m) => m.required).map((m) => m.month),
      months: monthReports,
      missingMonths,
      status: missingMonths.length ? 'behind' : allMet ? 'met' : 'in_progress',
      met: allMet,
      campaigns: campaignReports,
      counted,
    });
  }
  return {
    year: quarter.year,
    quarter: quarter.quarter,
    timezone: tz,
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    generatedAt: now.toISOString(),
    minPerOccasion: min,
    units,
    summary: {
      units: units.length,
      met: units.filter((u) => u.status === 'met').length,
      behind: units.filter((u) => u.status === 'behind').length,
      inProgress: units.filter((u) => u.status === 'in_progress').length,
    },
  };
}

// ---- facts from MongoDB ------------------------------------------------------------------------------

interface FactDoc {
  reference: string;
  submittedAt: Date;
  campaign: string;
  valuable?: boolean;
  enteredBy?: { agent?: string; unit?: string } | null;
  proposer?: { unit?: string };
}

/** Reads quota facts from the suggestions collection (only the fields the quotas need). */
export function createMongoQuotaFacts(Suggestion: Model<any>): QuotaFacts {
  return {
    async between(from, to) {
      const docs = await Suggestion.find(
        {
          submittedAt: { $gte: from, $lt: to },
          status: { $ne: 'withdrawn' },
          $or: [{ 'enteredBy.unit': { $exists: true, $ne: null } }, { valuable: true, campaign: { $ne: 'general' } }],
        },
        { reference: 1, submittedAt: 1, campaign: 1, valuable: 1, enteredBy: 1, 'proposer.unit': 1 },
      )
        .sort({ submittedAt: 1 })
        .lean<FactDoc[]>();
      return docs.map((d) => ({
        reference: d.reference,
        submittedAt: new Date(d.submittedAt),
        campaign: d.campaign,
        valuable: d.valuable === true,
        ...(d.enteredBy?.unit ? { enteredBy: { agent: d.enteredBy.agent ?? '', unit: d.enteredBy.unit } } : {}),
        proposerUnit: d.proposer?.unit ?? '',
      }));
    },
  };
}

/**
 * The work queue: what is due or late and who must act next, per role.
 *
 * `workState` reads one suggestion and says who acts next (the office, a leader, the city, or which units
 * for 受理/答复), by when, how many working days are left (negative: overdue by) and whether it is overdue
 * or due soon. The list, the queue, the detail page and the exports all show this one reading.
 *
 * Buckets (counters on the home page, each applies its filter):
 *   office: to_assign 待分办 (new or returned), review 复核中 (rated 不满意), overdue 超期, instruction 待批示,
 *           city 待市级反馈, to_close 待办结 (rated, not closed yet)
 *   leader: instruction 待批示
 *   unit:   to_accept 待受理, to_answer 待答复, overdue 超期 (its own assignments)
 */
import type { Model } from 'mongoose';
import type { AppConfig } from '../infra/config.js';
import { isWorkingDay, localDate } from '../handling/deadlines.js';
import type { Principal } from './admin-auth.js';

type Doc = Record<string, any>;

export type QueueBucket = 'to_assign' | 'review' | 'overdue' | 'instruction' | 'city' | 'to_close' | 'to_accept' | 'to_answer';

export const bucketsByRole: Record<Principal['kind'], QueueBucket[]> = {
  office: ['to_assign', 'review', 'overdue', 'instruction', 'city', 'to_close'],
  leader: ['instruction'],
  unit: ['to_accept', 'to_answer', 'overdue'],
  agent: [],
};

export interface WaitingUnit {
  unit: string;
  step: 'accept' | 'answer';
  dueAt: string | null;
  overdue: boolean;
}

export interface WorkState {
  /** Who acts next: office / leader / city / unit (see `units`), or nobody (final). */
  actor: 'office' | 'leader' | 'city' | 'unit' | 'none';
  /** What they do: assign, review, close, instruction, city_outcome, accept, answer. */
  step: string | null;
  units: WaitingUnit[];
  /** The earliest deadline of the next step (a unit's 受理/答复 deadline). */
  dueAt: string | null;
  /** Working days from today to the due day (0 = due today; negative = overdue by that many). */
  daysLeft: number | null;
  overdue: boolean;
  dueSoon: boolean;
}

export type WorkConfig = Pick<AppConfig, 'deadlines' | 'service'>;

const DAY_MS = 86_400_000;
const addDay = (ymd: string, n: number) => new Date(Date.parse(`${ymd}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/** Working days from `today` to `due` (both local days); negative when `due` is past. */
export function workingDaysBetween(today: string, due: string, cfg: WorkConfig['deadlines']): number {
  if (today === due) return 0;
  const forward = due > today;
  let day = today;
  let n = 0;
  // Deadlines are at most a few weeks away; the bound keeps a corrupt date from looping long.
  for (let i = 0; i < 400 && day !== due; i++) {
    day = addDay(day, forward ? 1 : -1);
    if (!cfg.workingDays || isWorkingDay(day, cfg)) n++;
  }
  return forward ? n : -n;
}

const active = (s: Doc) => ((s.assignments ?? []) as Doc[]).filter((a) => a.active !== false && !a.returnedAt);

export function workState(s: Doc, now: Date, cfg: WorkConfig, dueSoonDays = 2): WorkState {
  const none: WorkState = { actor: 'none', step: null, units: [], dueAt: null, daysLeft: null, overdue: false, dueSoon: false };
  const t = now.getTime();
  const status = s.status as string;
  if (status === 'submitted' || status === 'returned') return { ...none, actor: 'office', step: 'assign' };
  if (status === 'escalated') return { ...none, actor: 'office', step: 'review' };
  if (s.escalation && !s.escalation.instruction && !['rejected', 'withdrawn', 'closed'].includes(status)) {
    // Leaders' review runs beside handling; it is shown unless units are still working.
    if (!active(s).some((a) => !a.answeredAt)) return { ...none, actor: 'leader', step: 'instruction' };
  }
  if (['assigned', 'accepted', 'answered'].includes(status)) {
    const units: WaitingUnit[] = active(s)
      .filter((a) => !a.answeredAt)
      .map((a) => {
        const step = a.acceptedAt ? ('answer' as const) : ('accept' as const);
        const due: Date | null = step === 'accept' ? (a.acceptDueAt ?? a.dueAt ?? null) : (a.dueAt ?? null);
        return { unit: a.unit, step, dueAt: due ? new Date(due).toISOString() : null, overdue: Boolean(due && new Date(due).getTime() < t) };
      });
    if (units.length) {
      const dues = units.map((u) => u.dueAt).filter((d): d is string => Boolean(d)).sort();
      const dueAt = dues[0] ?? null;
      const tz = cfg.service.timezone;
      const daysLeft = dueAt ? workingDaysBetween(localDate(now, tz), localDate(new Date(dueAt), tz), cfg.deadlines) : null;
      const overdue = units.some((u) => u.overdue);
      return { actor: 'unit', step: units.some((u) => u.step === 'accept') ? 'accept' : 'answer', units, dueAt, daysLeft, overdue, dueSoon: !overdue && daysLeft !== null && daysLeft <= dueSoonDays };
    }
  }
  if (s.cityRecommendation && s.cityRecommendation.outcome === 'pending') return { ...none, actor: 'city', step: 'city_outcome' };
  if (status === 'evaluated' || status === 'answered') return { ...none, actor: 'office', step: 'close' };
  return none;
}

/** The mongo filter of a bucket for a principal (a unit's buckets look at its own assignments only). */
export function bucketFilter(bucket: QueueBucket, p: Principal, now: Date): Record<string, unknown> {
  const unit = p.kind === 'unit' ? p.unit : undefined;
  const mine = unit ? { unit } : {};
  switch (bucket) {
    case 'to_assign':
      return { status: { $in: ['submitted', 'returned'] } };
    case 'review':
      return { status: 'escalated' };
    case 'to_close':
      return { status: 'evaluated' };
    case 'instruction':
      return { escalation: { $ne: null }, 'escalation.instruction': null, status: { $nin: ['rejected', 'withdrawn', 'closed'] } };
    case 'city':
      return { 'cityRecommendation.outcome': 'pending' };
    case 'to_accept':
      return { assignments: { $elemMatch: { ...mine, returnedAt: null, acceptedAt: null, answeredAt: null } }, status: { $in: ['assigned', 'accepted', 'answered'] } };
    case 'to_answer':
      return { assignments: { $elemMatch: { ...mine, returnedAt: null, acceptedAt: { $ne: null }, answeredAt: null } }, status: { $in: ['assigned', 'accepted', 'answered'] } };
    case 'overdue':
      return {
        $or: [
          { assignments: { $elemMatch: { ...mine, returnedAt: null, answeredAt: null, dueAt: { $lt: now } } } },
          { assignments: { $elemMatch: { ...mine, returnedAt: null, acceptedAt: null, answeredAt: null, acceptDueAt: { $lt: now } } } },
        ],
      };
  }
}

export interface WorkQueue {
  /** Counters of the principal's buckets, and the items of one bucket (soonest due first). */
  read(p: Principal, bucket?: QueueBucket): Promise<{ buckets: { id: QueueBucket; count: number }[]; bucket: QueueBucket | null; items: Doc[] }>;
}

export function createWorkQueue(deps: { Suggestion: Model<any>; clock: { now(): Date }; config: WorkConfig; limit?: number }): WorkQueue {
  const limit = deps.limit ?? 500;
  return {
    async read(p, requested) {
      const ids = bucketsByRole[p.kind];
      const now = deps.clock.now();
      const counts = await Promise.all(ids.map((id) => deps.Suggestion.countDocuments(bucketFilter(id, p, now))));
      const buckets = ids.map((id, i) => ({ id, count: counts[i] ?? 0 }));
      // Default: the first bucket with something in it.
      const bucket = requested && ids.includes(requested) ? requested : (buckets.find((b) => b.count > 0)?.id ?? ids[0] ?? null);
      if (!bucket) return { buckets, bucket: null, items: [] };
      const docs = (await deps.Suggestion.find(bucketFilter(bucket, p, now)).sort({ submittedAt: 1 }).limit(limit).lean()) as Doc[];
      const items = docs.map((d) => {
        const { _id, __v, outbox, ...rest } = d;
        void _id, __v, outbox;
        return { ...rest, work: workState(d, now, deps.config) };
      });
      // Soonest due first; items without a deadline (office steps) keep submission order after them.
      items.sort((a, b) => (a.work.dueAt ?? '9') < (b.work.dueAt ?? '9') ? -1 : (a.work.dueAt ?? '9') > (b.work.dueAt ?? '9') ? 1 : 0);
      return { buckets, bucket, items };
    },
  };
}

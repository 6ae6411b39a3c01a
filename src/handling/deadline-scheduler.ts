/**
 * Deadlines: a periodic sweep (one worker at a time, under the scheduler lease) that reminds units before
 * the answer is due, flags what is overdue and tells the office — every effect written as outbox entries
 * in the same update that sets the flag, so a reminder is sent exactly when its flag is set, once. The
 * sweep also routes any submitted suggestion that was never routed (a crash between submit and route).
 *
 * `deadlineReport` accounts for every suggestion that still needs someone to act (every status but the final
 * ones) against its deadlines: none may silently have no answer. It never reads closed history: the summary
 * is counted in the database over the open suggestions, and the rows come a page at a time, oldest first,
 * with only the fields the report shows (index `{status, submittedAt, _id}`).
 */
import type { Clock } from '../infra/clock.js';
import type { FileConfig } from '../infra/config.js';
import type { LockService } from '../infra/locks.js';
import type { Logger } from '../infra/logger.js';
import { RedisKeys, RedisTtls } from '../infra/redis-keys.js';
import { refuse, type HandlingService, type StoredAssignment, type StoredSuggestion } from './handling-service.js';
import { finalStatuses, transitions } from '../suggestions/status-machine.js';
import type { SuggestionModels } from '../suggestions/suggestion-model.js';
import { robotSafe, type OutboxMessage } from './outbox.js';
import { officeTexts, robotTexts, unitTexts } from '../../flows/texts/handling.js';
import { formatDay } from './deadlines.js';

export interface SweepStats {
  /** False when another worker holds the scheduler lease. */
  ran: boolean;
  routed: number;
  reminded: number;
  acceptOverdue: number;
  overdue: number;
}

export type AssignmentDeadlineState = 'answered' | 'answered_late' | 'overdue' | 'accept_overdue' | 'due_soon' | 'on_time';

export interface DeadlineRow {
  reference: string;
  title: string;
  status: string;
  level: string;
  submittedAt: Date;
  /** Who must act next: the office (screening, returned, unsatisfied), the units, the citizen (rating). */
  waitingOn: 'office' | 'units' | 'citizen';
  overdue: boolean;
  units: {
    unit: string;
    unitName: string;
    assignedAt: Date;
    acceptDueAt?: Date | null;
    acceptedAt?: Date | null;
    dueAt?: Date | null;
    answeredAt?: Date | null;
    state: AssignmentDeadlineState;
  }[];
}

export interface DeadlineReport {
  at: Date;
  /**
   * Over every open suggestion (not only this page): how many, who each waits on, how many are overdue,
   * and the answers of their units given on time / late.
   */
  summary: { total: number; waitingOnOffice: number; waitingOnUnits: number; waitingOnCitizen: number; overdue: number; answeredOnTime: number; answeredLate: number };
  page: number;
  pageSize: number;
  /** This page of the open suggestions, oldest first; `summary.total` says how many pages there are. */
  rows: DeadlineRow[];
}

export interface DeadlineReportPage {
  /** 1-based (default 1). */
  page?: number;
  /** Default `deadlineReportPageSize.default`, at most `.max`. */
  pageSize?: number;
}

export const deadlineReportPageSize = { default: 200, max: 1_000 } as const;

/** Statuses in which someone (the office, units or the citizen) still has to act. */
export const openStatuses = (Object.keys(transitions) as (keyof typeof transitions)[]).filter((s) => !finalStatuses.includes(s));

export interface DeadlineScheduler {
  runDeadlineSweep(now?: Date): Promise<SweepStats>;
  deadlineReport(now?: Date, page?: DeadlineReportPage): Promise<DeadlineReport>;
  start(): void;
  stop(): Promise<void>;
}

export interface DeadlineSchedulerDeps {
  handling: Pick<HandlingService, 'applyChange' | 'route' | 'directory'>;
  models: Pick<SuggestionModels, 'Suggestion'>;
  clock: Clock;
  locks: Pick<LockService, 'tryAcquire'>;
  logger: Logger;
  config: Pick<FileConfig, 'deadlines'> & { service: Pick<FileConfig['service'], 'timezone'> };
}

export function assignmentState(a: StoredAssignment, now: Date): AssignmentDeadlineState {
  const t = now.getTime();
  if (a.answeredAt) return a.dueAt && a.answeredAt.getTime() > a.dueAt.getTime() ? 'answered_late' : 'answered';
  if (a.dueAt && a.dueAt.getTime() <= t) return 'overdue';
  if (!a.acceptedAt && a.acceptDueAt && a.acceptDueAt.getTime() <= t) return 'accept_overdue';
  if (a.remindAt && a.remindAt.getTime() <= t) return 'due_soon';
  return 'on_time';
}

export function createDeadlineScheduler(deps: DeadlineSchedulerDeps): DeadlineScheduler {
  const { Suggestion } = deps.models;
  const { handling, clock, config } = deps;
  const dir = handling.directory;
  const tz = config.service.timezone;
  const log = deps.logger.child({ component: 'deadlines' });

  async function sweepOne(reference: string, now: Date, stats: SweepStats): Promise<void> {
    const counts = { reminded: 0, acceptOverdue: 0, overdue: 0 };
    const r = await handling.applyChange(
      reference,
      (s) => {
        const outbox: OutboxMessage[] = [];
        counts.reminded = counts.acceptOverdue = counts.overdue = 0;
        const t = now.getTime();
        const assignments = s.assignments.map((a) => {
          if (!a.active || a.answeredAt) return a;
          const patch: Partial<StoredAssignment> = {};
          const unitName = dir.unitName(a.unit);
          const due = a.dueAt ? formatDay(a.dueAt, tz) : '';
          if (a.dueAt && a.dueAt.getTime() <= t && !a.overdueAt) {
            patch.overdueAt = now;
            patch.remindedAt = a.remindedAt ?? now;
            counts.overdue++;
            outbox.push(...unitText(a.unit, unitTexts.overdue(s.reference, s.title, due)), ...officeText(officeTexts.overdue(s.reference, s.title, unitName, due)));
            outbox.push(...robot(a.unit, robotTexts.overdue({ reference: s.reference, title: robotSafe(s.title, s.proposer), unit: unitName, due })));
          } else if (a.remindAt && a.remindAt.getTime() <= t && !a.remindedAt && !(a.dueAt && a.dueAt.getTime() <= t)) {
            patch.remindedAt = now;
            counts.reminded++;
            outbox.push(...unitText(a.unit, unitTexts.remind(s.reference, s.title, due)));
          }
          if (!a.acceptedAt && a.acceptDueAt && a.acceptDueAt.getTime() <= t && !a.acceptOverdueAt) {
            patch.acceptOverdueAt = now;
            counts.acceptOverdue++;
            outbox.push(...unitText(a.unit, unitTexts.acceptOverdue(s.reference, s.title)), ...officeText(officeTexts.acceptOverdue(s.reference, s.title, unitName)));
          }
          return Object.keys(patch).length ? { ...a, ...patch } : a;
        });
        if (!outbox.length && counts.overdue + counts.reminded + counts.acceptOverdue === 0) return refuse('already_done', 'nothing due');
        return { ok: true, change: { status: s.status, set: { assignments }, history: { action: 'deadline', note: `reminded ${counts.reminded}, accept overdue ${counts.acceptOverdue}, overdue ${counts.overdue}` }, outbox } };
      },
      { kind: 'system' },
    );
    if (r.ok) {
      stats.reminded += counts.reminded;
      stats.acceptOverdue += counts.acceptOverdue;
      stats.overdue += counts.overdue;
    }
  }

  const unitText = (unit: string, text: string): OutboxMessage[] => [{ kind: 'unit_text', target: { unit, userids: dir.recipients(unit) }, payload: { text } }];
  const officeText = (text: string) => unitText(dir.office, text);
  const robot = (unit: string, content: string): OutboxMessage[] => [
    ...(dir.robotKey(unit) ? [{ kind: 'robot_markdown' as const, target: { unit }, payload: { content } }] : []),
    ...(unit !== dir.office && dir.robotKey(dir.office) ? [{ kind: 'robot_markdown' as const, target: { unit: dir.office }, payload: { content } }] : []),
  ];

  async function runDeadlineSweep(at?: Date): Promise<SweepStats> {
    const stats: SweepStats = { ran: false, routed: 0, reminded: 0, acceptOverdue: 0, overdue: 0 };
    const lease = await deps.locks.tryAcquire(RedisKeys.schedulerLease(), RedisTtls.schedulerLease * 1000);
    if (!lease) return stats;
    try {
      stats.ran = true;
      const now = at ?? clock.now();
      const unrouted = await Suggestion.find({ status: 'submitted', 'routing.decidedAt': null }, { reference: 1 }).limit(500).lean();
      for (const s of unrouted) if ((await handling.route(s.reference)).ok) stats.routed++;
      const due = await Suggestion.find(
        {
          status: { $in: ['assigned', 'accepted'] },
          assignments: {
            $elemMatch: {
              active: true,
              answeredAt: null,
              $or: [{ remindAt: { $lte: now }, remindedAt: null }, { acceptDueAt: { $lte: now }, acceptedAt: null, acceptOverdueAt: null }, { dueAt: { $lte: now }, overdueAt: null }],
            },
          },
        },
        { reference: 1 },
      ).lean();
      for (const s of due) await sweepOne(s.reference, now, stats);
      if (stats.routed + stats.reminded + stats.acceptOverdue + stats.overdue > 0) log.info(stats, 'deadline sweep');
      return stats;
    } finally {
      await lease.release();
    }
  }

  /** Who must act next in an open status. */
  const waitingOnOf = (status: string): DeadlineRow['waitingOn'] =>
    status === 'answered' ? 'citizen' : status === 'assigned' || status === 'accepted' ? 'units' : 'office';

  /**
   * The summary counted in the database over the open suggestions, mirroring `assignmentState` and the
   * rows (the units shown are the active ones and the ones that answered): open suggestions by status;
   * those waiting on units with an active unit past its answer deadline, or past its accept deadline
   * without accepting, unanswered (overdue); and the answers given on time / late, read only from the
   * suggestions holding an answer. Three queries the status index answers, with no per-document
   * expression over the whole backlog.
   */
  async function reportSummary(now: Date): Promise<DeadlineReport['summary']> {
    const present = (x: string) => ({ $ne: [{ $ifNull: [x, null] }, null] });
    const late = { $and: [present('$$a.dueAt'), { $gt: ['$$a.answeredAt', '$$a.dueAt'] }] };
    const countWhere = (cond: unknown) => ({ $size: { $filter: { input: '$answers', as: 'a', cond } } });
    const [byStatus, overdue, answers] = await Promise.all([
      Suggestion.aggregate<{ _id: string; count: number }>([{ $match: { status: { $in: openStatuses } } }, { $group: { _id: '$status', count: { $sum: 1 } } }]),
      Suggestion.countDocuments({
        status: { $in: ['assigned', 'accepted'] },
        assignments: { $elemMatch: { active: true, answeredAt: null, $or: [{ dueAt: { $lte: now } }, { acceptedAt: null, acceptDueAt: { $lte: now } }] } },
      }),
      Suggestion.aggregate<{ onTime: number; late: number }>([
        { $match: { status: { $in: openStatuses }, assignments: { $elemMatch: { answeredAt: { $ne: null } } } } },
        { $project: { _id: 0, answers: { $filter: { input: '$assignments', as: 'a', cond: present('$$a.answeredAt') } } } },
        { $group: { _id: null, onTime: { $sum: countWhere({ $not: [late] }) }, late: { $sum: countWhere(late) } } },
      ]),
    ]);
    const waiting = (w: DeadlineRow['waitingOn']) => byStatus.filter((g) => waitingOnOf(g._id) === w).reduce((n, g) => n + g.count, 0);
    return {
      total: byStatus.reduce((n, g) => n + g.count, 0),
      waitingOnOffice: waiting('office'),
      waitingOnUnits: waiting('units'),
      waitingOnCitizen: waiting('citizen'),
      overdue,
      answeredOnTime: answers[0]?.onTime ?? 0,
      answeredLate: answers[0]?.late ?? 0,
    };
  }

  async function deadlineReport(at?: Date, p: DeadlineReportPage = {}): Promise<DeadlineReport> {
    const now = at ?? clock.now();
    const page = Math.max(1, Math.floor(p.page ?? 1));
    const pageSize = Math.min(deadlineReportPageSize.max, Math.max(1, Math.floor(p.pageSize ?? deadlineReportPageSize.default)));
    const fields = ['unit', 'assignedAt', 'acceptDueAt', 'acceptedAt', 'dueAt', 'answeredAt', 'remindAt', 'active'];
    const projection = { _id: 0, reference: 1, title: 1, status: 1, level: 1, submittedAt: 1, ...Object.fromEntries(fields.map((f) => [`assignments.${f}`, 1])) };
    const [summary, docs] = await Promise.all([
      reportSummary(now),
      Suggestion.find({ status: { $in: openStatuses } }, projection)
        .sort({ submittedAt: 1, _id: 1 })
        .skip((page - 1) * pageSize)
        .limit(pageSize)
        .lean() as unknown as Promise<Pick<StoredSuggestion, 'reference' | 'title' | 'status' | 'level' | 'submittedAt' | 'assignments'>[]>,
    ]);
    const rows: DeadlineRow[] = docs.map((s) => {
      const units = (s.assignments ?? [])
        .filter((a) => a.active || a.answeredAt)
        .map((a) => ({ unit: a.unit, unitName: dir.unitName(a.unit), assignedAt: a.assignedAt, acceptDueAt: a.acceptDueAt, acceptedAt: a.acceptedAt, dueAt: a.dueAt, answeredAt: a.answeredAt, state: assignmentState(a, now) }));
      const waitingOn = waitingOnOf(s.status);
      return {
        reference: s.reference,
        title: s.title,
        status: s.status,
        level: s.level ?? 'district',
        submittedAt: s.submittedAt,
        waitingOn,
        overdue: waitingOn === 'units' && units.some((u) => u.state === 'overdue' || u.state === 'accept_overdue'),
        units,
      };
    });
    return { at: now, summary, page, pageSize, rows };
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  return {
    runDeadlineSweep,
    deadlineReport,
    start() {
      if (timer) return;
      const tick = () => {
        running ??= runDeadlineSweep()
          .catch((err) => log.error({ err }, 'deadline sweep failed'))
          .finally(() => (running = undefined));
      };
      timer = setInterval(tick, config.deadlines.sweepIntervalSeconds * 1000);
      tick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}

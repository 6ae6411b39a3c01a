/**
 * Deadlines: a periodic sweep (one worker at a time, under the scheduler lease) that reminds units before
 * the answer is due, flags what is overdue and tells the office — every effect written as outbox entries
 * in the same update that sets the flag, so a reminder is sent exactly when its flag is set, once. The
 * sweep also routes any submitted suggestion that was never routed (a crash between submit and route).
 *
 * `deadlineReport` lists every open suggestion against its deadlines: none may silently have no answer.
 */
import type { Clock } from '../infra/clock.js';
import type { FileConfig } from '../infra/config.js';
import type { LockService } from '../infra/locks.js';
import type { Logger } from '../infra/logger.js';
import { RedisKeys, RedisTtls } from '../infra/redis-keys.js';
import { refuse, type HandlingService, type StoredAssignment, type StoredSuggestion } from '../suggestions/handling-service.js';
import { finalStatuses } from '../suggestions/status-machine.js';
import type { SuggestionModels } from '../suggestions/suggestion-model.js';
import type { OutboxMessage } from './outbox.js';
import { officeTexts, robotTexts, unitTexts } from '../../flows/texts/handling.js';
import { formatDay } from './deadlines.js';
import { robotSafe } from './group-robot-notifier.js';

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
  /** Who must act next: the office (screening, returned, unsatisfied), the units, the citizen (rating), nobody. */
  waitingOn: 'office' | 'units' | 'citizen' | 'none';
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
  summary: { total: number; waitingOnOffice: number; waitingOnUnits: number; waitingOnCitizen: number; done: number; overdue: number; answeredOnTime: number; answeredLate: number };
  rows: DeadlineRow[];
}

export interface DeadlineScheduler {
  runDeadlineSweep(now?: Date): Promise<SweepStats>;
  deadlineReport(now?: Date): Promise<DeadlineReport>;
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

  async function deadlineReport(at?: Date): Promise<DeadlineReport> {
    const now = at ?? clock.now();
    const docs = (await Suggestion.find({}, { outbox: 0, history: 0, proposal: 0, proposer: 0 }).sort({ submittedAt: 1 }).lean()) as unknown as StoredSuggestion[];
    const rows: DeadlineRow[] = docs.map((s) => {
      const units = s.assignments
        .filter((a) => a.active || a.answeredAt)
        .map((a) => ({ unit: a.unit, unitName: dir.unitName(a.unit), assignedAt: a.assignedAt, acceptDueAt: a.acceptDueAt, acceptedAt: a.acceptedAt, dueAt: a.dueAt, answeredAt: a.answeredAt, state: assignmentState(a, now) }));
      const waitingOn: DeadlineRow['waitingOn'] = finalStatuses.includes(s.status)
        ? 'none'
        : s.status === 'answered'
          ? 'citizen'
          : s.status === 'assigned' || s.status === 'accepted'
            ? 'units'
            : 'office';
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
    const all = rows.flatMap((r) => r.units);
    return {
      at: now,
      summary: {
        total: rows.length,
        waitingOnOffice: rows.filter((r) => r.waitingOn === 'office').length,
        waitingOnUnits: rows.filter((r) => r.waitingOn === 'units').length,
        waitingOnCitizen: rows.filter((r) => r.waitingOn === 'citizen').length,
        done: rows.filter((r) => r.waitingOn === 'none').length,
        overdue: rows.filter((r) => r.overdue).length,
        answeredOnTime: all.filter((u) => u.state === 'answered').length,
        answeredLate: all.filter((u) => u.state === 'answered_late').length,
      },
      rows,
    };
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

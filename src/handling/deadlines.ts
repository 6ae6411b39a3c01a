/**
 * Handling deadlines: N working (or calendar) days after the assignment, ending at the end of that day in
 * the service's time zone. Working days are Monday–Friday minus configured holidays, plus makeup days (调休).
 */
import type { FileConfig } from '../infra/config.js';

export type DeadlineConfig = Pick<FileConfig, 'deadlines'> & { service: Pick<FileConfig['service'], 'timezone'> };

const DAY_MS = 24 * 3600 * 1000;

// Building an Intl.DateTimeFormat costs far more than formatting with one (it loads the zone's ICU data),
// so one formatter per time zone is kept for the life of the process (a handful of zones at most).
const dayFormats = new Map<string, Intl.DateTimeFormat>();
const partFormats = new Map<string, Intl.DateTimeFormat>();
function cached(cache: Map<string, Intl.DateTimeFormat>, timeZone: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = cache.get(timeZone);
  if (!f) cache.set(timeZone, (f = make()));
  return f;
}

/** `YYYY-MM-DD` of `at` in `timeZone`. */
export function localDate(at: Date, timeZone: string): string {
  return cached(dayFormats, timeZone, () => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })).format(at);
}

/** Minutes `timeZone` is ahead of UTC at `at`. */
function offsetMinutes(at: Date, timeZone: string): number {
  const parts = Object.fromEntries(
    cached(partFormats, timeZone, () => new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }))
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60000);
}

/** The last millisecond of local day `ymd` in `timeZone`. */
export function endOfLocalDay(ymd: string, timeZone: string): Date {
  const naive = Date.parse(`${ymd}T23:59:59.999Z`);
  return new Date(naive - offsetMinutes(new Date(naive), timeZone) * 60000);
}

const addDays = (ymd: string, n: number): string => new Date(Date.parse(`${ymd}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/** Whether local day `ymd` is a working day under the config. */
export function isWorkingDay(ymd: string, cfg: DeadlineConfig['deadlines']): boolean {
  if (cfg.makeupWorkdays.includes(ymd)) return true;
  if (cfg.holidays.includes(ymd)) return false;
  const dow = new Date(`${ymd}T00:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6;
}

/** End of the `days`-th working (or calendar) day after `from`'s local day. */
export function dueAfter(from: Date, days: number, cfg: DeadlineConfig): Date {
  const tz = cfg.service.timezone;
  let day = localDate(from, tz);
  if (!cfg.deadlines.workingDays) return endOfLocalDay(addDays(day, days), tz);
  let counted = 0;
  while (counted < days) {
    day = addDays(day, 1);
    if (isWorkingDay(day, cfg.deadlines)) counted++;
  }
  return endOfLocalDay(day, tz);
}

/** The accept and answer deadlines of an assignment made at `assignedAt`, and when to remind. */
export function assignmentDeadlines(assignedAt: Date, cfg: DeadlineConfig): { acceptDueAt: Date; dueAt: Date; remindAt: Date } {
  const dueAt = dueAfter(assignedAt, cfg.deadlines.answerDays, cfg);
  return {
    acceptDueAt: dueAfter(assignedAt, cfg.deadlines.acceptDays, cfg),
    dueAt,
    remindAt: new Date(dueAt.getTime() - cfg.deadlines.remindDaysBefore * DAY_MS),
  };
}

/** `2021-07-16` style date of an instant, for texts. */
export const formatDay = (at: Date, timeZone: string): string => localDate(at, timeZone);

/**
 * Quarters and months in the service's time zone (Asia/Shanghai): a suggestion entered at 2021-06-30T23:30
 * local time belongs to June and to Q2 even though it is already July 1 nowhere and June 30 in UTC.
 */

export interface LocalDate {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
}

export interface Quarter {
  year: number;
  /** 1-4 */
  quarter: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
}

function parts(d: Date, timeZone: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(d)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** The local calendar date of an instant. */
export function localDate(d: Date, timeZone: string): LocalDate {
  const p = parts(d, timeZone);
  return { year: p.year!, month: p.month!, day: p.day! };
}

/** `2021-07-05` */
export function dayKey(d: LocalDate): string {
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** `2021-07` */
export function monthKey(year: number, month: number): string {
  return `${year}-${String(month).padStart(2, '0')}`;
}

/** The instant local midnight begins on that date (the zone's offset worked out for that day). */
export function startOfLocalDay(year: number, month: number, day: number, timeZone: string): Date {
  const guess = Date.UTC(year, month - 1, day);
  // The offset at the guess, then corrected once more in case the guess fell across an offset change.
  let t = guess;
  for (let i = 0; i < 2; i++) {
    const p = parts(new Date(t), timeZone);
    const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
    t = guess - (asUtc - t);
  }
  return new Date(t);
}

/** [from, to) of a local month. */
export function monthRange(year: number, month: number, timeZone: string): { from: Date; to: Date } {
  const next = month === 12 ? { year: year + 1, month: 1 } : { year, month: month + 1 };
  return { from: startOfLocalDay(year, month, 1, timeZone), to: startOfLocalDay(next.year, next.month, 1, timeZone) };
}

export function quarterOf(d: Date, timeZone: string): Quarter {
  const l = localDate(d, timeZone);
  return { year: l.year, quarter: Math.floor((l.month - 1) / 3) + 1 };
}

/** The quarter's months, first to last (Q3 → [7, 8, 9]). */
export function quarterMonths(q: Quarter): [number, number, number] {
  const first = (q.quarter - 1) * 3 + 1;
  return [first, first + 1, first + 2];
}

/** [from, to) of a local quarter. */
export function quarterRange(q: Quarter, timeZone: string): { from: Date; to: Date } {
  const [first, , last] = quarterMonths(q);
  return { from: monthRange(q.year, first, timeZone).from, to: monthRange(q.year, last, timeZone).to };
}

/** The month's place in its quarter: 1 first, 2 middle, 3 last. */
export function placeInQuarter(month: number): 1 | 2 | 3 {
  return (((month - 1) % 3) + 1) as 1 | 2 | 3;
}

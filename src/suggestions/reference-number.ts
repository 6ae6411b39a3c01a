/**
 * Reference numbers: `<prefix><year>-<6-digit sequence>` (WZ2021-000001), sequential per year from an
 * atomic counter document, so several workers never hand out the same number.
 */
import type { CounterModel } from './suggestion-model.js';

/** The calendar year of `at` in `timeZone` (a suggestion sent at 2021-12-31 23:30 Beijing time is a 2021 one). */
export function yearIn(at: Date, timeZone: string): number {
  let f = yearFormats.get(timeZone);
  if (!f) yearFormats.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric' })));
  return Number(f.format(at));
}
// Building a formatter costs far more than using one; one per time zone is kept.
const yearFormats = new Map<string, Intl.DateTimeFormat>();

export function formatReference(prefix: string, year: number, seq: number): string {
  return `${prefix}${year}-${String(seq).padStart(6, '0')}`;
}

export const referencePattern = /^[A-Z]{1,6}\d{4}-\d{6,}$/;

export async function nextReference(Counter: CounterModel, prefix: string, year: number): Promise<string> {
  const counter = await Counter.findOneAndUpdate(
    { _id: `suggestion:${prefix}${year}` },
    { $inc: { seq: 1 } },
    { upsert: true, returnDocument: 'after', lean: true },
  );
  if (!counter) throw new Error('reference counter upsert returned nothing');
  return formatReference(prefix, year, counter.seq);
}

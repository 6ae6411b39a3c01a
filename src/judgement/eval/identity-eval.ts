/**
 * Measures the identity parser on corpus/identity-cases.txt (`npm run eval`): per field (name, phone, unit),
 * how many messages give exactly the expected value; a name expected to be refused counts as right when
 * checkName refuses it for that reason.
 */
import { readFileSync } from 'node:fs';
import { checkName, extractIdentity } from '../identity-parser.js';

const CASES_URL = new URL('../corpus/identity-cases.txt', import.meta.url);
const FIELDS = ['name', 'phone', 'unit'] as const;
type Field = (typeof FIELDS)[number];

export interface IdentityCase {
  text: string;
  expected: Partial<Record<Field, string>>;
}

/** The labelled identity messages (see the file's header for the format). */
export function readIdentityCases(): IdentityCase[] {
  return readFileSync(CASES_URL, 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((line) => {
      const [text, ...fields] = line.split(' | ');
      const expected: IdentityCase['expected'] = {};
      for (const f of fields) {
        const eq = f.indexOf('=');
        const key = f.slice(0, eq).trim() as Field;
        if (!FIELDS.includes(key)) throw new Error(`unknown field in identity case: ${line}`);
        expected[key] = f.slice(eq + 1).trim();
      }
      return { text: text!.trim(), expected };
    });
}

export interface IdentityParsers {
  extractIdentity: (text: string) => Partial<Record<Field, string>>;
  checkName: (text: string) => { ok: true; value: string } | { ok: false; reason: string };
}

export interface IdentityEvaluation {
  total: number;
  /** Messages with every field right. */
  allRight: number;
  perField: Record<Field, { right: number; of: number }>;
  errors: Array<{ text: string; field: Field; expected: string; got: string }>;
}

/** What the parsers make of a message, a found name given as checkName leaves it (or `!reason`). */
export function readIdentity(text: string, p: IdentityParsers = { extractIdentity, checkName }): Partial<Record<Field, string>> {
  const found = p.extractIdentity(text);
  const out: Partial<Record<Field, string>> = {};
  if (found.name !== undefined) {
    const v = p.checkName(found.name);
    out.name = v.ok ? v.value : `!${v.reason}`;
  }
  if (found.phone !== undefined) out.phone = found.phone;
  if (found.unit !== undefined) out.unit = found.unit;
  return out;
}

export function evaluateIdentity(p?: IdentityParsers): IdentityEvaluation {
  const cases = readIdentityCases();
  const perField = Object.fromEntries(FIELDS.map((f) => [f, { right: 0, of: cases.length }])) as IdentityEvaluation['perField'];
  const errors: IdentityEvaluation['errors'] = [];
  let allRight = 0;
  for (const c of cases) {
    const got = readIdentity(c.text, p);
    let all = true;
    for (const f of FIELDS) {
      if ((got[f] ?? '') === (c.expected[f] ?? '')) perField[f].right++;
      else {
        all = false;
        errors.push({ text: c.text, field: f, expected: c.expected[f] ?? '(none)', got: got[f] ?? '(none)' });
      }
    }
    if (all) allRight++;
  }
  return { total: cases.length, allRight, perField, errors };
}

export function formatIdentityReport(e: IdentityEvaluation, opts: { errors?: boolean } = {}): string {
  const pct = (a: number, b: number) => `${((100 * a) / Math.max(b, 1)).toFixed(1)}%`;
  const lines = [
    `IDENTITY — ${e.total} messages at the identity step (corpus/identity-cases.txt)`,
    `  every field right ${pct(e.allRight, e.total)} (${e.allRight}/${e.total})`,
    ...FIELDS.map((f) => `  ${f.padEnd(6)} ${pct(e.perField[f].right, e.perField[f].of).padStart(6)}  (${e.perField[f].right}/${e.perField[f].of})`),
  ];
  if (opts.errors) for (const x of e.errors) lines.push(`    [${x.field}: ${x.expected} → ${x.got}] ${x.text}`);
  return lines.join('\n');
}

/**
 * Measures judgeScope on a part of the labelled scope corpus. Used by `npm run eval` and by the test that
 * asserts the targets (out-of-scope recall ≥ 0.95, in-scope wrongly refused ≤ 3 %).
 */
import { readScopeCorpus } from '../corpus/scope-corpus.js';
import type { Split } from '../corpus/corpus-tools.js';
import { judgeScope } from '../scope-classifier.js';
import { SCOPE_LABELS, type ScopeLabel } from '../scope-rules.js';

export type Predicted = ScopeLabel | 'unsure';

export interface ScopeEvaluation {
  split: Split;
  total: number;
  perLabel: Record<ScopeLabel, { precision: number; recall: number; support: number; unsure: number }>;
  /** Out-of-scope messages not accepted (refused with any kind, or asked). */
  outOfScopeRecall: number;
  /** Out-of-scope messages refused outright (any kind). */
  outOfScopeRefused: number;
  /** Out-of-scope messages refused with the right kind. */
  outOfScopeKindAccuracy: number;
  /**
   * Messages that must not be refused (suggestion, start, and public matters) refused outright: each one
   * is a lost suggestion. This is the figure held to ≤ 3 %.
   */
  inScopeWronglyRefused: number;
  /** The same, counting suggestion and start only (the figure before public matters were labelled). */
  suggestionOrStartRefused: number;
  /** Public matters (no proposal, not personal) refused outright; the classifier should ask about them. */
  publicRefused: number;
  /** Public matters asked about (unsure). */
  publicAsked: number;
  /** In-scope messages the bot would ask about. */
  inScopeUnsure: number;
  /** In-scope messages accepted (suggestion or start). */
  inScopeAccepted: number;
  confusion: Record<ScopeLabel, Partial<Record<Predicted, number>>>;
  errors: Array<{ text: string; label: ScopeLabel; predicted: Predicted }>;
}

const inScope = (l: Predicted) => l === 'suggestion' || l === 'start';
/** Labels whose messages must never be refused. */
const notToRefuse = (l: ScopeLabel) => inScope(l) || l === 'public';
const refused = (p: Predicted) => p !== 'unsure' && !inScope(p);

export function predictLabel(text: string): Predicted {
  const v = judgeScope(text);
  return v.kind === 'out_of_scope' ? v.category : v.kind;
}

export function evaluateScope(split: Split = 'heldout'): ScopeEvaluation {
  const rows = readScopeCorpus().filter((e) => e.split === split);
  const confusion = Object.fromEntries(SCOPE_LABELS.map((l) => [l, {}])) as ScopeEvaluation['confusion'];
  const errors: ScopeEvaluation['errors'] = [];
  let oos = 0, oosNotAccepted = 0, oosRefused = 0, oosRightKind = 0, ins = 0, insRefused = 0, insUnsure = 0, insAccepted = 0;
  let keep = 0, keepRefused = 0, pub = 0, pubRefused = 0, pubAsked = 0;
  for (const { text, label } of rows) {
    const p = predictLabel(text);
    const row = confusion[label];
    row[p] = (row[p] ?? 0) + 1;
    const ok = label === 'public' ? !refused(p) : p === label || (inScope(label) && inScope(p));
    if (!ok) errors.push({ text, label, predicted: p });
    if (notToRefuse(label)) {
      keep++;
      if (refused(p)) keepRefused++;
    }
    if (label === 'public') {
      pub++;
      if (refused(p)) pubRefused++;
      if (p === 'unsure') pubAsked++;
    } else if (inScope(label)) {
      ins++;
      if (p === 'unsure') insUnsure++;
      else if (inScope(p)) insAccepted++;
      else insRefused++;
    } else {
      oos++;
      if (!inScope(p)) oosNotAccepted++;
      if (p !== 'unsure' && !inScope(p)) oosRefused++;
      if (p === label) oosRightKind++;
    }
  }
  const perLabel = {} as ScopeEvaluation['perLabel'];
  for (const l of SCOPE_LABELS) {
    const support = Object.values(confusion[l]).reduce((a, b) => a + (b ?? 0), 0);
    // A public matter is right when asked about (it is never a verdict of its own).
    const tp = l === 'public' ? (confusion[l].unsure ?? 0) : (confusion[l][l] ?? 0);
    const predicted = SCOPE_LABELS.reduce((a, t) => a + (confusion[t][l] ?? 0), 0);
    perLabel[l] = {
      precision: predicted === 0 ? 1 : tp / predicted,
      recall: support === 0 ? 1 : tp / support,
      support,
      unsure: confusion[l].unsure ?? 0,
    };
  }
  const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
  return {
    split,
    total: rows.length,
    perLabel,
    outOfScopeRecall: ratio(oosNotAccepted, oos),
    outOfScopeRefused: ratio(oosRefused, oos),
    outOfScopeKindAccuracy: ratio(oosRightKind, oos),
    inScopeWronglyRefused: ratio(keepRefused, keep),
    suggestionOrStartRefused: ratio(insRefused, ins),
    publicRefused: ratio(pubRefused, pub),
    publicAsked: ratio(pubAsked, pub),
    inScopeUnsure: ratio(insUnsure, ins),
    inScopeAccepted: ratio(insAccepted, ins),
    confusion,
    errors,
  };
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

export function formatScopeReport(e: ScopeEvaluation): string {
  const lines: string[] = [];
  lines.push(`SCOPE (${e.split}, ${e.total} messages)`);
  lines.push(`  out-of-scope recall (refused or asked) ${pct(e.outOfScopeRecall)}   [target ≥ 95%]`);
  lines.push(`  out-of-scope refused outright          ${pct(e.outOfScopeRefused)}   with the right kind ${pct(e.outOfScopeKindAccuracy)}`);
  lines.push(`  in-scope wrongly refused               ${pct(e.inScopeWronglyRefused)}   [target ≤ 3%; suggestion, start and public matters]`);
  lines.push(`    suggestion or start refused          ${pct(e.suggestionOrStartRefused)}`);
  lines.push(`    public matters refused               ${pct(e.publicRefused)}   asked ${pct(e.publicAsked)}`);
  lines.push(`  in-scope accepted ${pct(e.inScopeAccepted)}, asked (unsure) ${pct(e.inScopeUnsure)}`);
  lines.push('');
  lines.push(`  ${'kind'.padEnd(13)}${'precision'.padStart(10)}${'recall'.padStart(9)}${'unsure'.padStart(8)}${'n'.padStart(6)}`);
  for (const [l, m] of Object.entries(e.perLabel)) {
    lines.push(`  ${l.padEnd(13)}${m.precision.toFixed(3).padStart(10)}${m.recall.toFixed(3).padStart(9)}${String(m.unsure).padStart(8)}${String(m.support).padStart(6)}`);
  }
  lines.push('');
  const cols: Predicted[] = [...SCOPE_LABELS, 'unsure'];
  const abbrev = (s: string) => s.slice(0, 6);
  lines.push(`  confusion (rows: true kind; columns: verdict)`);
  lines.push(`  ${''.padEnd(13)}${cols.map((c) => abbrev(c).padStart(7)).join('')}`);
  for (const l of SCOPE_LABELS) {
    lines.push(`  ${l.padEnd(13)}${cols.map((c) => String(e.confusion[l][c] ?? 0).padStart(7)).join('')}`);
  }
  if (e.errors.length > 0) {
    lines.push('');
    lines.push(`  errors (${e.errors.length}):`);
    for (const x of e.errors.slice(0, 40)) lines.push(`    [${x.label} → ${x.predicted}] ${x.text}`);
  }
  return lines.join('\n');
}

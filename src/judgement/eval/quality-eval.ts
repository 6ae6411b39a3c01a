/**
 * Measures coachQuality on a part of the labelled quality corpus (`npm run eval`).
 */
import { readQualityCorpus, readQualityTestSplit, type QualityLabel } from '../corpus/quality-corpus.js';
import { coachQuality } from '../quality-coach.js';

const LABELS: QualityLabel[] = ['ok', 'one_sentence', 'title_only', 'vague', 'multiple_matters', 'no_measure', 'unlawful'];

export interface QualityEvaluation {
  name: string;
  total: number;
  accuracy: number;
  /** The coach and the label agree on whether the proposal can go as it is (ok) or needs coaching. */
  agreement: number;
  /** Acceptable proposals the coach sent back (any problem). */
  acceptableRejected: number;
  /** Flawed proposals the coach let through. */
  flawedPassed: number;
  perLabel: Record<QualityLabel, { precision: number; recall: number; support: number }>;
  confusion: Record<QualityLabel, Partial<Record<string, number>>>;
  errors: Array<{ text: string; label: QualityLabel; predicted: string }>;
}

export function predictQuality(text: string): string {
  const v = coachQuality(text);
  return v.ok ? 'ok' : v.problem;
}

/** `test`: the frozen test split; `train`: the training corpus the coach was tuned on. */
export function evaluateQuality(which: 'test' | 'train' = 'test'): QualityEvaluation {
  const rows = which === 'test' ? readQualityTestSplit() : readQualityCorpus();
  const confusion = Object.fromEntries(LABELS.map((l) => [l, {}])) as QualityEvaluation['confusion'];
  const errors: QualityEvaluation['errors'] = [];
  let correct = 0, agree = 0, ok = 0, okRejected = 0, flawed = 0, flawedPassed = 0;
  for (const { text, label } of rows) {
    const p = predictQuality(text);
    confusion[label][p] = (confusion[label][p] ?? 0) + 1;
    if (p === label) correct++;
    if ((p === 'ok') === (label === 'ok')) agree++;
    else errors.push({ text, label, predicted: p });
    if (label === 'ok') {
      ok++;
      if (p !== 'ok') okRejected++;
    } else {
      flawed++;
      if (p === 'ok') flawedPassed++;
    }
  }
  const perLabel = {} as QualityEvaluation['perLabel'];
  for (const l of LABELS) {
    const support = Object.values(confusion[l]).reduce<number>((a, b) => a + (b ?? 0), 0);
    const tp = confusion[l][l] ?? 0;
    const predicted = LABELS.reduce((a, t) => a + (confusion[t][l] ?? 0), 0);
    perLabel[l] = { precision: predicted === 0 ? 1 : tp / predicted, recall: support === 0 ? 1 : tp / support, support };
  }
  return {
    name: which === 'test' ? 'test split' : 'training corpus',
    total: rows.length,
    accuracy: rows.length ? correct / rows.length : 1,
    agreement: rows.length ? agree / rows.length : 1,
    acceptableRejected: ok ? okRejected / ok : 0,
    flawedPassed: flawed ? flawedPassed / flawed : 0,
    perLabel,
    confusion,
    errors,
  };
}

export function formatQualityReport(e: QualityEvaluation, opts: { errors?: boolean } = {}): string {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const lines = [`QUALITY — ${e.name}, ${e.total} proposals`];
  lines.push(`  agreement (go as it is / coach) ${pct(e.agreement)}   [target ≥ 90%]`);
  lines.push(`  same problem named ${pct(e.accuracy)}; acceptable sent back ${pct(e.acceptableRejected)}; flawed let through ${pct(e.flawedPassed)}`);
  lines.push('');
  lines.push(`  ${'label'.padEnd(17)}${'precision'.padStart(10)}${'recall'.padStart(9)}${'n'.padStart(6)}`);
  for (const [l, m] of Object.entries(e.perLabel)) {
    lines.push(`  ${l.padEnd(17)}${m.precision.toFixed(3).padStart(10)}${m.recall.toFixed(3).padStart(9)}${String(m.support).padStart(6)}`);
  }
  lines.push('');
  lines.push('  confusion (rows: true label; columns: verdict)');
  lines.push(`  ${''.padEnd(17)}${LABELS.map((c) => c.slice(0, 7).padStart(8)).join('')}`);
  for (const l of LABELS) lines.push(`  ${l.padEnd(17)}${LABELS.map((c) => String(e.confusion[l][c] ?? 0).padStart(8)).join('')}`);
  if (opts.errors && e.errors.length) {
    lines.push('', `  errors (${e.errors.length}):`);
    for (const x of e.errors) lines.push(`    [${x.label} → ${x.predicted}] ${x.text}`);
  }
  return lines.join('\n');
}

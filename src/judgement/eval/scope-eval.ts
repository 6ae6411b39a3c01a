/**
 * Measures judgeScope on labelled first messages: the frozen test split (corpus/test/scope-test.txt) and
 * k-fold cross-validation on the training corpus. Used by `npm run eval` and by the tests that hold the
 * targets. Figures:
 * - per kind: precision, recall (the verdict is the labelled kind), asked (unsure);
 * - out of scope (every kind but suggestion, start and public): refused outright, asked, accepted;
 * - suggestions and start words refused outright (a lost suggestion each);
 * - the share of all first messages that get asked (the two-button question);
 * - emergencies whose first reply carries the emergency numbers (verdict `help`).
 */
import { CV_FOLDS, readScopeCorpus, readScopeTestSplit } from '../corpus/scope-corpus.js';
import { judgeDraft } from '../draft-judgement.js';
import { judgeScope } from '../scope-classifier.js';
import { currentScopeModel, useScopeModel } from '../scope-model.js';
import { SCOPE_LABELS, type ScopeLabel } from '../scope-rules.js';
import { trainScopeModel } from '../scope-trainer.js';

export type Predicted = ScopeLabel | 'unsure';

export interface ScopeEvaluation {
  name: string;
  total: number;
  perLabel: Record<ScopeLabel, { precision: number; recall: number; support: number; unsure: number }>;
  /** Out-of-scope messages (not suggestion, start or public) refused outright with any kind. */
  outOfScopeRefused: number;
  /** … refused with the right kind. */
  outOfScopeKindAccuracy: number;
  /** … asked the two-button question. */
  outOfScopeAsked: number;
  /** … accepted as a suggestion or start (each one a wrong draft). */
  outOfScopeAccepted: number;
  /** Suggestions and start words refused outright: each one a lost suggestion. */
  inScopeRefused: number;
  /** Suggestions and start words asked about. */
  inScopeAsked: number;
  /** Public matters without a proposal refused with anything but a complaint referral. */
  publicWronglyRefused: number;
  /** Share of all first messages that get asked. */
  asked: number;
  /** Emergencies answered with the emergency numbers at once. */
  emergencyAnswered: number;
  /** Petitions, complaints and tip-offs accepted as suggestions. */
  personalAccepted: number;
  /**
   * Petitions and tip-offs that would reach a unit if written as the draft and the citizen pressed 提建议
   * (judgeDraft proceeds); `personalScreened`: held for the office's screening instead.
   */
  personalReachUnits: { count: number; of: number; screened: number };
  /** Genuine suggestions a written draft would refer away even after 提建议 (each one lost). */
  suggestionDraftsReferred: { count: number; of: number };
  confusion: Record<ScopeLabel, Partial<Record<Predicted, number>>>;
  errors: Array<{ text: string; label: ScopeLabel; predicted: Predicted }>;
}

const inScope = (l: Predicted) => l === 'suggestion' || l === 'start';
const refused = (p: Predicted) => p !== 'unsure' && !inScope(p);
const isOutOfScope = (l: ScopeLabel) => !inScope(l) && l !== 'public';

export function predictLabel(text: string): Predicted {
  const v = judgeScope(text);
  return v.kind === 'out_of_scope' ? v.category : v.kind;
}

/** Whether a verdict is right for a label: in-scope labels may swap; a public matter may be asked or referred to 12345. */
function isRight(label: ScopeLabel, p: Predicted): boolean {
  if (label === 'public') return p === 'unsure' || p === 'complaint';
  if (inScope(label)) return inScope(p);
  return p === label;
}

export function evaluateScopeOn(name: string, rows: ReadonlyArray<{ text: string; label: ScopeLabel }>): ScopeEvaluation {
  const e = summarize(name, rows.map((r) => ({ ...r, p: predictLabel(r.text) })));
  const personal = rows.filter((r) => r.label === 'petition' || r.label === 'tipoff');
  const drafts = personal.map((r) => judgeDraft(r.text, { citizenChose: true }).kind);
  e.personalReachUnits = { count: drafts.filter((k) => k === 'proceed').length, of: personal.length, screened: drafts.filter((k) => k === 'screen').length };
  const sugg = rows.filter((r) => r.label === 'suggestion');
  e.suggestionDraftsReferred = { count: sugg.filter((r) => judgeDraft(r.text, { citizenChose: true }).kind === 'refer').length, of: sugg.length };
  return e;
}

/** The figures of judged messages. */
function summarize(name: string, rows: ReadonlyArray<{ text: string; label: ScopeLabel; p: Predicted }>): ScopeEvaluation {
  const confusion = Object.fromEntries(SCOPE_LABELS.map((l) => [l, {}])) as ScopeEvaluation['confusion'];
  const errors: ScopeEvaluation['errors'] = [];
  const n = { oos: 0, oosRefused: 0, oosKind: 0, oosAsked: 0, oosAccepted: 0, ins: 0, insRefused: 0, insAsked: 0, pub: 0, pubWrong: 0, asked: 0, em: 0, emOk: 0, personal: 0, personalAccepted: 0 };
  for (const { text, label, p } of rows) {
    confusion[label][p] = (confusion[label][p] ?? 0) + 1;
    if (!isRight(label, p)) errors.push({ text, label, predicted: p });
    if (p === 'unsure') n.asked++;
    if (label === 'public') {
      n.pub++;
      if (refused(p) && p !== 'complaint') n.pubWrong++;
    } else if (inScope(label)) {
      n.ins++;
      if (refused(p)) n.insRefused++;
      if (p === 'unsure') n.insAsked++;
    } else {
      n.oos++;
      if (refused(p)) n.oosRefused++;
      if (p === label) n.oosKind++;
      if (p === 'unsure') n.oosAsked++;
      if (inScope(p)) n.oosAccepted++;
    }
    if (label === 'help') {
      n.em++;
      if (p === 'help') n.emOk++;
    }
    if (label === 'petition' || label === 'complaint' || label === 'tipoff') {
      n.personal++;
      if (inScope(p)) n.personalAccepted++;
    }
  }
  const perLabel = {} as ScopeEvaluation['perLabel'];
  for (const l of SCOPE_LABELS) {
    const support = Object.values(confusion[l]).reduce((a, b) => a + (b ?? 0), 0);
    const tp = Object.entries(confusion[l]).reduce((a, [p, c]) => a + (isRight(l, p as Predicted) ? (c ?? 0) : 0), 0);
    // Precision of a verdict kind: of the messages given this verdict, how many were right to get it.
    const given = l === 'public' ? 0 : SCOPE_LABELS.reduce((a, t) => a + (confusion[t][l] ?? 0), 0);
    const givenRight = l === 'public' ? 0 : SCOPE_LABELS.reduce((a, t) => a + (isRight(t, l) ? (confusion[t][l] ?? 0) : 0), 0);
    perLabel[l] = { precision: given === 0 ? 1 : givenRight / given, recall: support === 0 ? 1 : tp / support, support, unsure: confusion[l].unsure ?? 0 };
  }
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  return {
    name,
    total: rows.length,
    perLabel,
    outOfScopeRefused: ratio(n.oosRefused, n.oos),
    outOfScopeKindAccuracy: ratio(n.oosKind, n.oos),
    outOfScopeAsked: ratio(n.oosAsked, n.oos),
    outOfScopeAccepted: ratio(n.oosAccepted, n.oos),
    inScopeRefused: ratio(n.insRefused, n.ins),
    inScopeAsked: ratio(n.insAsked, n.ins),
    publicWronglyRefused: ratio(n.pubWrong, n.pub),
    asked: ratio(n.asked, rows.length),
    emergencyAnswered: ratio(n.emOk, n.em),
    personalAccepted: ratio(n.personalAccepted, n.personal),
    personalReachUnits: { count: 0, of: 0, screened: 0 },
    suggestionDraftsReferred: { count: 0, of: 0 },
    confusion,
    errors,
  };
}

/** The frozen test split, with the committed model. */
export function evaluateScopeTest(): ScopeEvaluation {
  return evaluateScopeOn('test split', readScopeTestSplit());
}

/**
 * k-fold cross-validation on the training corpus: for each fold, a model trained on the other folds
 * judges it; the confusion is summed over folds. Restores the committed model afterwards.
 */
export function crossValidateScope(k = CV_FOLDS): ScopeEvaluation {
  const rows = readScopeCorpus();
  const committed = currentScopeModel();
  const judged: Array<{ text: string; label: ScopeLabel; p: Predicted }> = [];
  const reach = { count: 0, of: 0, screened: 0 };
  try {
    for (let f = 0; f < k; f++) {
      useScopeModel(trainScopeModel(rows.filter((r) => r.fold !== f)));
      for (const r of rows.filter((x) => x.fold === f)) {
        judged.push({ text: r.text, label: r.label, p: predictLabel(r.text) });
        if (r.label === 'petition' || r.label === 'tipoff') {
          const d = judgeDraft(r.text, { citizenChose: true }).kind;
          reach.of++;
          if (d === 'proceed') reach.count++;
          if (d === 'screen') reach.screened++;
        }
      }
    }
  } finally {
    useScopeModel(committed);
  }
  const e = summarize(`${k}-fold cross-validation on the training corpus`, judged);
  e.personalReachUnits = reach;
  return e;
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

export function formatScopeReport(e: ScopeEvaluation, opts: { errors?: boolean } = {}): string {
  const lines: string[] = [];
  lines.push(`SCOPE — ${e.name}, ${e.total} first messages`);
  lines.push(`  clear out-of-scope refused outright   ${pct(e.outOfScopeRefused).padStart(6)}   [target ≥ 95%]  right kind ${pct(e.outOfScopeKindAccuracy)}`);
  lines.push(`  out-of-scope asked                    ${pct(e.outOfScopeAsked).padStart(6)}   [target ≤ 10%]  accepted as suggestion ${pct(e.outOfScopeAccepted)}`);
  lines.push(`  suggestions / start refused           ${pct(e.inScopeRefused).padStart(6)}   [target ≤ 2%]   asked ${pct(e.inScopeAsked)}`);
  lines.push(`  petitions, complaints, tip-offs accepted ${pct(e.personalAccepted).padStart(6)}   (the draft is judged again before submission)`);
  if (e.personalReachUnits.of > 0) {
    const r = e.personalReachUnits;
    lines.push(`  petitions / tip-offs reaching a unit even if the citizen presses 提建议: ${r.count} of ${r.of}   [target 0]  (held for screening: ${r.screened})`);
  }
  if (e.suggestionDraftsReferred.of > 0) {
    lines.push(`  suggestions referred away at the draft even after 提建议: ${e.suggestionDraftsReferred.count} of ${e.suggestionDraftsReferred.of}`);
  }
  lines.push(`  emergencies answered with the numbers ${pct(e.emergencyAnswered).padStart(6)}   [target 100%]`);
  lines.push(`  public matters refused (not 12345)    ${pct(e.publicWronglyRefused).padStart(6)}`);
  lines.push(`  share of first messages asked         ${pct(e.asked).padStart(6)}`);
  lines.push('');
  lines.push(`  ${'kind'.padEnd(13)}${'precision'.padStart(10)}${'recall'.padStart(9)}${'asked'.padStart(8)}${'n'.padStart(6)}`);
  for (const [l, m] of Object.entries(e.perLabel)) {
    lines.push(`  ${l.padEnd(13)}${(l === 'public' ? '—' : m.precision.toFixed(3)).padStart(10)}${m.recall.toFixed(3).padStart(9)}${String(m.unsure).padStart(8)}${String(m.support).padStart(6)}`);
  }
  lines.push('');
  const cols: Predicted[] = SCOPE_LABELS.filter((l) => l !== 'public');
  cols.push('unsure');
  lines.push(`  confusion (rows: true kind; columns: verdict)`);
  lines.push(`  ${''.padEnd(13)}${cols.map((c) => c.slice(0, 6).padStart(7)).join('')}`);
  for (const l of SCOPE_LABELS) lines.push(`  ${l.padEnd(13)}${cols.map((c) => String(e.confusion[l][c] ?? 0).padStart(7)).join('')}`);
  if (opts.errors && e.errors.length > 0) {
    lines.push('');
    lines.push(`  errors (${e.errors.length}):`);
    for (const x of e.errors) lines.push(`    [${x.label} → ${x.predicted}] ${x.text}`);
  }
  return lines.join('\n');
}

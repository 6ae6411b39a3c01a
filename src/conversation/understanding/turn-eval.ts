/**
 * Figures for the turn recogniser on a split of the labelled turn corpus: per-class precision and recall,
 * the confusion between classes, which command / FAQ entry was read, and whether answers were cleaned to
 * exactly what must be kept. `heldout` tests the recogniser trained on `train`; `train` reports 5-fold
 * cross-validation on the train split (what tuning may look at).
 */
import { loadTurnCorpus, turnKinds, type LabelledTurn, type TurnKind } from './turn-corpus.js';
import { trainTurnModel, turnModel, type TurnModel } from './turn-model.js';
import { understandTurn } from './understand.js';

export interface ClassFigures {
  kind: TurnKind;
  support: number;
  precision: number;
  recall: number;
}

export interface TurnEvalReport {
  split: 'heldout' | 'train';
  turns: number;
  accuracy: number;
  classes: ClassFigures[];
  /** actual → predicted → count, for the mistakes. */
  confusion: Record<string, Record<string, number>>;
  /** Of the commands read as commands, how many as the right command. */
  commandAccuracy: { right: number; of: number };
  /** Of the questions with an FAQ id read as questions, how many got that entry. */
  faqAccuracy: { right: number; of: number };
  /** Of the answers read as answers, how many were cleaned to exactly what the corpus keeps. */
  cleanAccuracy: { right: number; of: number };
  /** Answers read as something else (never stored: a citizen is asked again) and non-answers read as answers (would be stored). */
  answersNotTaken: number;
  storedNonAnswers: number;
  /**
   * Held-out turns whose step and text also occur in train (返回, 1, 好的: people type these the same way),
   * and the accuracy on the others alone.
   */
  seenInTrain?: number;
  unseenAccuracy?: number;
}

function evaluateOn(turns: readonly LabelledTurn[], model: TurnModel, into: Omit<TurnEvalReport, 'split' | 'classes' | 'accuracy' | 'turns'> & { pairs: [TurnKind, TurnKind][] }) {
  for (const t of turns) {
    const r = understandTurn(t.text, t.step, model);
    into.pairs.push([t.kind, r.kind]);
    if (r.kind !== t.kind) {
      (into.confusion[t.kind] ??= {})[r.kind] = (into.confusion[t.kind]![r.kind] ?? 0) + 1;
      if (t.kind === 'answer') into.answersNotTaken++;
      if (r.kind === 'answer') into.storedNonAnswers++;
      continue;
    }
    if (t.kind === 'command') {
      into.commandAccuracy.of++;
      if (r.command === t.sub) into.commandAccuracy.right++;
    }
    if (t.kind === 'question' && t.sub) {
      into.faqAccuracy.of++;
      if (r.faq === t.sub) into.faqAccuracy.right++;
    }
    if (t.kind === 'answer' && !['theme', 'category', 'confirm'].includes(t.step)) {
      into.cleanAccuracy.of++;
      if (r.clean === (t.kept ?? t.text.trim())) into.cleanAccuracy.right++;
    }
  }
}

export function evaluateTurns(split: 'heldout' | 'train' = 'heldout'): TurnEvalReport {
  const acc = {
    confusion: {} as Record<string, Record<string, number>>,
    commandAccuracy: { right: 0, of: 0 },
    faqAccuracy: { right: 0, of: 0 },
    cleanAccuracy: { right: 0, of: 0 },
    answersNotTaken: 0,
    storedNonAnswers: 0,
    pairs: [] as [TurnKind, TurnKind][],
  };
  const train = loadTurnCorpus('train');
  if (split === 'heldout') evaluateOn(loadTurnCorpus('heldout'), turnModel(), acc);
  else {
    const folds = 5;
    for (let f = 0; f < folds; f++) {
      const model = trainTurnModel(train.filter((_, i) => i % folds !== f));
      evaluateOn(
        train.filter((_, i) => i % folds === f),
        model,
        acc,
      );
    }
  }
  const classes = turnKinds.map((kind) => {
    const tp = acc.pairs.filter(([a, p]) => a === kind && p === kind).length;
    const predicted = acc.pairs.filter(([, p]) => p === kind).length;
    const actual = acc.pairs.filter(([a]) => a === kind).length;
    return { kind, support: actual, precision: predicted ? tp / predicted : 0, recall: actual ? tp / actual : 0 };
  });
  const right = acc.pairs.filter(([a, p]) => a === p).length;
  const { pairs, ...rest } = acc;
  const report: TurnEvalReport = { split, turns: pairs.length, accuracy: right / pairs.length, classes, ...rest };
  if (split === 'heldout') {
    const seen = new Set(train.map((t) => `${t.step}|${t.text}`));
    const held = loadTurnCorpus('heldout');
    const unseen = held.map((t, i) => [t, acc.pairs[i]!] as const).filter(([t]) => !seen.has(`${t.step}|${t.text}`));
    report.seenInTrain = held.length - unseen.length;
    report.unseenAccuracy = unseen.filter(([, [a, p]]) => a === p).length / (unseen.length || 1);
  }
  return report;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const ratio = (r: { right: number; of: number }) => `${r.right}/${r.of} (${pct(r.of ? r.right / r.of : 0)})`;

export function formatTurnReport(r: TurnEvalReport): string {
  const lines = [
    `Turn understanding (${r.split === 'heldout' ? 'held-out split, trained on train' : '5-fold cross-validation on train'}): ${r.turns} turns, accuracy ${pct(r.accuracy)}`,
    '  class          support  precision  recall',
    ...r.classes.map((c) => `  ${c.kind.padEnd(14)} ${String(c.support).padStart(7)}  ${pct(c.precision).padStart(9)}  ${pct(c.recall).padStart(6)}`),
    `  which command: ${ratio(r.commandAccuracy)}; which FAQ entry: ${ratio(r.faqAccuracy)}; answers cleaned exactly: ${ratio(r.cleanAccuracy)}`,
    `  non-answers that would be stored: ${r.storedNonAnswers}; answers asked again: ${r.answersNotTaken}`,
    ...(r.seenInTrain !== undefined
      ? [`  ${r.seenInTrain} held-out turns also occur in train (返回, 1, 好的…); accuracy on the other ${r.turns - r.seenInTrain}: ${pct(r.unseenAccuracy ?? 0)}`]
      : []),
    '  confusion (actual → read as):',
    ...Object.entries(r.confusion).flatMap(([a, m]) => Object.entries(m).map(([p, n]) => `    ${a} → ${p}: ${n}`)),
  ];
  return lines.join('\n');
}

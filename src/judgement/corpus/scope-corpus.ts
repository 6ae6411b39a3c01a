/**
 * The labelled scope corpus.
 *
 * - Training part (corpus/scope.jsonl, written by scripts/build-corpus.ts): hand-written messages
 *   (scope-hand.ts, scope-hand-hard.ts and the passes in corpus/train/*.txt) plus template families.
 *   Templates add volume but never outnumber the hand-written messages of a label: each label's template
 *   families are scaled down to at most as many messages as that label has hand-written ones.
 *   Every example has a cross-validation fold: a hand-written one by a hash of its text, a template one
 *   by its phrasing group, so a fold's templates are sentence patterns the other folds never saw.
 * - Test part (corpus/test/scope-test.txt): the frozen test split, written in one pass before any
 *   tuning. Training never reads it; any training text equal to a test text is dropped.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { ScopeLabel } from '../scope-rules.js';
import { SCOPE_LABELS } from '../scope-rules.js';
import { fnv1a, foldOf, parseLabelled, prng } from './corpus-tools.js';
import { HAND_WRITTEN } from './scope-hand.js';
import { HAND_WRITTEN_HARD } from './scope-hand-hard.js';
import { SCOPE_TEMPLATE_FAMILIES } from './scope-templates.js';

/** A template family gives at most this many times its nominal count (before the hand-written cap). */
const TEMPLATE_SCALE = 3;

/** Folds of the cross-validation `npm run eval` reports. */
export const CV_FOLDS = 5;

export interface ScopeExample {
  text: string;
  label: ScopeLabel;
  source: 'hand' | 'template';
  /** Cross-validation fold, 0 … CV_FOLDS-1. */
  fold: number;
  /** A template's phrasing group: every message of a group is in the same fold. */
  group?: string;
}

export const SCOPE_CORPUS_URL = new URL('./scope.jsonl', import.meta.url);
const TRAIN_DIR = new URL('./train/', import.meta.url);
const TEST_URL = new URL('./test/scope-test.txt', import.meta.url);

function asLabel(l: string, where: string): ScopeLabel {
  if (!(SCOPE_LABELS as readonly string[]).includes(l)) throw new Error(`unknown scope label [${l}] in ${where}`);
  return l as ScopeLabel;
}

/** The hand-written training passes in corpus/train/ (files in name order). */
function handTrainingPasses(): Array<{ label: ScopeLabel; text: string }> {
  const files = readdirSync(TRAIN_DIR).filter((f) => f.startsWith('scope-') && f.endsWith('.txt')).sort();
  return files.flatMap((f) =>
    parseLabelled(readFileSync(new URL(f, TRAIN_DIR), 'utf8')).map((e) => ({ label: asLabel(e.label, f), text: e.text })),
  );
}

/** The frozen test split: first messages labelled by kind. */
export function readScopeTestSplit(): Array<{ text: string; label: ScopeLabel }> {
  return parseLabelled(readFileSync(TEST_URL, 'utf8')).map((e) => ({ label: asLabel(e.label, 'scope-test.txt'), text: e.text }));
}

/** Builds the training corpus deterministically (same output on every run). */
export function buildScopeCorpus(): ScopeExample[] {
  const test = new Set(readScopeTestSplit().map((e) => e.text));
  const seen = new Set<string>(test);
  const out: ScopeExample[] = [];
  const hand: Array<{ label: ScopeLabel; text: string }> = [];
  for (const h of [HAND_WRITTEN, HAND_WRITTEN_HARD]) {
    for (const [label, texts] of Object.entries(h) as Array<[ScopeLabel, string[]]>) for (const text of texts) hand.push({ label, text });
  }
  hand.push(...handTrainingPasses());
  const handPerLabel = new Map<ScopeLabel, number>();
  for (const { label, text } of hand) {
    if (seen.has(text)) continue;
    seen.add(text);
    out.push({ text, label, source: 'hand', fold: foldOf(text, CV_FOLDS) });
    handPerLabel.set(label, (handPerLabel.get(label) ?? 0) + 1);
  }
  // Templates per label are capped at the label's hand-written count, shared out over its families in
  // proportion to their sizes (a family gives at most TEMPLATE_SCALE times its nominal count).
  const wanted = new Map<ScopeLabel, number>();
  for (const fam of SCOPE_TEMPLATE_FAMILIES) wanted.set(fam.label, (wanted.get(fam.label) ?? 0) + fam.count);
  for (const fam of SCOPE_TEMPLATE_FAMILIES) {
    const cap = handPerLabel.get(fam.label) ?? 0;
    const total = wanted.get(fam.label) ?? 1;
    const count = Math.min(fam.count * TEMPLATE_SCALE, Math.floor((fam.count * cap) / total));
    const rand = prng(fnv1a(fam.id));
    let n = 0;
    for (let tries = 0; n < count && tries < count * 20; tries++) {
      const { text, group } = fam.make(rand);
      if (seen.has(text)) continue;
      seen.add(text);
      out.push({ text, label: fam.label, source: 'template', group, fold: foldOf(group, CV_FOLDS) });
      n++;
    }
  }
  return out;
}

/** Reads the committed training corpus file. */
export function readScopeCorpus(): ScopeExample[] {
  return readFileSync(SCOPE_CORPUS_URL, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as ScopeExample);
}

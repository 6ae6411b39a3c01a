/**
 * The scope model: a multinomial logistic regression over {@link scopeFeatures}, trained by
 * scripts/train-scope.ts on the train part of corpus/scope.jsonl. Its weights are committed next to this
 * file (scope-model.json) and loaded synchronously at import.
 */
import { readFileSync } from 'node:fs';
import type { ScopeLabel } from './scope-rules.js';
import { scopeFeatures } from './scope-features.js';

/** The serialised model: per feature one weight per class, in `classes` order. */
export interface ScopeModelFile {
  version: 1;
  classes: ScopeLabel[];
  /** Stored weights and biases are integers: the real value times `scale`. */
  scale: number;
  bias: number[];
  /** Feature → weights per class (quantised; features absent from the map weigh nothing). */
  weights: Record<string, number[]>;
  trainedOn: { messages: number; features: number; epochs: number; l2: number };
}

export interface ScopeScores {
  /** Class probabilities, in `classes` order. */
  probs: number[];
  classes: readonly ScopeLabel[];
}

const MODEL_URL = new URL('./scope-model.json', import.meta.url);

function loadModel(): ScopeModelFile {
  return JSON.parse(readFileSync(MODEL_URL, 'utf8')) as ScopeModelFile;
}

let model: ScopeModelFile = loadModel();

/** The model in use. */
export function currentScopeModel(): ScopeModelFile {
  return model;
}

/** Replaces the loaded model (used by the training script to evaluate a freshly trained one). */
export function useScopeModel(next: ScopeModelFile): void {
  model = next;
}

/** L2 norm of a message's feature counts: long messages do not outweigh short ones. */
export function featureNorm(feats: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const f of feats) counts.set(f, (counts.get(f) ?? 0) + 1);
  let sq = 0;
  for (const c of counts.values()) sq += c * c;
  return Math.sqrt(sq) || 1;
}

/** Raw class scores (logits) of a message under a model. */
export function logits(m: ScopeModelFile, feats: readonly string[]): number[] {
  const z = new Array<number>(m.bias.length).fill(0);
  for (const f of feats) {
    const w = m.weights[f];
    if (!w) continue;
    for (let k = 0; k < z.length; k++) z[k] = (z[k] ?? 0) + (w[k] ?? 0);
  }
  const norm = featureNorm(feats);
  return z.map((v, k) => (v / norm + (m.bias[k] ?? 0)) / m.scale);
}

export function softmax(z: readonly number[]): number[] {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Probabilities of each label for a message under the committed model. */
export function scoreScope(text: string): ScopeScores {
  return { probs: softmax(logits(model, scopeFeatures(text))), classes: model.classes };
}

/**
 * Trains the scope model: a multinomial logistic regression over character n-grams (scope-features.ts),
 * by SGD with inverse-frequency class weights. Deterministic: fixed feature order, seeded shuffle.
 * Used by scripts/train-scope.ts (the committed model) and by the cross-validation of `npm run eval`.
 */
import { prng } from './corpus/corpus-tools.js';
import { scopeFeatures } from './scope-features.js';
import { featureNorm, type ScopeModelFile } from './scope-model.js';
import { SCOPE_LABELS, type ScopeLabel } from './scope-rules.js';

const EPOCHS = 40;
const L2 = 1e-4;
const LEARNING_RATE = 0.2;
const MIN_FEATURE_COUNT = 2;
const PRUNE_BELOW = 0.05;

export function trainScopeModel(examples: Array<{ text: string; label: ScopeLabel }>): ScopeModelFile {
  const classes = [...SCOPE_LABELS];
  const K = classes.length;
  const featLists = examples.map((e) => scopeFeatures(e.text));
  const counts = new Map<string, number>();
  for (const fs of featLists) for (const f of new Set(fs)) counts.set(f, (counts.get(f) ?? 0) + 1);
  const vocab = [...counts.entries()].filter(([, c]) => c >= MIN_FEATURE_COUNT).map(([f]) => f).sort();
  const index = new Map(vocab.map((f, i) => [f, i]));
  const W = new Float64Array(vocab.length * K);
  const b = new Float64Array(K);
  // Sparse (feature index, count) vectors, divided by the L2 norm of all the message's feature counts
  // (known or not), exactly as scope-model.ts does at inference.
  const xs = featLists.map((fs) => {
    const norm = featureNorm(fs);
    const m = new Map<number, number>();
    for (const f of fs) {
      const i = index.get(f);
      if (i !== undefined) m.set(i, (m.get(i) ?? 0) + 1);
    }
    return [...m.entries()].map(([i, v]) => [i, v / norm] as const);
  });
  const ys = examples.map((e) => classes.indexOf(e.label));
  // Class weights: inverse frequency, so small kinds (abuse, spam) are not drowned by suggestions.
  const freq = new Array<number>(K).fill(0);
  for (const y of ys) freq[y] = (freq[y] ?? 0) + 1;
  const cw = freq.map((f) => (f > 0 ? examples.length / (K * f) : 0));

  const rand = prng(20210616);
  const order = examples.map((_, i) => i);
  const z = new Float64Array(K);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const lr = LEARNING_RATE / (1 + epoch * 0.1);
    for (const n of order) {
      const x = xs[n]!;
      const y = ys[n]!;
      for (let k = 0; k < K; k++) z[k] = b[k]!;
      for (const [i, v] of x) for (let k = 0; k < K; k++) z[k]! += W[i * K + k]! * v;
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, z[k]!);
      let sum = 0;
      for (let k = 0; k < K; k++) sum += (z[k] = Math.exp(z[k]! - max));
      const w = cw[y]!;
      for (let k = 0; k < K; k++) {
        const g = (z[k]! / sum - (k === y ? 1 : 0)) * w;
        b[k]! -= lr * g * 0.1;
        for (const [i, v] of x) {
          const idx = i * K + k;
          W[idx] = W[idx]! - lr * (g * v + L2 * W[idx]!);
        }
      }
    }
  }
  const SCALE = 100;
  const round = (v: number) => Math.round(v * SCALE);
  const weights: Record<string, number[]> = {};
  for (let i = 0; i < vocab.length; i++) {
    const row = Array.from(W.subarray(i * K, i * K + K), round);
    if (row.some((v) => Math.abs(v) >= PRUNE_BELOW * SCALE)) weights[vocab[i]!] = row;
  }
  return {
    version: 1,
    classes,
    scale: SCALE,
    bias: Array.from(b, round),
    weights,
    trainedOn: { messages: examples.length, features: Object.keys(weights).length, epochs: EPOCHS, l2: L2 },
  };
}


/**
 * The turn recogniser: a multinomial logistic regression over character n-grams of the turn (its head and
 * tail, so a long run-on is read by how it starts and ends), its length and shape, and the step it was
 * typed at. It is trained on the `train` split of the labelled turn corpus when first used (a fraction of
 * a second, deterministic), so the model is always the corpus: a new kind of turn is taught by writing it
 * down in corpus/train.txt, not by adding a rule.
 */
import { loadTurnCorpus, type LabelledTurn, type TurnStep } from './turn-corpus.js';

/** Digits, Chinese numerals as digits, letters lower-cased, width folded. */
function fold(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Buckets of the turn's length in meaningful characters. */
function lengthBucket(n: number): string {
  if (n <= 2) return 'xs';
  if (n <= 5) return 's';
  if (n <= 10) return 'm';
  if (n <= 20) return 'l';
  if (n <= 40) return 'xl';
  return 'xxl';
}

/** How many characters of the head and tail of a turn its n-grams are read from. */
const HEAD = 18;
const TAIL = 10;

/** At most this many meaningful characters, a turn's words are also read together with the step. */
const SHORT_TURN = 6;

/** The features of a turn typed at `step` (`null`: a reading where the step is no feature, as for FAQ entries). */
export function turnFeatures(text: string, step: string | null): string[] {
  const t = fold(text);
  const chars = [...t.replace(/\d/g, '0').replace(/[a-z]+/g, 'a')];
  const meaningful = [...t.replace(/[\s\p{P}\p{S}]/gu, '')].length;
  const feats = new Set<string>();
  const add = (f: string) => feats.add(f);
  const grams = (cs: string[], tag: string) => {
    const s = ['^', ...cs, '$'];
    for (let i = 0; i < s.length; i++) {
      add(`${tag}1:${s[i]}`);
      if (i + 1 < s.length) add(`${tag}2:${s[i]}${s[i + 1]}`);
      if (i + 2 < s.length) add(`${tag}3:${s[i]}${s[i + 1]}${s[i + 2]}`);
    }
  };
  if (chars.length <= HEAD + TAIL) grams(chars, 'g');
  else {
    grams(chars.slice(0, HEAD), 'g');
    grams(chars.slice(-TAIL), 'g');
  }
  const len = lengthBucket(meaningful);
  const digits = (t.match(/\d/g) ?? []).length;
  const shape = [
    digits >= 7 ? 'phone-like' : digits > 0 ? 'some-digits' : 'no-digits',
    /[?？吗么呢嘛不没]$/.test(t.replace(/[哦啊呀哈。.!！\s]+$/, '')) ? 'q-end' : 'no-q-end',
    /[?？]/.test(t) ? 'qmark' : 'no-qmark',
    /[a-z]/.test(t) && !/\p{Script=Han}/u.test(t) ? 'latin' : 'han',
  ];
  // A short reply means different things at different steps (好的 is a yes at the review, an aside where a
  // proposal is written; 无 is an answer to the feasibility, filler elsewhere): its words are also read per step.
  if (step !== null && meaningful <= SHORT_TURN) {
    const bare = chars.filter((c) => /[\p{L}\p{N}]/u.test(c));
    add(`step:${step}|whole:${bare.join('')}`);
    for (let i = 0; i + 1 < bare.length; i++) add(`step:${step}|g2:${bare[i]}${bare[i + 1]}`);
    for (const c of bare) add(`step:${step}|g1:${c}`);
  }
  add('bias');
  add(`len:${len}`);
  if (step !== null) add(`step:${step}`);
  if (step !== null) add(`step:${step}|len:${len}`);
  for (const sh of shape) {
    add(`shape:${sh}`);
    if (step !== null) add(`step:${step}|${sh}`);
  }
  return [...feats];
}

export interface TurnModel {
  classes: string[];
  weights: Map<string, Float64Array>;
}

/** The label a turn is trained on: the kind, with the command, `done` and `unknown` told apart (questions are not). */
export function fineLabel(t: Pick<LabelledTurn, 'kind' | 'sub'>): string {
  if (t.kind === 'command') return `command:${t.sub ?? 'other'}`;
  if (t.kind === 'aside' && (t.sub === 'done' || t.sub === 'unknown')) return `aside:${t.sub}`;
  return t.kind;
}

/** A small deterministic generator for the training order. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

export interface TrainOptions {
  epochs?: number;
  rate?: number;
  l2?: number;
}

/** Trains the recogniser on labelled turns (SGD on the softmax loss, L2-regularised). */
export function trainTurnModel(
  turns: readonly (Pick<LabelledTurn, 'kind' | 'sub' | 'text'> & { step: TurnStep | null })[],
  opts: TrainOptions = {},
  labelOf: (t: Pick<LabelledTurn, 'kind' | 'sub'>) => string = fineLabel,
): TurnModel {
  const epochs = opts.epochs ?? 30;
  const rate = opts.rate ?? 1;
  const l2 = opts.l2 ?? 1e-5;
  const classes = [...new Set(turns.map(labelOf))].sort();
  const k = classes.length;
  const data = turns.map((t) => ({ f: turnFeatures(t.text, t.step), y: classes.indexOf(labelOf(t)) }));
  const weights = new Map<string, Float64Array>();
  const w = (f: string) => {
    let v = weights.get(f);
    if (!v) weights.set(f, (v = new Float64Array(k)));
    return v;
  };
  const order = data.map((_, i) => i);
  const rnd = lcg(14);
  for (let e = 0; e < epochs; e++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const lr = rate / (1 + e * 0.2);
    for (const idx of order) {
      const { f, y } = data[idx]!;
      const p = probabilities({ classes, weights }, f);
      const scale = 1 / Math.sqrt(f.length);
      for (const feat of f) {
        const v = w(feat);
        for (let c = 0; c < k; c++) {
          const g = (p[c]! - (c === y ? 1 : 0)) * scale;
          v[c] = v[c]! - lr * (g + l2 * v[c]!);
        }
      }
    }
  }
  return { classes, weights };
}

/** Class probabilities of a turn's features, in `model.classes` order. */
export function probabilities(model: TurnModel, feats: readonly string[]): number[] {
  const k = model.classes.length;
  const z = new Array<number>(k).fill(0);
  const scale = 1 / Math.sqrt(feats.length || 1);
  for (const f of feats) {
    const v = model.weights.get(f);
    if (!v) continue;
    for (let c = 0; c < k; c++) z[c]! += v[c]! * scale;
  }
  const max = Math.max(...z);
  const e = z.map((x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

export interface TurnScore {
  label: string;
  confidence: number;
}

let trained: TurnModel | undefined;

/** The recogniser trained on the corpus's train split (trained once, on first use). */
export function turnModel(): TurnModel {
  trained ??= trainTurnModel(loadTurnCorpus('train'));
  return trained;
}

/**
 * The most likely fine label of a turn typed at `step`, with its probability. `answerMin`: an answer must
 * be at least this likely, else the most likely other reading wins (a doubtful turn is asked about again
 * rather than stored).
 */
export function classifyTurn(text: string, step: TurnStep | null, model: TurnModel = turnModel(), answerMin = 0): TurnScore {
  const p = probabilities(model, turnFeatures(text, step));
  let best = 0;
  for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
  if (model.classes[best] === 'answer' && p[best]! < answerMin) {
    let other = -1;
    for (let c = 0; c < p.length; c++) if (model.classes[c] !== 'answer' && (other < 0 || p[c]! > p[other]!)) other = c;
    if (other >= 0) best = other;
  }
  return { label: model.classes[best]!, confidence: p[best]! };
}

/**
 * Helpers for the labelled corpora: a seeded PRNG for template slot filling, and the fixed train /
 * held-out split (a hash of a key, so figures are reproducible and a message never changes side).
 */

/** FNV-1a 32-bit hash of a string. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Mulberry32: a small deterministic PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `train`: everything tuning and training may look at (cross-validated by {@link foldOf});
 * `test`: the frozen test split in corpus/test/, written in a separate pass before any tuning.
 */
export type Split = 'train' | 'test';

/** The cross-validation fold (0 … k-1) of a key: a hand-written text, or a template's phrasing group. */
export function foldOf(key: string, k: number): number {
  return fnv1a(`fold:${key}`) % k;
}

/**
 * Parses a labelled text file: a line `[label]` starts a section, `#` lines are comments, every other
 * non-empty line is one example of the current section's label.
 */
export function parseLabelled(text: string): Array<{ label: string; text: string }> {
  const out: Array<{ label: string; text: string }> = [];
  let label: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const head = /^\[([a-z_]+)\]$/.exec(line);
    if (head) {
      label = head[1];
      continue;
    }
    if (!label) throw new Error(`example before any [label]: ${line}`);
    out.push({ label, text: line });
  }
  return out;
}

export function pick<T>(rand: () => number, xs: readonly T[]): T {
  const x = xs[Math.floor(rand() * xs.length)];
  if (x === undefined) throw new Error('pick from empty list');
  return x;
}

/** Light noise citizens add: a trailing emoji, doubled punctuation, a missing full stop. */
export function roughen(rand: () => number, text: string): string {
  const r = rand();
  if (r < 0.08) return text + pick(rand, ['🙏', '👍', '😊', '！！', '。。。', '～']);
  if (r < 0.16) return text.replace(/[。！]$/u, '');
  if (r < 0.2) return text.replace(/，/gu, ',');
  if (r < 0.23) return text.replace(/。/gu, ' ');
  return text;
}

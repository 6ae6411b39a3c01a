/**
 * The labelled scope corpus: hand-written messages plus template families, with a fixed split.
 * scripts/build-corpus.ts writes it to corpus/scope.jsonl, which training and evaluation read.
 */
import { readFileSync } from 'node:fs';
import type { ScopeLabel } from '../scope-rules.js';
import { fnv1a, prng, splitOf, type Split } from './corpus-tools.js';
import { HAND_WRITTEN } from './scope-hand.js';
import { SCOPE_TEMPLATE_FAMILIES } from './scope-templates.js';

export interface ScopeExample {
  text: string;
  label: ScopeLabel;
  split: Split;
  source: 'hand' | 'template';
}

export const SCOPE_CORPUS_URL = new URL('./scope.jsonl', import.meta.url);

/** Builds the corpus deterministically (same output on every run). */
export function buildScopeCorpus(): ScopeExample[] {
  const seen = new Set<string>();
  const out: ScopeExample[] = [];
  for (const [label, texts] of Object.entries(HAND_WRITTEN) as Array<[ScopeLabel, string[]]>) {
    for (const text of texts) {
      if (seen.has(text)) continue;
      seen.add(text);
      out.push({ text, label, split: splitOf(text), source: 'hand' });
    }
  }
  for (const fam of SCOPE_TEMPLATE_FAMILIES) {
    const rand = prng(fnv1a(fam.id));
    let made = 0;
    for (let tries = 0; made < fam.count && tries < fam.count * 20; tries++) {
      const { text, splitKey } = fam.make(rand);
      if (seen.has(text)) continue;
      seen.add(text);
      out.push({ text, label: fam.label, split: splitOf(splitKey), source: 'template' });
      made++;
    }
  }
  return out;
}

/** Reads the committed corpus file. */
export function readScopeCorpus(): ScopeExample[] {
  return readFileSync(SCOPE_CORPUS_URL, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as ScopeExample);
}

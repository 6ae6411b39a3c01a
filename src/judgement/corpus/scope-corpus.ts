/**
 * The labelled scope corpus: hand-written messages plus template families, with a fixed split.
 * scripts/build-corpus.ts writes it to corpus/scope.jsonl, which training and evaluation read.
 *
 * The split is meant to be honest: a hand-written message goes to either side by a seeded hash of its
 * text; a template's phrasing group (one sentence pattern with its slot fillings) goes wholly to one side,
 * chosen per label by the same seeded hash, so held-out templates are patterns the model never saw.
 */
import { readFileSync } from 'node:fs';
import type { ScopeLabel } from '../scope-rules.js';
import { fnv1a, prng, splitOf, type Split } from './corpus-tools.js';
import { HAND_WRITTEN } from './scope-hand.js';
import { HAND_WRITTEN_HARD } from './scope-hand-hard.js';
import { SCOPE_TEMPLATE_FAMILIES } from './scope-templates.js';

export interface ScopeExample {
  text: string;
  label: ScopeLabel;
  split: Split;
  source: 'hand' | 'template';
  /** A template's phrasing group: every message of a group is on the same side of the split. */
  group?: string;
}

export const SCOPE_CORPUS_URL = new URL('./scope.jsonl', import.meta.url);

/** Builds the corpus deterministically (same output on every run). */
export function buildScopeCorpus(): ScopeExample[] {
  const seen = new Set<string>();
  const out: ScopeExample[] = [];
  for (const hand of [HAND_WRITTEN, HAND_WRITTEN_HARD]) {
    for (const [label, texts] of Object.entries(hand) as Array<[ScopeLabel, string[]]>) {
      for (const text of texts) {
        if (seen.has(text)) continue;
        seen.add(text);
        out.push({ text, label, split: splitOf(text), source: 'hand' });
      }
    }
  }
  const made: Array<{ text: string; label: ScopeLabel; group: string }> = [];
  for (const fam of SCOPE_TEMPLATE_FAMILIES) {
    const rand = prng(fnv1a(fam.id));
    let n = 0;
    for (let tries = 0; n < fam.count && tries < fam.count * 20; tries++) {
      const { text, group } = fam.make(rand);
      if (seen.has(text)) continue;
      seen.add(text);
      made.push({ text, label: fam.label, group });
      n++;
    }
  }
  const heldOutGroups = heldOutPhrasingGroups(made);
  for (const m of made) {
    out.push({ text: m.text, label: m.label, split: heldOutGroups.has(m.group) ? 'heldout' : 'train', source: 'template', group: m.group });
  }
  return out;
}

/**
 * Per label, about a quarter of the template phrasing groups (at least one when a label has two or more),
 * chosen by a seeded hash of the group key: the same groups on every run.
 */
function heldOutPhrasingGroups(made: ReadonlyArray<{ label: ScopeLabel; group: string }>): Set<string> {
  const byLabel = new Map<ScopeLabel, Set<string>>();
  for (const m of made) {
    const groups = byLabel.get(m.label) ?? new Set<string>();
    groups.add(m.group);
    byLabel.set(m.label, groups);
  }
  const held = new Set<string>();
  for (const groups of byLabel.values()) {
    if (groups.size < 2) continue;
    const ordered = [...groups].sort((a, b) => fnv1a(`group:${a}`) - fnv1a(`group:${b}`) || a.localeCompare(b));
    for (const g of ordered.slice(0, Math.max(1, Math.round(groups.size / 4)))) held.add(g);
  }
  return held;
}

/** Reads the committed corpus file. */
export function readScopeCorpus(): ScopeExample[] {
  return readFileSync(SCOPE_CORPUS_URL, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as ScopeExample);
}

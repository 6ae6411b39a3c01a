/**
 * Writes the labelled training corpora (src/judgement/corpus/*.jsonl) from their hand-written and template
 * sources. Deterministic: running it twice gives the same files. The frozen test split (corpus/test/) is
 * read only to keep its texts out of training.  Usage: npx tsx scripts/build-corpus.ts
 */
import { writeFileSync } from 'node:fs';
import { buildQualityCorpus, QUALITY_CORPUS_URL } from '../src/judgement/corpus/quality-corpus.js';
import { buildScopeCorpus, SCOPE_CORPUS_URL } from '../src/judgement/corpus/scope-corpus.js';

const scope = buildScopeCorpus();
writeFileSync(SCOPE_CORPUS_URL, scope.map((e) => JSON.stringify(e)).join('\n') + '\n');
const counts = new Map<string, { hand: number; template: number }>();
for (const e of scope) {
  const c = counts.get(e.label) ?? { hand: 0, template: 0 };
  c[e.source]++;
  counts.set(e.label, c);
}
console.log(`scope training corpus: ${scope.length} first messages`);
for (const [label, c] of counts) console.log(`  ${label.padEnd(12)} hand ${c.hand}  template ${c.template}`);

const quality = buildQualityCorpus();
writeFileSync(QUALITY_CORPUS_URL, quality.map((e) => JSON.stringify(e)).join('\n') + '\n');
const qc = new Map<string, { hand: number; template: number }>();
for (const e of quality) {
  const c = qc.get(e.label) ?? { hand: 0, template: 0 };
  c[e.source]++;
  qc.set(e.label, c);
}
console.log(`quality training corpus: ${quality.length} proposals`);
for (const [label, c] of qc) console.log(`  ${label.padEnd(16)} hand ${c.hand}  template ${c.template}`);

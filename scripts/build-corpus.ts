/**
 * Writes the labelled corpora (src/judgement/corpus/*.jsonl) from their hand-written and template
 * sources. Deterministic: running it twice gives the same files.  Usage: npx tsx scripts/build-corpus.ts
 */
import { writeFileSync } from 'node:fs';
import { buildQualityCorpus, QUALITY_CORPUS_URL } from '../src/judgement/corpus/quality-corpus.js';
import { buildScopeCorpus, SCOPE_CORPUS_URL } from '../src/judgement/corpus/scope-corpus.js';

const scope = buildScopeCorpus();
writeFileSync(SCOPE_CORPUS_URL, scope.map((e) => JSON.stringify(e)).join('\n') + '\n');
const counts = new Map<string, { train: number; heldout: number }>();
for (const e of scope) {
  const c = counts.get(e.label) ?? { train: 0, heldout: 0 };
  c[e.split]++;
  counts.set(e.label, c);
}
console.log(`scope corpus: ${scope.length} messages`);
for (const [label, c] of counts) console.log(`  ${label.padEnd(12)} train ${c.train}  held-out ${c.heldout}`);

const quality = buildQualityCorpus();
writeFileSync(QUALITY_CORPUS_URL, quality.map((e) => JSON.stringify(e)).join('\n') + '\n');
console.log(`quality corpus: ${quality.length} proposals (${quality.filter((e) => e.split === 'heldout').length} held out)`);

/**
 * Benchmark of the similar-suggestions index: query time with 1,000 and 100,000 stored suggestions
 * (synthetic ones built from the corpus' matters, places and extra detail), against a brute-force scan of
 * the same store as the baseline. Run alone with `npx tsx bench/similarity.bench.ts [--quick]`.
 */
import { performance } from 'node:perf_hooks';
import { fnv1a, pick, prng } from '../src/judgement/corpus/corpus-tools.js';
import { fillPlaces, MATTERS } from '../src/judgement/corpus/scope-templates.js';
import { createSimilarityIndex, type SimilarityEntry } from '../src/judgement/similarity-index.js';
import type { SuggestionStatus } from '../src/domain/suggestion-types.js';

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
}

const STATUSES: SuggestionStatus[] = ['submitted', 'assigned', 'accepted', 'answered', 'evaluated', 'closed'];
const EXTRAS = [
  '这个问题群众反映很多年了。',
  '具体可以由相关部门先试点再推广。',
  '资金可以申请上级专项，也可以引入社会资本。',
  '我在这里住了二十年，深有体会。',
  '周边几个小区的居民都有这个想法。',
  '外地已经有成功经验，比如成都的做法就值得借鉴。',
  '希望尽快研究落实。',
  '可以先做一个调查，听听群众意见。',
  '建议明确牵头部门和完成时限。',
  '这样做花钱不多，但效果会很好。',
];
const OPENERS = ['', '我是一名退休教师。', '我是外卖骑手，每天在城里跑。', '作为一名个体户，', '我们村的情况是这样的：', '我观察了很久，'];

/** A realistic synthetic suggestion, deterministic per seed. */
export function syntheticSuggestion(i: number): SimilarityEntry {
  const rand = prng(fnv1a(`synthetic:${i}`));
  const m = pick(rand, MATTERS);
  const extra = [pick(rand, EXTRAS), rand() < 0.5 ? pick(rand, EXTRAS) : ''].join('');
  return {
    reference: `WZ2021-${String(i + 1).padStart(6, '0')}`,
    title: fillPlaces(rand, `关于${m.purpose}的建议`),
    proposal: fillPlaces(rand, `${pick(rand, OPENERS)}${m.problem}。建议${m.measure}，${m.purpose}。${extra}`),
    status: pick(rand, STATUSES),
  };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length - 1) * p))] ?? 0;
}

/** Brute force: exact cosine over every stored suggestion (the baseline the index must beat). */
function bruteForce(entries: SimilarityEntry[], q: { title: string; proposal: string }): number {
  const vec = (t: string, p: string) => {
    const m = new Map<string, number>();
    for (const [s, w] of [[t, 2], [p, 1]] as const) {
      const chars = [...s.replace(/[^\p{Script=Han}a-z0-9]/gu, '')];
      for (let i = 0; i + 1 < chars.length; i++) m.set(chars[i]! + chars[i + 1]!, (m.get(chars[i]! + chars[i + 1]!) ?? 0) + w);
    }
    return m;
  };
  const qv = vec(q.title, q.proposal);
  let best = 0;
  for (const e of entries) {
    const dv = vec(e.title, e.proposal);
    let dot = 0, dn = 0, qn = 0;
    for (const [g, w] of dv) {
      dn += w * w;
      dot += w * (qv.get(g) ?? 0);
    }
    for (const w of qv.values()) qn += w * w;
    best = Math.max(best, dot / Math.sqrt(dn * qn));
  }
  return best;
}

/**
 * Builds an index of 1,000 and of 100,000 synthetic suggestions and times queries (a citizen's new
 * suggestion on a known matter, reworded). `quick` runs fewer queries.
 */
export async function runSimilarityBench({ quick = false }: { quick?: boolean } = {}): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const queries = quick ? 30 : 200;
  const baselineQueries = quick ? 3 : 10;
  for (const size of [1_000, 100_000]) {
    const entries = Array.from({ length: size }, (_, i) => syntheticSuggestion(i));
    const index = createSimilarityIndex();
    const t0 = performance.now();
    for (const e of entries) index.add(e);
    const buildMs = performance.now() - t0;
    const qs = Array.from({ length: queries }, (_, i) => {
      const base = syntheticSuggestion(size + 1_000_000 + i);
      return { title: base.title.replace('关于', '建议').replace('的建议', ''), proposal: base.proposal };
    });
    index.query(qs[0]!); // warm-up
    const times: number[] = [];
    let found = 0;
    for (const q of qs) {
      const s = performance.now();
      if (index.query(q).length > 0) found++;
      times.push(performance.now() - s);
    }
    const bt: number[] = [];
    for (const q of qs.slice(0, baselineQueries)) {
      const s = performance.now();
      bruteForce(entries, q);
      bt.push(performance.now() - s);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const label = size.toLocaleString('en-US');
    figures.push({
      name: `similarity query mean @ ${label} stored`,
      value: round(mean(times)),
      unit: 'ms',
      baseline: { name: 'brute-force scan', value: round(mean(bt)) },
    });
    figures.push({ name: `similarity query p95 @ ${label} stored`, value: round(percentile(times, 0.95)), unit: 'ms' });
    figures.push({ name: `similarity index build @ ${label} stored`, value: round(buildMs), unit: 'ms' });
    figures.push({ name: `similarity queries with a match @ ${label} stored`, value: round(found / qs.length), unit: 'share' });
  }
  return figures;
}

const round = (v: number) => Math.round(v * 1000) / 1000;

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of await runSimilarityBench({ quick: process.argv.includes('--quick') })) {
    console.log(`${f.name.padEnd(48)} ${String(f.value).padStart(10)} ${f.unit}${f.baseline ? `   (baseline ${f.baseline.name}: ${f.baseline.value} ${f.unit})` : ''}`);
  }
}

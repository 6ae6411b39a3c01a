/**
 * An in-memory index of stored suggestions for "similar suggestions already exist" before a citizen
 * confirms. Title and proposal become character bigrams (the title counted twice), weighted by TF-IDF;
 * a query gathers candidates through an inverted index (skipping bigrams too common to discriminate),
 * then ranks them by exact cosine similarity under the current IDF. Kept up to date by add / update /
 * remove as suggestions are stored, changed or withdrawn.
 */
import type { SuggestionStatus } from '../domain/suggestion-types.js';

export interface SimilarityEntry {
  reference: string;
  title: string;
  proposal: string;
  status: SuggestionStatus;
}

export interface SimilarMatch {
  reference: string;
  title: string;
  status: SuggestionStatus;
  /** Cosine similarity in [0, 1], rounded to 3 decimals. */
  score: number;
}

export interface SimilarityQuery {
  title: string;
  proposal: string;
  /** A reference to leave out (the suggestion itself, when re-checking a stored one). */
  excludeReference?: string;
}

export interface SimilarityIndex {
  /** Adds a suggestion; adding a reference that is already indexed replaces it. */
  add(entry: SimilarityEntry): void;
  /** Replaces an indexed suggestion (text and/or status); adds it when absent. */
  update(entry: SimilarityEntry): void;
  /** Removes a suggestion; false when it was not indexed. */
  remove(reference: string): boolean;
  /** Up to `k` (default 3) indexed suggestions at or above the threshold, most similar first. */
  query(q: SimilarityQuery, k?: number): SimilarMatch[];
  readonly size: number;
}

export interface SimilarityOptions {
  /** Minimum cosine similarity to report (default 0.3: same matter, different wording). */
  threshold?: number;
  /** Candidates re-ranked exactly per query (default 64). */
  candidates?: number;
  /** Bigrams in more than this share of suggestions do not gather candidates (default 0.05). */
  maxDocShare?: number;
}

interface Doc {
  entry: SimilarityEntry;
  terms: Uint32Array;
  tfs: Uint16Array;
}

/** Han characters, letters and digits only; everything else separates. */
function tokens(text: string): string[] {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{Script=Han}a-z0-9]+/u)
    .filter((s) => s.length > 0);
}

/** Character bigrams of each run (a one-character run counts as itself). */
function bigrams(text: string, out: Map<string, number>, weight: number): void {
  for (const run of tokens(text)) {
    const chars = [...run];
    if (chars.length === 1) out.set(run, (out.get(run) ?? 0) + weight);
    for (let i = 0; i + 1 < chars.length; i++) {
      const g = chars[i]! + chars[i + 1]!;
      out.set(g, (out.get(g) ?? 0) + weight);
    }
  }
}

/** Bigram counts of a suggestion: the title counts twice, it names the matter. */
function termCounts(title: string, proposal: string): Map<string, number> {
  const m = new Map<string, number>();
  bigrams(title, m, 2);
  bigrams(proposal, m, 1);
  return m;
}

/** The `n` slots with the highest scores, best first (threshold selection, then a small sort). */
function topSlots(slots: number[], scores: Float64Array, n: number): number[] {
  if (slots.length <= n) return slots.slice().sort((a, b) => scores[b]! - scores[a]!);
  const sample = slots.map((s) => scores[s]!).sort((a, b) => b - a);
  const cut = sample[n - 1]!;
  const top = slots.filter((s) => scores[s]! >= cut);
  return top.sort((a, b) => scores[b]! - scores[a]!).slice(0, n);
}

/**
 * Creates an empty similarity index.
 *
 * @example
 * const index = createSimilarityIndex();
 * index.add({ reference: 'WZ2021-000001', title: '五桥增设公交线路', proposal: '…', status: 'submitted' });
 * index.query({ title: '建议五桥多开公交', proposal: '…' }); // [{ reference: 'WZ2021-000001', score: 0.52, … }]
 */
export function createSimilarityIndex(opts: SimilarityOptions = {}): SimilarityIndex {
  const threshold = opts.threshold ?? 0.3;
  const maxCandidates = opts.candidates ?? 64;
  const maxDocShare = opts.maxDocShare ?? 0.05;

  const termIds = new Map<string, number>();
  const df: number[] = [];
  /** Posting lists of internal doc slots; removed slots are skipped and swept out lazily. */
  const postings: number[][] = [];
  const docs: Array<Doc | undefined> = [];
  const slotOf = new Map<string, number>();
  let dead = 0;
  /** Reusable score accumulator indexed by slot (zeroed after each query). */
  let acc = new Float64Array(1024);

  const idf = (t: number) => Math.log(1 + slotOf.size / Math.max(1, df[t] ?? 0));

  function termId(term: string, create: boolean): number | undefined {
    let id = termIds.get(term);
    if (id === undefined && create) {
      id = df.length;
      termIds.set(term, id);
      df.push(0);
      postings.push([]);
    }
    return id;
  }

  function remove(reference: string): boolean {
    const slot = slotOf.get(reference);
    if (slot === undefined) return false;
    const doc = docs[slot]!;
    for (const t of doc.terms) df[t] = (df[t] ?? 1) - 1;
    docs[slot] = undefined;
    slotOf.delete(reference);
    dead++;
    if (dead > 1000 && dead > slotOf.size) sweep();
    return true;
  }

  /** Drops removed slots from every posting list (amortised: only after many removals). */
  function sweep(): void {
    for (let t = 0; t < postings.length; t++) postings[t] = postings[t]!.filter((s) => docs[s] !== undefined);
    dead = 0;
  }

  function add(entry: SimilarityEntry): void {
    const existing = slotOf.get(entry.reference);
    if (existing !== undefined) {
      const doc = docs[existing]!;
      if (doc.entry.title === entry.title && doc.entry.proposal === entry.proposal) {
        doc.entry = { ...entry };
        return;
      }
      remove(entry.reference);
    }
    const counts = termCounts(entry.title, entry.proposal);
    const terms = new Uint32Array(counts.size);
    const tfs = new Uint16Array(counts.size);
    const slot = docs.length;
    let i = 0;
    for (const [term, c] of counts) {
      const t = termId(term, true)!;
      terms[i] = t;
      tfs[i] = Math.min(c, 65535);
      df[t] = (df[t] ?? 0) + 1;
      postings[t]!.push(slot);
      i++;
    }
    docs.push({ entry: { ...entry }, terms, tfs });
    slotOf.set(entry.reference, slot);
  }

  /** TF-IDF weight of a term count (sublinear tf). */
  const weight = (tf: number, t: number) => (1 + Math.log(tf)) * idf(t);

  function query(q: SimilarityQuery, k = 3): SimilarMatch[] {
    if (slotOf.size === 0 || k <= 0) return [];
    const qv = new Map<number, number>();
    let qNorm = 0;
    for (const [term, c] of termCounts(q.title, q.proposal)) {
      const t = termId(term, false);
      if (t === undefined || (df[t] ?? 0) === 0) continue;
      const w = weight(c, t);
      qv.set(t, w);
      qNorm += w * w;
    }
    if (qv.size === 0) return [];
    qNorm = Math.sqrt(qNorm);

    // Candidate generation: partial dot products over the discriminating bigrams only.
    const maxDf = Math.max(50, Math.floor(slotOf.size * maxDocShare));
    if (acc.length < docs.length) acc = new Float64Array(Math.max(docs.length, acc.length * 2));
    const touched: number[] = [];
    for (const [t, w] of qv) {
      if ((df[t] ?? 0) > maxDf) continue;
      const w2 = w * idf(t);
      for (const slot of postings[t]!) {
        if (docs[slot] === undefined) continue;
        if (acc[slot] === 0) touched.push(slot);
        acc[slot]! += w2;
      }
    }
    // Top candidates by partial score: a bounded selection, not a sort of every touched slot.
    const shortlist = topSlots(touched, acc, maxCandidates);
    for (const slot of touched) acc[slot] = 0;

    // Exact cosine under the current IDF for the shortlist.
    const scored: SimilarMatch[] = [];
    for (const slot of shortlist) {
      const doc = docs[slot]!;
      if (doc.entry.reference === q.excludeReference) continue;
      let dot = 0;
      let dNorm = 0;
      for (let i = 0; i < doc.terms.length; i++) {
        const t = doc.terms[i]!;
        const w = weight(doc.tfs[i]!, t);
        dNorm += w * w;
        const qw = qv.get(t);
        if (qw !== undefined) dot += qw * w;
      }
      const score = dNorm === 0 ? 0 : dot / (qNorm * Math.sqrt(dNorm));
      if (score >= threshold) {
        const { reference, title, status } = doc.entry;
        scored.push({ reference, title, status, score: Math.round(score * 1000) / 1000 });
      }
    }
    scored.sort((a, b) => b.score - a.score || a.reference.localeCompare(b.reference));
    return scored.slice(0, k);
  }

  return {
    add,
    update: add,
    remove,
    query,
    get size() {
      return slotOf.size;
    },
  };
}

/**
 * Similar suggestions (issue 7): keeps a TF-IDF similarity index (src/judgement/similarity-index.ts) of
 * every stored suggestion up to date, answers the conversation's "similar suggestions before confirming"
 * lookup, and records on each new suggestion the earlier ones it resembles (`similarTo`), which the office
 * sees in GET /api/suggestions/:reference.
 *
 * Keeping up to date: `load()` reads every suggestion from MongoDB at start; `learn()` adds each one
 * this process stores right after it is stored (src/handling/submission.ts); `refresh()` (or `startRefresh(ms)`) picks up what changed
 * since the last read by `updatedAt` — status changes, and suggestions stored by other workers.
 * Withdrawn suggestions are left out of the index.
 *
 * @example
 *   const similar = createSimilarSuggestions({ models, logger });
 *   await similar.load();
 *   const stopRefresh = similar.startRefresh(60_000);
 *   const similarTo = similar.linksFor(draft);                   // stored with the new suggestion
 *   similar.learn(reference, draft);                              // once it is stored
 */
import { createSimilarityIndex, type SimilarMatch, type SimilarityOptions } from '../judgement/similarity-index.js';
import type { Logger } from '../infra/logger.js';
import type { SuggestionModels } from './suggestion-model.js';
import type { SuggestionStatus, SuggestionSubmission } from '../domain/suggestion-types.js';

/** One stored link from a suggestion to an earlier similar one. */
export interface SimilarLink {
  reference: string;
  score: number;
}

export interface SimilarSuggestions {
  /** Rebuilds the index from every stored suggestion. Call once at start, before serving. */
  load(): Promise<void>;
  /** Reads the suggestions changed since the last load or refresh; returns how many it read. */
  refresh(): Promise<number>;
  /** Runs `refresh` every `everyMs` until the returned function is called. */
  startRefresh(everyMs: number): () => void;
  /** Up to `k` (default 3) indexed suggestions like the draft, most similar first. */
  query(draft: { title: string; proposal: string; excludeReference?: string }, k?: number): SimilarMatch[];
  /** The stored suggestions most like a new one (not yet in the index), to store as its `similarTo`. */
  linksFor(input: Pick<SuggestionSubmission, 'title' | 'proposal'>): SimilarLink[];
  /** Indexes a suggestion this process has just stored. */
  learn(reference: string, input: Pick<SuggestionSubmission, 'title' | 'proposal'>): void;
  /** Suggestions in the index. */
  readonly size: number;
}

export interface SimilarSuggestionsDeps {
  models: Pick<SuggestionModels, 'Suggestion'>;
  logger: Pick<Logger, 'warn' | 'info'>;
  /** Index options (threshold 0.3 by default). */
  index?: SimilarityOptions;
  /** Links stored per new suggestion (default 3). */
  maxLinks?: number;
}

interface IndexedFields {
  reference: string;
  title: string;
  proposal: string;
  status: SuggestionStatus;
  updatedAt?: Date;
}

const FIELDS = { reference: 1, title: 1, proposal: 1, status: 1, updatedAt: 1 } as const;

export function createSimilarSuggestions(deps: SimilarSuggestionsDeps): SimilarSuggestions {
  const { Suggestion } = deps.models;
  const maxLinks = deps.maxLinks ?? 3;
  let index = createSimilarityIndex(deps.index);
  /** The latest `updatedAt` read; the next refresh reads from there (inclusive: re-reading is harmless). */
  let watermark: Date | undefined;

  function apply(doc: IndexedFields): void {
    if (doc.status === 'withdrawn') index.remove(doc.reference);
    else index.update({ reference: doc.reference, title: doc.title, proposal: doc.proposal, status: doc.status });
    if (doc.updatedAt && (!watermark || doc.updatedAt > watermark)) watermark = doc.updatedAt;
  }

  async function readSince(since: Date | undefined): Promise<number> {
    const filter = since ? { updatedAt: { $gte: since } } : {};
    let n = 0;
    for await (const doc of Suggestion.find(filter, FIELDS).sort({ updatedAt: 1 }).lean().cursor()) {
      apply(doc as unknown as IndexedFields);
      n++;
    }
    return n;
  }

  function query(draft: { title: string; proposal: string; excludeReference?: string }, k = 3): SimilarMatch[] {
    return index.query(draft, k);
  }

  /** Links to the stored suggestions most like `input` (the new one is not in the index yet). */
  const linksFor = (input: Pick<SuggestionSubmission, 'title' | 'proposal'>): SimilarLink[] =>
    query({ title: input.title, proposal: input.proposal }, maxLinks).map((m) => ({ reference: m.reference, score: m.score }));

  return {
    async load() {
      index = createSimilarityIndex(deps.index);
      watermark = undefined;
      const n = await readSince(undefined);
      deps.logger.info({ suggestions: n }, 'similarity index loaded');
    },
    refresh: () => readSince(watermark),
    startRefresh(everyMs) {
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        readSince(watermark)
          .catch((err: unknown) => deps.logger.warn({ err }, 'similarity index refresh failed'))
          .finally(() => (running = false));
      }, everyMs);
      timer.unref();
      return () => clearInterval(timer);
    },
    query,
    linksFor,
    learn(reference, input) {
      index.update({ reference, title: input.title, proposal: input.proposal, status: 'submitted' });
    },
    get size() {
      return index.size;
    },
  };
}

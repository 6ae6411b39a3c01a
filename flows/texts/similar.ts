/** Replies about similar suggestions shown with the summary before the citizen confirms (issue 7). */
import type { SuggestionStatus } from '../../src/domain/suggestion-types.js';

/** A stored suggestion like the draft, as the citizen sees it. */
export interface SimilarSuggestionView {
  reference: string;
  title: string;
  status: SuggestionStatus;
}

export const similarTexts = {
  /**
   * Only that similar suggestions exist and how many: another citizen's reference, title and progress are
   * theirs, not shown to whoever writes something alike (issue 17).
   * e.g. 已有2条相似的建议。\n您仍可确认提交…
   */
  found: (matches: readonly SimilarSuggestionView[]) =>
    [
      `已有${matches.length}条相似的建议。`,
      '您仍可确认提交；如果您的建议有不同之处，也可以回复“修改”补充后再提交。',
    ].join('\n'),
} as const;

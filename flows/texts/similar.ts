/** Replies about similar suggestions shown with the summary before the citizen confirms (issue 7). */
import type { SuggestionStatus } from '../../src/domain/suggestion-types.js';
import { statusNames } from './system.js';

/** A stored suggestion like the draft, as the citizen sees it. */
export interface SimilarSuggestionView {
  reference: string;
  title: string;
  status: SuggestionStatus;
}

export const similarTexts = {
  /** e.g. 已有相似建议：\n1. WZ2021-000003《…》（已交办承办单位）\n您仍可确认提交… */
  found: (matches: readonly SimilarSuggestionView[]) =>
    [
      '已有相似建议：',
      ...matches.map((m, i) => `${i + 1}. ${m.reference}《${m.title}》（${statusNames[m.status]}）`),
      '您仍可确认提交；如果您的建议有不同之处，也可以回复“修改”补充后再提交。',
    ].join('\n'),
} as const;

/**
 * The citizen rates an answer (满意 / 基本满意 / 不满意), then may add a comment. The rating is stored as
 * soon as it is given; the comment, if any, is added to it. 不满意 goes to the office for review.
 */
import { evaluationTexts, ratingNames, ratingOrder } from './texts/handling.js';
import { pickOption, type HandlingFlow } from './handling-flow-types.js';

export const ratingOptions = ratingOrder.map((id) => ({ id, label: ratingNames[id] }));

/** Reads a rating from a message (id, number or label), for the hand-off check before the flow runs. */
export const readRating = (text: string, optionId?: string) => pickOption(text, optionId, ratingOptions);

export const evaluationFlow: HandlingFlow = {
  id: 'evaluation',
  version: 1,
  start: (d) => (d.rating ? 'comment' : 'rating'),
  finish: 'comment',
  steps: [
    {
      id: 'rating',
      key: 'rating',
      prompt: (d) => ({ text: `请您对建议 ${d.reference ?? ''} 的办理答复进行评价：`, options: ratingOptions }),
      parse: (text, optionId) => {
        const v = readRating(text, optionId);
        return v ? { ok: true, value: v } : { ok: false, reply: evaluationTexts.invalid };
      },
      effect: 'rate',
      next: () => 'comment',
    },
    {
      id: 'comment',
      key: 'comment',
      prompt: (d) => ({ text: evaluationTexts.askComment((d.rating ?? 'satisfied') as keyof typeof ratingNames) }),
      parse: (text) => {
        const t = text.trim();
        return { ok: true, value: evaluationTexts.skipWords.includes(t) ? '' : t };
      },
      next: (d) => (d.comment ? 'done' : 'cancelled'),
    },
  ],
};

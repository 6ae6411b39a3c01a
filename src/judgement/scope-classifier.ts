/**
 * Scope judgement of a first message (or a proposal text): a genuine suggestion, a start intent, one of
 * the out-of-scope kinds, or unsure (the bot then asks 您是想提建议，还是反映个人诉求？ with options).
 * Sure rules first (scope-rules.ts), then the committed n-gram model (scope-model.ts). Pure, sync, no I/O.
 */
import type { OutOfScopeKind, ScopeVerdict } from './judgement-types.js';
import { scoreScope } from './scope-model.js';
import { mentionsPublicMatter, sureRule, type ScopeLabel } from './scope-rules.js';
import { compactText, hanCount } from './text-normalize.js';

/** Decision thresholds: below them the bot asks rather than guesses. */
export const SCOPE_THRESHOLDS = {
  /** Accept as in scope when suggestion + start probability reaches this. */
  accept: 0.6,
  /** Refuse when the out-of-scope probability reaches this (and the best kind is clear enough). */
  refuse: 0.75,
  /** Refusal threshold for short messages (≤ 8 Han characters), where n-grams say little. */
  refuseShort: 0.93,
  /**
   * Short chitchat naming no public matter ("你几岁了", "我刚下班，累死了") is refused from this probability:
   * the chitchat reply is gentle and invites a suggestion, and nothing public is lost.
   */
  refuseChitchatShort: 0.6,
  /** A message naming a public matter is refused only from this probability (ask rather than refuse)… */
  refusePublicMatter: 0.85,
  /** …when the model gives "public matter without a proposal" at least this probability. */
  publicWeight: 0.1,
  /** Abuse and spam are refused by the model alone only above this (the sure rules catch the plain ones). */
  refuseAbuseSpam: 0.97,
  /** An out-of-scope kind is offered as a candidate of an unsure verdict from this probability. */
  candidate: 0.08,
} as const;

const isInScope = (l: ScopeLabel): l is 'suggestion' | 'start' => l === 'suggestion' || l === 'start';

/**
 * Judges whether a message is within the campaign's scope.
 *
 * @example judgeScope('建议在五桥片区增设公交线路，方便学生上下学') // { kind: 'suggestion', confidence: 0.9… }
 * @example judgeScope('建议政府给我家解决低保') // { kind: 'out_of_scope', category: 'petition', … }
 * @example judgeScope('你好') // { kind: 'start', confidence: 0.99 }
 */
export function judgeScope(text: string): ScopeVerdict {
  const sure = sureRule(text);
  if (sure) return isInScope(sure) ? { kind: sure, confidence: 0.99 } : { kind: 'out_of_scope', category: sure, confidence: 0.99 };

  const { probs, classes } = scoreScope(text);
  let pIn = 0;
  let pOut = 0;
  let pPublic = 0;
  const outs: Array<{ kind: OutOfScopeKind; p: number }> = [];
  classes.forEach((label, k) => {
    const p = probs[k] ?? 0;
    if (isInScope(label)) pIn += p;
    // A public matter without a proposal weighs against refusing: its probability is on neither side.
    else if (label === 'public') pPublic = p;
    else {
      pOut += p;
      outs.push({ kind: label, p });
    }
  });
  outs.sort((a, b) => b.p - a.p);
  const round = (v: number) => Math.round(v * 1000) / 1000;

  if (pIn >= SCOPE_THRESHOLDS.accept) {
    const pSuggestion = probs[classes.indexOf('suggestion')] ?? 0;
    const pStart = probs[classes.indexOf('start')] ?? 0;
    return { kind: pSuggestion >= pStart ? 'suggestion' : 'start', confidence: round(pIn) };
  }
  const best = outs[0];
  const short = hanCount(compactText(text)) <= 8;
  // Some weight on "a public matter without a proposal", and a public matter named: ask rather than refuse.
  const publicMatter = pPublic >= SCOPE_THRESHOLDS.publicWeight && mentionsPublicMatter(text);
  const shortChitchat = short && best?.kind === 'chitchat' && !publicMatter;
  const needed = Math.max(
    SCOPE_THRESHOLDS.refuse,
    short && !shortChitchat ? SCOPE_THRESHOLDS.refuseShort : 0,
    shortChitchat ? SCOPE_THRESHOLDS.refuseChitchatShort : 0,
    publicMatter ? SCOPE_THRESHOLDS.refusePublicMatter : 0,
    best && (best.kind === 'abuse' || best.kind === 'spam') ? SCOPE_THRESHOLDS.refuseAbuseSpam : 0,
  );
  if (best && pOut >= needed) return { kind: 'out_of_scope', category: best.kind, confidence: round(pOut) };
  // Offer the kinds a citizen could mean; abuse and spam are not something to ask a citizen about.
  const askable = outs.filter((o) => o.kind !== 'abuse' && o.kind !== 'spam');
  const candidates = askable.filter((o) => o.p >= SCOPE_THRESHOLDS.candidate).slice(0, 3).map((o) => o.kind);
  const fallback: OutOfScopeKind = askable[0]?.kind ?? 'complaint';
  return { kind: 'unsure', candidates: candidates.length > 0 ? candidates : [fallback], confidence: round(pIn) };
}

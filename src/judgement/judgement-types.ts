/**
 * Verdicts of the judgement part, as tagged unions: the conversation maps each to a reply.
 * scope-classifier.ts, quality-coach.ts and identity-parser.ts implement these signatures.
 */

/** Kinds of first message that are outside a suggestion campaign's scope. */
export type OutOfScopeKind =
  | 'complaint' // 投诉、反映问题要求处理 (e.g. 欠薪、噪音扰民)
  | 'petition' // 个人诉求/信访 (my pension, my house, my case), even when phrased with 建议
  | 'consultation' // 咨询政策、办事流程
  | 'tipoff' // 举报
  | 'help' // 求助 (urgent or personal help)
  | 'chitchat' // 闲聊
  | 'spam' // 广告、无意义
  | 'abuse'; // 辱骂

/** Verdict on a first message or a proposal text. */
export type ScopeVerdict =
  | { kind: 'suggestion'; confidence: number } // a genuine suggestion: keep the text as the draft proposal
  | { kind: 'start'; confidence: number } // greeting / "我想提建议": start the flow
  | { kind: 'out_of_scope'; category: OutOfScopeKind; confidence: number }
  | { kind: 'unsure'; candidates: OutOfScopeKind[]; confidence: number }; // ask: 您是想提建议，还是反映个人诉求？

/** Problems a proposal can have (the seed: 避免"大、空、虚"，避免标题式，避免一句话；一事一议). */
export type QualityProblem =
  | 'empty'
  | 'title_only'
  | 'one_sentence'
  | 'vague' // 大、空、虚: slogans without a concrete measure
  | 'multiple_matters' // 一事一议 violated
  | 'no_measure' // describes a problem but proposes nothing
  | 'unlawful'; // contrary to law or policy

/** The field a proposal is about, so coaching can show an example from the citizen's own field. */
export type ProposalDomain =
  | 'transport'
  | 'education'
  | 'health'
  | 'welfare'
  | 'housing'
  | 'energy'
  | 'environment'
  | 'agriculture'
  | 'economy'
  | 'governance'
  | 'sanitation'
  | 'culture'
  | 'water'
  | 'safety'
  | 'market';

export type QualityVerdict =
  | { ok: true }
  /**
   * `soft`: the citizen may insist once and submit anyway (vague but not empty); the suggestion then
   * carries the problem as a quality flag and is held for the office's screening. `domain`: the field the
   * text is about, when one is recognisable (for an example in the citizen's own field). `matters`: for
   * several matters in one text (一事一议), each one as written, when they can be told apart.
   */
  | { ok: false; problem: QualityProblem; soft: boolean; detail?: string; domain?: ProposalDomain; matters?: string[] };

export type PhoneResult =
  | { ok: true; value: string; kind: 'mobile' | 'landline' }
  | { ok: false; reason: 'empty' | 'bad_chars' | 'wrong_length' | 'bad_prefix' | 'placeholder' };

export interface IdentityFields {
  name?: string;
  phone?: string;
  unit?: string;
}

/**
 * Decisions the conversation takes on a written draft (not only on a first message), as tagged unions:
 * - {@link judgeDraft}: before a proposal is accepted — also after the citizen pressed 提建议 — a personal
 *   petition, an accusation against a named person or a complaint about one's own case is referred, never
 *   sent to units; when uncertain the draft is kept and either asked about or submitted to the office's
 *   screening queue with a flag (never auto-routed).
 * - {@link emergencyAt}: an emergency at any step gets the emergency numbers at once; the draft is kept.
 * Pure, sync, no I/O.
 */
import type { OutOfScopeKind, ScopeVerdict } from './judgement-types.js';
import { statesMeasure } from './quality-coach.js';
import { referralFor, type ReferralKey } from './referral.js';
import { judgeScope } from './scope-classifier.js';
import { isEmergency } from './scope-rules.js';
import { normalizeText } from './text-normalize.js';

/** The flag a draft carries when its scope is uncertain and the citizen chose to submit it as a suggestion. */
export const SCOPE_SCREENING_FLAG = 'scope_uncertain';

export type DraftVerdict =
  /** A suggestion: go on. */
  | { kind: 'proceed' }
  /** Not a suggestion: refer with `referral` (a key of config `scope.referrals`); keep the draft. */
  | { kind: 'refer'; category: OutOfScopeKind; referral: ReferralKey; reason: DraftReason }
  /** Torn: ask 提建议 / 个人诉求 and keep the draft. */
  | { kind: 'ask'; candidates: OutOfScopeKind[] }
  /** Uncertain after the citizen chose 提建议: accept, flag it, and hold it for the office's screening. */
  | { kind: 'screen'; flag: typeof SCOPE_SCREENING_FLAG; candidates: OutOfScopeKind[] };

export interface DraftOptions {
  /** The citizen already answered 提建议 to the two-button question for this draft. */
  citizenChose?: boolean;
  /** The scope judgement to use (the conversation's port); the local classifier by default. */
  judgeScope?: (text: string) => ScopeVerdict;
}

/** Why a draft is referred. */
export type DraftReason = 'personal_petition' | 'accusation' | 'own_case_complaint' | 'emergency' | 'not_a_suggestion';

/** A request that benefits the writer or their family alone (评贫困户, 安排工作, 我的驾照…). */
const PERSONAL_REQUEST =
  /把(我|俺)[\p{Script=Han}]{0,4}的?[\p{Script=Han}]{0,6}(调|送|提高|修|安排|批|评|办|转|恢复|补|加|解决)|我们这个院子|我们这几户|我们几户|我们几家|照顾(一下)?(我|我们家|我家)|我这个|给(个|我)(工作|岗位|编制)|(给|帮|为|替)(我|我家|我们家|俺家|我儿子|我女儿|我老婆|我老公|我妈|我爸|我老汉|他|她)(一?个|一下)?.{0,12}(评|安排|解决|办|批|发|补|恢复|通融|照顾|落实|调|报销|赔|要回|协调|找|申请)|(我家|我们家|俺家|本人|我本人|我儿子|我女儿|我的).{0,14}(贫困户|低保|五保|特困|编制|工作|岗位|驾照|驾驶证|罚款|扣分|拆迁|补偿|赔偿|宅基地|房子|危房|户口|退休|养老金|工龄|医药费|案子|学位|转学|救助|补助|补贴)/u;
/**
 * A named or clearly identified person: a "某某", a surname with a title, or a role at a named place
 * ("甘宁镇某某村的会计", "青山村的村支书"). The place name may not be a generic word ("对村干部", "各乡镇干部").
 */
const NAMED_PERSON =
  /某某|某(个|位)(干部|书记|村主任|主任|局长|会计|领导)|[张王李赵刘陈杨黄周吴徐孙马胡朱郭何罗高林谭邓冉向牟][\p{Script=Han}]{0,2}(书记|主任|会计|局长|科长|镇长|乡长|所长|校长|村长)|[^\s对各全每农本该的和与及、，,。防止强督严查在加村乡镇]{2,4}(镇|乡|村|街道|社区)的?[\p{Script=Han}]{0,2}(书记|支书|村主任|主任|会计|村长|镇长|乡长|干部|所长|站长)/u;
/** An identified business or place ("那个养殖场", "这家饭店") or a local official ("我们村…主任"). */
const IDENTIFIED =
  /某栋|某号|某单元|(那个|这个|那家|这家|某家|某个)[\p{Script=Han}]{0,4}(养殖场|厂|公司|店|饭店|餐馆|超市|诊所|药店|工地|砂石场|加油站|网吧|作坊|酒店|歌厅|场)|(我们|村里|镇上|乡里|单位|街道)的?.{0,10}(书记|支书|主任|会计|村长|镇长|乡长|干部|局长|领导|所长)/u;
/** A measure against wrongdoing in general (监督, 制度, 防止…), not an accusation of someone. */
const GENERAL_MEASURE = /防止|杜绝|避免|预防|(建立|推行|实行|加强|完善|健全|落实).{0,8}(监督|制度|机制|公开|公示|审计)/u;
/** Wrongdoing alleged against a person. */
const WRONGDOING = /赌博|卖淫|吸毒|传销|诈骗|偷偷|偷排|非法|违规|有问题|猫腻|黑幕|从来不公开|贪|受贿|索贿|收(了)?(钱|红包|好处|礼)|吃拿卡要|挪用|截留|侵占|私吞|优亲厚友|违纪|违法|腐败|包庇|保护伞|作风|查(一下|一查|查)|调查|查处|纪委|处分|撤职|双开/u;
/** A private party in the matter (a neighbour, one's family): a dispute, not a shared matter. */
const PRIVATE_PARTY = /邻居|隔壁|他家|她家|我家|我们家|我的|本人|房东|老板/u;

/** The draft proposes something (a measure, or at least a "要/应该") and names no private party. */
function proposesForShared(text: string, normalized: string): boolean {
  return (statesMeasure(text) || /要|应该|应当|必须/u.test(normalized)) && !PRIVATE_PARTY.test(normalized) && !/[?？吗]$/u.test(normalized);
}

/** One's own case: a complaint about how the writer was treated. */
const OWN_CASE = /(我|我家|我们家)(的)?.{0,10}(被|没|不给|不退|不赔|不管|拖欠|扣了|欠了?我)|欠我|不给我|不退我|赔我|还我/u;

/**
 * Judges a written draft (the proposal, with its title when there is one) before it is accepted.
 * `citizenChose`: the citizen already answered 提建议 to the two-button question for this draft.
 *
 * @example judgeDraft('建议给我家评贫困户', { citizenChose: true }) // refer: petition (信访)
 * @example judgeDraft('建议纪委好好查一下甘宁镇某某村的会计，他贪了好多低保的钱', { citizenChose: true }) // refer: discipline (12388)
 * @example judgeDraft('就是恒合乡到我们村那条路，有七八公里，加宽到能会车就可以了') // proceed
 */
export function judgeDraft(text: string, opts: DraftOptions = {}): DraftVerdict {
  const t = normalizeText(text);
  if (isEmergency(text)) return { kind: 'refer', category: 'help', referral: 'help', reason: 'emergency' };
  if ((NAMED_PERSON.test(t) || IDENTIFIED.test(t)) && WRONGDOING.test(t) && !(GENERAL_MEASURE.test(t) && !/某某/u.test(t))) return { kind: 'refer', category: 'tipoff', referral: referralFor('tipoff', text), reason: 'accusation' };
  const personal = PERSONAL_REQUEST.test(t);
  const v = (opts.judgeScope ?? judgeScope)(text);
  if (v.kind === 'suggestion' || v.kind === 'start') {
    // A suggestion in form whose only beneficiary is the writer is still a petition.
    if (personal && !/(大家|群众|村民|居民|老百姓|市民|学生|老人们|们都)/u.test(t)) return { kind: 'refer', category: 'petition', referral: 'petition', reason: 'personal_petition' };
    return { kind: 'proceed' };
  }
  if (v.kind === 'out_of_scope') {
    const reason: DraftReason =
      v.category === 'petition' ? 'personal_petition' : v.category === 'tipoff' ? 'accusation' : v.category === 'complaint' && OWN_CASE.test(t) ? 'own_case_complaint' : 'not_a_suggestion';
    // Never to a unit: a petition, an accusation, one's own case, an emergency, spam, abuse — referred even
    // after the citizen chose 提建议. Anything else the citizen calls a suggestion goes to the office's screening.
    const personalKind = v.category === 'petition' || v.category === 'tipoff' || reason === 'own_case_complaint';
    // Spam and abuse only when the sure rules found them (a spammer does not write a whole draft).
    const ruled = v.confidence >= 0.99;
    const neverToUnits =
      personal || reason === 'own_case_complaint' || (personalKind && v.confidence >= 0.85) || v.category === 'help' || ((v.category === 'spam' || v.category === 'abuse') && ruled);
    if (neverToUnits || (!opts.citizenChose && v.confidence >= 0.85)) return { kind: 'refer', category: v.category, referral: referralFor(v.category, text), reason };
    // Unsure chat or question, but the draft proposes something for a shared matter: a (poor) suggestion.
    if ((v.category === 'chitchat' || v.category === 'consultation') && proposesForShared(text, t)) return { kind: 'proceed' };
    return opts.citizenChose ? { kind: 'screen', flag: SCOPE_SCREENING_FLAG, candidates: [v.category] } : { kind: 'ask', candidates: [v.category] };
  }
  if (personal) return { kind: 'refer', category: 'petition', referral: 'petition', reason: 'personal_petition' };
  // Torn on the words, but the written draft proposes something for a shared matter ("那条路…加宽到能会车就可以了",
  // even a slogan such as "乡村振兴要抓好产业"): a suggestion. Its quality was coached before (the flow checks
  // quality first); what the citizen insisted past is flagged for screening there.
  if (proposesForShared(text, t)) return { kind: 'proceed' };
  return opts.citizenChose ? { kind: 'screen', flag: SCOPE_SCREENING_FLAG, candidates: v.candidates } : { kind: 'ask', candidates: v.candidates };
}

export type EmergencyVerdict = { kind: 'emergency'; referral: 'help' } | { kind: 'none' };

/** Whether a message at any step of a draft is an emergency to answer at once (the draft is kept). */
export function emergencyAt(text: string): EmergencyVerdict {
  return isEmergency(text) ? { kind: 'emergency', referral: 'help' } : { kind: 'none' };
}

/**
 * Scope judgement of a first message (or a proposal text): a genuine suggestion, a start intent, one of
 * the out-of-scope kinds, or unsure (the bot then asks 您是想提建议，还是反映个人诉求？ with options).
 * Sure rules first (scope-rules.ts), then the committed n-gram model (scope-model.ts). Pure, sync, no I/O.
 */
import type { OutOfScopeKind, ScopeVerdict } from './judgement-types.js';
import { statesConcreteMeasure, statesMeasure } from './quality-coach.js';
import { scoreScope } from './scope-model.js';
import { mentionsPublicMatter, sureRule, type ScopeLabel } from './scope-rules.js';
import { hanCount, normalizeText } from './text-normalize.js';

/** Decision thresholds: the bot asks only when torn between a suggestion and a personal matter. */
export const SCOPE_THRESHOLDS = {
  /** Accept as in scope when suggestion + start probability reaches this. */
  accept: 0.6,
  /**
   * Kinds that are never a suggestion in disguise (spam, abuse, chit-chat, consultations, emergencies):
   * refused with their kind when the out-of-scope side outweighs the in-scope side by this factor.
   */
  clearOutweigh: 1,
  /**
   * Kinds a citizen may mean as a suggestion (petitions, complaints, tip-offs): refused from this
   * out-of-scope probability; below it, and with some weight on a suggestion, the bot asks.
   */
  refuseTorn: 0.7,
  /** …for a message naming a shared public matter (the bot prefers asking). */
  refuseTornPublic: 0.8,
  /** …and for one that states a concrete measure on a shared matter. */
  refuseTornMeasure: 0.95,
  /** With less than this in-scope probability the bot is not torn: it refuses with the best kind. */
  torn: 0.12,
  /** The model alone names an emergency only from this probability (the sure rule finds the plain ones). */
  emergencyByModel: 0.5,
  /** Weight on "a public matter without a proposal" that makes the bot ask rather than refuse chit-chat. */
  publicWeight: 0.15,
  /** A message announcing a suggestion starts one, instead of being asked about, from this in-scope probability. */
  announcedInScope: 0.5,
  /** An out-of-scope kind is offered as a candidate of an unsure verdict from this probability. */
  candidate: 0.08,
} as const;

/** The writer's own case or a private party: a measure in it is a demand for that case, not a suggestion. */
const PRIVATE_CASE = /我家|我们家|我的|本人|邻居|隔壁|他家|老板|房东|给我|帮我/u;

/** Hardship asking for money, housing or relief: the petition channels, not the emergency numbers. */
const HARDSHIP = /拿不出钱|没钱|救助|补助|医药费|没地方住|生活困难|交不起/u;

const isInScope = (l: ScopeLabel): l is 'suggestion' | 'start' => l === 'suggestion' || l === 'start';
/** Kinds the citizen may have meant as a suggestion: the only ones the bot asks about. */
const TORN_KINDS: ReadonlySet<OutOfScopeKind> = new Set(['petition', 'complaint', 'tipoff']);

/** Words that name wrongdoing: what any tip-off or accusation contains. */
const WRONGDOING =
  /举报|检举|揭发|贪|腐|受贿|索贿|行贿|违法|违规|违纪|犯罪|吸毒|贩毒|赌|偷|抢|骗|打人|砍|非法|私自|乱收|乱占|乱搭|乱建|乱倒|乱排|霸占|强占|黑恶|保护伞|排污|偷排|电鱼|炸鱼|毒鱼|滥伐|盗伐|包庇|虚报|冒领|套取|挪用|截留|克扣|优亲厚友|吃空饷|公车私用|大吃大喝|收钱|收了.{0,4}钱|红包|好处费|回扣|传销|集资|卖淫|嫖|走私|假冒|造假/u;
/** The campaign's themes named in words. */
const CAMPAIGN_THEME = /乡村振兴|成渝|双城经济圈|发展建言|建言献策/u;

/** Announcing a suggestion, greeting, introducing oneself: what a first message says before its matter. */
const PREAMBLE =
  /你好|您好|老师|领导|喂|我是[\p{Script=Han}]{1,8}?(?:镇|乡|村|街道|社区|小区)的|(?:我|俺|本人)?(?:也)?(?:想|要|来|准备)?(?:给[\p{Script=Han}]{0,8}?)?(?:提|说|反映|讲)?(?:一?[个条点]|几[个条点])?(?:小)?(?:建议|建意|建义|意见|想法|金点子)(?:一下)?(?:哈|嘛|噻|啊)?/gu;
/** The suggestion announced as still to come, in pieces or later (我分几段发给你, 等我慢慢打字). */
const MORE_TO_COME = /分(?:几|两|三)(?:段|次|条)|一段一段|慢慢(?:发|打|写|说)|等我(?:慢慢)?(?:打|写|发|说|整理)|先说第一个|后面(?:再)?(?:发|说)/u;
/** A measure already named (建议在五桥增设公交线路 我分几段发给你): that much is content to keep. */
const MEASURE_VERB = /增设|安装|开通|设置|修建|新建|延长|配备|加装|拓宽|改造|建立|推行|实行|设立|多开|加开|多建|多修|多装|搞个|建个|修个|装个|开个/u;
/** A first message that asks before it tells, or announces more to come: no matter to keep yet. */
const ASKS_OR_ANNOUNCES = /[?？吗]|有没有用|有用没|会不会|能不能看|咋个|怎么|如何|哪里|分几段|几段|慢慢|等我|等一下|先说|先问/u;

/**
 * True when a message, beyond greeting, introducing the writer and announcing a suggestion, says something of
 * its matter (我们那里的橙子卖不出去): text that starting without it would drop.
 */
function statesItsMatter(text: string): boolean {
  if (ASKS_OR_ANNOUNCES.test(text)) return false;
  const residue = normalizeText(text).replace(PREAMBLE, ' ');
  return hanCount(residue) >= 8;
}

/**
 * Judges whether a message is within the campaign's scope.
 *
 * @example judgeScope('建议在五桥片区增设公交线路，方便学生上下学') // { kind: 'suggestion', confidence: 0.9… }
 * @example judgeScope('建议政府给我家解决低保') // { kind: 'out_of_scope', category: 'petition', … }
 * @example judgeScope('你好') // { kind: 'start', confidence: 0.99 }
 */
export function judgeScope(text: string): ScopeVerdict {
  const v = judgeByRulesAndModel(text);
  // A message that says it is a suggestion (想提个建议, 建意 …, 帮村民录一条建议) and that the model already finds
  // more likely in scope than not starts one rather than being asked 提建议还是个人诉求. A plainly personal
  // matter (refused above, about the writer's own case, naming wrongdoing, or asking) is still asked.
  if (v.kind === 'unsure' && v.confidence >= SCOPE_THRESHOLDS.announcedInScope && announcesSuggestion(text) && !OWN_CASE.test(text) && !WRONGDOING.test(text) && !ASKS_ABOUT_IT.test(text)) {
    return { kind: statesItsMatter(text) || statesMeasure(text) ? 'suggestion' : 'start', confidence: v.confidence };
  }
  return v;
}

/** Words that announce a suggestion: an intent to suggest, or 建议 followed by what to do. */
const ANNOUNCES_SUGGESTION =
  /(?:想|要|来|准备|打算)?(?:给[\p{Script=Han}]{0,8}?)?(?:提|说|反映|录|写|交)(?:一?[个条点下]|几[个条点])?(?:小)?(?:建议|建意|建义|意见建议|想法|金点子)|(?:我|俺|我们)有(?:一?[个条点]|几[个条点])?(?:小)?(?:建议|建意|想法|金点子)|^(?:[\p{Script=Han}]{0,10}?[\s，,])?建[意义仪]|^(?:建议[\s，,：:]+)+(?=\p{Script=Han})|(?:^|[\s，,。])建议(?:搞|把|在|给|多|少|加|设|修|建|开|将|对|增|推|让|由|政府|区里|镇上|村里)/u;

/**
 * The writer's own case or a neighbour's business (我老汉住院的钱, 给我女儿安排, 楼下那家烧烤店): a personal
 * matter however it is announced, still asked about.
 */
const OWN_CASE =
  /我家|我们家|我的|本人|给我|帮我(?!们)|我(?:这个|这种|这样的)|我(?:老汉|老伴|老公|老婆|爱人|女儿|儿子|娃儿?|孙子|孙女|母亲|父亲|妈|爸|爷爷|奶奶)|我们(?:这个|那个)?(?:院子|这几户|几户)|邻居|隔壁|楼下|楼上|对门|那家|老板|房东|管一下|管管|查一下|查查/u;
/** A question about the campaign or a policy (提建议要写多少字, 高龄补贴是多少岁开始发): not a suggestion announced. */
const ASKS_ABOUT_IT = /[?？吗]|多少|好久|几时|什么时候|能不能.{0,12}[不没]$|可不可以|要不要|会不会公开|还能.{0,6}不$|是不是/u;

function announcesSuggestion(text: string): boolean {
  return ANNOUNCES_SUGGESTION.test(normalizeText(text));
}

function judgeByRulesAndModel(text: string): ScopeVerdict {
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
    // A public matter without a proposal: on neither side; the bot asks about it.
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
    // "…我分几段发给你": the suggestion is still to come; this message is no proposal to keep.
    const toCome = MORE_TO_COME.test(text) && !statesConcreteMeasure(text) && !MEASURE_VERB.test(text);
    return { kind: pSuggestion >= pStart && !toCome ? 'suggestion' : 'start', confidence: round(pIn) };
  }
  // An emergency is the sure rule's to find (isEmergency); the model alone names one only when confident.
  // Personal hardship ("急！房子被冲垮了，拿不出钱了") is a petition, whatever urgency the model hears.
  if (outs[0]?.kind === 'help' && (outs[0].p < SCOPE_THRESHOLDS.emergencyByModel || HARDSHIP.test(text))) outs.shift();
  const best = outs[0];
  const ask = (): ScopeVerdict => {
    const askable = outs.filter((o) => TORN_KINDS.has(o.kind));
    const candidates = askable.filter((o) => o.p >= SCOPE_THRESHOLDS.candidate).slice(0, 3).map((o) => o.kind);
    return { kind: 'unsure', candidates: candidates.length > 0 ? candidates : ['complaint'], confidence: round(pIn) };
  };
  if (!best) return ask();
  const publicMatter = mentionsPublicMatter(text);
  // A short demand about a shared thing ("多修点公厕", "路口加个红绿灯") is a (thin) suggestion, not chat:
  // the draft starts and the coaching asks for more.
  if ((best.kind === 'chitchat' || best.kind === 'consultation' || best.kind === 'spam') && publicMatter && statesMeasure(text) && !/[?？吗呢]/u.test(text)) {
    return { kind: 'suggestion', confidence: round(pIn) };
  }
  // A public matter stated without a proposal: ask whether the citizen has a suggestion about it.
  if ((pPublic >= pOut && pPublic >= pIn) || (publicMatter && pPublic >= SCOPE_THRESHOLDS.publicWeight && best.kind === 'chitchat')) return ask();
  if (best.kind === 'spam' || best.kind === 'abuse') {
    // Never a question: refused when more likely than a suggestion, else taken as one (the draft is judged again).
    return pOut >= pIn ? { kind: 'out_of_scope', category: best.kind, confidence: round(pOut) } : { kind: 'suggestion', confidence: round(pIn) };
  }
  if (!TORN_KINDS.has(best.kind)) {
    // Chit-chat, consultations and emergencies are refused unless a suggestion is a real possibility.
    if (pOut >= pIn && pIn < SCOPE_THRESHOLDS.torn * 2.5) return { kind: 'out_of_scope', category: best.kind, confidence: round(pOut) };
    return pIn >= pOut ? { kind: 'suggestion', confidence: round(pIn) } : ask();
  }
  // A slogan on a campaign theme (乡村振兴，人人有责！) names no wrongdoing: not a tip-off, whatever the model
  // heard. It starts a draft, where the coaching asks for a measure.
  if (best.kind === 'tipoff' && CAMPAIGN_THEME.test(text) && !WRONGDOING.test(text)) return { kind: 'suggestion', confidence: round(pIn) };
  // A concrete measure on a shared matter ("路口…装个红绿灯嘛") is never refused as a complaint: at most asked.
  if (publicMatter && statesConcreteMeasure(text) && !PRIVATE_CASE.test(text) && pOut < SCOPE_THRESHOLDS.refuseTornMeasure) return ask();
  const needed = publicMatter && pPublic >= 0.1 ? SCOPE_THRESHOLDS.refuseTornPublic : SCOPE_THRESHOLDS.refuseTorn;
  if (pOut >= needed || pIn < SCOPE_THRESHOLDS.torn) return { kind: 'out_of_scope', category: best.kind, confidence: round(pOut) };
  return ask();
}

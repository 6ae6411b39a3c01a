/**
 * The conversation engine: pure functions, no I/O. `advance` turns the stored session and one message into
 * the next session, the replies, and described effects; the runtime (turn.ts) saves the session, runs the
 * effects once, and hands each outcome to `settle`, which turns it into replies.
 *
 * @example
 *   const r = advance(citizenSuggestionFlow, undefined, { text: '我想提建议' }, ctx);
 *   r.state // 'theme'; r.replies[0].text contains the welcome, r.replies[1].options the themes
 */
import { controlWords, isWord, matchCommand, normaliseWord, optionAnswer, type CommandMatch } from '../../flows/commands.js';
import { optionLabels, prompts } from '../../flows/texts/prompts.js';
import { identityCoaching, limitTexts } from '../../flows/texts/coaching.js';
import { checkName, chineseDigits, looksLikeFullName } from '../judgement/identity-parser.js';
import { parseLabelledForm, type FormField } from '../judgement/labelled-form.js';
import { systemTexts } from '../../flows/texts/system.js';
import { similarTexts, type SimilarSuggestionView } from '../../flows/texts/similar.js';
import type { ForwardedRecord, OutboundReply, ReplyOption } from '../domain/messages.js';
import type { OutOfScopeKind } from '../judgement/judgement-types.js';
import type {
  CitizenRef,
  SubmitResult,
  SuggestionStatusView,
  SuggestionSubmission,
} from '../domain/suggestion-types.js';
import {
  stepOf,
  type CheckResult,
  type ChoiceStep,
  type CollectStep,
  type FieldsStep,
  type TextStep,
  type FlowContext,
  type FlowDefinition,
  type IntakeSeed,
  type ReviewStep,
  type Step,
} from './flow-schema.js';
import { isTerminal, newSession, type Awaiting, type Session } from './session.js';
import { turnSteps, type TurnStep } from './understanding/turn-corpus.js';
import { cleanAnswer, faqOf, referenceIn, soundsLikeConfirmation, understandTurn, type TurnReading } from './understanding/understand.js';

/** One message as the engine sees it: already cleaned and capped by the runtime. */
export interface EngineMessage {
  text: string;
  /** The option id when the citizen clicked a menu option. */
  optionId?: string;
  /** A forwarded chat record (an agent's proxy entry); only a flow's intake `seed` reads it. */
  forwarded?: ForwardedRecord;
}

/** Side effects the engine asks for. The runtime runs each once and passes the outcome to `settle`. */
export type Effect =
  /** Store the confirmed suggestion. A repeat with the same `submissionKey` stores nothing new. */
  | { type: 'submitSuggestion'; submissionKey: string; submission: SuggestionSubmission }
  /** Look up one of the citizen's own suggestions by reference (查询 <reference>). */
  | { type: 'lookupSuggestion'; reference: string; citizen: CitizenRef }
  /** List the citizen's own suggestions (查询). */
  | { type: 'listSuggestions'; citizen: CitizenRef; limit: number }
  /** Look for stored suggestions like this draft, to show with the summary (the citizen may still submit). */
  | { type: 'findSimilar'; title: string; proposal: string }
  /** 转人工: hand the conversation to a person where the channel can (微信客服 within the office's hours). */
  | { type: 'handoff'; citizen: CitizenRef };

/** What running an effect came to; `ok: false` when storage failed. */
export type EffectOutcome =
  | { type: 'submitSuggestion'; ok: true; result: SubmitResult }
  | { type: 'lookupSuggestion'; ok: true; reference: string; view: SuggestionStatusView | null }
  | { type: 'listSuggestions'; ok: true; views: SuggestionStatusView[] }
  | { type: 'findSimilar'; ok: true; matches: SimilarSuggestionView[] }
  /** `transferred`: a person has the conversation now; false: the citizen is given the contact instead. */
  | { type: 'handoff'; ok: true; transferred: boolean }
  | { type: 'submitSuggestion' | 'lookupSuggestion' | 'listSuggestions' | 'findSimilar' | 'handoff'; ok: false };

export interface AdvanceResult {
  session: Session;
  replies: OutboundReply[];
  effects: Effect[];
}

/** The state a session reports to channels: its step id, `intake`, or a terminal state. */
export function stateOf(session: Session | undefined): string {
  return session?.stepId ?? 'intake';
}

/** The idempotency key of a draft's submission: the same draft always gives the same key. */
export function submissionKeyOf(flow: FlowDefinition, session: Session, citizen: CitizenRef): string {
  return `${flow.id}:${citizen.channel}:${citizen.id}:${session.startedAt}`;
}

/** True when the draft was last touched longer ago than the draft TTL allows. */
export function isExpired(session: Session, ctx: Pick<FlowContext, 'config' | 'now'>): boolean {
  return ctx.now.getTime() - Date.parse(session.updatedAt) > ctx.config.service.draftTtlDays * 24 * 3600 * 1000;
}

/**
 * Advances the conversation by one message. `stored` is the session as loaded (undefined when none, or
 * when it was unreadable: the runtime adds the apology for that).
 */
export function advance(flow: FlowDefinition, stored: Session | undefined, message: EngineMessage, ctx: FlowContext): AdvanceResult {
  const t = new Turn(flow, stored ? structuredClone(stored) : undefined, message, ctx);
  t.run();
  if (t.s) t.s.updatedAt = ctx.now.toISOString();
  return { session: t.s ?? t.intakeSession(), replies: t.replies, effects: t.effects };
}

/** Turns an effect's outcome into replies (and the session change it implies). Pure. */
export function settle(flow: FlowDefinition, session: Session, outcome: EffectOutcome, ctx: FlowContext): AdvanceResult {
  const s = structuredClone(session);
  const replies: OutboundReply[] = [];
  const tz = ctx.config.service.timezone;
  const midDraft = !isTerminal(s.stepId) && s.stepId !== 'intake';
  switch (outcome.type) {
    case 'submitSuggestion':
      if (outcome.ok) {
        const ref = (outcome as { result: SubmitResult }).result.reference;
        // The proposer's details go on to the other matters still to be offered (跟刚才一样的嘛).
        if (s.laterParts?.length) {
          const keys = flow.steps.flatMap((x) => (x.kind === 'fields' ? x.fields.map((f) => f.key) : []));
          s.carriedAnswers = Object.fromEntries(keys.filter((k) => s.answers[k] !== undefined).map((k) => [k, s.answers[k]!]));
        }
        Object.assign(s, { stepId: 'submitted', reference: ref, answers: {}, buffer: [], history: [], qualityFlags: [], tries: 0 });
        delete s.pendingSubmit;
        delete s.returnTo;
        delete s.editBackup;
        delete s.focus;
        delete s.awaiting;
        delete s.softProblem;
        replies.push({ text: systemTexts.submitted(ref) });
        // The other matters of a first text that held several: offered one at a time.
        if (s.laterParts?.length) replies.push({ text: prompts.laterPart(s.laterParts[0]!), options: laterPartOptions() });
      } else {
        // The submission stays pending in the session and is retried on the next message.
        replies.push({ text: systemTexts.submitPending });
      }
      break;
    case 'lookupSuggestion':
      if (!outcome.ok) replies.push({ text: systemTexts.queryFailed });
      else {
        const o = outcome as { reference: string; view: SuggestionStatusView | null };
        replies.push({ text: o.view ? systemTexts.queryOne(o.view, tz) : systemTexts.queryNotFound(o.reference) });
      }
      if (midDraft) replies.push({ text: systemTexts.draftKept });
      break;
    case 'listSuggestions':
      if (!outcome.ok) replies.push({ text: systemTexts.queryFailed });
      else {
        const views = (outcome as { views: SuggestionStatusView[] }).views;
        replies.push({ text: views.length ? systemTexts.queryList(views) : systemTexts.queryNone(ctx.config.service.contact) });
      }
      if (midDraft) replies.push({ text: systemTexts.draftKept });
      break;
    case 'findSimilar': {
      // Nothing to show (or the lookup failed): the summary stands alone.
      const matches = outcome.ok ? (outcome as { matches: SimilarSuggestionView[] }).matches : [];
      if (matches.length) replies.push({ text: similarTexts.found(matches) });
      break;
    }
    case 'handoff': {
      const transferred = outcome.ok && (outcome as { transferred: boolean }).transferred;
      replies.push({ text: transferred ? systemTexts.handoffDone(midDraft) : systemTexts.handoffContact(ctx.config.service.contact, midDraft) });
      break;
    }
  }
  s.updatedAt = ctx.now.toISOString();
  void flow;
  return { session: s, replies, effects: [] };
}

/**
 * Resolves an answer to one of `options`: by clicked id, id, 1-based number, or label; unless `exact`, also
 * by a label inside the answer (or the answer inside a label) and by a typo of a label (乡村振心).
 */
export function resolveOption(options: ReplyOption[], message: EngineMessage, opts: { exact?: boolean } = {}): ReplyOption | undefined {
  if (message.optionId) {
    const byId = options.find((o) => o.id === message.optionId);
    if (byId) return byId;
  }
  const w = optionAnswer(message.text);
  if (!w) return undefined;
  if (/^\d{1,2}$/.test(w)) return options[Number(w) - 1];
  const exact = options.find((o) => normaliseWord(o.label) === w || o.id.toLowerCase() === w);
  if (exact || opts.exact) return exact;
  const partial = options.filter((o) => w.length >= 2 && (normaliseWord(o.label).includes(w) || w.includes(normaliseWord(o.label))));
  if (partial.length === 1) return partial[0];
  if (partial.length > 1) return undefined;
  // A typo of a label (乡村振心, 日长建议): the one label sharing most of its character pairs.
  const scored = options.map((o) => ({ o, d: dice(w, normaliseWord(o.label)) })).sort((a, b) => b.d - a.d);
  return scored[0] && scored[0].d >= TYPO_SIMILARITY && (scored[1]?.d ?? 0) < scored[0].d ? scored[0].o : undefined;
}

/** How sure the scope judgement must be to refer a message typed at a menu (先说投诉 … 城管不管: 0.96). */
const MENU_REFERRAL_CONFIDENCE = 0.9;

/** At most this long, a reply at a menu is read for a configured alias of an option (农村的 → 乡村振兴). */
const ALIAS_REPLY_MAX_CHARS = 5;

/** At most this long, a reply at a menu is read for the words of one option (日常的嘛 就是城里面的事). */
const OPTION_IN_WORDS_MAX_CHARS = 12;

/**
 * The option a short reply names in its own words: one of the option's synonyms said in it (我不懂这些 →
 * 不确定), or the first two characters of exactly one option's label (日常的嘛 → 日常建议). Only short replies:
 * a long text at a menu is content sent early, never a choice.
 */
function optionInWords(step: ChoiceStep, options: ReplyOption[], text: string, words: Record<string, readonly string[]> = step.synonyms ?? {}): ReplyOption | undefined {
  if (isWord(text, Object.values(words).flat())) return options.find((o) => isWord(text, words[o.id] ?? []));
  const w = normaliseWord(text);
  if (!w || [...w].length > OPTION_IN_WORDS_MAX_CHARS) return undefined;
  // A synonym said with a negation around it (不同意) does not name the option.
  const says = (x: string) => [...x].length >= 2 && w.includes(normaliseWord(x)) && !/[不没别非]/u.test(w.split(normaliseWord(x)).join(''));
  const bySynonym = options.filter((o) => (words[o.id] ?? []).some(says));
  if (bySynonym.length === 1) return bySynonym[0];
  const byHead = options.filter((o) => {
    const head = [...normaliseWord(o.label)].slice(0, 2).join('');
    return head.length === 2 && says(head);
  });
  return byHead.length === 1 ? byHead[0] : undefined;
}

/** How alike two labels must be (Dice over character pairs) for one to be read as a typo of the other. */
const TYPO_SIMILARITY = 0.6;

function dice(a: string, b: string): number {
  const pairs = (t: string) => {
    const cs = [...t];
    return cs.slice(1).map((c, i) => cs[i]! + c);
  };
  const pa = pairs(a);
  const pb = pairs(b);
  if (!pa.length || !pb.length) return 0;
  const pool = [...pb];
  let common = 0;
  for (const p of pa) {
    const i = pool.indexOf(p);
    if (i >= 0) {
      common++;
      pool.splice(i, 1);
    }
  }
  return (2 * common) / (pa.length + pb.length);
}

/** The start of a long text, for showing what a step holds. */
function excerpt(text: string, max = 60): string {
  const t = text.replace(/\s*\n\s*/g, ' ');
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

/** Character pairs every request shares, which name no matter. */
const STOCK_PAIRS = /^(建议|那个|这个|一个|一件|先提|我们|我想|希望|问题|可以|还是|后面|前面|再提|的话)$/u;

/** The pairs of Han characters of a text, without the stock ones. */
function hanPairs(text: string): Set<string> {
  const out = new Set<string>();
  for (const run of text.match(/\p{Script=Han}+/gu) ?? []) {
    const cs = [...run];
    for (let i = 0; i + 1 < cs.length; i++) if (!STOCK_PAIRS.test(cs[i]! + cs[i + 1]!)) out.add(cs[i]! + cs[i + 1]!);
  }
  return out;
}

/**
 * The part a reply names by its words: the first clause sharing words with exactly one part decides
 * (那我先提动车那个，夜市的等哈再提 → the 动车 part).
 */
function partNamed(text: string, parts: readonly string[]): number | undefined {
  const partPairs = parts.map(hanPairs);
  for (const clause of text.split(/[，,。；;！!？?\s]+/u)) {
    const pairs = hanPairs(clause);
    const hits = partPairs.map((pp) => [...pairs].filter((g) => pp.has(g)).length);
    const best = Math.max(...hits);
    if (best > 0 && hits.filter((h) => h === best).length === 1) return hits.indexOf(best);
  }
  return undefined;
}

/** Below this, an aside at a one-line text step is handed to the step's parser (which coaches) instead. */
const DOUBTFUL_ASIDE = 0.65;
/**
 * Below this, an aside of some length where a long text is written is content (多修点公厕); between this and
 * SURE_ASIDE the citizen is asked whether to keep it (反正可以), above it it is an aside (你们看着办嘛).
 */
const CONTENT_ASIDE = 0.5;

/** Words and endings that ask something, dialect included (有奖励没得, 可以不, 要得不); 几 only at the end (要几天, not 几千块). */
const ASKS = /[？?]|吗|呢|么|啥|什么|怎|咋|哪|几(个|天|点|时|号|年|月|次|步|岁|块)?[。!！\s哦嘛]*$|几时|多少|多久|好久|能不能|可不可以|是不是|有没有|有没得|有得没得|会不会|要不要|行不行|对不对|请问|为什么|为啥|没得[。!！\s]*$|没有[。!！\s]*$|不[。!！\s]*$|\b(how|what|why|when|can i|do i)\b/i;

/** At a long step, an aside this long or longer is asked about ("这句要记入…吗？") unless the reading is sure. */
const KEEP_QUESTION_MIN_CHARS = 4;
const SURE_ASIDE = 0.75;
const meaningfulChars = (t: string) => (t.match(/[\p{L}\p{N}]/gu) ?? []).length;

/** How sure the FAQ match of a question ending a long message must be before it is split off and answered. */
const TRAILING_FAQ_CONFIDENCE = 0.5;
const QUESTION_MARKER = /(对了|顺便问一下|顺便问|请问|想问一下|问一下|另外问一下)/u;

/** A long message whose last part asks something: the content before it, and the question. */
function trailingQuestion(text: string): { content: string; question: string } | undefined {
  const t = text.trim();
  let at = -1;
  for (const m of t.matchAll(new RegExp(QUESTION_MARKER.source, 'gu'))) at = m.index ?? -1;
  if (at < 0) {
    // No marker: the last clause, when short and asking.
    const clauses = t.split(/(?<=[，,。！!？?\s])/u);
    const last = clauses.at(-1)?.trim() ?? '';
    if (clauses.length < 2 || [...last].length > 20) return undefined;
    at = t.length - (clauses.at(-1)?.length ?? 0);
  }
  const content = t.slice(0, at).replace(/[\s，,。！!、]+$/u, '');
  const question = t.slice(at).trim();
  if (meaningfulChars(content) < 10 || !ASKS.test(question)) return undefined;
  return { content, question };
}

/** A command word said as a clause of its own inside a longer message (…不是标题 返回): that command. */
function commandClause(text: string): ReturnType<typeof matchCommand> {
  const clauses = text.split(/[\s，,。.！!？?；;、~～…]+/u).filter(Boolean);
  if (clauses.length < 2) return undefined;
  for (const c of [clauses.at(-1)!, clauses[0]!]) {
    const m = matchCommand(c);
    // Only the plain navigation words: 查询, 帮助 or 修改 (不对) inside a sentence is something else.
    if (m && !m.arg && m.name !== 'query' && m.name !== 'help' && m.name !== 'edit') return m;
  }
  return undefined;
}

/** Content followed by a last clause the recogniser surely reads as "that's all" (就这些, 我说完了): the content. */
function trailingDone(text: string, at: TurnStep | undefined): string | undefined {
  if (!at) return undefined;
  const m = /^(.*\S)[\s，,。；;！!]+([^\s，,。；;！!]+)[\s。！!~]*$/su.exec(text.trim());
  if (!m || meaningfulChars(m[1]!) < 5) return undefined;
  const last = understandTurn(m[2]!, at);
  if (last.kind !== 'aside' || !last.done || last.confidence < SURE_YES) return undefined;
  // The content as written, its closing full stop kept and a dangling comma dropped.
  const t = text.trim();
  return t.slice(0, t.lastIndexOf(m[2]!)).replace(/[\s，,；;]+$/u, '');
}

/** Words for taking a quoted sentence out (删了嘛, 去掉, 不要这句). */
const DELETE_WORDS = /删|去掉|拿掉|不要|划掉/u;

/** At a long-text step, a message this long that mentions an emergency is also kept as what it was written as. */
const EMERGENCY_CONTENT_CHARS = 15;

/** What is said right after an emergency about it (打了119了, 救护车来了, 人都跑出来了). */
const EMERGENCY_FOLLOW_UP = /11[09]|120|122|救护车|消防|警察|派出所|报警|报了警|跑出来|救出来|送医院|火灭了|着火|派人/u;

/** A title as people write one: 关于…的建议, or a short …的建议. */
const TITLE_LIKE = /^关于.{2,40}(的)?(建议|意见|提议|设想|思考)[。.!！]?$|^.{2,30}的(建议|提议)[。.!！]?$/u;

/** Not wanting to give a phone number (不想留电话 可以不填吗). */
const PHONE_WITHHELD = /不想|不愿|不留|不给|不填|不方便|可以不|能不能不|不写|算了/u;

/** How sure the reading must be before a short answer is taken as a yes. */
const SURE_YES = 0.8;

/** At most this long, an answer that names no option is a yes (to the review, or to a suggested option). */
const SHORT_YES_CHARS = 8;

/** A message longer than this is content, even with a phone number in it. */
const DETAILS_MAX_CHARS = 80;

/** A question naming the current step is about the step unless the FAQ reading is at least this sure. */
const STEP_NAMED_FAQ_CONFIDENCE = 0.7;

/** How sure the reading of a first message must be that it asks one of the FAQ questions, or for a person. */
const FAQ_AT_INTAKE_CONFIDENCE = 0.6;

/** A phone number inside a text (mobile, +86, or a landline with its area code). */
const PHONE_IN_TEXT = /(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d){8}|0\d{2,3}[-\s]?\d{3,4}[-\s]?\d{4}/u;
/** Words that lead into one's own details (我叫…, 电话…), and how far before the phone number they may stand. */
const DETAILS_LEAD = /我叫|我是|本人|姓名|名字|联系人|我的电话|联系电话|电话|手机|联系方式/gu;
const DETAILS_LEAD_REACH = 25;

/** A first message that says it wants to suggest and is this long after its filler carries the suggestion itself. */
const START_WITH_CONTENT_CHARS = 10;

/** An addition to a long answer sent after the bot moved on is at least this long (我问你的 is no addition). */
const ADDITION_MIN_CHARS = 6;

/** How sure the recogniser must be that the first or last clause of content is a remark, to leave it out. */
const EDGE_ASIDE = 0.6;

/** How sure the recogniser must be that a short clause inside content is a remark, to leave it out. */
const SURE_INNER_ASIDE = 0.85;

/** More matters than this in one text are the sections of one structured proposal. */
const MAX_PARTS = 3;

/** Text of fewer different characters than this (关于关于…) is never taken for the whole suggestion. */
const AHEAD_MIN_DISTINCT = 7;

/** Shorter than this, a message at a choice or title step is never taken for the whole suggestion. */
const AHEAD_MIN_CHARS = 12;

const yesNoOptions = (yes: { id: string; label: string }, no: { id: string; label: string }) => [yes, no];
const titleOfferOptions = () => yesNoOptions({ id: 'title_yes', label: optionLabels.titleYes }, { id: 'title_no', label: optionLabels.titleNo });
const laterPartOptions = () => yesNoOptions({ id: 'later_yes', label: optionLabels.laterPartYes }, { id: 'later_no', label: optionLabels.laterPartNo });

/** One run of the engine over one message. Mutates its own copy of the session. */
class Turn {
  readonly replies: OutboundReply[] = [];
  readonly effects: Effect[] = [];
  /** The message's text; an answer's filler is stripped from it once the turn is understood. */
  private text: string;
  /** The turn was read, surely, as an answer to the step (a short one may then be a yes). */
  private readAsAnswer = false;
  /** The message was a filled-in form: its long texts are not announced one by one as they are checked. */
  private fromForm = false;
  /** What a request for help with the title says the suggestion is about (就是北滨路装路灯). */
  private titleTopic: string | undefined;

  constructor(
    private readonly flow: FlowDefinition,
    public s: Session | undefined,
    private readonly msg: EngineMessage,
    private readonly ctx: FlowContext,
  ) {
    this.text = msg.text.trim();
  }

  /** The session to store when the message did not start anything (help, a lookup before any draft). */
  intakeSession(): Session {
    return newSession(this.flow, this.ctx.now);
  }

  private say(text: string, options?: ReplyOption[]) {
    this.replies.push(options && options.length ? { text, options } : { text });
  }

  private get limits() {
    return this.ctx.config.service.limits;
  }

  run(): void {
    let s = this.s;
    if (s && isExpired(s, this.ctx)) s = this.s = undefined;
    if (s && isTerminal(s.stepId)) {
      // A second 确认 right after submitting is answered with the reference, never stored twice.
      if (s.stepId === 'submitted' && s.reference && (isWord(this.text, controlWords.confirm) || this.msg.optionId === 'submit')) {
        this.say(systemTexts.alreadySubmitted(s.reference));
        return;
      }
      if (s.stepId === 'submitted' && s.laterParts?.length && this.answerLaterPart(s.laterParts)) return;
      // Right after an emergency (打了119了 你们能不能也派人来): no referral to 12345, but what this service
      // cannot do and whom to keep in touch with; a new emergency still gets the numbers.
      if (s.afterEmergency && this.ctx.judge.emergencyAt(this.text).kind !== 'emergency' && !matchCommand(this.text) && (this.ctx.judge.judgeScope(this.text).kind === 'out_of_scope' || EMERGENCY_FOLLOW_UP.test(this.text))) {
        delete s.afterEmergency;
        this.say(systemTexts.afterEmergency);
        return;
      }
      // 好的 / 谢谢 after a referral: a polite close, not a new draft.
      if (s.stepId === 'out_of_scope' && isWord(this.text, [...controlWords.yes, ...controlWords.agree, ...controlWords.thanks])) {
        delete s.afterEmergency;
        this.say(systemTexts.afterReferral);
        return;
      }
      s = this.s = undefined;
    }
    if ([...this.text].length > this.limits.messageMaxChars) {
      this.say(limitTexts.message(this.limits.messageMaxChars, [...this.text].length));
      return;
    }
    if (s?.pendingSubmit) return this.submit(stepOf(this.flow, s.stepId) as ReviewStep);
    // An emergency at any step of a draft: the emergency numbers at once, the draft kept (issue 15).
    if (s && s.stepId !== 'intake' && !this.msg.forwarded && this.ctx.judge.emergencyAt(this.text).kind === 'emergency') {
      s.afterEmergency = true;
      // Content that only mentions a danger (…能减少火灾) is not lost: kept where it was written.
      const at = stepOf(this.flow, s.stepId);
      if (at.kind === 'collect' && meaningfulChars(this.text) >= EMERGENCY_CONTENT_CHARS) s.buffer.push(this.text);
      return this.say(`${this.ctx.config.scope.referrals.help}\n${systemTexts.draftKept}`);
    }
    // Right after an emergency in the middle of a draft (打了119了 人都跑出来了): not an answer to the step.
    if (s?.afterEmergency && !isTerminal(s.stepId)) {
      delete s.afterEmergency;
      if (EMERGENCY_FOLLOW_UP.test(this.text)) return this.say(`${systemTexts.afterEmergency}\n${systemTexts.draftKept}`);
    }
    if (!s || (s.stepId === 'intake' && !s.awaiting)) return this.intake();
    // A forwarded record or a 代录 paste sent at the first question, before anything was answered, starts
    // the draft it seeds (an agent who said hello first, then forwarded the chat or answered 代录).
    if (this.flow.intake?.seed && s.stepId === this.flow.start && !s.history.length && !s.buffer.length && !s.awaiting) {
      const seed = this.seedOf();
      if (seed?.answers) {
        this.s = undefined;
        return this.beginSeeded(seed);
      }
    }
    if (s.awaiting && this.answerAside()) return;
    if (this.deleteQuoted()) return;
    if (this.fillFromForm()) return;
    const cmd = matchCommand(this.text);
    if (cmd && this.command(cmd)) return;
    if (this.remindIfReturning()) return;
    const step = stepOf(this.flow, s.stepId);
    // Back at a step already answered (返回, 修改): 不改 keeps what it holds.
    if (this.holdsAnswer(step) && isWord(this.text, controlWords.keep)) return this.leave(step);
    // Understand the turn before anything is stored: only answers (cleaned of filler) reach the step.
    const reading = this.read(step);
    if (reading && this.actOn(reading, step)) return;
    if (reading?.kind === 'answer') {
      this.text = reading.clean;
      // Sure enough, and without a negation, to take as a yes where one is asked (核对, a suggested option).
      this.readAsAnswer = reading.confidence >= SURE_YES && !/[不别错再等]/.test(reading.clean.replace(/没(得)?问题/g, ''));
    }
    this.answerStep(step);
  }

  // ---- turn understanding ------------------------------------------------------------------------------

  /** The corpus step a message at `step` is typed at: the step itself, or the identity field asked for. */
  private turnStepOf(step: Step): TurnStep | undefined {
    const id = step.kind === 'fields' ? (this.s!.focus ?? step.fields[0]?.key) : step.id;
    return (turnSteps as readonly string[]).includes(id ?? '') ? (id as TurnStep) : undefined;
  }

  /**
   * What the message is: undefined for a clicked option, a step the corpus does not cover, and the step's
   * own control words (完成, 重写, 坚持, 确认) and emoji, which the step handles itself.
   */
  private read(step: Step): TurnReading | undefined {
    if (this.msg.optionId || !this.text || !/[\p{L}\p{N}]/u.test(this.text)) return undefined;
    if (isWord(this.text, [...controlWords.done, ...controlWords.rewrite, ...controlWords.insist, ...controlWords.confirm])) return undefined;
    const at = this.turnStepOf(step);
    if (!at) return undefined;
    // A menu's own number or label (3, 第三个, the third one, 乡村振兴) is its answer, as plainly as 返回 is a command.
    if (step.kind === 'choice') {
      const options = step.options(this.s!, this.ctx);
      if (resolveOption(options, this.msg, { exact: true }) || (!ASKS.test(this.text) && optionInWords(step, options, this.text, this.wordsOf(step)))) return undefined;
      // 好的 / 嗯 / 对 after "看起来属于X类，如无误请回复3": the option the bot suggested.
      if (isWord(this.text, [...controlWords.yes, ...controlWords.agree]) && step.suggested?.(this.s!, this.ctx)) return undefined;
    }
    // A question at a menu (成渝地区双城经济圈建设是啥子意思) is answered, not taken as choosing the option it names.
    if (step.kind === 'choice' && ASKS.test(this.text)) {
      const q = understandTurn(this.text, at);
      if (q.kind === 'question' && q.faq) return q;
      // Read as something else, it still asks: which FAQ entry, if one answers it surely.
      const f = faqOf(this.text);
      return { ...q, kind: 'question', faq: f.confidence >= TRAILING_FAQ_CONFIDENCE ? f.id : 'step', faqConfidence: f.confidence };
    }
    let r = understandTurn(this.text, at);
    // 标题你帮我写嘛 就是北滨路装路灯: a request for help with the title, and what it is about.
    if (step.kind === 'text' && step.answerKey === 'title') {
      const topic = this.helpWithTopic(at);
      if (topic) {
        this.titleTopic = topic;
        return { kind: 'question', faq: 'step', clean: this.text, confidence: 1 };
      }
    }
    // A doubtful aside where a short text is asked (公交 for a title) goes to the step's parser, which coaches.
    if (step.kind === 'text' && r.kind === 'aside' && r.confidence < DOUBTFUL_ASIDE) return { ...r, kind: 'answer', clean: cleanAnswer(this.text, at) };
    // A lookup is asked for in so many words (查询, 我的建议咋样了, a reference): a sentence the model merely
    // took for one (我们镇长天天打麻将 建议查一下) is an answer, judged like any other.
    if (r.kind === 'command' && r.command === 'query' && !matchCommand(this.text) && !referenceIn(this.text)) r = { ...r, kind: 'answer', clean: this.text.trim() };
    // A command word standing as a clause of its own (不对 我还没写内容 返回, 算了 不说这个了 继续) is that command.
    const said = commandClause(this.text);
    if (said && (r.kind !== 'answer' || r.confidence < SURE_YES)) return { kind: 'command', command: said.name, ...(said.arg ? { arg: said.arg } : {}), clean: this.text.trim(), confidence: 1 };
    // Otherwise a command the model is unsure of in a sentence of content is content (…公积金用不了 is not
    // asking for help); one it is sure of (能不能转人工 我想跟真人说) stands.
    if ((step.kind === 'collect' || step.kind === 'text') && r.kind === 'command' && r.confidence < SURE_YES && !matchCommand(this.text) && meaningfulChars(this.text) >= 8 && !referenceIn(this.text)) {
      r = { ...r, kind: 'answer', clean: this.text.trim() };
    }
    // "Nothing" said where the feasibility is asked (无, 不晓得) is that answer: coached once, and may be insisted on.
    if (step.kind === 'collect' && this.s?.softProblem && /^\s*1\s*$/.test(this.text.normalize('NFKC'))) return undefined;
    if (step.kind === 'collect' && step.id === 'feasibility' && r.kind === 'aside' && r.unknown) return { ...r, kind: 'answer', clean: this.text.trim() };
    if (step.kind === 'collect' && r.kind === 'aside') {
      // An aside that asks something (为啥子只能提一件) is a question about the step.
      if (!r.done && ASKS.test(this.text)) return { ...r, kind: 'question', faq: 'step' };
      // Where a proposal is written, a doubtful aside of some length is content (多修点公厕), which the quality
      // checks then coach: dropping what a citizen wrote is worse than showing it back in the summary.
      if (!r.done && r.confidence < CONTENT_ASIDE && meaningfulChars(this.text) >= 5) return { ...r, kind: 'answer', clean: cleanAnswer(this.text, at) };
    }
    // Likewise a doubtful "question" with no word that asks anything (乡村振兴要抓好产业 is a slogan, not a
    // question about the themes).
    // In a long message only its last clause can ask (画线不花好多钱 隔离栏几千块一个路口 能减少事故 asks nothing).
    const asking = meaningfulChars(this.text) >= 12 ? ASKS.test(this.text.split(/[\s，,。；;！!]+/u).filter(Boolean).at(-1) ?? '') : ASKS.test(this.text);
    if (step.kind === 'collect' && r.kind === 'question' && r.confidence < DOUBTFUL_ASIDE && !asking) return { ...r, kind: 'answer', clean: cleanAnswer(this.text, at) };
    // Asked for a name, a plain full name (刘洋, 张伟) is the answer, however short and unsure the reading.
    if (at === 'name' && r.kind !== 'answer' && r.kind !== 'command' && looksLikeFullName(this.text)) return { ...r, kind: 'answer', clean: this.text.trim() };
    // Asked for a phone, words without a digit (不想留电话 可以不填吗) are not a number to check: the citizen is
    // told why it is needed and who else can help.
    if (at === 'phone' && !/\d/.test(chineseDigits(this.text.normalize('NFKC'))) && (r.kind === 'answer' || PHONE_WITHHELD.test(this.text))) return { ...r, kind: 'aside' };
    // Asked for a phone, digits are an answer to check (and coach), not an aside.
    if (at === 'phone' && (r.kind === 'aside' || r.kind === 'question') && /\d{3,}/.test(chineseDigits(this.text.normalize('NFKC')))) {
      return { ...r, kind: 'answer', clean: r.clean };
    }
    return r;
  }

  /**
   * A message that asks for help with the title and says what the suggestion is about, in separate clauses
   * (标题你帮我写嘛 就是北滨路装路灯): the topic, cleaned. Undefined unless a clause surely asks or sets aside
   * and the others are an answer.
   */
  private helpWithTopic(at: TurnStep): string | undefined {
    const clauses = this.text.split(/[\s，,。！!？?；;]+/u).filter((c) => meaningfulChars(c) > 0);
    if (clauses.length < 2) return undefined;
    const readings = clauses.map((c) => understandTurn(c, at));
    const asks = readings.filter((x) => (x.kind === 'question' || x.kind === 'aside') && x.confidence >= SURE_YES);
    const answers = readings.filter((x) => x.kind === 'answer');
    if (!asks.length || !answers.length || asks.length + answers.length !== readings.length) return undefined;
    const topic = answers
      .map((x) => x.clean)
      .join('')
      .replace(/^关于/u, '')
      .replace(/(的)?(建议|问题|事情|事)$/u, '');
    return meaningfulChars(topic) >= 3 && meaningfulChars(topic) <= 24 ? topic : undefined;
  }

  /** Offers a title drawn from what the citizen said the suggestion is about. */
  private offerTitle(topic: string): void {
    const title = prompts.draftTitle(topic);
    this.s!.awaiting = { kind: 'title', title };
    this.say(prompts.titleOffer(title), titleOfferOptions());
  }

  /**
   * A menu's words for its options: the flow's synonyms, and for a reply of a few characters (农村的, 成渝那个)
   * the configuration's too (theme aliases). A longer reply with such a word in it is content (我觉得农村路灯太少).
   */
  private wordsOf(step: ChoiceStep): Record<string, readonly string[]> {
    const extra = meaningfulChars(this.text) <= ALIAS_REPLY_MAX_CHARS ? (step.optionWords?.(this.s!, this.ctx) ?? {}) : {};
    const ids = new Set([...Object.keys(step.synonyms ?? {}), ...Object.keys(extra)]);
    return Object.fromEntries([...ids].map((id) => [id, [...(step.synonyms?.[id] ?? []), ...(extra[id] ?? [])]]));
  }

  /** Acts on a turn that is not an answer; false when it is to be taken as the step's answer after all. */
  private actOn(r: TurnReading, step: Step): boolean {
    switch (r.kind) {
      case 'answer':
        return false;
      case 'command':
        return this.plainCommand(r, step);
      case 'question':
        this.answerQuestion(r.faq, step, r.faqConfidence ?? 0);
        return true;
      case 'aside':
        return this.aside(r, step);
      case 'correction':
        return this.correct(r, step);
      case 'out_of_scope': {
        const v = this.ctx.judge.judgeScope(this.text);
        if (v.kind === 'out_of_scope') {
          this.say(`${this.ctx.config.scope.referrals[v.category]}\n${systemTexts.draftKept}`);
          return true;
        }
        // Read as out of scope but judged a suggestion: on a content step it is content.
        if (step.kind === 'collect') return false;
        this.say(prompts.aside);
        this.shortReask(step);
        return true;
      }
    }
  }

  /** A command said in plain words (我要找真人说, 标题不对改一下, 全部删了重新写). */
  private plainCommand(r: TurnReading, step: Step): boolean {
    switch (r.command) {
      case 'handoff':
        this.effects.push({ type: 'handoff', citizen: this.ctx.citizen });
        return true;
      case 'edit': {
        const field = this.fieldIn(r.arg ?? this.text);
        // 修改公交站牌的设置 at the title step is a title, not a command without a field.
        if (!field && (r.arg || [...this.text].length > 6) && step.kind !== 'review') return false;
        if (!field) return this.command({ name: 'edit' });
        if (this.isCurrent(field, step)) {
          this.reprompt();
          return true;
        }
        if (!this.answered(field)) {
          this.say(prompts.notAnsweredYet(this.labelOf(field)));
          this.shortReask(step);
          return true;
        }
        this.edit(field);
        return true;
      }
      case undefined:
        return false;
      default:
        return this.command({ name: r.command, ...(r.arg ? { arg: r.arg } : {}) });
    }
  }

  /** Answers a question about the campaign (from the FAQ in config) or about the step, then asks again. */
  private answerQuestion(faqId: string | undefined, step: Step, faqConfidence: number): void {
    // A question that names the step being asked (可行性是啥子意思, 标题要写啥子) is about the step, unless
    // it plainly asks an FAQ question (名字会公开吗).
    const at = this.turnStepOf(step);
    const names = at === step.id ? [step.label, ...(step.aliases ?? [])] : step.kind === 'fields' ? step.fields.filter((f) => f.key === at).flatMap((f) => [f.label, ...(f.aliases ?? [])]) : [];
    if (faqConfidence < STEP_NAMED_FAQ_CONFIDENCE && names.some((n) => this.text.includes(n))) faqId = 'step';
    const entry = faqId ? this.ctx.config.faq.find((f) => f.id === faqId) : undefined;
    // 我叫陈小军 电话不想给 可以不: the name said with the question is kept before it is answered.
    if (step.kind === 'fields') {
      const kept = this.keepDetails(step, this.nameAndPhoneIn(this.text));
      const missing = step.fields.find((f) => this.s!.answers[f.key] === undefined);
      if (kept.length && missing) this.s!.focus = missing.key;
      if (kept.length) this.say(prompts.keptDetails(kept));
    }
    if (this.titleTopic && step.kind === 'text') return this.offerTitle(this.titleTopic);
    // At a menu, a question no FAQ entry answers and that is not about the menu (我想问下低保咋个申请, 可以打电话说不)
    // is not answered with the menu's help: a matter for another channel is referred, anything else is
    // told plainly that the bot cannot answer it and who can.
    if (!entry && step.kind === 'choice' && !this.aboutMenu(step, names)) {
      const v = this.ctx.judge.judgeScope(this.text);
      if (v.kind === 'out_of_scope' && v.category !== 'chitchat' && v.category !== 'spam') this.say(`${this.referralText(v.category, this.text)}\n${systemTexts.draftKept}`);
      else this.say(systemTexts.handoffContact(this.ctx.config.service.contact, true));
      return this.shortReask(step);
    }
    const help = prompts.stepHelp[this.turnStepOf(step) ?? step.id];
    this.say(entry?.answer ?? (faqId === 'step' || !faqId ? help : undefined) ?? prompts.questionUnknown);
    this.shortReask(step);
  }

  /**
   * 那句“但是我不想留电话”删了嘛: a sentence quoted from a long answer (or from what is being written) is taken
   * out of it, and the citizen told so. Only an exact quote of at least a few characters, with a word for
   * deleting.
   */
  private deleteQuoted(): boolean {
    const m = /[“"「『]([^”"」』]{3,200})[”"」』]/u.exec(this.text);
    if (!m || !DELETE_WORDS.test(this.text.replace(m[0], ''))) return false;
    const quote = m[1]!.trim();
    const s = this.s!;
    const step = stepOf(this.flow, s.stepId);
    const strip = (t: string) => t.split(quote).join('').replace(/[\s，,；;]{2,}/gu, '，').replace(/^[\s，,；;]+|[\s，,；;]+$/gu, '');
    if (step.kind === 'collect' && s.buffer.some((b) => b.includes(quote))) {
      s.buffer = s.buffer.map(strip).filter((b) => b.length > 0);
      this.say(prompts.deleted(quote));
      this.say(this.collectReask(step));
      return true;
    }
    const long = this.flow.steps.find((x): x is CollectStep => x.kind === 'collect' && (s.answers[x.answerKey] ?? '').includes(quote));
    if (!long) return false;
    s.answers[long.answerKey] = strip(s.answers[long.answerKey]!);
    this.say(prompts.deleted(quote));
    this.reprompt();
    return true;
  }

  /** The message speaks of the menu: its name, an option's label or word, or choosing (选哪个, 啥意思). */
  private aboutMenu(step: ChoiceStep, names: readonly string[]): boolean {
    const words = Object.values(this.wordsOf(step)).flat();
    const labels = step.options(this.s!, this.ctx).map((o) => o.label);
    return names.some((n) => this.text.includes(n)) || [...labels, ...words].some((w) => [...w].length >= 2 && this.text.includes(w.slice(0, 2))) || /选|哪个|哪一个|意思|区别|不同|分类|类/u.test(this.text);
  }

  /** An aside: never stored. 说完了 ends a multi-message answer; at the identity fields it says why they are needed. */
  private aside(r: TurnReading, step: Step): boolean {
    const s = this.s!;
    if (step.kind === 'collect') {
      if (r.done) {
        this.finishCollect(step);
        return true;
      }
      // 那我先提动车那个，夜市的等哈再提, said while the text holds two matters: that one is chosen now.
      if (s.buffer.length && this.chooseNamedPart(step)) return true;
      // A sentence that may be content (村民都同意了, 成本不高就行了) or an aside: ask, never drop or store unasked.
      if (meaningfulChars(this.text) >= KEEP_QUESTION_MIN_CHARS && r.confidence < SURE_ASIDE) {
        s.awaiting = { kind: 'keep', text: this.text };
        this.say(prompts.keepQuestion(this.text, step.label), this.keepOptions());
        return true;
      }
      // Nothing written yet (可行, 不晓得): what the step asks for, in plain words.
      if (!s.buffer.length) {
        this.say(prompts.stepHelp[step.id] ?? prompts.aside);
        return true;
      }
    }
    // 杨树林 电话等我找一下哈: the name is kept, and the phone can wait.
    if (step.kind === 'fields' && s.focus === 'name') {
      const kept = this.keepDetails(step, this.nameAndPhoneIn(this.text));
      const missing = step.fields.find((f) => s.answers[f.key] === undefined);
      if (kept.length && missing) {
        s.focus = missing.key;
        this.say(`${prompts.keptDetails(kept)}${prompts.aside}`);
        this.say(missing.ask);
        return true;
      }
    }
    if (step.kind === 'fields' && s.focus === 'phone' && !/\d/.test(this.text)) {
      this.say(identityCoaching.phoneRefused(this.ctx.config.service.contact));
      return true;
    }
    if (step.kind === 'fields' && s.focus === 'name') {
      const v = checkName(this.text);
      this.say(v.ok ? identityCoaching.name.invalid : identityCoaching.name[v.reason as keyof typeof identityCoaching.name]);
      return true;
    }
    // At a menu or the review an aside is no answer: counted like one, so the third brings an example.
    if (step.kind === 'choice') return this.fail(step, step.invalidReply, step.options(s, this.ctx)), true;
    if (step.kind === 'review') return this.fail(step, prompts.reviewInvalid, step.prompt(s, this.ctx).options), true;
    this.say(prompts.aside);
    this.shortReask(step);
    return true;
  }

  /** A correction of an earlier answer: put the new value in place when it carries one, else go and change it. */
  private correct(r: TurnReading, step: Step): boolean {
    // 标题咋个是这个 修改 标题: asking to change it, with no new value in it.
    if (r.value && /修改|改一下|重新填|重新写/u.test(r.value)) r = { ...r, value: undefined } as TurnReading;
    // The field named, not counting the menus' options (日常建议 names no field, though 建议 is one's alias).
    let bare = this.text;
    for (const x of this.flow.steps) if (x.kind === 'choice') for (const o of x.options(this.s!, this.ctx)) bare = bare.split(o.label).join(' ');
    const named = this.fieldIn(bare);
    // 选错了 我要选日常建议: an option of a menu already answered, named without the menu's name.
    if (!named && this.correctChoice(step)) return true;
    // The answer the reading says it corrects, when the message names none (我还没说完 … is more proposal).
    const field = named ?? (r.field && this.editables().some((e) => e.key === r.field) ? r.field : undefined);
    if (!field || this.isCurrent(field, step)) {
      // A correction of the answer being given is that answer.
      if (r.value) this.text = r.value;
      return false;
    }
    if (!this.answered(field)) return false;
    // More for a long answer already given (内容还要补充一句 …): added to it, the current step kept.
    const collect = this.flow.steps.find((x): x is CollectStep => x.kind === 'collect' && x.answerKey === field);
    if (collect && r.value && meaningfulChars(r.value) >= ADDITION_MIN_CHARS && understandTurn(r.value, collect.id as TurnStep).kind === 'answer') {
      this.s!.answers[field] = `${this.s!.answers[field]}\n${r.value}`;
      this.say(prompts.added(collect.label, excerpt(r.value, 40)));
      this.shortReask(step);
      return true;
    }
    const parser = this.parserOf(field);
    if (r.value && parser) {
      const p = parser(r.value, this.s!, this.ctx);
      if (p.ok) {
        this.s!.answers[field] = p.value;
        this.say(prompts.corrected(this.labelOf(field), p.value));
        this.shortReask(step);
        return true;
      }
    }
    this.edit(field);
    return true;
  }

  /** Puts a different option of an earlier menu in place when the message names one (and only one such menu). */
  private correctChoice(step: Step): boolean {
    const s = this.s!;
    const found: { step: ChoiceStep; option: ReplyOption }[] = [];
    for (const x of this.flow.steps) {
      if (x.kind !== 'choice' || x.id === step.id || s.answers[x.answerKey] === undefined) continue;
      const options = x.options(s, this.ctx);
      const named = options.filter((o) => o.id !== s.answers[x.answerKey] && (this.text.includes(o.label) || (x.synonyms?.[o.id] ?? []).some((w) => w.length >= 2 && this.text.includes(w))));
      if (named.length === 1) found.push({ step: x, option: named[0]! });
    }
    if (found.length !== 1) return false;
    const { step: menu, option } = found[0]!;
    s.answers[menu.answerKey] = option.id;
    Object.assign(s.answers, menu.alsoRecord?.(option.id, s, this.ctx) ?? {});
    this.say(prompts.corrected(menu.label, option.label));
    this.shortReask(step);
    return true;
  }

  /** The answer (step id or identity field key) a message names, by label or alias; the longest name wins. */
  private fieldIn(text: string): string | undefined {
    const t = normaliseWord(text);
    let best: { key: string; len: number } | undefined;
    for (const e of this.editables()) {
      for (const name of [e.label, ...e.aliases]) {
        const n = normaliseWord(name);
        if (n && t.includes(n) && (!best || n.length > best.len)) best = { key: e.key, len: n.length };
      }
    }
    return best?.key;
  }

  private labelOf(key: string): string {
    return this.editables().find((e) => e.key === key)?.label ?? key;
  }

  /** True when `key` is what the current step asks (the step itself, or the identity field in focus). */
  private isCurrent(key: string, step: Step): boolean {
    return key === step.id || (step.kind === 'fields' && this.s!.focus === key);
  }

  /** The parser of a one-message answer (a text step or an identity field); undefined for choices and long texts. */
  private parserOf(key: string): ((text: string, s: Session, ctx: FlowContext) => { ok: true; value: string } | { ok: false; reason: string; reply: string }) | undefined {
    const step = this.flow.steps.find((x) => x.id === key);
    if (step?.kind === 'text') return step.parse;
    if (step) return undefined;
    return this.flow.steps.flatMap((x) => (x.kind === 'fields' ? x.fields : [])).find((f) => f.key === key)?.parse;
  }

  /** True when the step already holds an answer (the citizen came back to it). */
  private holdsAnswer(step: Step): boolean {
    const s = this.s!;
    if (step.kind === 'choice' || step.kind === 'text') return s.answers[step.answerKey] !== undefined;
    // A long answer counts as held only while nothing was added to it since coming back.
    if (step.kind === 'collect') return s.answers[step.answerKey] !== undefined && s.buffer.join('\n') === s.answers[step.answerKey];
    if (step.kind === 'fields') return step.fields.every((f) => s.answers[f.key] !== undefined);
    return false;
  }

  // ---- intake: the first message -------------------------------------------------------------------

  private intake(): void {
    const cmd = this.msg.forwarded ? undefined : matchCommand(this.text);
    if (cmd) {
      switch (cmd.name) {
        case 'restart':
          return this.begin();
        case 'help':
          return this.say(systemTexts.help(this.ctx.config.service.contact, undefined, this.ctx.config.faq));
        case 'query':
          return this.query(cmd.arg);
        case 'resume':
          // 继续 with nothing to go on with: a new draft begins (the citizen wants to go on here).
          return this.begin(undefined, systemTexts.noDraft);
        default:
          return this.say(systemTexts.nothingToCancel);
      }
    }
    const seed = this.seedOf();
    if (seed) return this.beginSeeded(seed);
    if (!this.text) return this.say(systemTexts.startHint);
    // A filled-in form pasted as the first message: the draft starts with every field it holds.
    if (!this.msg.forwarded && this.flow.intake?.prefillKey && parseLabelledForm(this.msg.text)) {
      this.begin();
      this.replies.length = 0;
      if (this.fillFromForm()) return;
    }
    if (this.answerFaqAtIntake()) return;
    if (!this.flow.intake?.judgeScope) return this.begin();
    const v = this.ctx.judge.judgeScope(this.text);
    switch (v.kind) {
      case 'start':
        // 我想提个建议 with the suggestion itself after it: the suggestion is kept, not asked for again.
        if (this.carriesSuggestion()) return this.begin(this.text);
        this.begin();
        // 想给乡村振兴提个建议: the first menu's option named on the way in is its answer.
        return void this.answerNamedOption();
      case 'suggestion':
        return this.begin(this.text);
      case 'out_of_scope':
        return this.outOfScope(v.category);
      case 'unsure':
        this.s = this.intakeSession();
        this.s.awaiting = { kind: 'scope', text: this.text, from: 'intake', candidates: v.candidates };
        return this.say(systemTexts.scopeAsk, this.scopeOptions());
    }
  }

  /**
   * A question about the campaign before any draft (提交了有没有奖金哦？): its FAQ answer and how to begin.
   * Only a question the FAQ answers; everything else goes to the scope judgement as before.
   */
  private answerFaqAtIntake(): boolean {
    if (!this.flow.intake?.judgeScope) return false;
    const r = understandTurn(this.text, 'theme');
    if (r.kind === 'command' && r.command === 'handoff' && r.confidence >= FAQ_AT_INTAKE_CONFIDENCE) {
      this.effects.push({ type: 'handoff', citizen: this.ctx.citizen });
      return true;
    }
    if (r.kind === 'command' && r.command === 'query' && r.arg) {
      this.query(r.arg);
      return true;
    }
    // Only a confident reading: 请问公积金怎么提取 is a consultation for the scope judgement, not an FAQ.
    if (r.kind !== 'question' || !r.faq || r.faq === 'step' || r.confidence < FAQ_AT_INTAKE_CONFIDENCE) return false;
    const entry = this.ctx.config.faq.find((f) => f.id === r.faq);
    if (!entry) return false;
    // 我想提个建议 但是不想留名字可以不: the question answered, and the draft begun as asked.
    if (this.ctx.judge.judgeScope(this.text).kind === 'start') {
      this.say(entry.answer);
      this.begin();
      return true;
    }
    this.say(`${entry.answer}\n${systemTexts.startHint}`);
    return true;
  }

  /** What the flow's intake seed makes of this message (undefined when the flow has no seed). */
  private seedOf(): IntakeSeed | undefined {
    const m = this.msg.forwarded ? { text: this.text, forwarded: this.msg.forwarded } : { text: this.text };
    return this.flow.intake?.seed?.(m, this.ctx);
  }

  private scopeOptions(): ReplyOption[] {
    return [
      { id: 'suggest', label: optionLabels.suggest },
      { id: 'petition', label: optionLabels.petition },
    ];
  }

  private begin(prefill?: string, notice?: string): void {
    const s = (this.s = newSession(this.flow, this.ctx.now));
    // A first message that is a title (关于…的建议) is kept as the title, not as the proposal's text.
    const titleStep = this.flow.steps.find((x): x is TextStep => x.kind === 'text' && x.answerKey === 'title');
    const asTitle = prefill && titleStep && TITLE_LIKE.test(prefill.trim()) && !prefill.includes('\n') ? titleStep.parse(prefill.trim(), s, this.ctx) : undefined;
    if (asTitle?.ok && titleStep) {
      s.answers[titleStep.answerKey] = asTitle.value;
      s.prefilledAnswers = true;
      this.say(notice ?? prompts.welcome);
      this.say(prompts.titleKept(asTitle.value));
      return this.enter(this.flow.start);
    }
    // What the first message said besides the suggestion: a question answered, the proposer's details kept.
    const notes: string[] = [];
    if (prefill && this.flow.intake?.prefillKey && !this.msg.forwarded) {
      const first = this.firstMessageContent(prefill);
      prefill = first.content;
      notes.push(...first.notes);
    }
    if (prefill && this.flow.intake?.prefillKey) {
      s.prefill = { [this.flow.intake.prefillKey]: prefill };
      s.prefillToConfirm = true;
      // Several matters in the first message (一事一议): which one first, before any question about it.
      const split = this.partsOf(this.flow.intake.prefillKey, prefill);
      if (split) {
        this.say(notice ?? prompts.welcome);
        for (const n of notes) this.say(n);
        return this.askPart(split.parts, 'intake', split.reason);
      }
    }
    if (notice) this.say(notice);
    else this.say(prefill ? prompts.welcomeWithDraft : prompts.welcome);
    for (const n of notes) this.say(n);
    this.enter(this.flow.start);
  }

  /**
   * A suggestion typed as the first message, as it is to be kept: the greeting and filler before it
   * stripped (你好我想提个建议就是…), a question at its end answered, the proposer's details at its end kept
   * for the identity step. `notes`: what to tell the citizen about it.
   */
  private firstMessageContent(text: string): { content: string; notes: string[] } {
    // Remarks around the suggestion (我想提个建议噻，… 但是我不想留电话) left out, questions among them answered.
    const { content, answers: notes } = this.withoutRemarks(cleanAnswer(text, 'proposal'), 'proposal');
    const details = this.detailsCut(content);
    if (details.kept.length) notes.push(prompts.keptDetails(details.kept));
    return { content: details.content, notes };
  }

  /**
   * 我是想提建议 建议给我们村开个校车: a message that says it wants to suggest and carries some of it, beyond
   * remarks, and more than an announcement (我想写一条关于三峡移民文化的建议 is a title-like topic, not content).
   */
  private carriesSuggestion(): boolean {
    const content = this.trimEdges(cleanAnswer(this.text, 'proposal'), 'proposal').content;
    if (meaningfulChars(content) < START_WITH_CONTENT_CHARS) return false;
    const v = this.ctx.judge.coachQuality(content, {});
    return v.ok || v.problem !== 'title_only';
  }

  /** The draft just begun is at a menu whose option the first message named (by its label): chosen. */
  private answerNamedOption(): void {
    const s = this.s!;
    const step = stepOf(this.flow, s.stepId);
    if (step.kind !== 'choice' || ASKS.test(this.text)) return;
    const options = step.options(s, this.ctx);
    const named = options.filter((o) => this.text.includes(o.label));
    if (named.length !== 1) return;
    // The menu just asked is answered already: in its place, what was taken.
    this.replies.pop();
    this.say(prompts.optionTaken(step.label, named[0]!.label));
    s.answers[step.answerKey] = named[0]!.id;
    Object.assign(s.answers, step.alsoRecord?.(named[0]!.id, s, this.ctx) ?? {});
    this.addPrefill(step.alsoPrefill?.(named[0]!.id, s, this.ctx));
    this.leave(step);
  }

  /** Begins a draft with what the flow's intake seed already knows. */
  private beginSeeded(seed: IntakeSeed): void {
    const s = (this.s = newSession(this.flow, this.ctx.now));
    Object.assign(s.answers, seed.answers ?? {});
    this.addPrefill(seed.prefill);
    this.say(seed.notice ?? prompts.welcome);
    this.enter(this.flow.start);
  }

  private addPrefill(prefill: Record<string, string> | undefined): void {
    if (!prefill || !Object.keys(prefill).length) return;
    const s = this.s!;
    s.prefill = { ...(s.prefill ?? {}), ...prefill };
  }

  private outOfScope(category: OutOfScopeKind, text = this.text): void {
    const s = (this.s = newSession(this.flow, this.ctx.now));
    s.stepId = 'out_of_scope';
    if (category === 'help') s.afterEmergency = true;
    this.say(this.referralText(category, text));
  }

  /** The referral for a refused message: by kind and matter (config `scope.referrals`). */
  private referralText(category: OutOfScopeKind, text: string, key = this.ctx.judge.referralFor(category, text)): string {
    const referral = this.ctx.config.scope.referrals[key];
    // An emergency gets one line; spam one short reply that does not engage.
    return category === 'help' || category === 'spam' ? referral : `${referral}\n${systemTexts.outOfScopeTail}`;
  }

  // ---- asides: yes/no questions that are not steps --------------------------------------------------

  /** Handles the answer to an aside; false when the message is not one, so it is handled normally. */
  private answerAside(): boolean {
    const s = this.s!;
    const a = s.awaiting!;
    delete s.awaiting;
    switch (a.kind) {
      case 'cancel': {
        const o = resolveOption(this.cancelOptions(), this.msg);
        if (o?.id === 'cancel_yes' || isWord(this.text, controlWords.yes) || matchCommand(this.text)?.name === 'cancel') {
          this.finishCancelled();
          return true;
        }
        if (o?.id === 'cancel_no' || isWord(this.text, controlWords.no) || matchCommand(this.text)?.name === 'resume') {
          this.say(systemTexts.cancelKept);
          this.reprompt();
          return true;
        }
        if (o?.id === 'cancel_later' || this.saysLater()) {
          this.say(systemTexts.savedForLater(this.ctx.config.service.draftTtlDays));
          return true;
        }
        return false;
      }
      case 'resume': {
        const o = resolveOption(this.resumeOptions(), this.msg);
        const cmd = matchCommand(this.text);
        if (o?.id === 'resume' || cmd?.name === 'resume') {
          this.say(systemTexts.resumed);
          this.reprompt();
          return true;
        }
        if (o?.id === 'restart' || cmd?.name === 'restart') {
          this.begin(undefined, systemTexts.restarted);
          return true;
        }
        // Anything else is taken as the answer to the step they were on: nothing is lost.
        return false;
      }
      case 'restart': {
        const o = resolveOption(this.restartOptions(), this.msg);
        if (o?.id === 'restart_yes' || isWord(this.text, controlWords.yes) || matchCommand(this.text)?.name === 'restart') {
          this.begin(undefined, systemTexts.restarted);
          return true;
        }
        if (o?.id === 'restart_no' || isWord(this.text, controlWords.no) || matchCommand(this.text)?.name === 'resume') {
          this.say(systemTexts.cancelKept);
          this.reprompt();
          return true;
        }
        return false;
      }
      case 'keep': {
        const step = stepOf(this.flow, s.stepId);
        const o = resolveOption(this.keepOptions(), this.msg);
        if (step?.kind === 'collect' && (o?.id === 'keep_yes' || isWord(this.text, controlWords.yes))) {
          s.buffer.push(a.text);
          delete s.softProblem;
          this.say(step.ack(s.buffer.join('\n').length));
          return true;
        }
        if (o?.id === 'keep_no' || isWord(this.text, controlWords.no)) {
          this.say(prompts.keepDropped);
          if (step?.kind === 'collect') this.say(this.collectReask(step));
          return true;
        }
        // Anything else is handled as a new message; the sentence asked about is not kept.
        return false;
      }
      case 'part':
        return this.answerPart(a);
      case 'title': {
        const step = stepOf(this.flow, s.stepId);
        const o = resolveOption(titleOfferOptions(), this.msg, { exact: true });
        if (step.kind === 'text' && (o?.id === 'title_yes' || isWord(this.text, [...controlWords.yes, ...controlWords.agree]))) {
          s.answers[step.answerKey] = a.title;
          this.leave(step);
          return true;
        }
        if (o?.id === 'title_no' || isWord(this.text, controlWords.no)) {
          this.say(prompts.sendLabel(step.label));
          return true;
        }
        // A question meanwhile is answered and the offer stands; anything else (the title typed by the
        // citizen) is handled as usual.
        if (understandTurn(this.text, 'title').kind === 'question') s.awaiting = a;
        return false;
      }
      case 'edit': {
        const target = this.resolveField(this.msg.optionId ?? this.text);
        if (target) {
          this.edit(target);
          return true;
        }
        return false;
      }
      case 'scope': {
        const o = resolveOption(this.scopeOptions(), this.msg);
        if (o?.id === 'suggest' || isWord(this.text, controlWords.scopeSuggest)) {
          if (a.from === 'intake') this.begin(a.text);
          else this.finishCollect(stepOf(this.flow, s.stepId) as CollectStep, { skipScope: true, insist: a.insist === true });
          return true;
        }
        if (o?.id === 'petition' || isWord(this.text, controlWords.scopePetition)) {
          // Not a suggestion, then: referred by what the judgement took it for (a complaint to 12345, …).
          const kind = (a.candidates.find((c) => c === 'petition' || c === 'complaint' || c === 'tipoff') ?? 'petition') as OutOfScopeKind;
          if (a.from === 'intake') this.outOfScope(kind, a.text);
          else this.say(`${this.referralText(kind, a.text)}\n${systemTexts.draftKept}`);
          return true;
        }
        if (a.from === 'intake') {
          // A new message instead of an answer: one that is itself out of scope is judged as a first message
          // again; anything else (乡村振兴, 是建议嘛, the suggestion typed again) goes on with the suggestion, and
          // the first message is kept, never dropped.
          const v = this.ctx.judge.judgeScope(this.text);
          this.s = undefined;
          if (v.kind === 'out_of_scope' || matchCommand(this.text)) return this.intake(), true;
          const again = meaningfulChars(this.text) >= AHEAD_MIN_CHARS && v.kind === 'suggestion';
          this.begin(again ? `${a.text}\n${this.text}` : a.text);
          if (!again) this.answerNamedOption();
          return true;
        }
        return false;
      }
    }
  }

  // ---- several matters in one text (一事一议) ----------------------------------------------------------

  /** The matters of a text given for `key`, when its step's checks find several (undefined otherwise). */
  private partsOf(key: string, text: string): { parts: string[]; reason: string } | undefined {
    const step = this.flow.steps.find((x): x is CollectStep => x.kind === 'collect' && x.answerKey === key);
    for (const check of step?.checks ?? []) {
      const r = check(text, this.s!, this.ctx);
      if (r.ok) continue;
      return r.kind === 'coach' && r.parts && r.parts.length >= 2 ? { parts: r.parts, reason: r.reason } : undefined;
    }
    return undefined;
  }

  /**
   * The matters of a text written in several messages: split within the message that holds several, each
   * other message added to the matter it speaks of (现在每天只有两趟 goes with the 动车 one), or the first.
   */
  private partsByMessage(step: CollectStep, parts: string[]): string[] {
    const buffer = this.s!.buffer;
    if (buffer.length < 2) return parts;
    const at = buffer.findIndex((e) => (this.partsOf(step.answerKey, e)?.parts.length ?? 0) >= 2);
    if (at < 0) return parts;
    const out = [...this.partsOf(step.answerKey, buffer[at]!)!.parts];
    const named = buffer.map((e, i) => (i === at ? -1 : (partNamed(e, out) ?? 0)));
    named.forEach((k, i) => {
      if (k >= 0) out[k] = `${out[k]}\n${buffer[i]}`;
    });
    return out;
  }

  /** A remark naming one of the matters the text collected so far holds: that one is gone on with. */
  private chooseNamedPart(step: CollectStep): boolean {
    const split = this.partsOf(step.answerKey, this.s!.buffer.join('\n'));
    if (!split) return false;
    const parts = this.partsByMessage(step, split.parts).map((p) => cleanAnswer(p, 'proposal'));
    if (partNamed(this.text, parts) === undefined) return false;
    return this.answerPart({ kind: 'part', parts, from: 'step', reason: split.reason });
  }

  private askPart(parts: string[], from: 'intake' | 'step', reason: string): void {
    // Each as written, without the filler that joined them (还有就是…).
    parts = parts.map((p) => cleanAnswer(p, 'proposal'));
    this.s!.awaiting = { kind: 'part', parts, from, reason };
    this.say(prompts.partChoice(parts.length), this.partOptions(parts));
  }

  private partOptions(parts: string[]): ReplyOption[] {
    return [...parts.map((p, i) => ({ id: `part_${i + 1}`, label: excerpt(p, 30) })), { id: 'part_all', label: optionLabels.partsTogether }];
  }

  /** The answer to "先提哪一件": by number or option, or by the words of one part (那我先提动车那个). */
  private answerPart(a: Extract<Awaiting, { kind: 'part' }>): boolean {
    const s = this.s!;
    const o = resolveOption(this.partOptions(a.parts), this.msg, { exact: true });
    const chosen = o && o.id !== 'part_all' ? Number(o.id.slice('part_'.length)) - 1 : o ? undefined : partNamed(this.text, a.parts);
    if (o?.id === 'part_all' || (chosen === undefined && isWord(this.text, controlWords.insist))) {
      s.qualityFlags = [...new Set([...s.qualityFlags, a.reason])];
      this.say(prompts.partsTogether);
      if (a.from === 'intake') return this.enter(this.flow.start), true;
      this.finishCollect(stepOf(this.flow, s.stepId) as CollectStep);
      return true;
    }
    if (chosen === undefined) {
      // A short reply that names none of them is asked again, once; a long one is handled as a new message.
      if (meaningfulChars(this.text) > 15) return false;
      if (!a.again) {
        s.awaiting = { ...a, again: true };
        this.say(prompts.partAgain, this.partOptions(a.parts));
        return true;
      }
      // Asked twice and still none chosen (完成, 完成): kept together, flagged for the office, never a loop.
      s.qualityFlags = [...new Set([...s.qualityFlags, a.reason])];
      this.say(prompts.partsKeptTogether);
      if (a.from === 'intake') return this.enter(this.flow.start), true;
      this.finishCollect(stepOf(this.flow, s.stepId) as CollectStep);
      return true;
    }
    const part = a.parts[chosen]!;
    s.laterParts = [...a.parts.filter((_, i) => i !== chosen), ...(s.laterParts ?? [])];
    this.say(prompts.partChosen(part));
    if (a.from === 'intake') {
      const key = this.flow.intake!.prefillKey!;
      s.prefill = { ...(s.prefill ?? {}), [key]: part };
      this.enter(this.flow.start);
      return true;
    }
    s.buffer = [part];
    delete s.softProblem;
    this.finishCollect(stepOf(this.flow, s.stepId) as CollectStep);
    return true;
  }

  /** After submitting, the other matters of a text that held several: "接着提这一件" starts the next one. */
  private answerLaterPart(parts: string[]): boolean {
    const o = resolveOption(laterPartOptions(), this.msg, { exact: true });
    if (o?.id === 'later_yes' || isWord(this.text, controlWords.yes)) {
      const [next, ...rest] = parts;
      const carried = this.s?.carriedAnswers;
      this.s = undefined;
      const at = this.replies.length;
      this.begin(next);
      if (rest.length) this.s!.laterParts = [...rest, ...(this.s!.laterParts ?? [])];
      if (carried && Object.keys(carried).length) {
        Object.assign(this.s!.answers, carried);
        this.s!.carriedAnswers = carried;
        // Said with the welcome, before the first question.
        this.replies.splice(at + 1, 0, { text: prompts.detailsCarried });
      }
      return true;
    }
    if (o?.id === 'later_no' || isWord(this.text, controlWords.no)) {
      this.s = undefined;
      this.say(prompts.laterDeclined);
      return true;
    }
    return false;
  }

  /** True when the draft holds anything the citizen typed or chose. */
  private hasContent(): boolean {
    const s = this.s!;
    return Object.keys(s.answers).length > 0 || s.buffer.length > 0 || Object.keys(s.kept ?? {}).length > 0 || Object.keys(s.prefill ?? {}).length > 0;
  }

  private restartOptions(): ReplyOption[] {
    return yesNoOptions({ id: 'restart_yes', label: optionLabels.restartYes }, { id: 'restart_no', label: optionLabels.cancelNo });
  }

  private keepOptions(): ReplyOption[] {
    return [
      { id: 'keep_yes', label: optionLabels.keepYes },
      { id: 'keep_no', label: optionLabels.keepNo },
    ];
  }

  private cancelOptions(): ReplyOption[] {
    return [...yesNoOptions({ id: 'cancel_yes', label: optionLabels.cancelYes }, { id: 'cancel_no', label: optionLabels.cancelNo }), { id: 'cancel_later', label: optionLabels.cancelLater }];
  }

  /** The message puts the draft off to another time (下回接着填, 等我想好了再说, 不要删). */
  private saysLater(): boolean {
    const w = normaliseWord(this.text);
    return controlWords.later.some((x) => w.includes(x));
  }

  private resumeOptions(): ReplyOption[] {
    return yesNoOptions({ id: 'resume', label: optionLabels.resume }, { id: 'restart', label: optionLabels.restart });
  }

  // ---- global commands -------------------------------------------------------------------------------

  /** Runs a global command; false when the words turn out to be an answer (e.g. `修改` + not a field). */
  private command(cmd: CommandMatch): boolean {
    const s = this.s!;
    switch (cmd.name) {
      case 'help': {
        const step = stepOf(this.flow, s.stepId);
        this.say(systemTexts.help(this.ctx.config.service.contact, step.label, this.ctx.config.faq));
        return true;
      }
      case 'back': {
        delete s.awaiting;
        if (s.returnTo) {
          // Changing one answer from the review: 返回 abandons the change and keeps the old answer.
          const review = s.returnTo;
          Object.assign(s.answers, s.editBackup ?? {});
          delete s.editBackup;
          delete s.returnTo;
          this.say(systemTexts.editAbandoned);
          this.enter(review);
          return true;
        }
        const prev = s.history.pop();
        if (!prev) {
          this.say(systemTexts.backAtStart);
          this.reprompt();
          return true;
        }
        // Nothing is cleared: the step shows what it holds, what was being written here is kept (enter).
        this.say(systemTexts.back);
        this.enter(prev, { noAuto: true, revisit: true });
        return true;
      }
      case 'edit': {
        if (cmd.arg) {
          const target = this.resolveField(cmd.arg);
          if (target && this.answered(target)) {
            this.edit(target);
            return true;
          }
          if (s.stepId !== 'confirm') return false;
          this.say(prompts.editUnknown(cmd.arg));
        }
        s.awaiting = { kind: 'edit' };
        this.say(prompts.editWhich, this.editOptions());
        return true;
      }
      case 'cancel':
        // 算了 我先不提了 等我想好了再说: not a cancel but a pause; the draft is kept as it is.
        if (this.hasContent() && this.saysLater()) return this.say(systemTexts.savedForLater(this.ctx.config.service.draftTtlDays)), true;
        if (this.hasContent()) {
          s.awaiting = { kind: 'cancel' };
          this.say(systemTexts.cancelAsk, this.cancelOptions());
        } else this.finishCancelled();
        return true;
      case 'restart':
        if (this.hasContent()) {
          s.awaiting = { kind: 'restart' };
          this.say(systemTexts.restartAsk, this.restartOptions());
        } else this.begin(undefined, systemTexts.restarted);
        return true;
      case 'resume':
        this.say(systemTexts.resumed);
        this.reprompt();
        return true;
      case 'query':
        this.query(cmd.arg);
        return true;
    }
  }

  private query(arg: string | undefined): void {
    const citizen = this.ctx.citizen;
    if (arg) this.effects.push({ type: 'lookupSuggestion', reference: referenceIn(arg) ?? arg.toUpperCase(), citizen });
    else this.effects.push({ type: 'listSuggestions', citizen, limit: 5 });
  }

  private finishCancelled(): void {
    const s = (this.s = newSession(this.flow, this.ctx.now));
    s.stepId = 'cancelled';
    this.say(systemTexts.cancelled);
  }

  /** A citizen idle for a while is reminded of the draft before their message is taken as an answer. */
  private remindIfReturning(): boolean {
    const s = this.s!;
    const idleMs = this.ctx.now.getTime() - Date.parse(s.updatedAt);
    if (idleMs < this.flow.resumeReminderAfterMinutes * 60_000) return false;
    const keepUntil = new Date(Date.parse(s.updatedAt) + this.ctx.config.service.draftTtlDays * 24 * 3600 * 1000);
    s.awaiting = { kind: 'resume' };
    this.say(systemTexts.resumeReminder(s.answers.title, keepUntil, this.ctx.config.service.timezone), this.resumeOptions());
    return true;
  }

  // ---- editing from the review -------------------------------------------------------------------------

  private editables(): { key: string; label: string; aliases: string[] }[] {
    const review = this.flow.steps.find((x): x is ReviewStep => x.kind === 'review');
    const out: { key: string; label: string; aliases: string[] }[] = [];
    for (const key of review?.editable ?? []) {
      const step = this.flow.steps.find((x) => x.id === key);
      if (step) out.push({ key, label: step.label, aliases: step.aliases ?? [] });
      else
        for (const f of this.flow.steps.flatMap((x) => (x.kind === 'fields' ? x.fields : [])))
          if (f.key === key) out.push({ key, label: f.label, aliases: f.aliases ?? [] });
    }
    return out;
  }

  /** The answers that may be changed now: all of them at the review, those already given before it. */
  private editOptions(): ReplyOption[] {
    return this.editables()
      .filter((e) => this.answered(e.key))
      .map((e) => ({ id: `edit:${e.key}`, label: e.label }));
  }

  private resolveField(word: string): string | undefined {
    const options = this.editOptions();
    if (word.startsWith('edit:')) return options.some((o) => o.id === word) ? word.slice(5) : undefined;
    const o = resolveOption(options, { text: word });
    if (o) return o.id.slice(5);
    const w = normaliseWord(word);
    return this.editables().find((e) => this.answered(e.key) && e.aliases.some((a) => normaliseWord(a) === w))?.key;
  }

  private answered(key: string): boolean {
    const s = this.s!;
    const step = this.flow.steps.find((x) => x.id === key);
    if (step) return s.history.includes(key) || s.stepId === 'confirm';
    return s.answers[key] !== undefined;
  }

  /** The given answers that are set, as a record (to put back later). */
  private pick(keys: string[]): Record<string, string> {
    const answers = this.s!.answers;
    return Object.fromEntries(keys.flatMap((k) => (answers[k] === undefined ? [] : [[k, answers[k]!]])));
  }

  private edit(key: string): void {
    const s = this.s!;
    const step = this.flow.steps.find((x) => x.id === key);
    s.returnTo = s.stepId;
    delete s.editBackup;
    if (step) {
      const label = step.label;
      if (step.kind === 'fields') {
        s.editBackup = this.pick(step.fields.map((f) => f.key));
        for (const f of step.fields) delete s.answers[f.key];
      }
      const held = 'answerKey' in step ? s.answers[step.answerKey] : undefined;
      const shown = held === undefined ? undefined : step.kind === 'choice' ? (step.display?.(held, this.ctx) ?? held) : excerpt(held);
      this.say(prompts.editing(label, shown));
      return this.enter(key, { noAuto: true, replace: true });
    }
    const fieldsStep = this.flow.steps.find((x): x is FieldsStep => x.kind === 'fields' && x.fields.some((f) => f.key === key))!;
    const field = fieldsStep.fields.find((f) => f.key === key)!;
    s.editBackup = this.pick([key]);
    delete s.answers[key];
    this.say(prompts.editing(field.label, s.editBackup[key]));
    this.enter(fieldsStep.id, { noAuto: true });
  }

  // ---- steps ---------------------------------------------------------------------------------------

  /** Moves to `id` and asks its question (skipping a choice with one option; checking prefilled answers). */
  private enter(id: string, opts: { clearFields?: boolean; noAuto?: boolean; revisit?: boolean; replace?: boolean } = {}): void {
    const s = this.s!;
    const step = stepOf(this.flow, id);
    if (step.kind !== 'end' && step.skipIf?.(s, this.ctx)) return this.enter(step.next!);
    // After a pasted form or a title sent first, a menu or one-line answer already given is not asked again.
    if (s.prefilledAnswers && !opts.revisit && !opts.replace && (step.kind === 'choice' || step.kind === 'text') && s.answers[step.answerKey] !== undefined) return this.enter(step.next!, opts);
    // Leaving a multi-message step before 完成 (返回, 修改 another answer): what was written is kept for it.
    if (s.buffer.length && s.stepId !== id && s.stepId in Object.fromEntries(this.flow.steps.map((x) => [x.id, 1]))) {
      const from = stepOf(this.flow, s.stepId);
      if (from.kind === 'collect' && s.buffer.join('\n') !== s.answers[from.answerKey]) s.kept = { ...(s.kept ?? {}), [from.id]: s.buffer };
    }
    s.stepId = step.kind === 'end' ? step.state : id;
    s.tries = 0;
    s.buffer = [];
    delete s.softProblem;
    delete s.focus;
    switch (step.kind) {
      case 'choice': {
        const options = step.options(s, this.ctx);
        if (step.autoSelectSingle && options.length === 1 && !opts.noAuto) {
          const only = options[0]!;
          s.answers[step.answerKey] = only.id;
          Object.assign(s.answers, step.alsoRecord?.(only.id, s, this.ctx) ?? {});
          this.addPrefill(step.alsoPrefill?.(only.id, s, this.ctx));
          if (step.autoNote) this.say(step.autoNote(s, this.ctx));
          return this.enter(step.next!);
        }
        this.replies.push(step.prompt(s, this.ctx));
        const chosen = s.answers[step.answerKey];
        if (opts.revisit && chosen !== undefined) {
          const shown = options.find((o) => o.id === chosen)?.label ?? step.display?.(chosen, this.ctx) ?? chosen;
          this.say(prompts.currentValue(step.label, shown));
        }
        return;
      }
      case 'collect': {
        const kept = s.kept?.[step.id];
        if (kept) {
          // Back at a step left before 完成: what was written there is put back.
          delete s.kept![step.id];
          if (!Object.keys(s.kept!).length) delete s.kept;
          s.buffer = [...kept];
          const all = s.buffer.join('\n');
          this.replies.push(step.prompt(s, this.ctx));
          return this.say(prompts.keptRestored(step.label, excerpt(all), all.length));
        }
        const held = s.answers[step.answerKey];
        if (held !== undefined && !opts.replace) {
          // At a step already answered (back at it, or forward again after 返回 twice): its text is shown
          // and kept; more is added to it, and 完成 keeps it as it is. (修改 X replaces it instead.)
          s.buffer = [held];
          return this.say(prompts.currentCollected(step.label, excerpt(held), held.length));
        }
        const pre = s.prefill?.[step.answerKey];
        if (pre !== undefined) {
          delete s.prefill![step.answerKey];
          if (!Object.keys(s.prefill!).length) delete s.prefill;
          s.buffer = [pre];
          // Typed in passing (a first message): shown, and the citizen adds to it or says 完成. A pasted form
          // or an agent's forwarded record is the whole answer, checked at once.
          if (s.prefillToConfirm && !this.fromForm) {
            delete s.prefillToConfirm;
            // Quoted back; one the checks would coach is coached at once, with the quote.
            if (step.checks.every((check) => check(pre, s, this.ctx).ok)) return this.say(prompts.proposalPrefilled(excerpt(pre, 60), pre.length));
            this.say(prompts.proposalPrefilledShort(excerpt(pre, 60)));
          } else if (!this.fromForm) this.say(prompts.proposalAdopted(excerpt(pre, 60)));
          return this.finishCollect(step);
        }
        return void this.replies.push(step.prompt(s, this.ctx));
      }
      case 'fields': {
        if (opts.clearFields) for (const f of step.fields) delete s.answers[f.key];
        const missing = step.fields.filter((f) => s.answers[f.key] === undefined);
        if (!missing.length && opts.revisit) {
          // Back at the identity from the review: shown and kept; a new value replaces only its field.
          s.focus = step.fields[0]!.key;
          return this.say(prompts.currentFields(step.fields.map((f) => `${f.label} ${s.answers[f.key]}`)));
        }
        if (missing.length === step.fields.length) {
          s.focus = missing[0]!.key;
          return void this.replies.push(step.prompt(s, this.ctx));
        }
        if (!missing.length) return this.leave(step);
        s.focus = missing[0]!.key;
        return this.say(missing[0]!.ask);
      }
      case 'end':
        return;
      case 'review': {
        this.replies.push(step.prompt(s, this.ctx));
        const draft = step.build(s, this.ctx);
        if (draft.title || draft.proposal) this.effects.push({ type: 'findSimilar', title: draft.title, proposal: draft.proposal });
        return;
      }
      default:
        return void this.replies.push(step.prompt(s, this.ctx));
    }
  }

  /** Leaves a completed step for the next one (or back to the review when changing one answer). */
  private leave(step: Step): void {
    const s = this.s!;
    // A step changed from the review is already in the history, in its place: 返回 at the review must
    // still go to the step before it, not to the one just changed.
    if (!s.history.includes(step.id)) s.history.push(step.id);
    const target = s.returnTo ?? step.next!;
    delete s.returnTo;
    delete s.editBackup;
    this.enter(target);
  }

  /** Asks the current step's question again (after 继续, a kept cancel, or 返回 at the first step). */
  private reprompt(): void {
    const s = this.s!;
    const step = stepOf(this.flow, s.stepId);
    if (step.kind === 'fields' && s.focus && step.fields.some((f) => s.answers[f.key] !== undefined)) {
      return this.say(step.fields.find((f) => f.key === s.focus)!.ask);
    }
    if (step.kind === 'collect' && s.buffer.length) return this.say(step.ack(s.buffer.join('\n').length));
    this.replies.push(step.prompt(s, this.ctx));
  }

  /** Counts a failed try; the third one explains with an example and offers a person to contact. */
  private fail(step: Step, reply: string, options?: ReplyOption[]): void {
    const s = this.s!;
    s.tries += 1;
    if (s.tries % 3 === 0) return this.say(systemTexts.stuck(step.example, this.ctx.config.service.contact), options);
    this.say(reply, options);
  }

  /**
   * A suggestion pasted as a filled-in form (主题：… 标题：… 建议内容：… 姓名：… 电话：…): every field it holds
   * is taken as that step's answer (long texts go through their step's checks on arrival), and the
   * conversation goes on at the first step still to answer. Only in a flow that collects a suggestion.
   */
  private fillFromForm(): boolean {
    if (this.msg.forwarded || !this.flow.intake?.prefillKey) return false;
    const form = parseLabelledForm(this.msg.text);
    if (!form) return false;
    const s = this.s!;
    const value = (key: string) => form[key as FormField];
    const filled: string[] = [];
    const { optionId: _ignored, ...plain } = this.msg;
    for (const step of this.flow.steps) {
      if (step.kind === 'choice' && value(step.answerKey)) {
        const o = resolveOption(step.options(s, this.ctx), { ...plain, text: value(step.answerKey)! });
        if (!o) continue;
        s.answers[step.answerKey] = o.id;
        Object.assign(s.answers, step.alsoRecord?.(o.id, s, this.ctx) ?? {});
        filled.push(step.label);
      } else if (step.kind === 'text' && value(step.answerKey)) {
        const r = step.parse(value(step.answerKey)!, s, this.ctx);
        if (!r.ok) continue;
        s.answers[step.answerKey] = r.value;
        filled.push(step.label);
      } else if (step.kind === 'collect' && value(step.answerKey)) {
        this.addPrefill({ [step.answerKey]: value(step.answerKey)! });
        filled.push(step.label);
      } else if (step.kind === 'fields') {
        for (const f of step.fields) {
          const v = value(f.key);
          if (!v) continue;
          const r = f.parse(v, s, this.ctx);
          if (!r.ok) continue;
          s.answers[f.key] = r.value;
          filled.push(f.label);
        }
      }
    }
    if (!filled.length) return false;
    this.say(prompts.formFilled(filled));
    this.fromForm = true;
    s.prefilledAnswers = true;
    const open = this.flow.steps.find((st) => {
      if (st.kind === 'choice' || st.kind === 'text' || st.kind === 'collect') return s.answers[st.answerKey] === undefined;
      if (st.kind === 'fields') return st.fields.some((f) => s.answers[f.key] === undefined);
      return st.kind === 'review';
    });
    this.enter(open?.id ?? this.flow.start);
    return true;
  }

  /**
   * A complaint, petition or tip-off typed at a menu (先说投诉 菜市场占道经营 城管不管): referred at once, the
   * draft kept. Only when the judgement is sure; anything else long is kept as content sent early.
   */
  private referredAtMenu(): boolean {
    if (meaningfulChars(this.text) < AHEAD_MIN_CHARS) return false;
    const v = this.ctx.judge.judgeScope(this.text);
    // Sure only: 我想说下我们小区门口那个红绿灯的事 (0.56) is someone about to write a suggestion.
    if (v.kind !== 'out_of_scope' || v.category === 'chitchat' || v.category === 'spam' || v.confidence < MENU_REFERRAL_CONFIDENCE) return false;
    this.say(`${this.referralText(v.category, this.text)}\n${systemTexts.draftKept}`);
    return true;
  }

  /**
   * Content sent ahead of its step (the whole suggestion pasted at the theme or title step) is kept as
   * the flow's `prefillKey` answer, checked on arrival like a suggestion sent as the first message. Only
   * when that answer is still to come and the message is long (not a few characters repeated).
   */
  private keepAhead(): boolean {
    const s = this.s!;
    const key = this.flow.intake?.prefillKey;
    if (!key || s.answers[key] !== undefined) return false;
    const typed = this.msg.text.trim();
    // Long text typed where a choice or a title is asked is the proposal sent early (a voice-to-text run-on
    // often reads as unsure to the scope judgement): kept, and judged with the proposal's checks on arrival.
    // Nothing typed is dropped: even text the scope judgement would refuse is kept, and refused (with its
    // referral) by the proposal's own checks when its step comes.
    // Its length in Chinese characters, an English word counting for one and a half.
    const size = (typed.match(/[\p{Script=Han}\d]/gu) ?? []).length + 1.5 * (typed.match(/[A-Za-z]+/g) ?? []).length;
    if (size < AHEAD_MIN_CHARS || new Set(typed.replace(/[\s\p{P}\p{S}]/gu, '')).size < AHEAD_MIN_DISTINCT) return false;
    // A second message sent ahead continues the first (nothing typed is dropped).
    const before = s.prefill?.[key];
    this.addPrefill({ [key]: before !== undefined ? `${before}\n${typed}` : typed });
    s.prefillToConfirm = true;
    return true;
  }

  /**
   * Name and phone (张三，13812345678，万州区某某公司) sent at a long-text step are the proposer's details,
   * not part of the text: kept for the identity step's fields that are still empty.
   */
  private keepDetailsAhead(): boolean {
    const s = this.s!;
    const fieldsStep = this.flow.steps.find((x): x is FieldsStep => x.kind === 'fields');
    if (!fieldsStep || s.history.includes(fieldsStep.id) || [...this.text].length > DETAILS_MAX_CHARS) return false;
    const found = this.ctx.judge.extractIdentity(this.text);
    if (!found.phone || !(found.name || found.unit)) return false;
    const kept = this.keepDetails(fieldsStep, found);
    if (!kept.length) return false;
    this.say(prompts.keptDetails(kept));
    return true;
  }

  /** The name and phone a message states (a unit is only taken where it is asked: 怕村里人说闲话 is none). */
  private nameAndPhoneIn(text: string): { name?: string; phone?: string } {
    const found = this.ctx.judge.extractIdentity(text);
    return { ...(found.name ? { name: found.name } : {}), ...(found.phone ? { phone: found.phone } : {}) };
  }

  /** Puts the details found into the identity fields still empty; the labels of those kept. */
  private keepDetails(fieldsStep: FieldsStep, found: Partial<Record<'name' | 'phone' | 'unit', string>>): string[] {
    const s = this.s!;
    const kept: string[] = [];
    for (const f of fieldsStep.fields) {
      const v = (found as Record<string, string | undefined>)[f.key];
      if (v === undefined || s.answers[f.key] !== undefined) continue;
      const r = f.parse(v, s, this.ctx);
      if (!r.ok) continue;
      s.answers[f.key] = r.value;
      kept.push(f.label);
    }
    return kept;
  }

  /**
   * The proposer's details at the end of a first message (…建议加装路灯我叫刘德明电话13996541234在城投公司上班):
   * kept for the identity fields and cut from the text. The text as it was when there are none, or when
   * what follows the phone's lead-in is more than a short tail of details.
   */
  private detailsCut(original: string): { content: string; kept: string[] } {
    const fieldsStep = this.flow.steps.find((x): x is FieldsStep => x.kind === 'fields');
    // A phone said in Chinese numerals (一三八零…) is found as digits.
    const text = chineseDigits(original);
    const phone = PHONE_IN_TEXT.exec(text.normalize('NFKC'));
    if (!fieldsStep || !phone) return { content: original, kept: [] };
    let cut = phone.index;
    for (const m of text.slice(0, phone.index).matchAll(DETAILS_LEAD)) if (phone.index - m.index! <= DETAILS_LEAD_REACH) cut = Math.min(cut, m.index!);
    const content = text.slice(0, cut).replace(/[\s，,。；;、:：]+$/u, '');
    const tail = text.slice(cut);
    if (meaningfulChars(content) < 10 || meaningfulChars(tail) > 40) return this.detailsLead(original, fieldsStep);
    const kept = this.keepDetails(fieldsStep, this.ctx.judge.extractIdentity(tail));
    return kept.length ? { content, kept } : { content: original, kept: [] };
  }

  /**
   * The proposer's details said first (喂你好我叫黄志强电话是一三八…我在五桥街道上班我想建议五桥那个菜市场…):
   * the lead-in up to and including the phone (and a unit said right after it) kept, the rest is the content.
   */
  private detailsLead(original: string, fieldsStep: FieldsStep): { content: string; kept: string[] } {
    const text = chineseDigits(original);
    const phone = PHONE_IN_TEXT.exec(text.normalize('NFKC'));
    if (!phone || meaningfulChars(text.slice(0, phone.index)) > 20) return { content: original, kept: [] };
    // The unit said right after the phone (我在五桥街道上班), up to the words that begin the suggestion.
    let end = phone.index + phone[0].length;
    const after = /^[\s，,。]*(?:我)?在([\p{Script=Han}]{2,16}?)(?:上班|工作|务农|住)/u.exec(text.slice(end));
    if (after) end += after[0].length;
    const content = cleanAnswer(text.slice(end).replace(/^[\s，,。；;]+/u, ''), 'proposal');
    if (meaningfulChars(content) < 10) return { content: original, kept: [] };
    const kept = this.keepDetails(fieldsStep, this.ctx.judge.extractIdentity(text.slice(0, end)));
    return kept.length ? { content, kept } : { content: original, kept: [] };
  }

  /** A message that is only a phone number, sent at a long-text step: kept for the identity step. */
  private keepPhoneAhead(): boolean {
    const s = this.s!;
    const fieldsStep = this.flow.steps.find((x): x is FieldsStep => x.kind === 'fields');
    const phoneField = fieldsStep?.fields.find((f) => f.key === 'phone');
    if (!phoneField || s.answers.phone !== undefined || !/^[\s\d+()\-一二三四五六七八九零〇幺两]{7,20}$/u.test(this.text.trim())) return false;
    const r = phoneField.parse(this.text.trim(), s, this.ctx);
    if (!r.ok) return false;
    s.answers.phone = r.value;
    this.say(prompts.keptDetails([phoneField.label]));
    return true;
  }

  private keptAheadNote(): string {
    const key = this.flow.intake?.prefillKey;
    const label = this.flow.steps.find((x) => 'answerKey' in x && x.answerKey === key)?.label ?? '';
    return prompts.keptAhead(label);
  }

  /** A control word where it means nothing is never stored as an answer. */
  private isControlWord(): boolean {
    const all = [...controlWords.done, ...controlWords.rewrite, ...controlWords.confirm, ...controlWords.insist];
    // Only bare command words: `修改公交站牌` is a title, not an unresolved `修改 <field>`.
    const cmd = matchCommand(this.text);
    return isWord(this.text, all) || (!!cmd && !cmd.arg);
  }

  /** A short re-ask of the current question: what to send, without the whole question again. */
  private shortReask(step: Step): void {
    const s = this.s!;
    switch (step.kind) {
      case 'choice':
        return this.say(step.invalidReply, step.options(s, this.ctx));
      case 'text':
        return this.say(prompts.sendLabel(step.label));
      case 'collect':
        return this.say(this.collectReask(step));
      case 'fields':
        return this.say(this.currentFieldAsk(step));
      case 'review':
        return this.say(prompts.reviewInvalid, step.prompt(s, this.ctx).options);
      case 'end':
        return;
    }
  }

  /** A short yes (好的, 就按你说的) to a menu that suggested one option (the category guessed from the title). */
  private suggestedAccepted(step: ChoiceStep, options: ReplyOption[]): ReplyOption | undefined {
    if (!(this.readAsAnswer || isWord(this.text, [...controlWords.yes, ...controlWords.agree])) || [...this.text].length > SHORT_YES_CHARS) return undefined;
    const id = step.suggested?.(this.s!, this.ctx);
    return id ? options.find((o) => o.id === id) : undefined;
  }

  private answerStep(step: Step): void {
    const s = this.s!;
    // Only emoji or punctuation (👍, 。。。) is no answer to anything: never stored, never a failed try.
    if (this.text && !/[\p{L}\p{N}]/u.test(this.text)) {
      this.say(prompts.textOnly);
      return this.shortReask(step);
    }
    switch (step.kind) {
      case 'choice': {
        const options = step.options(s, this.ctx);
        const o = resolveOption(options, { ...this.msg, text: this.text }) ?? (ASKS.test(this.text) ? undefined : optionInWords(step, options, this.text, this.wordsOf(step))) ?? this.suggestedAccepted(step, options);
        // Name and phone sent before their step (at a menu) are kept for the identity, not dropped.
        if (!o && this.keepDetailsAhead()) return this.say(step.invalidReply, options);
        if (!o && this.referredAtMenu()) return;
        if (!o && this.keepAhead()) return this.say(`${this.keptAheadNote()}${step.invalidReply}`, options);
        if (!o) return this.fail(step, step.invalidReply, options);
        s.answers[step.answerKey] = o.id;
        Object.assign(s.answers, step.alsoRecord?.(o.id, s, this.ctx) ?? {});
        this.addPrefill(step.alsoPrefill?.(o.id, s, this.ctx));
        return this.leave(step);
      }
      case 'text': {
        if (this.isControlWord()) return this.fail(step, prompts.notHereSend(step.label));
        const max = this.limits[step.limit];
        // An English word counts as one and a half characters, as in the proposal's size.
        const len = [...this.text.replace(/[A-Za-z]+/g, '')].length + Math.ceil(1.5 * (this.text.match(/[A-Za-z]+/g) ?? []).length);
        if ((len > max || this.text.includes('\n')) && this.keepAhead()) return this.say(`${this.keptAheadNote()}${prompts.shortAnswer(step.label, max)}`);
        if (len > max) return this.say(limitTexts.field(step.label, max, len));
        const r = step.parse(this.text, s, this.ctx);
        if (!r.ok) return this.fail(step, r.reply);
        s.answers[step.answerKey] = r.value;
        return this.leave(step);
      }
      case 'collect':
        return this.answerCollect(step);
      case 'fields':
        return this.answerFields(step);
      case 'review': {
        const o = resolveOption(step.prompt(s, this.ctx).options ?? [], { ...this.msg, text: this.text });
        // 要得, 对头, 没得问题: a short answer to 请核对 is a yes (the corpus's answers at the review are all yeses).
        const yes = this.readAsAnswer && !o && [...this.text].length <= SHORT_YES_CHARS && soundsLikeConfirmation(this.text);
        if (o?.id === 'submit' || isWord(this.text, controlWords.confirm) || yes) return this.submit(step);
        if (o?.id === 'edit') {
          s.awaiting = { kind: 'edit' };
          return this.say(prompts.editWhich, this.editOptions());
        }
        if (o?.id === 'cancel') return void this.command({ name: 'cancel' });
        // Naming an answer at the review, in whatever words (名字怎么变成这个了, 单位写错了), is wanting to change it.
        const named = this.fieldIn(this.text);
        if (named && this.answered(named)) return this.edit(named);
        return this.fail(step, prompts.reviewInvalid, step.prompt(s, this.ctx).options);
      }
      case 'end':
        return;
    }
  }

  private answerCollect(step: CollectStep): void {
    const s = this.s!;
    if (this.msg.optionId === 'insist' || isWord(this.text, controlWords.insist) || (s.softProblem && /^\s*1\s*$/.test(this.text.normalize('NFKC')))) {
      // Pressed after changing the text (the problem it answered is gone): the text is checked afresh.
      if (!s.softProblem) return this.finishCollect(step);
      return this.finishCollect(step, { insist: true });
    }
    if (isWord(this.text, controlWords.done)) return this.finishCollect(step);
    if (isWord(this.text, controlWords.rewrite)) {
      s.buffer = [];
      delete s.softProblem;
      return this.say(prompts.rewriteDone);
    }
    if (this.isControlWord()) return this.say(`${prompts.notHere}${this.collectReask(step)}`);
    if (this.keepDetailsAhead()) return this.say(this.collectReask(step));
    // A phone number alone at a long step is the proposer's, not part of the text.
    if (this.keepPhoneAhead()) return this.say(this.collectReask(step));
    if (!this.text) return this.say(this.collectReask(step));
    // Remarks in the content (…成本不高嘛 我刚才说了的; …对了这个有没得奖励哦) are not kept; its questions are
    // answered once the content is.
    const { content, answers } = this.withoutRemarks(this.text, step);
    this.text = content;
    // Content that ends with "that's all" (…联合打造三峡旅游环线。就这些): kept without it, and the step finished.
    const done = trailingDone(this.text, this.turnStepOf(step));
    if (done && [...s.buffer, done].join('\n').length <= this.limits[step.limit]) {
      for (const a of answers) this.say(a);
      s.buffer.push(done);
      delete s.softProblem;
      return this.finishCollect(step);
    }
    const max = this.limits[step.limit];
    const total = [...s.buffer, this.text].join('\n').length;
    if (total > max) return this.say(limitTexts.total(step.label, max));
    s.buffer.push(this.text);
    delete s.softProblem;
    this.say(step.ack(total));
    for (const a of answers) this.say(a);
  }

  /** The FAQ answer to a question, when the FAQ reader is sure enough which entry it asks. */
  private faqAnswer(question: string): string | undefined {
    const f = faqOf(question);
    return f.confidence >= TRAILING_FAQ_CONFIDENCE ? this.ctx.config.faq.find((x) => x.id === f.id)?.answer : undefined;
  }

  /**
   * Content without the remarks around it and the question it ends with (…对了这个有没得奖励哦), and the FAQ
   * answers to the questions taken out.
   */
  private withoutRemarks(text: string, step: Step | TurnStep): { content: string; answers: string[] } {
    const edges = this.trimEdges(text, step);
    const answers = edges.questions.map((q) => this.faqAnswer(q)).filter((a): a is string => a !== undefined);
    const split = trailingQuestion(edges.content);
    const answer = split && this.faqAnswer(split.question);
    return answer ? { content: split.content, answers: [...answers, answer] } : { content: edges.content, answers };
  }

  /**
   * Content with a remark or a question as its first or last clause, said by the recogniser at the step: the
   * content without them, and the questions. A clause is dropped only while enough content remains.
   */
  private trimEdges(text: string, step: Step | TurnStep): { content: string; questions: string[] } {
    const at = typeof step === 'string' ? step : this.turnStepOf(step);
    const questions: string[] = [];
    if (!at) return { content: text, questions };
    const clauses = text.trim().split(/(?<=[\s，,。；;！!？?])/u);
    const isRemark = (c: string, sure = EDGE_ASIDE) => {
      if (meaningfulChars(c) === 0) return false;
      const r = understandTurn(c.trim(), at);
      if (r.kind === 'aside' && !r.done && !r.unknown && r.confidence >= sure) return true;
      // 我想提个建议噻 / 我有个建议 said on the way into the content.
      if (r.kind === 'command' && r.command === 'resume' && r.confidence >= sure) return true;
      if (r.kind === 'question' && r.confidence >= SURE_YES && this.faqAnswer(c) !== undefined) {
        questions.push(c.trim());
        return true;
      }
      return false;
    };
    let dropped = false;
    while (clauses.length > 1 && meaningfulChars(clauses.slice(0, -1).join('')) >= 5 && isRemark(clauses.at(-1)!)) {
      clauses.pop();
      dropped = true;
    }
    // At the start, a "done" word is a remark too (完成了 不用另外说了 就是加班次…).
    const leadingDone = (c: string) => {
      const r = understandTurn(c.trim(), at);
      return r.kind === 'aside' && r.done === true && r.confidence >= SURE_YES;
    };
    while (clauses.length > 1 && meaningfulChars(clauses.slice(1).join('')) >= 5 && (isRemark(clauses[0]!) || leadingDone(clauses[0]!))) {
      clauses.shift();
      dropped = true;
    }
    // Inside the content only a remark the recogniser is sure of (等哈 我娃儿哭了) is left out.
    for (let i = clauses.length - 2; i >= 1; i--) {
      if (meaningfulChars(clauses[i]!) <= 12 && isRemark(clauses[i]!, SURE_INNER_ASIDE)) {
        clauses.splice(i, 1);
        dropped = true;
      }
    }
    if (!dropped) return { content: text, questions };
    // A dangling 对了 / 另外 left where a remark was taken off.
    return { content: clauses.join('').replace(/[\s，,；;]*(对了|另外|还有|然后)?[\s，,；;]*$/u, '').trim(), questions };
  }

  /** A short re-ask on a multi-message step: what was collected so far, or what to send when nothing was. */
  private collectReask(step: CollectStep): string {
    const collected = this.s!.buffer.join('\n').length;
    return collected ? step.ack(collected) : prompts.collectSend(step.label);
  }

  /**
   * Runs the step's checks on the collected text. `insist`: the citizen insists past soft coaching, which
   * is recorded as a quality flag; the other checks (scope, hard problems) still apply.
   */
  private finishCollect(step: CollectStep, opts: { skipScope?: boolean; insist?: boolean } = {}): void {
    const s = this.s!;
    const value = s.buffer.join('\n').trim();
    if (!value) return this.fail(step, prompts.collectEmpty);
    const flags: string[] = [];
    for (const check of step.checks) {
      const r: CheckResult = check(value, s, this.ctx);
      if (r.ok) continue;
      if (r.kind === 'coach' && r.soft && opts.insist) {
        flags.push(r.reason);
        continue;
      }
      // The citizen already chose to keep it so (放在一条里): not coached again.
      if (r.kind === 'coach' && r.soft && s.qualityFlags.includes(r.reason)) continue;
      if (r.kind === 'coach' && r.parts && r.parts.length >= 2) {
        // Four or more "matters" are a structured proposal's sections and measures (一、现状 二、建议 1. 2. 3.),
        // not separate suggestions: not split, not coached.
        if (r.parts.length > MAX_PARTS) continue;
        return this.askPart(this.partsByMessage(step, r.parts), 'step', r.reason);
      }
      if (r.kind === 'out_of_scope') {
        // The citizen chose 提建议 on a draft that may go to the office: submitted with a flag, screened there.
        if (opts.skipScope && r.final === false) {
          flags.push(r.flag ?? 'scope_uncertain');
          continue;
        }
        // A scope decision never throws the draft away: refer, keep what was written (issue 15). Before the
        // citizen chose, they may still answer 提建议 (the draft is then judged again, never just accepted).
        const referral = this.referralText(r.category, value, r.referral);
        if (opts.skipScope || r.category === 'help') return this.say(`${referral}\n${systemTexts.draftKept}`);
        s.awaiting = { kind: 'scope', text: value, from: 'step', candidates: [r.category], ...(opts.insist ? { insist: true } : {}) };
        return this.say(`${referral}\n${systemTexts.scopeAsk}`, this.scopeOptions());
      }
      if (r.kind === 'unsure') {
        if (opts.skipScope) {
          // The citizen chose 提建议 on an uncertain draft: submitted with a flag, held for the office's screening.
          if (r.flag) flags.push(r.flag);
          continue;
        }
        s.awaiting = { kind: 'scope', text: value, from: 'step', candidates: r.candidates, ...(opts.insist ? { insist: true } : {}) };
        return this.say(systemTexts.scopeAsk, this.scopeOptions());
      }
      if (r.soft) s.softProblem = r.reason;
      else delete s.softProblem;
      return this.fail(step, r.reply, r.soft ? [{ id: 'insist', label: optionLabels.insist }] : undefined);
    }
    s.answers[step.answerKey] = value;
    if (flags.length) s.qualityFlags = [...new Set([...s.qualityFlags, ...flags])];
    this.leave(step);
  }

  private answerFields(step: FieldsStep): void {
    const s = this.s!;
    if (this.isControlWord()) return this.fail(step, `${prompts.notHere}${this.currentFieldAsk(step)}`);
    const extracted = step.extract(this.text, this.ctx);
    const found = Object.fromEntries(Object.entries(extracted).filter(([, v]) => v !== undefined && v !== '')) as Record<string, string>;
    // A short answer to a one-field question is that field ("张三" when asked for the name).
    if (s.focus && !found[s.focus] && !Object.keys(found).length) found[s.focus] = this.text;
    // Asked for the unit, a message without a phone is the unit, whole: "重庆三峡学院 Chongqing Three Gorges
    // University" and "万州区某某小学 语文教研组" are one unit, not a unit and a name.
    if (s.focus === 'unit' && !found.phone && !/(姓名|名字|我叫)/.test(this.text)) {
      // …unless it is a sentence around the unit (我在江南新区管委会上班), which extraction reads.
      const unit = found.unit && /^(我|单位)/.test(this.text.trim()) ? found.unit : this.text.trim();
      for (const k of Object.keys(found)) delete found[k];
      found.unit = unit;
    }
    let error: string | undefined;
    for (const f of step.fields) {
      const raw = found[f.key];
      if (raw === undefined) continue;
      const max = this.limits[f.limit];
      if ([...raw].length > max) {
        error ??= limitTexts.field(f.label, max, [...raw].length);
        s.focus = f.key;
        continue;
      }
      const r = step.fields.find((x) => x.key === f.key)!.parse(raw, s, this.ctx);
      if (r.ok) s.answers[f.key] = r.value;
      else {
        error ??= r.reply;
        s.focus = f.key;
      }
    }
    if (error) return this.fail(step, error);
    const missing = step.fields.filter((f) => s.answers[f.key] === undefined);
    if (!missing.length) return this.leave(step);
    s.focus = missing[0]!.key;
    s.tries = 0;
    this.say(missing[0]!.ask);
  }

  private currentFieldAsk(step: FieldsStep): string {
    return step.fields.find((f) => f.key === this.s!.focus)?.ask ?? step.prompt(this.s!, this.ctx).text;
  }

  private submit(step: ReviewStep): void {
    const s = this.s!;
    const key = s.pendingSubmit ?? submissionKeyOf(this.flow, s, this.ctx.citizen);
    s.pendingSubmit = key;
    this.effects.push({ type: 'submitSuggestion', submissionKey: key, submission: { submissionKey: key, ...step.build(s, this.ctx) } });
  }
}

/**
 * Turn understanding: what a message typed at a step *is*, before anything is stored. An answer (with the
 * filler around it stripped), a question (and which FAQ entry answers it), a command said in plain words,
 * an aside, a correction of an earlier answer, or something out of scope. The classes come from the turn
 * model (turn-model.ts) trained on the labelled corpus; the only fixed rules are the exact command words
 * of flows/commands.ts and reference numbers, which are unambiguous.
 *
 * @example
 *   understandTurn('要写多少字？', 'proposal') // { kind: 'question', faq: 'length', … }
 *   understandTurn('那我提个建议嘛，村里的路…', 'proposal') // { kind: 'answer', clean: '村里的路…' }
 */
import { matchCommand, type CommandName } from '../../../flows/commands.js';
import { loadTurnCorpus, type LabelledTurn, type TurnKind, type TurnStep } from './turn-corpus.js';
import { classifyTurn, trainTurnModel, turnModel, type TurnModel } from './turn-model.js';

/** The commands a turn can be: the global ones, plus asking for a person. */
export type TurnCommand = CommandName | 'handoff';

export interface TurnReading {
  kind: TurnKind;
  /** For commands. */
  command?: TurnCommand;
  /** For commands with an argument (a reference number to look up). */
  arg?: string;
  /** For asides: the citizen says a multi-message answer is finished (说完了). */
  done?: boolean;
  /** For asides: the citizen does not know or has nothing to say (不晓得, 无). */
  unknown?: boolean;
  /** For questions: the FAQ entry id that answers it; `step` for how to answer the current step. */
  faq?: string;
  /** How sure the FAQ reading is. */
  faqConfidence?: number;
  /** For corrections: the answer corrected (a step id or identity field key), when the reading is sure of it. */
  field?: string;
  /** For corrections: the new value, when the turn carries one. */
  value?: string;
  /** The text with filler stripped: what is stored when the turn is an answer. */
  clean: string;
  confidence: number;
}

/** Reference numbers, also typed without the dash or in lower case: WZ2021000004, wz2021-000004. */
const REFERENCE = /\b([a-z]{1,6})[\s-]?(\d{4})[\s-]?(\d{6})\b/i;

/** A reference number in the text, normalised to `WZ2021-000004`. */
export function referenceIn(text: string): string | undefined {
  const m = REFERENCE.exec(text.normalize('NFKC'));
  return m ? `${m[1]!.toUpperCase()}${m[2]}-${m[3]}` : undefined;
}

// ---- filler -------------------------------------------------------------------------------------------

const EDGE_PUNCT = /^[\s，,。.、；;：:!！?？~～…]+|[\s，,。.、；;：:!！~～…]+$/g;

interface Affixes {
  prefixes: string[];
  suffixes: string[];
}

/**
 * The filler the corpus strips: for every answer written with `=> kept`, what comes before the kept part
 * is a filler prefix, what comes after it a filler suffix (short ones only: a trailing 嘛 or 哈 is filler,
 * a trailing "，晚上不方便接" is a remark about the phone, not a pattern).
 */
function learnAffixes(turns: readonly LabelledTurn[]): Affixes {
  const prefixes = new Set<string>();
  const suffixes = new Set<string>();
  for (const t of turns) {
    if ((t.kind !== 'answer' && t.kind !== 'correction') || t.kept === undefined) continue;
    const at = t.text.indexOf(t.kept);
    if (at < 0) continue;
    const pre = t.text.slice(0, at).replace(EDGE_PUNCT, '');
    const post = t.text.slice(at + t.kept.length).replace(EDGE_PUNCT, '');
    if (pre) prefixes.add(pre);
    if (post && [...post].length <= 2) suffixes.add(post);
  }
  // Longest first, so 标题就写 wins over 标题.
  const byLength = (a: string, b: string) => b.length - a.length;
  return { prefixes: [...prefixes].sort(byLength), suffixes: [...suffixes].sort(byLength) };
}

let affixes: Affixes | undefined;

/** Steps whose answers are short: a trailing particle (嘛, 哈, 吧) is filler there, not part of the answer. */
const SHORT_ANSWER_STEPS = new Set<TurnStep>(['theme', 'title', 'category', 'name', 'phone', 'unit', 'confirm']);

/**
 * Strips the filler the corpus taught (嗯，那个，好的，标题是…) from the start of an answer, and short
 * trailing particles from short answers. Never strips an answer to nothing.
 */
export function cleanAnswer(text: string, step: TurnStep, learned: Affixes = (affixes ??= learnAffixes(loadTurnCorpus('train')))): string {
  let t = text.trim();
  const LEADING_PUNCT = /^[\s，,。.、；;：:!！?？~～…]+/;
  for (let i = 0; i < 4; i++) {
    const body = t.replace(LEADING_PUNCT, '');
    const p = learned.prefixes.find((x) => body.startsWith(x) && body.length > x.length);
    if (!p) break;
    // In a long text a prefix is filler only when it stands apart (好的，…), is an interjection (嗯…) or a
    // phrase (就是说…): 好多农民, 在成都打工 and 还有河沟头 begin with words.
    // After an interjection the filler may run on (嗯那个就是说…).
    const standsApart = i > 0 || /^[\s，,。.、；;：:!！?？~～…]/.test(body.slice(p.length)) || [...p].length >= 3 || /^[嗯呃啊哦噢额]/u.test(p);
    if (!SHORT_ANSWER_STEPS.has(step) && !standsApart) break;
    // One character run into the words is part of them at any step (在五桥片区…, 好多农民…), unless it is an
    // interjection (嗯好的) or stands apart (好，…).
    if ([...p].length === 1 && !standsApart) break;
    const rest = body.slice(p.length).replace(LEADING_PUNCT, '');
    if (!rest.replace(EDGE_PUNCT, '')) break;
    // A one-character prefix before a short rest is part of the words (在家务农 is not 家务农).
    if ([...p].length === 1 && [...rest.replace(EDGE_PUNCT, '')].length <= 3) break;
    t = rest;
  }
  if (SHORT_ANSWER_STEPS.has(step)) {
    const body = t.replace(EDGE_PUNCT, '');
    const s = learned.suffixes.find((x) => body.endsWith(x) && body.length > x.length + 1);
    // 一哈 / 一下 is "a bit" (硬化一哈), not a particle after the answer.
    if (s && !/一$/u.test(body.slice(0, -s.length))) t = body.slice(0, -s.length);
    t = t.replace(EDGE_PUNCT, '');
  }
  return t || text.trim();
}

// ---- corrections --------------------------------------------------------------------------------------

/** The new value in a correction: what follows 改成 / 应该是 / 是 / 叫 / a colon, without a trailing "不是…". */
export function correctionValue(text: string): string | undefined {
  const m = /(?:改成|改为|换成|应该是|应该为|应为|是|为|叫|[:：])\s*(.+)$/su.exec(text.normalize('NFKC'));
  if (!m) return undefined;
  const v = m[1]!
    .replace(/[,，]?\s*不是.*$/su, '')
    .replace(EDGE_PUNCT, '')
    .trim();
  return v || undefined;
}

let confirmChars: Set<string> | undefined;

/**
 * True when every word character of a short reply is one the corpus's answers at the review use (确认, 要得,
 * 没得问题, 对头, ok…): a yes said some other way. 某某村村民 at the review is not one, however the recogniser
 * reads it.
 */
export function soundsLikeConfirmation(text: string): boolean {
  confirmChars ??= new Set(
    loadTurnCorpus('train')
      .filter((t) => t.step === 'confirm' && t.kind === 'answer')
      .flatMap((t) => [...t.text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '')]),
  );
  const chars = [...text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '')];
  return chars.length > 0 && chars.every((c) => confirmChars!.has(c));
}

/** A correction's text without the lead-in the corpus taught (我还没说完 …): undefined when there is none. */
function leadStripped(text: string): string | undefined {
  const t = cleanAnswer(text, 'proposal');
  return t !== text.trim() ? t : undefined;
}

/**
 * Trains the recogniser and the FAQ reader now (about a second, once per process) rather than on the
 * first citizen's message.
 */
export function warmUpTurnUnderstanding(): void {
  understandTurn('要写多少字？', 'proposal');
}

// ---- the reading ---------------------------------------------------------------------------------------

let faqModel: TurnModel | undefined;
let fieldModel: TurnModel | undefined;

/** How sure the reading of which answer a correction is about must be. */
const FIELD_CONFIDENCE = 0.5;

/**
 * Which earlier answer a correction is about (trained on the corpus's corrections, by the field they name
 * or imply: 我还没说完 … at the feasibility step is more of the proposal). The step is not a feature.
 */
export function correctedFieldOf(text: string): { field: string; confidence: number } {
  fieldModel ??= trainTurnModel(
    loadTurnCorpus('train')
      .filter((t) => t.kind === 'correction' && t.sub)
      .map((t) => ({ ...t, step: null })),
    {},
    (t) => t.sub ?? 'none',
  );
  const r = classifyTurn(text, null, fieldModel);
  return { field: r.label, confidence: r.confidence };
}

/**
 * Which FAQ entry a question asks (trained on the corpus's questions that have an FAQ id). The step is not
 * a feature: a question about rewards is the same question at every step. A question no entry answers
 * confidently is taken as a question about the step (这样写可以不？).
 */
export function faqOf(text: string): { id: string; confidence: number } {
  faqModel ??= trainTurnModel(
    loadTurnCorpus('train')
      .filter((t) => t.kind === 'question' && t.sub && t.sub !== 'step')
      .map((t) => ({ ...t, step: null })),
    {},
    (t) => t.sub ?? 'none',
  );
  const r = classifyTurn(text, null, faqModel);
  return { id: r.label, confidence: r.confidence };
}

const commandNames = new Set<string>(['help', 'back', 'edit', 'cancel', 'restart', 'resume', 'query', 'handoff']);

/** Meaningful characters (no spaces, punctuation or emoji). */
const meaningfulLength = (t: string) => [...t.replace(/[\s\p{P}\p{S}]/gu, '')].length;

/** An answer must be at least this likely to be stored; a doubtful turn is asked about again instead (chosen by cross-validation on train). */
const ANSWER_MIN = 0.5;

/** Below this, a question is taken as one about the current step rather than an FAQ entry (chosen by cross-validation on the train split: 91% precision, 69% coverage). */
const FAQ_CONFIDENCE = 0.4;

/** A message this short with a reference number in it (我上个月提的建议，编号WZ2021-000001，现在有结果没有？) asks after it. */
const REFERENCE_QUESTION_CHARS = 80;

/** Collect steps take long answers; a long run-on there is content even when it ends with a question. */
const LONG_CONTENT_CHARS = 30;

/**
 * Reads one message typed at `step`. `model` defaults to the recogniser trained on the corpus.
 */
export function understandTurn(text: string, step: TurnStep, model: TurnModel = turnModel()): TurnReading {
  const trimmed = text.trim();
  const exact = matchCommand(trimmed);
  if (exact && !(exact.name === 'edit' && exact.arg && exact.arg.length > 4)) {
    return { kind: 'command', command: exact.name, ...(exact.arg ? { arg: exact.arg } : {}), clean: trimmed, confidence: 1 };
  }
  const ref = referenceIn(trimmed);
  if (ref && meaningfulLength(trimmed) <= REFERENCE_QUESTION_CHARS) return { kind: 'command', command: 'query', arg: ref, clean: trimmed, confidence: 1 };

  const scored = classifyTurn(trimmed, step, model, ANSWER_MIN);
  const [kindPart, sub] = scored.label.split(':') as [string, string | undefined];
  let kind = kindPart as TurnKind;
  if ((step === 'proposal' || step === 'feasibility') && kind !== 'answer' && kind !== 'correction' && meaningfulLength(trimmed) >= LONG_CONTENT_CHARS) {
    kind = 'answer';
  }
  const reading: TurnReading = { kind, clean: trimmed, confidence: scored.confidence };
  switch (kind) {
    case 'answer':
      reading.clean = cleanAnswer(trimmed, step);
      break;
    case 'command':
      if (sub && commandNames.has(sub)) reading.command = sub as TurnCommand;
      else reading.kind = 'aside';
      break;
    case 'aside':
      if (sub === 'done') reading.done = true;
      if (sub === 'unknown') reading.unknown = true;
      break;
    case 'question': {
      const f = faqOf(trimmed);
      reading.faq = f.confidence >= FAQ_CONFIDENCE ? f.id : 'step';
      reading.faqConfidence = f.confidence;
      break;
    }
    case 'correction': {
      const f = correctedFieldOf(trimmed);
      if (f.confidence >= FIELD_CONFIDENCE) reading.field = f.field;
      // The new value: after 改成 / 是 …, or what is left once the lead-in the corpus taught is taken off.
      const v = correctionValue(trimmed) ?? leadStripped(trimmed);
      if (v) reading.value = v;
      break;
    }
    default:
      break;
  }
  return reading;
}

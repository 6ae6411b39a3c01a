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
import { limitTexts } from '../../flows/texts/coaching.js';
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
  type CollectStep,
  type FieldsStep,
  type FlowContext,
  type FlowDefinition,
  type IntakeSeed,
  type ReviewStep,
  type Step,
} from './flow-schema.js';
import { isTerminal, newSession, type Session } from './session.js';

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
  | { type: 'findSimilar'; title: string; proposal: string };

/** What running an effect came to; `ok: false` when storage failed. */
export type EffectOutcome =
  | { type: 'submitSuggestion'; ok: true; result: SubmitResult }
  | { type: 'lookupSuggestion'; ok: true; reference: string; view: SuggestionStatusView | null }
  | { type: 'listSuggestions'; ok: true; views: SuggestionStatusView[] }
  | { type: 'findSimilar'; ok: true; matches: SimilarSuggestionView[] }
  | { type: 'submitSuggestion' | 'lookupSuggestion' | 'listSuggestions' | 'findSimilar'; ok: false };

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
        Object.assign(s, { stepId: 'submitted', reference: ref, answers: {}, buffer: [], history: [], qualityFlags: [], tries: 0 });
        delete s.pendingSubmit;
        delete s.returnTo;
        delete s.editBackup;
        delete s.focus;
        delete s.awaiting;
        delete s.softProblem;
        replies.push({ text: systemTexts.submitted(ref) });
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
        replies.push({ text: views.length ? systemTexts.queryList(views) : systemTexts.queryNone });
      }
      if (midDraft) replies.push({ text: systemTexts.draftKept });
      break;
    case 'findSimilar': {
      // Nothing to show (or the lookup failed): the summary stands alone.
      const matches = outcome.ok ? (outcome as { matches: SimilarSuggestionView[] }).matches : [];
      if (matches.length) replies.push({ text: similarTexts.found(matches) });
      break;
    }
  }
  s.updatedAt = ctx.now.toISOString();
  void flow;
  return { session: s, replies, effects: [] };
}

/** Resolves an answer to one of `options`: by clicked id, id, 1-based number, or label. */
export function resolveOption(options: ReplyOption[], message: EngineMessage): ReplyOption | undefined {
  if (message.optionId) {
    const byId = options.find((o) => o.id === message.optionId);
    if (byId) return byId;
  }
  const w = optionAnswer(message.text);
  if (!w) return undefined;
  if (/^\d{1,2}$/.test(w)) return options[Number(w) - 1];
  const exact = options.find((o) => normaliseWord(o.label) === w || o.id.toLowerCase() === w);
  if (exact) return exact;
  const partial = options.filter((o) => w.length >= 2 && (normaliseWord(o.label).includes(w) || w.includes(normaliseWord(o.label))));
  return partial.length === 1 ? partial[0] : undefined;
}

/** Shorter than this, a message at a choice or title step is never taken for the whole suggestion. */
const AHEAD_MIN_CHARS = 20;

const yesNoOptions = (yes: { id: string; label: string }, no: { id: string; label: string }) => [yes, no];

/** One run of the engine over one message. Mutates its own copy of the session. */
class Turn {
  readonly replies: OutboundReply[] = [];
  readonly effects: Effect[] = [];
  private readonly text: string;

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
      s = this.s = undefined;
    }
    if ([...this.text].length > this.limits.messageMaxChars) {
      this.say(limitTexts.message(this.limits.messageMaxChars, [...this.text].length));
      return;
    }
    if (s?.pendingSubmit) return this.submit(stepOf(this.flow, s.stepId) as ReviewStep);
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
    const cmd = matchCommand(this.text);
    if (cmd && this.command(cmd)) return;
    if (this.remindIfReturning()) return;
    this.answerStep(stepOf(this.flow, s.stepId));
  }

  // ---- intake: the first message -------------------------------------------------------------------

  private intake(): void {
    const cmd = this.msg.forwarded ? undefined : matchCommand(this.text);
    if (cmd) {
      switch (cmd.name) {
        case 'restart':
          return this.begin();
        case 'help':
          return this.say(systemTexts.help(this.ctx.config.service.contact));
        case 'query':
          return this.query(cmd.arg);
        case 'resume':
          return this.say(systemTexts.noDraft);
        default:
          return this.say(systemTexts.nothingToCancel);
      }
    }
    const seed = this.seedOf();
    if (seed) return this.beginSeeded(seed);
    if (!this.text) return this.say(systemTexts.startHint);
    if (!this.flow.intake?.judgeScope) return this.begin();
    const v = this.ctx.judge.judgeScope(this.text);
    switch (v.kind) {
      case 'start':
        return this.begin();
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
    if (prefill && this.flow.intake?.prefillKey) s.prefill = { [this.flow.intake.prefillKey]: prefill };
    if (notice) this.say(notice);
    else this.say(prefill ? prompts.welcomeWithDraft : prompts.welcome);
    this.enter(this.flow.start);
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

  private outOfScope(category: OutOfScopeKind): void {
    const s = (this.s = newSession(this.flow, this.ctx.now));
    s.stepId = 'out_of_scope';
    this.say(`${this.ctx.config.scope.referrals[category]}\n${systemTexts.outOfScopeTail}`);
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
          this.outOfScope('petition');
          return true;
        }
        if (a.from === 'intake') {
          // A new message instead of an answer is judged as a first message again.
          this.s = undefined;
          this.intake();
          return true;
        }
        return false;
      }
    }
  }

  private cancelOptions(): ReplyOption[] {
    return yesNoOptions({ id: 'cancel_yes', label: optionLabels.cancelYes }, { id: 'cancel_no', label: optionLabels.cancelNo });
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
        this.say(systemTexts.help(this.ctx.config.service.contact, step.label));
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
        const current = stepOf(this.flow, s.stepId);
        const prev = s.history.pop();
        // What was collected on a multi-message step is kept for when the citizen comes back to it.
        if (prev && current.kind === 'collect' && s.buffer.length) this.addPrefill({ [current.answerKey]: s.buffer.join('\n') });
        if (!prev) {
          this.say(systemTexts.backAtStart);
          this.reprompt();
          return true;
        }
        this.say(systemTexts.back);
        this.enter(prev, { clearFields: true, noAuto: true });
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
        if (Object.keys(s.answers).length || s.buffer.length) {
          s.awaiting = { kind: 'cancel' };
          this.say(systemTexts.cancelAsk, this.cancelOptions());
        } else this.finishCancelled();
        return true;
      case 'restart':
        this.begin(undefined, systemTexts.restarted);
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
    if (arg) this.effects.push({ type: 'lookupSuggestion', reference: arg.toUpperCase(), citizen });
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
      this.say(prompts.editing(label));
      return this.enter(key, { noAuto: true });
    }
    const fieldsStep = this.flow.steps.find((x): x is FieldsStep => x.kind === 'fields' && x.fields.some((f) => f.key === key))!;
    const field = fieldsStep.fields.find((f) => f.key === key)!;
    s.editBackup = this.pick([key]);
    delete s.answers[key];
    this.say(prompts.editing(field.label));
    this.enter(fieldsStep.id, { noAuto: true });
  }

  // ---- steps ---------------------------------------------------------------------------------------

  /** Moves to `id` and asks its question (skipping a choice with one option; checking prefilled answers). */
  private enter(id: string, opts: { clearFields?: boolean; noAuto?: boolean } = {}): void {
    const s = this.s!;
    const step = stepOf(this.flow, id);
    if (step.kind !== 'end' && step.skipIf?.(s, this.ctx)) return this.enter(step.next!);
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
        return void this.replies.push(step.prompt(s, this.ctx));
      }
      case 'collect': {
        const pre = s.prefill?.[step.answerKey];
        if (pre !== undefined) {
          delete s.prefill![step.answerKey];
          if (!Object.keys(s.prefill!).length) delete s.prefill;
          s.buffer = [pre];
          this.say(prompts.proposalPrefilled(pre.length > 60 ? `${pre.slice(0, 60)}…` : pre));
          return this.finishCollect(step);
        }
        return void this.replies.push(step.prompt(s, this.ctx));
      }
      case 'fields': {
        if (opts.clearFields) for (const f of step.fields) delete s.answers[f.key];
        const missing = step.fields.filter((f) => s.answers[f.key] === undefined);
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
   * Content sent ahead of its step (the whole suggestion pasted at the theme or title step) is kept as
   * the flow's `prefillKey` answer, checked on arrival like a suggestion sent as the first message. Only
   * when that answer is still to come and the message reads as a suggestion.
   */
  private keepAhead(): boolean {
    const s = this.s!;
    const key = this.flow.intake?.prefillKey;
    if (!key || s.answers[key] !== undefined || s.prefill?.[key] !== undefined) return false;
    if ([...this.text].length < AHEAD_MIN_CHARS || this.ctx.judge.judgeScope(this.text).kind !== 'suggestion') return false;
    this.addPrefill({ [key]: this.text });
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
        const o = resolveOption(options, this.msg) ?? options.find((x) => isWord(this.text, step.synonyms?.[x.id] ?? []));
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
        const len = [...this.text].length;
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
        const o = resolveOption(step.prompt(s, this.ctx).options ?? [], this.msg);
        if (o?.id === 'submit' || isWord(this.text, controlWords.confirm)) return this.submit(step);
        if (o?.id === 'edit') {
          s.awaiting = { kind: 'edit' };
          return this.say(prompts.editWhich, this.editOptions());
        }
        if (o?.id === 'cancel') return void this.command({ name: 'cancel' });
        return this.fail(step, prompts.reviewInvalid, step.prompt(s, this.ctx).options);
      }
      case 'end':
        return;
    }
  }

  private answerCollect(step: CollectStep): void {
    const s = this.s!;
    if (this.msg.optionId === 'insist' || isWord(this.text, controlWords.insist)) {
      if (!s.softProblem) return this.say(prompts.cannotInsist);
      return this.finishCollect(step, { insist: true });
    }
    if (isWord(this.text, controlWords.done)) return this.finishCollect(step);
    if (isWord(this.text, controlWords.rewrite)) {
      s.buffer = [];
      delete s.softProblem;
      return this.say(prompts.rewriteDone);
    }
    if (this.isControlWord()) return this.say(`${prompts.notHere}${this.collectReask(step)}`);
    if (!this.text) return this.say(this.collectReask(step));
    const max = this.limits[step.limit];
    const total = [...s.buffer, this.text].join('\n').length;
    if (total > max) return this.say(limitTexts.total(step.label, max));
    s.buffer.push(this.text);
    delete s.softProblem;
    this.say(step.ack(total));
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
      if (r.kind === 'out_of_scope') return this.outOfScope(r.category);
      if (r.kind === 'unsure') {
        if (opts.skipScope) continue;
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

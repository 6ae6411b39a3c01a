/**
 * The handling conversations: unit members answering in the app (flows/unit-answer.flow.ts, plus the
 * 待办 / 受理 / 退回 commands) and citizens rating an answer (flows/evaluation.flow.ts). It runs in front of
 * the citizen-suggestion engine: `wrap(engine)` gives the ConversationHandler the channels use, which
 * hands unit members and citizens with a pending rating to these flows, and prepends the notices kept for
 * a citizen (acceptance, answer, rating request) to the engine's replies on their next message.
 *
 * @example
 * const handlingChat = createHandlingConversation({ handling, sessions, notices, logger });
 * const conversation = handlingChat.wrap(createConversationService({ ... }));
 */
import type { ConversationHandler, InboundMessage, OutboundReply, TurnResult } from './message-port.js';
import type { SessionStore } from './session-store.js';
import type { Logger } from '../infra/logger.js';
import type { HandlingService, HandlingResult } from '../handling/handling-service.js';
import type { CitizenRef } from '../domain/suggestion-types.js';
import { evaluationFlow, readRating } from '../../flows/evaluation.flow.js';
import { parseUnitCommand, unitAnswerFlow } from '../../flows/unit-answer.flow.js';
import { stepOf, type HandlingData, type HandlingFlow } from '../../flows/handling-flow-types.js';
import { evaluationTexts, outcomeNames, unitFlowTexts, type AnswerOutcome, type Rating } from '../../flows/texts/handling.js';
import { formatDay } from '../handling/deadlines.js';
import type { NoticeStore } from '../notifications/notice-store.js';

const flows: Record<string, HandlingFlow> = { [unitAnswerFlow.id]: unitAnswerFlow, [evaluationFlow.id]: evaluationFlow };

/** What is stored between two messages of a handling conversation. */
interface HandlingState {
  flow: string;
  version: number;
  step: string;
  data: HandlingData;
}

/** Handling conversations expire after two days of silence. */
const STATE_TTL_SECONDS = 2 * 24 * 3600;

export interface HandlingConversationDeps {
  handling: HandlingService;
  /** Where a running answer or rating is kept (the conversation's session store; keys are prefixed). */
  sessions: SessionStore;
  notices?: Pick<NoticeStore, 'takePending'>;
  logger: Pick<Logger, 'child'>;
  timezone?: string;
}

export interface HandlingConversation extends ConversationHandler {
  /** True when this message belongs to a handling conversation rather than the citizen-suggestion flow. */
  wants(message: InboundMessage): Promise<boolean>;
  /** Notices kept for a citizen since their last message (oldest first), marked shown. */
  pendingNotices(citizen: CitizenRef): Promise<OutboundReply[]>;
  /** The handler channels should use: handling flows first, then `engine`, with kept notices prepended. */
  wrap(engine: ConversationHandler): ConversationHandler;
}

export function createHandlingConversation(deps: HandlingConversationDeps): HandlingConversation {
  const { handling, sessions } = deps;
  const dir = handling.directory;
  const tz = deps.timezone ?? 'Asia/Shanghai';
  const key = (m: Pick<InboundMessage, 'channel' | 'senderId'>) => `handling:${m.channel}:${m.senderId}`;
  const isMember = (m: InboundMessage) => m.role === 'unit' || m.role === 'office';
  const citizenOf = (m: InboundMessage): CitizenRef => ({ channel: m.channel, id: m.senderId });

  async function load(m: InboundMessage): Promise<HandlingState | undefined> {
    const raw = (await sessions.get(key(m))) as HandlingState | undefined;
    const flow = raw && flows[raw.flow];
    // A state of another flow version is dropped, never misread.
    return flow && flow.version === raw.version && flow.steps.some((s) => s.id === raw.step) ? raw : undefined;
  }
  const save = (m: InboundMessage, s: HandlingState) => sessions.set(key(m), s, STATE_TTL_SECONDS);
  // Which numbered menu the citizen saw last: a bare number answers that one, never an older one.
  const menuKey = (m: Pick<InboundMessage, 'channel' | 'senderId'>) => `menu:${m.channel}:${m.senderId}`;
  const lastMenu = async (m: InboundMessage) => ((await sessions.get(menuKey(m))) as { menu?: string } | undefined)?.menu;
  /**
   * Notes which menu was shown last, only while a rating question is about (it was shown this turn, or a
   * note exists): nothing is kept for citizens who were never asked to rate.
   */
  async function noteMenu(m: InboundMessage, replies: readonly OutboundReply[], ratingReplies: readonly OutboundReply[], ratingAsked: boolean): Promise<void> {
    const last = [...replies].reverse().find((r) => r.options?.length);
    if (!last) return;
    if (!ratingAsked && (await lastMenu(m)) === undefined) return;
    await sessions.set(menuKey(m), { menu: ratingReplies.includes(last) ? 'rating' : 'other' }, STATE_TTL_SECONDS);
  }
  const clear = (m: InboundMessage) => sessions.delete(key(m));

  const reply = (text: string, state = 'handling'): TurnResult => ({ replies: [{ text }], state });
  const failed = (r: Extract<HandlingResult, { ok: false }>) => reply(unitFlowTexts.failed(unitFlowTexts.reasons[r.code] ?? r.message), 'handling_failed');

  async function runEffect(name: string, m: InboundMessage, d: HandlingData): Promise<TurnResult | undefined> {
    const by = { kind: 'unit' as const, unit: d.unit ?? '', userid: m.senderId };
    switch (name) {
      case 'answer': {
        const r = await handling.answer(d.reference ?? '', { unit: d.unit ?? '', outcome: d.outcome as AnswerOutcome, text: d.text ?? '', ...(d.reason ? { reason: d.reason } : {}), by });
        return r.ok ? reply(unitFlowTexts.answered(d.reference ?? ''), 'answered') : failed(r);
      }
      case 'rate': {
        const r = await handling.rate(d.reference ?? '', { citizen: citizenOf(m), rating: d.rating as Rating });
        return r.ok ? undefined : reply(r.code === 'already_done' ? evaluationTexts.recorded : evaluationTexts.invalid, 'rating_failed');
      }
      case 'comment': {
        if (d.comment) await handling.commentRating(d.reference ?? '', { citizen: citizenOf(m), comment: d.comment });
        return reply(evaluationTexts.thanks(d.rating as Rating), 'evaluated');
      }
      default:
        throw new Error(`unknown handling effect ${name}`);
    }
  }

  /** Feeds one message to the running flow. */
  async function advance(m: InboundMessage, state: HandlingState): Promise<TurnResult> {
    const flow = flows[state.flow]!;
    const step = stepOf(flow, state.step);
    const parsed = step.parse(m.text, m.optionId, state.data);
    if (!parsed.ok) return { replies: [{ text: parsed.reply }, ...(step.prompt(state.data).options ? [step.prompt(state.data)] : [])], state: step.id };
    const data = { ...state.data, [step.key]: parsed.value };
    if (step.effect) {
      const stop = await runEffect(step.effect, m, data);
      if (stop) {
        await clear(m);
        return stop;
      }
    }
    const next = step.next(data);
    if (next === 'done' || next === 'cancelled') {
      await clear(m);
      if (next === 'cancelled') return flow.id === evaluationFlow.id ? reply(evaluationTexts.thanks(data.rating as Rating), 'evaluated') : reply(unitFlowTexts.cancelled, 'cancelled');
      return (await runEffect(flow.finish, m, data)) ?? reply('', 'done');
    }
    await save(m, { ...state, step: next, data });
    const p = stepOf(flow, next).prompt(data);
    return { replies: [p], state: next };
  }

  async function start(m: InboundMessage, flow: HandlingFlow, data: HandlingData): Promise<TurnResult> {
    const first = flow.start(data);
    await save(m, { flow: flow.id, version: flow.version, step: first, data });
    return { replies: [stepOf(flow, first).prompt(data)], state: first };
  }

  async function handleUnit(m: InboundMessage): Promise<TurnResult> {
    const units = dir.unitsOf(m.senderId);
    if (units.length === 0) return reply(unitFlowTexts.notMember, 'not_member');
    const cmd = parseUnitCommand(m.text);
    const state = await load(m);
    if (!cmd) {
      if (state) return advance(m, state);
      const pending = await handling.pendingReturnRequest(m.senderId);
      if (pending && m.text.trim()) {
        const r = await handling.returnToOffice(pending.suggestion.reference, { unit: pending.unit, reason: m.text.trim(), by: { kind: 'unit', unit: pending.unit, userid: m.senderId } });
        return r.ok ? reply(unitFlowTexts.returned(pending.suggestion.reference), 'returned') : failed(r);
      }
      return reply(unitFlowTexts.help, 'help');
    }
    switch (cmd.kind) {
      case 'help':
        return reply(unitFlowTexts.help, 'help');
      case 'cancel':
        await clear(m);
        return reply(unitFlowTexts.cancelled, 'cancelled');
      case 'todo': {
        const open = await handling.openForUnits(units);
        if (!open.length) return reply(unitFlowTexts.todoNone, 'todo');
        return reply(
          unitFlowTexts.todo(
            open.map(({ suggestion: s, assignment: a }) => ({
              reference: s.reference,
              title: s.title,
              state: a.acceptedAt ? unitFlowTexts.todoStates.toAnswer : unitFlowTexts.todoStates.toAccept,
              due: a.dueAt ? formatDay(a.dueAt, tz) : '',
            })),
          ),
          'todo',
        );
      }
      default:
        break;
    }
    const verb = unitFlowTexts.verbs[cmd.kind];
    if (!cmd.reference) return reply(unitFlowTexts.needReference(verb), 'handling');
    const found = await handling.findForUnits(cmd.reference, units);
    if (!found) return reply(unitFlowTexts.notFound(cmd.reference), 'not_found');
    const by = { kind: 'unit' as const, unit: found.unit, userid: m.senderId };
    if (cmd.kind === 'accept') {
      const r = await handling.accept(cmd.reference, { unit: found.unit, by });
      return r.ok ? { replies: [], state: 'accepted' } : failed(r); // the confirmation goes out through the outbox
    }
    if (cmd.kind === 'return') {
      if (!cmd.reason) return reply(unitFlowTexts.returnNeedsReason(cmd.reference), 'handling');
      const r = await handling.returnToOffice(cmd.reference, { unit: found.unit, reason: cmd.reason, by });
      return r.ok ? reply(unitFlowTexts.returned(cmd.reference), 'returned') : failed(r);
    }
    const s = found.suggestion;
    const excerpt = [...s.proposal.replace(/\s+/g, ' ')].slice(0, 200).join('');
    return start(m, unitAnswerFlow, {
      reference: s.reference,
      unit: found.unit,
      title: s.title,
      excerpt,
      ...(cmd.kind === 'answer' && cmd.outcome ? { outcome: cmd.outcome } : {}),
    });
  }

  async function wants(m: InboundMessage): Promise<boolean> {
    if (m.role === 'unit') return true;
    if (await load(m)) return true;
    if (isMember(m)) return parseUnitCommand(m.text) !== undefined && m.role === 'office' && dir.unitsOf(m.senderId).length > 0;
    // Agents rate on behalf of the citizens whose suggestions they entered (the rating request reached them).
    if (m.role && m.role !== 'citizen' && m.role !== 'agent') return false;
    if (readRating(m.text, m.optionId) === undefined) return false;
    // "1" after a draft's menu was shown answers that menu; 满意 (a word) is always the rating.
    if (!m.optionId && /^\s*\d+\s*[。.!！]?\s*$/.test(m.text.normalize('NFKC')) && (await lastMenu(m)) === 'other') return false;
    const pending = await handling.pendingRating(citizenOf(m));
    // A rating only counts once the citizen could see the answer and the request (never before).
    return pending !== null && handling.ratingShown(pending);
  }

  async function handle(m: InboundMessage): Promise<TurnResult> {
    if (isMember(m)) return handleUnit(m);
    const state = await load(m);
    if (state) return advance(m, state);
    const pending = await handling.pendingRating(citizenOf(m));
    if (!pending) return reply(evaluationTexts.recorded, 'evaluated');
    // The message that starts the rating is the rating itself.
    return advance(m, { flow: evaluationFlow.id, version: evaluationFlow.version, step: 'rating', data: { reference: pending.reference } });
  }

  const pendingNotices = async (citizen: CitizenRef) => (deps.notices ? deps.notices.takePending(citizen) : []);

  /**
   * A rating request that was kept (no reply window, or no channel to send on) goes out with the reply to
   * this message, from the notice store or the kf outbox: from now on the citizen can rate.
   */
  async function revealKeptRating(m: InboundMessage): Promise<void> {
    const pending = await handling.pendingRating(citizenOf(m));
    if (!pending || handling.ratingShown(pending)) return;
    const request = (pending.outbox ?? []).filter((e) => e.kind === 'citizen_notice' && e.payload.topic === 'rate_request').at(-1);
    if (request?.state === 'delivered') await handling.markRatingShown(pending.reference);
  }

  return {
    wants,
    handle,
    pendingNotices,
    wrap(engine) {
      return {
        async handle(m) {
          // Storage trouble here must not turn into an HTTP 500 or a lost reply: a failed check falls
          // through to the engine (which answers "busy" itself), and failed notices stay pending.
          if (await wants(m).catch(() => false)) {
            const res = await handle(m);
            if (!isMember(m)) {
              // Rated: the question is closed, and so is the note of which menu was shown.
              if (res.state === 'evaluated') await sessions.delete(menuKey(m)).catch(() => undefined);
              else await noteMenu(m, res.replies, res.replies, true).catch(() => undefined);
            }
            return res;
          }
          const r = await engine.handle(m);
          // Taken only after a real turn: a retried message (duplicate) must not swallow the notices.
          if ((r as { duplicate?: boolean }).duplicate || isMember(m) || m.role === 'agent') return r;
          const notices = await pendingNotices(citizenOf(m)).catch(() => [] as OutboundReply[]);
          await revealKeptRating(m).catch(() => undefined);
          // One numbered menu at a time: when the turn opens one (a new draft's themes), a rating request
          // arriving with it is set aside — shown without numbers, answered later by its words.
          const engineMenu = r.replies.some((x) => x.options?.length);
          const shown = engineMenu ? notices.map((n) => (n.options?.length ? { text: `${n.text}\n${evaluationTexts.rateLater}` } : n)) : notices;
          const replies = [...shown, ...r.replies];
          await noteMenu(m, replies, shown, notices.some((n) => n.options?.length)).catch(() => undefined);
          return notices.length ? { ...r, replies } : r;
        },
      };
    },
  };
}

export { outcomeNames };

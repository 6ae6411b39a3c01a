/**
 * The per-message runtime: dedupe the message id, take the sender's lease, load the session, advance the
 * engine, save the session BEFORE running effects, run each effect once, save again, release.
 *
 * Retries: a message id seen before yields `{ replies: [], duplicate: true }` with the current state — its
 * replies were (or are being) delivered by the first call, so a channel must send nothing for it
 * (WeCom resends a callback it thinks was not acknowledged; kf sync_msg can return a message twice).
 *
 * Failures: when the session store or lock cannot be reached before anything took effect, the citizen is
 * told the system is busy and to send again; the dedupe claim is forgotten so that resend runs. A confirmed
 * submission whose storage failed stays pending in the session and is retried, with the same
 * submissionKey, on the sender's next message.
 */
import type { AgentLookup } from '../domain/agents.js';
import type { ChannelName, ConversationHandler, InboundMessage, OutboundReply, Role, TurnResult } from './message-port.js';
import type { Clock } from '../infra/clock.js';
import type { DedupeStore } from '../infra/dedupe.js';
import type { LockService } from '../infra/locks.js';
import type { Logger } from '../infra/logger.js';
import { RedisKeys, RedisTtls, sessionTtlSeconds } from '../infra/redis-keys.js';
import type { CitizenRef, SuggestionPort } from '../domain/suggestion-types.js';
import { systemTexts } from '../../flows/texts/system.js';
import type { SimilarSuggestionView } from '../../flows/texts/similar.js';
import { advance, settle, stateOf, type Effect, type EffectOutcome } from './engine.js';
import { buildFlowContext, type FlowConfig, type FlowDefinition, type Judgement, type SenderAgent } from './flow-schema.js';
import { decodeSession, isTerminal, type Session } from './session.js';
import type { SessionStore } from './session-store.js';

/** How similar a stored suggestion must be before the citizen is told one like theirs exists. */
const SIMILAR_NOTICE_SCORE = 0.5;
import type { ScopeVerdict } from '../judgement/judgement-types.js';

/** What the conversation runtime needs, each typed as the slice it uses. */
export interface ConversationDeps {
  config: FlowConfig;
  clock: Clock;
  logger: Pick<Logger, 'child'>;
  sessions: SessionStore;
  locks: Pick<LockService, 'acquire'>;
  dedupe: DedupeStore;
  suggestions: SuggestionPort;
  /** The judgement functions; defaults to src/judgement. */
  judge: Judgement;
  /**
   * Optional second opinion (src/judgement/llm-second-opinion.ts) on a message the local scope model is
   * unsure about; awaited before the engine runs, bounded by its own strict timeout.
   */
  secondOpinion?: { consult(text: string, local: ScopeVerdict): Promise<ScopeVerdict> };
  /** The registered flows by id, and the one a new conversation starts in. */
  flows: { byId: ReadonlyMap<string, FlowDefinition>; forNew(message: InboundMessage): FlowDefinition };
  /** How long a message waits for the same sender's previous one (default 10 s). */
  lockWaitMs?: number;
  /** The agent directory (src/agents): a sender found there is an agent and gets the agents' flow. */
  agents?: AgentLookup;
  /**
   * Stored suggestions like a draft, shown with the summary before confirming
   * (src/suggestions/similar-suggestions.ts). Absent, or failing: the summary is shown alone.
   */
  similar?: SimilarSuggestionsLookup;
  /** 转人工 (absent: the citizen is given the contact person). */
  handoff?: HandoffPort;
}

/**
 * 转人工: hands a citizen's conversation to a person where the channel can (微信客服, within the office's
 * hours: src/channels/wecom/kf-handoff.ts). Resolves true when a person has it now, false when the citizen
 * should be given the contact instead (outside the hours, no servicer receiving, another channel).
 */
export interface HandoffPort {
  request(citizen: CitizenRef): Promise<boolean>;
}

/** A stored suggestion like a draft, with how alike they are (cosine similarity in [0, 1]). */
export type SimilarSuggestionMatch = SimilarSuggestionView & { score: number };

/** Finds stored suggestions similar to a draft's title and proposal: at most three, most similar first. */
export interface SimilarSuggestionsLookup {
  query(draft: { title: string; proposal: string }): SimilarSuggestionMatch[] | Promise<SimilarSuggestionMatch[]>;
}

export type { AgentLookup };

/** The turn result; `duplicate` marks a retried message whose replies were already delivered. */
export type HandledTurn = TurnResult;

/** A channel passed something unusable (an empty or malformed sender or message id). A bug in the channel. */
export class InvalidMessageError extends Error {
  override name = 'InvalidMessageError';
}

const SENDER_ID = /^[A-Za-z0-9_@.:+=\-]{1,128}$/;
const MESSAGE_ID = /^[\x21-\x7e]{1,200}$/;
/** Hard cap before the engine (which refuses anything over `messageMaxChars` with the limit stated). */
const HARD_TEXT_CAP = 50_000;

/** Strips control and zero-width characters (keeping line breaks) and caps the length. */
export function cleanText(text: string, cap = HARD_TEXT_CAP): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g, '')
    .slice(0, cap);
}

/** The id a conversation's lock, dedupe and logs are keyed by: one per sender per channel. */
export function conversationIdOf(channel: ChannelName, senderId: string): string {
  return `${channel}:${senderId}`;
}

/**
 * The conversation runtime: per message, dedupe and the per-sender lock, load the session (dropping an
 * unreadable or outdated one politely), `advance` the flow, save, then run each effect once and `settle`
 * its outcome. Storage failures become the polite busy reply, never an exception to the channel.
 *
 * @example
 *   const handler = createTurnHandler({ config, clock, logger, sessions, locks, dedupe, suggestions });
 *   const turn = await handler.handle(message); // { replies, state, reference? }
 */
export function createTurnHandler(deps: ConversationDeps): ConversationHandler {
  const { config, clock, sessions, locks, dedupe, suggestions, judge } = deps;

  /**
   * The judgement for this turn: the local one, with the second opinion on a first message (`atIntake`)
   * the local model is unsure about.
   */
  async function judgeWithSecondOpinion(text: string, atIntake: boolean): Promise<Judgement> {
    if (!deps.secondOpinion || !text || !atIntake) return judge;
    const local = judge.judgeScope(text);
    if (local.kind !== 'unsure') return judge;
    const verdict = await deps.secondOpinion.consult(text, local);
    return verdict === local ? judge : { ...judge, judgeScope: (t) => (t === text ? verdict : judge.judgeScope(t)) };
  }
  const ttl = sessionTtlSeconds(config.service.draftTtlDays);
  const lockWaitMs = deps.lockWaitMs ?? 10_000;
  const busy = (state: string): HandledTurn => ({ replies: [{ text: systemTexts.busy }], state });

  async function runEffect(effect: Effect): Promise<EffectOutcome> {
    switch (effect.type) {
      case 'submitSuggestion':
        return { type: effect.type, ok: true, result: await suggestions.submit(effect.submission) };
      case 'lookupSuggestion':
        return { type: effect.type, ok: true, reference: effect.reference, view: await suggestions.findForCitizen(effect.reference, effect.citizen) };
      case 'listSuggestions':
        return { type: effect.type, ok: true, views: await suggestions.listForCitizen(effect.citizen, effect.limit) };
      case 'findSimilar': {
        const found = deps.similar ? await deps.similar.query({ title: effect.title, proposal: effect.proposal }) : [];
        // The office links suggestions from 0.3 up (same matter, other words); the citizen is told only of
        // close ones: four independent testers' citizens found the notice for unrelated matters (0.30-0.44).
        const close = found.filter((m) => m.score >= SIMILAR_NOTICE_SCORE);
        return { type: effect.type, ok: true, matches: close.slice(0, 3).map(({ reference, title, status }) => ({ reference, title, status })) };
      }
      case 'handoff':
        // Channels that cannot hand a conversation to a person give the contact instead.
        return { type: effect.type, ok: true, transferred: deps.handoff ? await deps.handoff.request(effect.citizen) : false };
    }
  }

  async function handle(message: InboundMessage): Promise<HandledTurn> {
    if (typeof message.senderId !== 'string' || !SENDER_ID.test(message.senderId)) {
      throw new InvalidMessageError('senderId must be 1-128 characters of [A-Za-z0-9_@.:+=-]; pass the platform user id');
    }
    if (typeof message.messageId !== 'string' || !MESSAGE_ID.test(message.messageId)) {
      throw new InvalidMessageError('messageId must be 1-200 printable ASCII characters; generate one when the platform has none');
    }
    const conversationId = conversationIdOf(message.channel, message.senderId);
    const log = deps.logger.child({ conversation: conversationId, messageId: message.messageId });
    const citizen: CitizenRef = { channel: message.channel, id: message.senderId };
    const text = cleanText(message.text ?? '');
    const optionId = message.optionId ? cleanText(message.optionId, 64) : undefined;
    const dedupeKey = RedisKeys.dedupe('turn', `${conversationId}:${message.messageId}`);

    const duplicateOf = (session: Session | undefined): HandledTurn => ({ replies: [], state: stateOf(session), duplicate: true });
    // A retry of a message whose confirmed submission is still pending (its worker was killed while
    // storing it) finishes that submission instead of being dropped; the pending key stores it once.
    let resumingPending = false;
    try {
      if (!(await dedupe.claim(dedupeKey, RedisTtls.dedupe))) {
        const raw = await sessions.get(conversationId).catch(() => undefined);
        const d = raw === undefined ? undefined : decodeSession(raw);
        if (!(d?.ok && d.session.pendingSubmit)) {
          log.info('retried message: already handled');
          return duplicateOf(d?.ok ? d.session : undefined);
        }
        log.info('retried message with a pending submission: finishing it');
        resumingPending = true;
      }
    } catch (err) {
      log.warn({ err }, 'dedupe store unavailable');
      return busy('intake');
    }
    // The claim of a resumed message belongs to its first delivery and is kept.
    const forget = async () => {
      if (!resumingPending) await dedupe.forget(dedupeKey).catch((err: unknown) => log.warn({ err }, 'could not forget dedupe claim'));
    };

    const lease = await locks
      .acquire(RedisKeys.senderLock(conversationId), RedisTtls.senderLock * 1000, lockWaitMs)
      .catch((err: unknown) => void log.warn({ err }, 'lock service unavailable'));
    if (!lease) {
      await forget();
      return busy('intake');
    }
    try {
      let stored: Session | undefined;
      const notices: OutboundReply[] = [];
      let flow: FlowDefinition;
      let agent: SenderAgent | undefined;
      try {
        agent = await deps.agents?.find(message);
      } catch (err) {
        log.warn({ err }, 'agent directory unavailable');
        await forget();
        return busy('intake');
      }
      // The directory, not the channel, decides who is an agent (it knows their unit).
      const { role: _channelRole, ...rest } = message;
      const routed: InboundMessage = agent ? { ...rest, role: 'agent' } : _channelRole && _channelRole !== 'agent' ? message : rest;
      try {
        const raw = await sessions.get(conversationId);
        const decoded = raw === undefined ? undefined : decodeSession(raw);
        const known = decoded?.ok ? deps.flows.byId.get(decoded.session.flowId) : undefined;
        if (decoded?.ok && known && known.version === decoded.session.flowVersion) {
          stored = decoded.session;
          flow = known;
        } else {
          flow = deps.flows.forNew(routed);
          // A draft saved by another version is dropped with an apology, never misread.
          const midDraft = raw !== undefined && !(decoded?.ok && (isTerminal(decoded.session.stepId) || decoded.session.stepId === 'intake'));
          if (midDraft) {
            log.info({ reason: decoded?.ok ? 'flow_version' : decoded?.reason }, 'stored session dropped');
            notices.push({ text: systemTexts.versionRestart });
          }
        }
      } catch (err) {
        log.warn({ err }, 'session store unavailable (load)');
        await forget();
        return busy('intake');
      }
      // Under the lease: the first delivery may have finished the submission meanwhile.
      if (resumingPending && !stored?.pendingSubmit) return duplicateOf(stored);

      const ctx = buildFlowContext({ config, now: clock.now(), judge: await judgeWithSecondOpinion(text, !stored || stored.stepId === 'intake' || isTerminal(stored.stepId)), citizen, ...(agent ? { agent } : {}) });
      let r: ReturnType<typeof advance>;
      try {
        r = advance(flow, stored, { text, ...(optionId ? { optionId } : {}), ...(message.forwarded ? { forwarded: message.forwarded } : {}) }, ctx);
      } catch (err) {
        // A bug in a flow or the engine: logged loudly; the citizen gets the apology, and a resend may run.
        log.error({ err, stepId: stored?.stepId }, 'engine failed on a message');
        await forget();
        return busy(stateOf(stored));
      }
      try {
        await sessions.set(conversationId, r.session, ttl);
      } catch (err) {
        log.warn({ err }, 'session store unavailable (save)');
        await forget();
        return busy(stateOf(stored));
      }

      // From here the turn has taken effect: the dedupe claim stays.
      let session = r.session;
      const replies = [...notices, ...r.replies];
      for (const effect of r.effects) {
        let outcome: EffectOutcome;
        try {
          outcome = await runEffect(effect);
        } catch (err) {
          log.warn({ err, effect: effect.type }, 'effect failed');
          outcome = { type: effect.type, ok: false };
        }
        const settled = settle(flow, session, outcome, buildFlowContext({ config, now: clock.now(), judge, citizen, ...(agent ? { agent } : {}) }));
        session = settled.session;
        replies.push(...settled.replies);
      }
      if (r.effects.length) {
        try {
          await sessions.set(conversationId, session, ttl);
        } catch (err) {
          // The stored session still holds the pending submission; the next message retries it with the
          // same submissionKey, which stores nothing twice.
          log.warn({ err }, 'session store unavailable (save after effects)');
        }
      }
      const result: HandledTurn = { replies, state: stateOf(session) };
      if (session.stepId === 'submitted' && session.reference) result.reference = session.reference;
      return result;
    } finally {
      await lease.release().catch((err: unknown) => log.warn({ err }, 'could not release sender lease'));
    }
  }

  return { handle };
}

/**
 * The conversation part, the core the channels are adapters around: the message port (message-port.ts:
 * InboundMessage in, TurnResult out), the pure engine and the turn runtime over flows/, the session stores,
 * and the handling conversation (handling-conversation.ts: unit members answering, citizens rating) that
 * runs in front of the suggestion flows. `createConversationService` is what channels get (a
 * ConversationHandler); the engine, session and stores are exported for tests and for other flows.
 *
 * @example
 *   const conversation = createConversationService({ config, clock, logger, sessions, locks, dedupe, suggestions });
 *   const { replies, state } = await conversation.handle({ channel: 'dev', senderId: 'u1', messageId: 'm1',
 *     text: '我想提建议', receivedAt: new Date() });
 */
import * as judgement from '../judgement/index.js';
import { flowForNewConversation, flows } from '../../flows/index.js';
import type { Judgement } from './flow-schema.js';
import { createTurnHandler, type ConversationDeps } from './turn.js';

export { advance, settle, resolveOption, stateOf, submissionKeyOf, type Effect, type EffectOutcome, type EngineMessage, type AdvanceResult } from './engine.js';
export { validateFlow, buildFlowContext, FlowDefinitionError, type FlowDefinition, type FlowContext, type Judgement, type SenderAgent } from './flow-schema.js';
export { decodeSession, newSession, SESSION_SCHEMA_VERSION, type Session } from './session.js';
export type { SessionStore } from './session-store.js';
export { MemorySessionStore, createMemorySessionStore } from './memory-session-store.js';
export { RedisSessionStore, createRedisSessionStore } from './redis-session-store.js';
export { InvalidMessageError, cleanText, conversationIdOf, type AgentLookup, type ConversationDeps, type HandledTurn } from './turn.js';

/** The real judgement functions (src/judgement). */
export const defaultJudgement: Judgement = {
  judgeScope: judgement.judgeScope,
  coachQuality: judgement.coachQuality,
  parsePhone: judgement.parsePhone,
  extractIdentity: judgement.extractIdentity,
  inferCategory: judgement.inferCategory,
};

/** Builds the conversation service. `judge` and `flows` default to the real judgement and flows/. */
export function createConversationService(
  deps: Omit<ConversationDeps, 'judge' | 'flows'> & Partial<Pick<ConversationDeps, 'judge' | 'flows'>>,
) {
  return createTurnHandler({
    ...deps,
    judge: deps.judge ?? defaultJudgement,
    flows: deps.flows ?? { byId: flows, forNew: flowForNewConversation },
  });
}

/**
 * The flow registry: id → flow, each checked once at start-up by validateFlow. New flows (the agent's
 * proxy entry, the satisfaction evaluation) are added here; the engine does not change.
 */
import { validateFlow, type FlowDefinition } from '../src/conversation/flow-schema.js';
import type { InboundMessage } from '../src/conversation/message-port.js';
import { agentProxyFlow } from './agent-proxy.flow.js';
import { citizenSuggestionFlow } from './citizen-suggestion.flow.js';

export { agentProxyFlow, citizenSuggestionFlow };

/** Every flow by id. Throws FlowDefinitionError at import time when one is malformed. */
export const flows: ReadonlyMap<string, FlowDefinition> = new Map(
  [citizenSuggestionFlow, agentProxyFlow].map((f) => [f.id, validateFlow(f as FlowDefinition)] as const),
);

/**
 * The flow a new conversation with this sender starts in: agents (role `agent`, set by the runtime from
 * the agent directory) get the agents' flow, which offers proxy entry (代录, forwarded records) and their
 * own suggestion; everyone else the citizen's.
 */
export function flowForNewConversation(message: Pick<InboundMessage, 'role' | 'forwarded'>): FlowDefinition {
  return flows.get(message.role === 'agent' ? agentProxyFlow.id : citizenSuggestionFlow.id)!;
}

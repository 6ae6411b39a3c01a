/**
 * The flow registry: id → flow, each checked once at start-up by validateFlow. New flows (the agent's
 * proxy entry, the satisfaction evaluation) are added here; the engine does not change.
 */
import { validateFlow, type FlowDefinition } from '../src/conversation/flow-schema.js';
import type { InboundMessage } from '../src/channels/channel-types.js';
import { citizenSuggestionFlow } from './citizen-suggestion.flow.js';

export { citizenSuggestionFlow };

/** Every flow by id. Throws FlowDefinitionError at import time when one is malformed. */
export const flows: ReadonlyMap<string, FlowDefinition> = new Map(
  [citizenSuggestionFlow].map((f) => [f.id, validateFlow(f as FlowDefinition)] as const),
);

/** The flow a new conversation with this sender starts in. (Agents get the proxy-entry flow once it exists.) */
export function flowForNewConversation(_message: Pick<InboundMessage, 'role' | 'forwarded'>): FlowDefinition {
  return flows.get(citizenSuggestionFlow.id)!;
}

/**
 * Conversation metrics: what passes through the handler the channels call (src/infra/metrics.ts holds
 * the registry).
 */
import type { Metrics } from '../infra/metrics.js';
import type { ConversationHandler, InboundMessage } from './message-port.js';

/**
 * Counts what passes through a conversation handler: messages in, replies out, terminal outcomes and the
 * time of each turn, per channel. Retried duplicates (which send nothing) are not counted as replies.
 */
export function instrumentConversation<H extends ConversationHandler>(handler: H, metrics: Metrics): H {
  const terminal = new Set(['submitted', 'out_of_scope', 'cancelled']);
  // Object.create keeps every other member of the wrapped object reachable (own or inherited).
  return Object.assign(Object.create(handler) as H, {
    async handle(message: InboundMessage) {
      const channel = message.channel;
      metrics.messagesIn.inc({ channel });
      const end = metrics.turnDuration.startTimer({ channel });
      try {
        const result = await handler.handle(message);
        if (!result.duplicate) {
          metrics.messagesOut.inc({ channel }, result.replies.length);
          if (terminal.has(result.state)) metrics.conversationOutcomes.inc({ outcome: result.state });
        }
        return result;
      } finally {
        end();
      }
    },
  });
}

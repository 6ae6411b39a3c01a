/**
 * A unit's group robot (contract §8): markdown summaries of new assignments and overdue items. The
 * webhook key is read from config at delivery time (it is a credential and never stored in a document),
 * and the summaries carry no name or phone number.
 */
import type { RobotMessage } from '../channels/wecom/wecom-api-client.js';
import { outcomeOfError, type DeliveryOutcome, type Notifier } from './notifier.js';
import type { OutboxEntry } from './outbox.js';

export function createGroupRobotNotifier(deps: {
  api: { webhookSend(robotKey: string, msg: RobotMessage): Promise<void> };
  robotKey: (unitId: string) => string | undefined;
}): Notifier {
  return {
    async deliver(entry: OutboxEntry): Promise<DeliveryOutcome> {
      if (entry.kind !== 'robot_markdown') return { status: 'failed', error: `robot notifier cannot send ${entry.kind}` };
      const key = deps.robotKey(entry.target.unit);
      if (!key) return { status: 'failed', error: `unit ${entry.target.unit} has no robotKey configured` };
      try {
        await deps.api.webhookSend(key, { msgtype: 'markdown', markdown: { content: entry.payload.content } });
        return { status: 'delivered' };
      } catch (err) {
        return outcomeOfError(err);
      }
    },
  };
}

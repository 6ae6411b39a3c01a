/**
 * A unit's group robot (contract §8): markdown summaries of new assignments and overdue items. The
 * webhook key is read from config at delivery time (it is a credential and never stored in a document),
 * and the summaries carry no name or phone number: the citizen's own words (the title) are passed through
 * `robotSafe` (src/handling/outbox.ts) when the entry is written, and every phone number is masked again at delivery.
 */
import type { RobotMessage } from '../wecom-api/wecom-api-client.js';
import { maskPhones } from '../infra/logger.js';
import { outcomeOfError, type DeliveryOutcome, type Notifier } from './notifier.js';
import type { OutboxEntry } from '../handling/outbox.js';

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
        // Masked again here: an entry written by older code, or by a builder that forgot, still leaks nothing.
        await deps.api.webhookSend(key, { msgtype: 'markdown', markdown: { content: maskPhones(entry.payload.content) } });
        return { status: 'delivered' };
      } catch (err) {
        return outcomeOfError(err);
      }
    },
  };
}

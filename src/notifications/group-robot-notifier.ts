/**
 * A unit's group robot (contract §8): markdown summaries of new assignments and overdue items. The
 * webhook key is read from config at delivery time (it is a credential and never stored in a document),
 * and the summaries carry no name or phone number: the citizen's own words (the title) are passed through
 * {@link robotSafe} when the entry is written, and every phone number is masked again at delivery.
 */
import type { RobotMessage } from '../channels/wecom/wecom-api-client.js';
import { markdownInert } from '../channels/wecom/wecom-escape.js';
import { maskPhones } from '../infra/logger.js';
import { outcomeOfError, type DeliveryOutcome, type Notifier } from './notifier.js';
import type { OutboxEntry } from './outbox.js';

/**
 * Citizen-written text made fit for a group chat's markdown: the proposer's name and phone number are
 * blanked, every other phone number is masked (a group is not the place for personal details, whatever was
 * typed), and markdown cannot form (no links, mentions, font tags or emphasis from a citizen's words).
 *
 * @example
 * robotSafe('张三建议：请联系13812345678', { name: '张三', phone: '13812345678' }); // '＊＊建议：请联系138****5678'
 * robotSafe('[点此登录](http://evil.example/x)'); // '［点此登录］（http://evil.example/x）'
 */
export function robotSafe(text: string, proposer?: { name?: string | null; phone?: string | null } | null): string {
  let out = markdownInert(text);
  const name = proposer?.name?.trim();
  if (name && [...name].length >= 2) out = out.split(markdownInert(name)).join('＊'.repeat([...name].length));
  const phone = proposer?.phone?.replace(/\D/g, '');
  if (phone && phone.length >= 7) out = out.split(phone).join(`${phone.slice(0, 3)}****${phone.slice(-4)}`);
  return maskPhones(out);
}

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

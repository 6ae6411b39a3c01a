/**
 * Unit members' messages through the self-built app (contract §5, §6): the 受理/退回 template card, plain
 * texts (reminders, the request for a return reason) and updates of clicked cards. App messages carry
 * WeCom's duplicate check, so a resend after a crash between "sent" and "marked" is not delivered twice.
 */
import type { AppMessage, AppSendResult } from '../wecom-api/wecom-api-client.js';
import { outcomeOfError, type DeliveryOutcome, type Notifier } from './notifier.js';
import type { OutboxEntry } from '../handling/outbox.js';

export interface AppMessageApi {
  sendAppMessage(msg: AppMessage): Promise<AppSendResult>;
  updateTemplateCard(body: Record<string, unknown>): Promise<{ invaliduser?: string[] }>;
}

/** How long WeCom refuses an identical app message (seconds; contract §5, max 4 h). */
const DUPLICATE_CHECK_SECONDS = 4 * 3600;

export function createWeComCardNotifier(api: AppMessageApi): Notifier {
  const send = async (userids: string[], body: AppMessage): Promise<DeliveryOutcome> => {
    if (userids.length === 0) return { status: 'failed', error: 'no recipients configured for the unit' };
    const r = await api.sendAppMessage({ ...body, touser: userids.join('|'), enable_duplicate_check: 1, duplicate_check_interval: DUPLICATE_CHECK_SECONDS });
    return r.invaliduser ? { status: 'delivered', note: `invalid users: ${r.invaliduser}` } : { status: 'delivered' };
  };
  return {
    async deliver(entry: OutboxEntry): Promise<DeliveryOutcome> {
      try {
        switch (entry.kind) {
          case 'unit_card':
            return await send(entry.target.userids, { msgtype: 'template_card', template_card: entry.payload.card });
          case 'unit_text':
            return await send(entry.target.userids, { msgtype: 'text', text: { content: entry.payload.text } });
          case 'card_update':
            await api.updateTemplateCard({ userids: entry.target.userids, response_code: entry.payload.responseCode, button: { replace_name: entry.payload.replaceName } });
            return { status: 'delivered' };
          default:
            return { status: 'failed', error: `card notifier cannot send ${entry.kind}` };
        }
      } catch (err) {
        return outcomeOfError(err);
      }
    },
  };
}

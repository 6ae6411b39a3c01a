/**
 * Unit members' messages through the self-built app (contract §5, §6): the 受理/退回 template card, plain
 * texts (reminders, the request for a return reason) and updates of clicked cards. App messages carry
 * WeCom's duplicate check, so a resend after a crash between "sent" and "marked" is not delivered twice.
 */
import type { AppMessage, AppSendResult } from '../wecom-api/wecom-api-client.js';
import { textInert } from '../wecom-api/wecom-escape.js';
import { outcomeOfError, type DeliveryOutcome, type Notifier } from './notifier.js';
import type { OutboxEntry } from '../handling/outbox.js';

export interface AppMessageApi {
  sendAppMessage(msg: AppMessage): Promise<AppSendResult>;
  updateTemplateCard(body: Record<string, unknown>): Promise<{ invaliduser?: string[] }>;
}

/** Every string in a card made tag-free (the card's titles and excerpt are a citizen's words). */
function inertStrings(v: unknown): unknown {
  if (typeof v === 'string') return textInert(v);
  if (Array.isArray(v)) return v.map(inertStrings);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, inertStrings(x)]));
  return v;
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
            return await send(entry.target.userids, { msgtype: 'template_card', template_card: inertStrings(entry.payload.card) as Record<string, unknown> });
          case 'unit_text':
            // Texts carry citizens' titles: no `<a href>` may form from them (our own texts have no tags).
            return await send(entry.target.userids, { msgtype: 'text', text: { content: textInert(entry.payload.text) } });
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

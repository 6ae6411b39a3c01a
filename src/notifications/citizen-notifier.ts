/**
 * Tells the citizen over the channel they used. 微信客服: through the WeCom channel's "send now or keep
 * until the customer next writes" sender (the reply window of contract §7.3); the self-built app: an app
 * text message; dev chat and terminal (and kf when no sender is wired): kept in the notice store and shown
 * at the start of the citizen's next conversation.
 */
import { textInert } from '../wecom-api/wecom-escape.js';
import type { OutboundReply } from '../domain/messages.js';
import type { KfOutbox } from '../wecom-api/kf-outbox.js';
import type { AppMessage, AppSendResult } from '../wecom-api/wecom-api-client.js';
import type { NoticeStore } from './notice-store.js';
import { outcomeOfError, type DeliveryOutcome, type Notifier } from './notifier.js';
import type { OutboxEntry } from '../handling/outbox.js';

/** The WeCom channel's kf sender: sends inside the reply window, otherwise keeps the message. */
export interface KfSendOrKeep {
  /**
   * `idBase` makes the kf msgid deterministic, so a resend is a duplicate WeCom refuses. 'kept': it goes out
   * when the customer next writes; 'unknown_customer': no kf account is known for them; 'dropped': refused.
   */
  sendOrKeep(input: { externalUserId: string; idBase: string; reply: OutboundReply }): Promise<'sent' | 'kept' | 'dropped' | 'unknown_customer'>;
}

/**
 * Adapts the WeCom kf outbox (src/wecom-api/kf-outbox.ts). The customer's own kf account (the
 * one they last wrote to) is used; `fallbackOpenKfId` (the first of WECOM_KF_OPEN_KFIDS) only for a
 * customer whose account is not remembered.
 */
export function kfSenderFromOutbox(outbox: Pick<KfOutbox, 'enqueue' | 'accountOf'>, fallbackOpenKfId?: string): KfSendOrKeep {
  return {
    async sendOrKeep({ externalUserId, idBase, reply }) {
      const openKfId = (await outbox.accountOf(externalUserId)) ?? fallbackOpenKfId;
      if (!openKfId) return 'unknown_customer';
      const r = await outbox.enqueue({ openKfId, externalUserId }, reply, { idBase });
      return r.dropped ? 'dropped' : r.kept ? 'kept' : 'sent';
    },
  };
}

export interface CitizenNotifierDeps {
  notices: Pick<NoticeStore, 'keep'>;
  kf?: KfSendOrKeep;
  app?: { sendAppMessage(msg: AppMessage): Promise<AppSendResult> };
}

export function createCitizenNotifier(deps: CitizenNotifierDeps): Notifier {
  return {
    async deliver(entry: OutboxEntry): Promise<DeliveryOutcome> {
      if (entry.kind !== 'citizen_notice') return { status: 'failed', error: `citizen notifier cannot send ${entry.kind}` };
      const { target, payload } = entry;
      try {
        if (target.channel === 'wecom-kf' && deps.kf) {
          const r = await deps.kf.sendOrKeep({ externalUserId: target.id, idBase: entry.id, reply: { text: payload.text, ...(payload.options ? { options: payload.options } : {}) } });
          if (r === 'dropped') return { status: 'failed', error: 'WeCom refused the kf message' };
          if (r !== 'unknown_customer') return { status: 'delivered', ...(r === 'kept' ? { note: 'kept until the citizen writes again' } : {}) };
        }
        if (target.channel === 'wecom-app' && deps.app) {
          const options = payload.options?.length ? `\n${payload.options.map((o, i) => `${i + 1}. ${o.label}`).join('\n')}` : '';
          // App members here are agents (staff) relaying news: the proposer's name and texts are others' words.
          await deps.app.sendAppMessage({ touser: target.id, msgtype: 'text', text: { content: textInert(payload.text + options) }, enable_duplicate_check: 1, duplicate_check_interval: 1800 });
          return { status: 'delivered' };
        }
        await deps.notices.keep({ outboxId: entry.id, citizen: target, reference: payload.reference, text: payload.text, ...(payload.options ? { options: payload.options } : {}) });
        return { status: 'delivered', note: 'kept until the citizen writes again' };
      } catch (err) {
        return outcomeOfError(err);
      }
    },
  };
}

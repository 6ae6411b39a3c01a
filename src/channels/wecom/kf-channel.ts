/**
 * The 微信客服 channel (citizens): turns sync_msg items into engine messages and sends the replies through
 * the kf outbox. Customer messages (origin 3) reach the engine in order per customer; a menu click arrives
 * as its option id; `enter_session` with a welcome_code gets the welcome within its 20 s validity;
 * servicer messages and other events are logged, not answered. Each msgid is processed once (by the
 * engine's dedupe, so a crash between pulling and handling loses nothing).
 */
import type { DedupeStore } from '../../infra/dedupe.js';
import type { Clock } from '../../infra/clock.js';
import type { Logger } from '../../infra/logger.js';
import { RedisKeys, RedisTtls } from '../../infra/redis-keys.js';
import type { ConversationHandler, InboundMessage } from '../../conversation/message-port.js';
import { parseKfItem, type KfItem, type KfSyncItem } from './message-parser.js';
import type { KfOutbox } from '../../wecom-api/kf-outbox.js';
import type { KfStore } from '../../wecom-api/kf-store.js';
import type { WeComClient } from '../../wecom-api/wecom-api-client.js';
import type { KfHandoff } from '../../wecom-api/kf-handoff.js';
import type { WeComTexts } from '../../../flows/texts/channels.js';

export interface KfChannelDeps {
  conversation: ConversationHandler;
  outbox: KfOutbox;
  client: Pick<WeComClient, 'kfSendMsgOnEvent'>;
  dedupe: DedupeStore;
  texts: Pick<WeComTexts, 'kfWelcome' | 'apology' | 'unsupportedMessage'>;
  logger: Logger;
  /** The service clock (campaign time) for `receivedAt`. */
  clock: Clock;
  /** WeCom time in ms (code validity). */
  now?: () => number;
  /** welcome_code validity (20 s) minus what a send needs. */
  welcomeValidMs?: number;
  /** Only these kf accounts are served (all when empty). */
  openKfIds?: readonly string[];
  /** 转人工: told each customer's account before a turn; while a person has the session the bot is silent. */
  handoff?: { port: Pick<KfHandoff, 'noteAccount' | 'takeGreetingCode'>; store: Pick<KfStore, 'withPerson' | 'setWithPerson'> };
}

type CustomerItem = Extract<KfItem, { kind: 'customer_text' | 'customer_forward' | 'customer_attachment' | 'customer_other' }>;

export function createKfChannel(deps: KfChannelDeps) {
  const { conversation, outbox, client, dedupe, texts, clock } = deps;
  const now = deps.now ?? Date.now;
  const welcomeValidMs = deps.welcomeValidMs ?? 17_000;
  const log = deps.logger.child({ channel: 'wecom-kf' });

  const claim = (msgid: string) => dedupe.claim(RedisKeys.dedupe('kf', msgid), RedisTtls.dedupe);

  async function handleCustomer(item: CustomerItem): Promise<void> {
    const customer = { openKfId: item.openKfId, externalUserId: item.externalUserId };
    if (deps.handoff) {
      // A person has this customer (转人工): they answer in the WeCom client; the bot says nothing.
      if (await deps.handoff.store.withPerson(item.openKfId, item.externalUserId)) {
        log.debug({ msgid: item.msgid }, 'customer is with a person; not answered by the bot');
        return;
      }
      deps.handoff.port.noteAccount(item.externalUserId, item.openKfId);
    }
    if (item.kind === 'customer_other') {
      if (!(await claim(item.msgid))) return;
      await outbox.customerWrote(customer, item.sendTime * 1000);
      await outbox.enqueue(customer, { text: texts.unsupportedMessage }, { idBase: item.msgid });
      await outbox.flushKept(customer);
      return;
    }
    const message: InboundMessage = {
      channel: 'wecom-kf',
      senderId: item.externalUserId,
      messageId: item.msgid,
      text: item.kind === 'customer_text' ? item.text : item.kind === 'customer_forward' ? (item.forwarded.title ?? '') : '',
      ...(item.kind === 'customer_text' && item.menuId ? { optionId: item.menuId } : {}),
      ...(item.kind === 'customer_forward' ? { forwarded: item.forwarded } : {}),
      ...(item.kind === 'customer_attachment' ? { attachment: item.attachment } : {}),
      role: 'citizen',
      receivedAt: clock.now(),
    };
    // No channel-level "seen" mark before the engine: a worker killed after such a mark would lose the
    // message, since the re-pulled page would skip it. The engine's own dedupe on messageId answers a
    // message id it has handled with `duplicate`, and finishes a confirmed submission a crash cut short.
    let replies;
    try {
      const turn = await conversation.handle(message);
      if (turn.duplicate) return;
      replies = turn.replies;
    } catch (err) {
      log.error({ err: (err as Error).message, msgid: item.msgid }, 'engine failed on a kf message');
      replies = [{ text: texts.apology }];
    }
    const code = deps.handoff?.port.takeGreetingCode(item.externalUserId);
    if (code) {
      // Handed to a person during this turn: the bot may only speak once more, with the greeting code.
      try {
        const content = replies.map((r) => r.text).join('\n');
        await client.kfSendMsgOnEvent({ code, msgid: `h_${item.msgid}`.replace(/[^0-9a-zA-Z_-]/g, '').slice(0, 32), msgtype: 'text', text: { content } });
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'hand-over notice not sent');
      }
      return;
    }
    await outbox.customerWrote(customer, item.sendTime * 1000);
    const r = await outbox.enqueue(customer, replies, { idBase: item.msgid, oneTurn: true });
    const k = await outbox.flushKept(customer);
    log.debug({ msgid: item.msgid, sent: r.sent + k.sent, kept: r.kept + k.kept }, 'kf turn delivered');
  }

  async function welcome(item: Extract<KfItem, { kind: 'enter_session' }>): Promise<void> {
    if (!item.welcomeCode) return;
    if (!(await claim(item.msgid))) return;
    const age = now() - item.sendTime * 1000;
    if (age > welcomeValidMs) {
      log.info({ ageMs: age }, 'welcome_code too old to use; no welcome sent');
      return;
    }
    try {
      await client.kfSendMsgOnEvent({ code: item.welcomeCode, msgid: `w_${item.msgid}`.replace(/[^0-9a-zA-Z_-]/g, '').slice(0, 32), msgtype: 'text', text: { content: texts.kfWelcome } });
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'welcome message not sent');
    }
  }

  return {
    /** Handles one sync_msg page: customers concurrently, each customer's messages in order. */
    async handlePage(openKfId: string, raw: KfSyncItem[]): Promise<void> {
      if (deps.openKfIds?.length && !deps.openKfIds.includes(openKfId)) {
        log.warn({ openKfId }, 'kf account not in WECOM_KF_OPEN_KFIDS; items ignored');
        return;
      }
      const byCustomer = new Map<string, CustomerItem[]>();
      const others: Promise<void>[] = [];
      for (const item of raw.map(parseKfItem)) {
        switch (item.kind) {
          case 'customer_text':
          case 'customer_forward':
          case 'customer_attachment':
          case 'customer_other': {
            const list = byCustomer.get(item.externalUserId) ?? [];
            list.push(item);
            byCustomer.set(item.externalUserId, list);
            break;
          }
          case 'enter_session':
            others.push(welcome(item));
            break;
          case 'session_status':
            // 1 taken from the queue, 2 transferred: a person has it; 3 ended: back to the bot.
            if (deps.handoff) others.push(deps.handoff.store.setWithPerson(item.openKfId, item.externalUserId, item.changeType !== 3));
            log.info({ changeType: item.changeType }, 'kf session status changed');
            break;
          case 'send_fail':
            log.warn({ failMsgId: item.failMsgId, failType: item.failType }, 'WeCom reports a kf message was not delivered');
            break;
          case 'ignored':
            log.debug({ origin: item.origin, msgtype: item.msgtype, eventType: item.eventType }, 'kf item logged, not answered');
            break;
        }
      }
      const customers = [...byCustomer.values()].map(async (items) => {
        for (const it of items) await handleCustomer(it);
      });
      const results = await Promise.allSettled([...others, ...customers]);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    },
  };
}
export type KfChannel = ReturnType<typeof createKfChannel>;

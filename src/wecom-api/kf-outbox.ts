/**
 * "Send or keep" for 微信客服 (contract §7.3): after a customer message WeCom accepts at most 5 messages
 * within 48 hours. The outbox counts them itself so WeCom never has to refuse; what cannot be sent now is
 * kept and delivered when the customer next writes. 95001/95002/95018 close the window (never retried
 * blindly) and the message is kept.
 *
 * @example
 * // status news for a citizen, from any part of the service:
 * await kfOutbox.enqueue({ openKfId, externalUserId }, { text: '您的建议已受理。' });
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from '../infra/logger.js';
import type { OutboundReply } from '../domain/messages.js';
import type { KfStore } from './kf-store.js';
import { renderKfReply, renderKfTurn } from './kf-render.js';
import type { KfMessageBody, WeComClient } from './wecom-api-client.js';
import { WeComApiError } from './wecom-errors.js';

export interface KfCustomer {
  openKfId: string;
  externalUserId: string;
}

export interface KfOutboxResult {
  sent: number;
  kept: number;
  dropped: number;
}

export interface KfOutbox {
  /**
   * Sends the replies now as far as the reply window allows and keeps the rest for the customer's next
   * message. `idBase` (e.g. the inbound msgid) makes the kf `msgid`s deterministic, so re-processing the
   * same message yields the same ids and WeCom can recognise a retried send. `oneTurn`: the replies answer
   * one message, so they go out in as few kf messages as the limits allow (`renderKfTurn`).
   */
  enqueue(customer: KfCustomer, replies: OutboundReply | OutboundReply[], opts?: { idBase?: string; oneTurn?: boolean }): Promise<KfOutboxResult>;
  /** The customer wrote (at `atMs`, WeCom time): a fresh window of 5 messages / 48 hours opens. */
  customerWrote(customer: KfCustomer, atMs: number): Promise<void>;
  /** Delivers kept messages while the window allows. */
  flushKept(customer: KfCustomer): Promise<KfOutboxResult>;
  /** The kf account the customer last wrote to (remembered by `customerWrote`), for news sent later. */
  accountOf(externalUserId: string): Promise<string | undefined>;
}

export interface KfOutboxDeps {
  client: Pick<WeComClient, 'kfSendMsg'>;
  store: KfStore;
  logger: Logger;
  /** WeCom time in ms (real time; not the campaign clock). */
  now?: () => number;
  /** Window settings; defaults are the contract's, with a safety margin on the 48 hours. */
  window?: { maxMessages?: number; windowMs?: number };
}

/** Codes after which only a new customer message reopens the window (§7.3). */
const WINDOW_CLOSED = new Set([95001, 95002, 95018]);

interface KeptMessage {
  msgid: string;
  body: KfMessageBody;
}

/** A kf msgid: ≤ 32 bytes of [0-9a-zA-Z_-], unique within the kf account. */
function msgidFor(idBase: string | undefined, index: number): string {
  const base = idBase ? createHash('sha256').update(idBase).digest('base64url').slice(0, 22) : randomBytes(16).toString('base64url').slice(0, 22);
  return `${base}_${index}`.slice(0, 32);
}

export function createKfOutbox({ client, store, logger, now = Date.now, window }: KfOutboxDeps): KfOutbox {
  const maxMessages = window?.maxMessages ?? 5;
  const windowMs = window?.windowMs ?? 48 * 3_600_000 - 10 * 60_000;
  const log = logger.child({ component: 'kf-outbox' });

  async function deliver(c: KfCustomer, messages: KeptMessage[]): Promise<KfOutboxResult> {
    const result: KfOutboxResult = { sent: 0, kept: 0, dropped: 0 };
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      const keepRest = async () => {
        const rest = messages.slice(i).map((x) => JSON.stringify(x));
        await store.keepFirst(c.openKfId, c.externalUserId, rest);
        result.kept += rest.length;
      };
      if (!(await store.reserve(c.openKfId, c.externalUserId, now(), windowMs, maxMessages))) {
        await keepRest();
        break;
      }
      try {
        await client.kfSendMsg({ touser: c.externalUserId, open_kfid: c.openKfId, msgid: m.msgid, ...m.body });
        result.sent++;
      } catch (err) {
        if (err instanceof WeComApiError && WINDOW_CLOSED.has(err.errcode)) {
          log.info({ errcode: err.errcode, openKfId: c.openKfId }, 'kf reply window closed by WeCom; keeping messages until the customer writes');
          await store.closeWindow(c.openKfId, c.externalUserId);
          await keepRest();
          break;
        }
        if (err instanceof WeComApiError) {
          // The message itself was refused (content, msgid): resending it cannot succeed.
          log.error({ errcode: err.errcode, openKfId: c.openKfId, msgid: m.msgid }, 'kf message refused by WeCom; dropped');
          result.dropped++;
          continue;
        }
        log.warn({ err: (err as Error).message }, 'kf send failed without an answer; keeping the rest for later');
        await keepRest();
        break;
      }
    }
    return result;
  }

  return {
    async enqueue(c, replies, opts) {
      const list = Array.isArray(replies) ? replies : [replies];
      const bodies = opts?.oneTurn ? renderKfTurn(list) : list.flatMap(renderKfReply);
      return deliver(c, bodies.map((body, i) => ({ msgid: msgidFor(opts?.idBase, i), body })));
    },
    async customerWrote(c, atMs) {
      await store.customerWrote(c.openKfId, c.externalUserId, atMs);
      await store.rememberAccount(c.externalUserId, c.openKfId);
    },
    accountOf: (externalUserId) => store.accountOf(externalUserId),
    async flushKept(c) {
      const kept = await store.takeKept(c.openKfId, c.externalUserId);
      if (!kept.length) return { sent: 0, kept: 0, dropped: 0 };
      return deliver(c, kept.map((s) => JSON.parse(s) as KeptMessage));
    },
  };
}

/**
 * The self-built app channel (staff): text messages and menu clicks from members reach the engine with the
 * member's role from the `members` directory; unknown members get a polite explanation; replies go out via
 * `message/send`. Template-card clicks are handed to `onTemplateCardEvent` (the handling service).
 */
import type { Clock } from '../../infra/clock.js';
import type { DedupeStore } from '../../infra/dedupe.js';
import type { Logger } from '../../infra/logger.js';
import type { AppConfig } from '../../infra/config.js';
import { RedisKeys, RedisTtls } from '../../infra/redis-keys.js';
import type { ConversationHandler, OutboundReply, Role } from '../../conversation/message-port.js';
import { appDedupeKey, type AppCallback, type TemplateCardEvent } from './message-parser.js';
import { splitText } from '../../wecom-api/kf-render.js';
import type { WeComClient } from '../../wecom-api/wecom-api-client.js';
import { markdownInert, textInert } from '../../wecom-api/wecom-escape.js';
import type { WeComTexts } from '../../../flows/texts/channels.js';

export type TemplateCardHandler = (event: TemplateCardEvent) => Promise<void>;

export interface AppChannelDeps {
  /** Who handles a unit member's click on a handling card. */
  onTemplateCardEvent: TemplateCardHandler;
  conversation: ConversationHandler;
  client: Pick<WeComClient, 'sendAppMessage'>;
  dedupe: DedupeStore;
  members: AppConfig['members'];
  /**
   * The one directory of people (members, unit handlers, agents config and admin-managed); without it only
   * `members` are known.
   */
  people?: { appMember(userid: string): Promise<{ role: Role } | undefined> };
  texts: Pick<WeComTexts, 'unknownMember' | 'apology' | 'optionsHint' | 'unsupportedMessage' | 'cardActionFailed'>;
  logger: Logger;
  clock: Clock;
  /** `markdown` renders only in the WeCom client, which is what members use. */
  replyFormat?: 'text' | 'markdown';
  /** Waits between retries of a failed card-click handler; after the last, the member is asked to click again. */
  cardRetryDelaysMs?: readonly number[];
}

const DEFAULT_CARD_RETRY_DELAYS_MS = [1_000, 3_000, 10_000, 30_000];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** App text and markdown content limit (§5). */
const APP_CONTENT_MAX_BYTES = 2048;

export function renderAppReply(reply: OutboundReply, texts: Pick<WeComTexts, 'optionsHint'>, format: 'text' | 'markdown'): string[] {
  const options = reply.options ?? [];
  const list =
    format === 'markdown'
      ? options.map((o, i) => `> **${i + 1}.** ${markdownInert(o.label)}`).join('\n')
      : options.map((o, i) => `${i + 1}. ${textInert(o.label)}`).join('\n');
  // Replies to members carry citizens' words (titles, proposals): inert in either format. Our own texts
  // have no markup; the options list is the only markdown added here.
  const text = format === 'markdown' ? reply.text.split('\n').map(markdownInert).join('\n') : textInert(reply.text);
  const body = options.length ? `${text}\n${texts.optionsHint}\n${list}` : text;
  return splitText(body, APP_CONTENT_MAX_BYTES);
}

export function createAppChannel(deps: AppChannelDeps) {
  const { conversation, client, dedupe, texts, clock } = deps;
  const format = deps.replyFormat ?? 'text';
  const log = deps.logger.child({ channel: 'wecom-app' });
  const members = new Map(deps.members.map((m) => [m.userid, m]));
  const lookup = async (userid: string): Promise<{ role: Role } | undefined> =>
    deps.people ? deps.people.appMember(userid) : members.get(userid);

  async function send(userid: string, contents: string[]): Promise<void> {
    for (const content of contents) {
      await client.sendAppMessage(
        format === 'markdown' ? { touser: userid, msgtype: 'markdown', markdown: { content } } : { touser: userid, msgtype: 'text', text: { content } },
      );
    }
  }

  /**
   * WeCom already has its 200, so it will not resend a click: a handler that fails (storage down) is
   * retried here, and when it keeps failing the member is asked to click again rather than left guessing.
   * Handlers are idempotent (status preconditions), so a retry after a partial success changes nothing.
   */
  async function runCardHandlers(event: TemplateCardEvent): Promise<void> {
    const delays = deps.cardRetryDelaysMs ?? DEFAULT_CARD_RETRY_DELAYS_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        await deps.onTemplateCardEvent(event);
        return;
      } catch (err) {
        const delay = delays[attempt];
        if (delay === undefined) {
          log.error({ err, taskId: event.taskId, from: event.from }, 'card click could not be handled');
          if (await lookup(event.from).catch(() => undefined)) await send(event.from, [texts.cardActionFailed]).catch(() => undefined);
          return;
        }
        log.warn({ err, taskId: event.taskId, attempt: attempt + 1 }, 'card click handler failed; retrying');
        await sleep(delay);
      }
    }
  }

  return {
    /** Handles one decrypted app callback (already acknowledged). */
    async handle(cb: AppCallback): Promise<void> {
      const key = appDedupeKey(cb);
      if (key && !(await dedupe.claim(RedisKeys.dedupe('app', key), RedisTtls.dedupe))) return;
      if (cb.kind === 'template_card') {
        await runCardHandlers(cb.event);
        return;
      }
      if (cb.kind === 'other') {
        log.debug({ msgType: cb.msgType, event: cb.event }, 'app callback logged, not answered');
        if (cb.from && cb.msgType !== 'event' && (await lookup(cb.from))) await send(cb.from, [texts.unsupportedMessage]);
        return;
      }
      if (cb.kind !== 'text' && cb.kind !== 'menu_click' && cb.kind !== 'attachment') return;
      const member = await lookup(cb.from);
      if (!member) {
        log.info({ from: cb.from }, 'message from a member not in the directory');
        await send(cb.from, [texts.unknownMember]);
        return;
      }
      const role: Role = member.role;
      let replies: OutboundReply[];
      try {
        const result = await conversation.handle({
          channel: 'wecom-app',
          senderId: cb.from,
          messageId: cb.kind === 'menu_click' ? `click:${cb.createTime}:${cb.eventKey}` : cb.msgId,
          text: cb.kind === 'text' ? cb.content : cb.kind === 'menu_click' ? cb.eventKey : '',
          ...(cb.kind === 'menu_click' ? { optionId: cb.eventKey } : {}),
          ...(cb.kind === 'attachment' ? { attachment: cb.attachment } : {}),
          role,
          receivedAt: clock.now(),
        });
        if ((result as { duplicate?: boolean }).duplicate) return;
        replies = result.replies;
      } catch (err) {
        log.error({ err: (err as Error).message }, 'engine failed on an app message');
        replies = [{ text: texts.apology }];
      }
      for (const r of replies) await send(cb.from, renderAppReply(r, texts, format));
    },
  };
}
export type AppChannel = ReturnType<typeof createAppChannel>;

/**
 * Turns decrypted callback XML (contract §3) and 微信客服 sync_msg items (§7.2) into tagged unions.
 * Parsers never throw: anything unexpected becomes `{ kind: 'other' }` and is logged, not answered.
 */
import type { KfSyncItem } from '../../wecom-api/wecom-api-client.js';
import type { ForwardedRecord, InboundAttachment } from '../../domain/messages.js';

/** One decrypted callback of the self-built app (or a 微信客服 notification delivered to it). */
export type AppCallback =
  | { kind: 'text'; from: string; createTime: number; msgId: string; content: string; agentId?: string }
  | { kind: 'menu_click'; from: string; createTime: number; eventKey: string; agentId?: string }
  /** A photo, voice, video, file or location a member sent from the app. */
  | { kind: 'attachment'; from: string; createTime: number; msgId: string; attachment: InboundAttachment; agentId?: string }
  | { kind: 'template_card'; event: TemplateCardEvent }
  | { kind: 'kf_msg_or_event'; token: string; openKfId: string; createTime: number }
  | { kind: 'other'; from?: string; createTime: number; msgType: string; event?: string; msgId?: string };

/** A member clicked a button (or the menu) of an interactive template card (§3.2). */
export interface TemplateCardEvent {
  event: 'template_card_event' | 'template_card_menu_event';
  from: string;
  createTime: number;
  /** The clicked button's key. */
  eventKey: string;
  taskId: string;
  cardType: string;
  /** Single-use, 72 h: pass to `message/update_template_card`. */
  responseCode: string;
  agentId?: string;
  /** vote / multiple-choice cards: question key → chosen option ids. */
  selected: { questionKey: string; optionIds: string[] }[];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const arr = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function parseAppCallback(x: Record<string, unknown>): AppCallback {
  const msgType = str(x.MsgType);
  const createTime = Number(str(x.CreateTime)) || 0;
  const from = str(x.FromUserName);
  const agentId = str(x.AgentID) || undefined;
  if (msgType === 'text' && from && str(x.MsgId)) {
    return { kind: 'text', from, createTime, msgId: str(x.MsgId), content: str(x.Content), agentId };
  }
  if ((msgType === 'image' || msgType === 'voice' || msgType === 'video' || msgType === 'file') && from && str(x.MsgId) && str(x.MediaId)) {
    return { kind: 'attachment', from, createTime, msgId: str(x.MsgId), attachment: { kind: msgType, mediaId: str(x.MediaId) }, agentId };
  }
  if (msgType === 'location' && from && str(x.MsgId)) {
    const latitude = Number(str(x.Location_X));
    const longitude = Number(str(x.Location_Y));
    if (Number.isFinite(latitude) && Number.isFinite(longitude)) {
      const label = str(x.Label);
      return { kind: 'attachment', from, createTime, msgId: str(x.MsgId), attachment: { kind: 'location', latitude, longitude, ...(label ? { address: label } : {}) }, agentId };
    }
  }
  if (msgType === 'event') {
    const event = str(x.Event);
    if (event === 'kf_msg_or_event' && str(x.Token) && str(x.OpenKfId)) {
      return { kind: 'kf_msg_or_event', token: str(x.Token), openKfId: str(x.OpenKfId), createTime };
    }
    if (event === 'click' && from) return { kind: 'menu_click', from, createTime, eventKey: str(x.EventKey), agentId };
    if ((event === 'template_card_event' || event === 'template_card_menu_event') && from) {
      const items = (x.SelectedItems as { SelectedItem?: unknown } | undefined)?.SelectedItem;
      const selected = arr(items as Record<string, unknown> | Record<string, unknown>[] | undefined).map((it) => ({
        questionKey: str(it.QuestionKey),
        optionIds: arr((it.OptionIds as { OptionId?: unknown } | undefined)?.OptionId as string | string[] | undefined).map(str),
      }));
      return {
        kind: 'template_card',
        event: {
          event,
          from,
          createTime,
          eventKey: str(x.EventKey),
          taskId: str(x.TaskId),
          cardType: str(x.CardType),
          responseCode: str(x.ResponseCode),
          agentId,
          selected,
        },
      };
    }
    return { kind: 'other', from: from || undefined, createTime, msgType, event };
  }
  return { kind: 'other', from: from || undefined, createTime, msgType, msgId: str(x.MsgId) || undefined };
}

/**
 * The key that makes a WeCom retry recognisable (§2.6, §3.3): MsgId for messages, sender + CreateTime
 * (+ event details, harmless) for events. kf notifications need none: sync_msg items are deduped by msgid.
 */
export function appDedupeKey(cb: AppCallback): string | undefined {
  switch (cb.kind) {
    case 'text':
    case 'attachment':
      return `msg:${cb.msgId}`;
    case 'menu_click':
      return `ev:${cb.from}:${cb.createTime}:click:${cb.eventKey}`;
    case 'template_card':
      return `ev:${cb.event.from}:${cb.event.createTime}:${cb.event.event}:${cb.event.taskId}:${cb.event.eventKey}`;
    case 'kf_msg_or_event':
      return undefined;
    case 'other':
      return cb.msgId ? `msg:${cb.msgId}` : cb.from ? `ev:${cb.from}:${cb.createTime}:${cb.event ?? cb.msgType}` : undefined;
  }
}

export type { KfSyncItem };

/** What a sync_msg item means to us. */
export type KfItem =
  | { kind: 'customer_text'; msgid: string; openKfId: string; externalUserId: string; sendTime: number; text: string; menuId?: string }
  | { kind: 'customer_forward'; msgid: string; openKfId: string; externalUserId: string; sendTime: number; forwarded: ForwardedRecord }
  | { kind: 'customer_attachment'; msgid: string; openKfId: string; externalUserId: string; sendTime: number; attachment: InboundAttachment }
  | { kind: 'customer_other'; msgid: string; openKfId: string; externalUserId: string; sendTime: number; msgtype: string }
  | { kind: 'enter_session'; msgid: string; openKfId: string; externalUserId: string; sendTime: number; welcomeCode?: string }
  | { kind: 'send_fail'; msgid: string; openKfId: string; externalUserId: string; failMsgId: string; failType: number }
  /** A person took (1), was given (2) or ended (3) the customer's session (§7.2 session_status_change). */
  | { kind: 'session_status'; msgid: string; openKfId: string; externalUserId: string; changeType: number; servicer?: string }
  | { kind: 'ignored'; msgid: string; origin: number; msgtype: string; eventType?: string };

export function parseKfItem(it: KfSyncItem): KfItem {
  const origin = Number(it.origin ?? 0);
  const sendTime = Number(it.send_time ?? 0);
  if (origin === 3 && it.open_kfid && it.external_userid) {
    const base = { msgid: it.msgid, openKfId: it.open_kfid, externalUserId: it.external_userid, sendTime };
    if (it.msgtype === 'text' && it.text?.content !== undefined) {
      return { kind: 'customer_text', ...base, text: it.text.content, ...(it.text.menu_id ? { menuId: it.text.menu_id } : {}) };
    }
    if (it.msgtype === 'merged_msg' && it.merged_msg) return { kind: 'customer_forward', ...base, forwarded: parseMerged(it.merged_msg) };
    const attachment = kfAttachment(it);
    if (attachment) return { kind: 'customer_attachment', ...base, attachment };
    return { kind: 'customer_other', ...base, msgtype: it.msgtype };
  }
  if (it.msgtype === 'event' && it.event) {
    const ev = it.event;
    const openKfId = ev.open_kfid ?? '';
    const externalUserId = ev.external_userid ?? '';
    if (ev.event_type === 'enter_session' && openKfId && externalUserId) {
      return { kind: 'enter_session', msgid: it.msgid, openKfId, externalUserId, sendTime, ...(ev.welcome_code ? { welcomeCode: ev.welcome_code } : {}) };
    }
    if (ev.event_type === 'session_status_change' && openKfId && externalUserId) {
      const servicer = typeof ev.new_servicer_userid === 'string' && ev.new_servicer_userid ? ev.new_servicer_userid : undefined;
      return { kind: 'session_status', msgid: it.msgid, openKfId, externalUserId, changeType: Number(ev.change_type ?? 0), ...(servicer ? { servicer } : {}) };
    }
    if (ev.event_type === 'msg_send_fail' && openKfId && externalUserId) {
      return { kind: 'send_fail', msgid: it.msgid, openKfId, externalUserId, failMsgId: ev.fail_msgid ?? '', failType: Number(ev.fail_type ?? 0) };
    }
    return { kind: 'ignored', msgid: it.msgid, origin, msgtype: it.msgtype, eventType: ev.event_type };
  }
  return { kind: 'ignored', msgid: it.msgid, origin, msgtype: it.msgtype };
}

/** A media or location item (top level, or inside a forwarded record). */
function kfAttachment(it: { msgtype?: string } & Partial<Pick<KfSyncItem, 'image' | 'voice' | 'video' | 'file' | 'location'>>): InboundAttachment | undefined {
  const t = it.msgtype;
  if (t === 'image' || t === 'voice' || t === 'video' || t === 'file') {
    const mediaId = it[t]?.media_id;
    return mediaId ? { kind: t, mediaId } : undefined;
  }
  if (t === 'location' && it.location) {
    const { latitude, longitude, name, address } = it.location;
    if (typeof latitude !== 'number' || typeof longitude !== 'number') return undefined;
    return { kind: 'location', latitude, longitude, ...(name ? { name } : {}), ...(address ? { address } : {}) };
  }
  return undefined;
}

function parseMerged(m: NonNullable<KfSyncItem['merged_msg']>): ForwardedRecord {
  const items = (m.item ?? []).map((i) => {
    let text = '';
    let attachment: InboundAttachment | undefined;
    try {
      // msg_content is a JSON string with the same per-type structure as top-level items.
      const inner = JSON.parse(i.msg_content ?? '{}') as { msgtype?: string; text?: { content?: string } } & Parameters<typeof kfAttachment>[0];
      text = inner.msgtype === 'text' ? (inner.text?.content ?? '') : `[${inner.msgtype ?? i.msgtype ?? 'message'}]`;
      attachment = kfAttachment(inner);
    } catch {
      text = '';
    }
    return { sender: i.sender_name ?? '', time: Number(i.send_time ?? 0), text, ...(attachment ? { attachment } : {}) };
  });
  return { ...(m.title ? { title: m.title } : {}), items };
}

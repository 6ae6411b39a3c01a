/**
 * Renders engine replies as 微信客服 messages within the contract's byte limits (§7.3): options become a
 * `msgmenu` of click items (≤ 10, id 1–64 bytes, content 1–128 bytes, head ≤ 1024 bytes), other replies
 * text of ≤ 2048 bytes, long texts split on a sentence boundary. One turn's replies go out in as few
 * messages as the limits allow (`renderKfTurn`).
 */
import type { OutboundReply } from '../domain/messages.js';
import type { KfMessageBody } from './wecom-api-client.js';

export const KF_TEXT_MAX_BYTES = 2048;
export const KF_MENU_HEAD_MAX_BYTES = 1024;
export const KF_MENU_MAX_ITEMS = 10;
export const KF_CLICK_ID_MAX_BYTES = 64;
export const KF_CLICK_CONTENT_MAX_BYTES = 128;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Cuts `s` to at most `max` UTF-8 bytes without breaking a character. */
export function truncateBytes(s: string, max: number): string {
  if (bytes(s) <= max) return s;
  let out = '';
  for (const ch of s) {
    if (bytes(out + ch) > max - 3) break;
    out += ch;
  }
  return `${out}…`;
}

/**
 * Splits a text into pieces of at most `max` bytes, preferring to cut after a sentence end
 * (。！？；!?; or a line break), then after a comma or space, and only as a last resort mid-sentence.
 */
export function splitText(text: string, max = KF_TEXT_MAX_BYTES): string[] {
  const parts: string[] = [];
  let rest = text;
  while (bytes(rest) > max) {
    const chars = [...rest];
    let fit = 0;
    let used = 0;
    while (fit < chars.length && used + bytes(chars[fit]!) <= max) used += bytes(chars[fit++]!);
    const head = chars.slice(0, fit).join('');
    const cut = lastBoundary(head, /[。！？；!?;\n]/) ?? lastBoundary(head, /[，,、\s]/) ?? head.length;
    parts.push(head.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) parts.push(rest);
  return parts.filter((p) => p.length > 0);
}

function lastBoundary(s: string, re: RegExp): number | undefined {
  for (let i = s.length - 1; i > s.length / 3; i--) if (re.test(s[i]!)) return i + 1;
  return undefined;
}

/** One engine reply → the kf messages that carry it, in order. */
export function renderKfReply(reply: OutboundReply): KfMessageBody[] {
  const options = reply.options ?? [];
  const menuFits =
    options.length > 0 &&
    options.length <= KF_MENU_MAX_ITEMS &&
    options.every((o) => bytes(o.id) >= 1 && bytes(o.id) <= KF_CLICK_ID_MAX_BYTES && o.label.length > 0);
  if (!menuFits) {
    // No options, or options a menu cannot carry: a numbered list the engine understands (id, number or label).
    const list = options.map((o, i) => `${i + 1}. ${o.label}`).join('\n');
    return splitText([reply.text, list].filter(Boolean).join('\n')).map((content) => ({ msgtype: 'text', text: { content } }));
  }
  const out: KfMessageBody[] = [];
  let head: string | undefined = reply.text || undefined;
  if (head && bytes(head) > KF_MENU_HEAD_MAX_BYTES) {
    out.push(...splitText(head).map((content) => ({ msgtype: 'text' as const, text: { content } })));
    head = undefined;
  }
  out.push({
    msgtype: 'msgmenu',
    msgmenu: {
      ...(head ? { head_content: head } : {}),
      list: options.map((o) => ({ type: 'click' as const, click: { id: o.id, content: truncateBytes(o.label, KF_CLICK_CONTENT_MAX_BYTES) } })),
    },
  });
  return out;
}

/**
 * A turn's replies → as few kf messages as the byte limits allow: consecutive texts become one text (a
 * blank line between them), and a text just before a menu becomes (the start of) the menu's head. WeCom
 * accepts only 5 messages per customer message (§7.3) and counts every kf/send_msg against the corp's
 * 10,000 a minute (§0.2), so a greeting and its theme menu are better one message than two.
 */
export function renderKfTurn(replies: readonly OutboundReply[]): KfMessageBody[] {
  const out: KfMessageBody[] = [];
  for (const body of replies.flatMap(renderKfReply)) {
    const prev = out.at(-1);
    if (prev?.msgtype === 'text') {
      if (body.msgtype === 'text') {
        const joined = `${prev.text.content}\n\n${body.text.content}`;
        if (bytes(joined) <= KF_TEXT_MAX_BYTES) {
          out[out.length - 1] = { msgtype: 'text', text: { content: joined } };
          continue;
        }
      } else if (body.msgtype === 'msgmenu') {
        const head = body.msgmenu.head_content ? `${prev.text.content}\n\n${body.msgmenu.head_content}` : prev.text.content;
        if (bytes(head) <= KF_MENU_HEAD_MAX_BYTES) {
          out[out.length - 1] = { msgtype: 'msgmenu', msgmenu: { ...body.msgmenu, head_content: head } };
          continue;
        }
      }
    }
    out.push(body);
  }
  return out;
}

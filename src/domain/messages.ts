/**
 * What a message is, in words every layer shares: who speaks (role), on which channel, a forwarded
 * record, and a reply with its options. The conversation's port (src/conversation/message-port.ts)
 * is built from these; channels render replies, notifications store and send them.
 */

/** Who is speaking, as the channel's directory knows them. */
export type Role = 'citizen' | 'agent' | 'unit' | 'office';

/** Which channel a message came in on; replies go back the same way. */
export type ChannelName = 'dev' | 'cli' | 'wecom-kf' | 'wecom-app';

/** A forwarded chat record (微信客服 `merged_msg`, or the dev chat's `forwarded` field). */
export interface ForwardedRecord {
  title?: string;
  items: { sender: string; time: number; text: string; attachment?: InboundAttachment }[];
}

/** What a non-text message carries: a WeCom temporary media id (fetched with media/get), or a place. */
export type InboundAttachment =
  | { kind: 'image' | 'voice' | 'video' | 'file'; mediaId: string }
  | { kind: 'location'; latitude: number; longitude: number; name?: string; address?: string };

/** A choice offered with a reply: answered by its id, its number (1-based) or its label. */
export interface ReplyOption {
  id: string;
  label: string;
}

/** One reply to send back; channels render options as menus (msgmenu) or numbered lists. */
export interface OutboundReply {
  text: string;
  options?: ReplyOption[];
}

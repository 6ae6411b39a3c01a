/**
 * The normalized messages that flow between channels (WeCom app, 微信客服, dev chat, terminal)
 * and the conversation engine. Channels know nothing of flows; flows know nothing of WeCom.
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

/** One message from one sender, as every channel hands it to the engine. */
export interface InboundMessage {
  channel: ChannelName;
  /**
   * Stable id of the sender within the channel; the engine keys sessions, locks and rate limits on
   * `${channel}:${senderId}`. For 微信客服 it is the external_userid, for the app the member's userid.
   */
  senderId: string;
  /** Platform id of this message (MsgId, kf msgid, or generated); used to process a retry once. */
  messageId: string;
  /** The text the person typed, or the label/id of the option they clicked. */
  text: string;
  /** Set when the person clicked a menu option: the option id. */
  optionId?: string;
  /** The role from the channel's directory; absent means citizen. */
  role?: Role;
  /** A forwarded conversation (agents' proxy entry). */
  forwarded?: ForwardedRecord;
  /** A photo, voice, video, file or location instead of text (src/attachments keeps it with the draft). */
  attachment?: InboundAttachment;
  receivedAt: Date;
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

/** What one turn produced: the replies, the step the conversation is now on, and a reference once submitted. */
export interface TurnResult {
  replies: OutboundReply[];
  state: string;
  reference?: string;
  /**
   * True when this message id was handled before (a platform retry): its replies were, or are being,
   * delivered by the first call, so the channel must send nothing for it. `replies` is then empty.
   */
  duplicate?: boolean;
}

/** The port channels call: one inbound message in, the replies out. Serialises per sender. */
export interface ConversationHandler {
  handle(message: InboundMessage): Promise<TurnResult>;
}

/**
 * The message port: what every channel (WeCom app, 微信客服, dev chat, terminal) hands the conversation, and
 * what it gets back. Channels are adapters around the conversation; they know nothing of flows, and flows
 * know nothing of WeCom.
 */
import type { ChannelName, ForwardedRecord, InboundAttachment, OutboundReply, Role } from '../domain/messages.js';

export type { ChannelName, ForwardedRecord, InboundAttachment, OutboundReply, ReplyOption, Role } from '../domain/messages.js';

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

/**
 * Outbox entries: the notifications a status change causes, written into the suggestion document in the
 * same update as the change (STYLE §12), and delivered later by the dispatcher. An entry carries
 * everything needed to send it, so delivery never re-reads a document that may have moved on.
 */
import { randomUUID } from 'node:crypto';
import type { ChannelName, ReplyOption } from '../domain/messages.js';
import { maskPhones } from '../infra/logger.js';

/** A template card or text to a unit's WeCom members through the self-built app. */
export type UnitAppEntry =
  | { kind: 'unit_card'; target: { unit: string; userids: string[] }; payload: { taskId: string; card: Record<string, unknown> } }
  | { kind: 'unit_text'; target: { unit: string; userids: string[] }; payload: { text: string } }
  /** Updates a clicked card for the given members (update_template_card, single-use response code). */
  | { kind: 'card_update'; target: { unit: string; userids: string[] }; payload: { responseCode: string; replaceName: string } };

/** Markdown to a unit's group robot; the webhook key is looked up in config at delivery, never stored. */
export type RobotEntry = { kind: 'robot_markdown'; target: { unit: string }; payload: { content: string } };

/** A notice to the citizen over the channel they used. */
export type CitizenEntry = {
  kind: 'citizen_notice';
  target: { channel: ChannelName; id: string };
  payload: { reference: string; text: string; options?: ReplyOption[]; topic: 'accepted' | 'answered' | 'rate_request' | 'rejected' | 'recommended' };
};

export type OutboxMessage = UnitAppEntry | RobotEntry | CitizenEntry;
export type OutboxKind = OutboxMessage['kind'];

/** The stored entry (suggestion-model.ts `outboxSchema`). */
export type OutboxEntry = OutboxMessage & {
  /** 32 characters [0-9a-f]: also the kf `msgid`, so WeCom refuses a second copy. */
  id: string;
  state: 'pending' | 'delivered' | 'dead';
  attempts: number;
  nextAttemptAt: Date;
  claimedBy?: string | null;
  claimedUntil?: Date | null;
  lastError?: string | null;
  deliveredAt?: Date | null;
};

/** A new pending entry, due at once. */
export function outboxEntry(message: OutboxMessage, now: Date): OutboxEntry {
  return { ...message, id: randomUUID().replace(/-/g, ''), state: 'pending', attempts: 0, nextAttemptAt: now } as OutboxEntry;
}

/**
 * Citizen-written text made fit for a group chat: the proposer's name and phone number are blanked and
 * every other phone number is masked (a group is not the place for personal details, whatever was typed).
 *
 * @example
 * robotSafe('张三建议：请联系13812345678', { name: '张三', phone: '13812345678' }); // '**建议：请联系138****5678'
 */
export function robotSafe(text: string, proposer?: { name?: string | null; phone?: string | null } | null): string {
  let out = text;
  const name = proposer?.name?.trim();
  if (name && [...name].length >= 2) out = out.split(name).join('*'.repeat([...name].length));
  const phone = proposer?.phone?.replace(/\D/g, '');
  if (phone && phone.length >= 7) out = out.split(phone).join(`${phone.slice(0, 3)}****${phone.slice(-4)}`);
  return maskPhones(out);
}

/**
 * The suggestion as the rest of the system sees it, and the port the conversation uses to store and look
 * suggestions up. The mongoose model and service implement it (suggestion-model.ts, suggestion-service.ts).
 */
import type { ChannelName } from './messages.js';

/** The seed's four kinds of suggestion: 完善政策, 改进工作, 解决问题, 创新体制机制. */
export type SuggestionCategory = 'policy' | 'work' | 'problem' | 'innovation';

export type SuggestionStatus =
  | 'submitted'
  | 'assigned'
  | 'accepted'
  | 'answered'
  | 'evaluated'
  | 'closed'
  | 'returned'
  | 'escalated'
  | 'recommended_to_city'
  | 'rejected'
  | 'withdrawn';

export interface Proposer {
  name: string;
  /** Normalised: 11-digit mobile, or landline as `023-12345678`. */
  phone: string;
  unit: string;
}

export interface CitizenRef {
  channel: ChannelName;
  id: string;
}

/** What a completed conversation hands over to be stored. */
export interface SuggestionSubmission {
  /** Idempotency key: a repeated confirm (or a WeCom retry) with the same key stores nothing new. */
  submissionKey: string;
  /** Campaign id from config, or 'general' for year-round suggestions (日常建议). */
  campaign: string;
  /** Theme id from the campaign, or 'general'. */
  theme: string;
  category?: SuggestionCategory;
  title: string;
  proposal: string;
  feasibility: string;
  proposer: Proposer;
  citizen: CitizenRef;
  /** Set when an agent entered it on the citizen's behalf (代理录入). */
  enteredBy?: { agent: string; unit: string; consentAt: Date };
  /** Quality flags the citizen insisted past (for the office), e.g. ['vague']. */
  qualityFlags?: string[];
  level?: 'district' | 'city';
  /** Earlier suggestions like this one, most similar first (set by src/suggestions/similar-suggestions.ts). */
  similarTo?: { reference: string; score: number }[];
  /** Photos, voice, video, files and locations sent with the draft (src/attachments). */
  attachments?: { id: string; kind: 'image' | 'voice' | 'video' | 'file' | 'location'; location?: { latitude: number; longitude: number; name?: string; address?: string } }[];
}

/** What a citizen may see of their suggestion when they ask (查询). */
export interface SuggestionStatusView {
  reference: string;
  title: string;
  status: SuggestionStatus;
  submittedAt: Date;
  /** Unit names currently handling it. */
  units: string[];
  answer?: { outcome: string; text: string; at: Date; unit: string };
  /** The kinds of attachments sent with it (图片, 位置…), if any. */
  attachmentKinds?: ('image' | 'voice' | 'video' | 'file' | 'location')[];
}

/** `routed`: stored already routed (assigned, or sent to the office's screening) in the same write. */
export type SubmitResult = { reference: string; created: boolean; routed?: boolean };

/** The slice of the suggestions service the conversation needs. */
export interface SuggestionPort {
  /** Stores once per submissionKey; a repeat returns the first reference with created=false. */
  submit(input: SuggestionSubmission): Promise<SubmitResult>;
  /** A suggestion by reference, only if it belongs to this citizen; otherwise null. */
  findForCitizen(reference: string, citizen: CitizenRef): Promise<SuggestionStatusView | null>;
  /** The citizen's suggestions, newest first (at most `limit`). */
  listForCitizen(citizen: CitizenRef, limit?: number): Promise<SuggestionStatusView[]>;
}

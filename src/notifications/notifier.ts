/**
 * The Notifier port: delivers one outbox entry and says what happened, so the dispatcher can mark it
 * delivered, retry it later, or park it as a dead letter. Adapters: wecom-card-notifier.ts (unit cards,
 * texts and card updates through the self-built app), group-robot-notifier.ts, citizen-notifier.ts.
 */
import { WeComApiError, WeComConfigError, WeComHttpError } from '../wecom-api/wecom-errors.js';
import type { OutboxEntry, OutboxKind } from '../handling/outbox.js';

/** What one delivery attempt came to. */
export type DeliveryOutcome =
  /** Handed over (sent, or kept for the citizen's next message); `note` is recorded for diagnosis. */
  | { status: 'delivered'; note?: string }
  /** Worth trying again later (busy, rate-limited, no answer); `afterMs` overrides the backoff. */
  | { status: 'retry'; error: string; afterMs?: number }
  /** Cannot succeed by retrying (bad recipient, removed robot, misconfiguration): a dead letter. */
  | { status: 'failed'; error: string };

export interface Notifier {
  deliver(entry: OutboxEntry, ctx: { reference: string }): Promise<DeliveryOutcome>;
}

/** The notifier for each outbox kind. */
export type Notifiers = Partial<Record<OutboxKind, Notifier>>;

/** errcodes that retrying cannot fix (contract §0.1): wrong recipients, bad content, removed robot. */
const PERMANENT_ERRCODES = new Set([40003, 40008, 40031, 40058, 44004, 45002, 60011, 81013, 82001, 93000, 93004, 95000, 95004, 95019]);

/** The minute-level block WeCom applies after a 45009 (contract §0.2). */
export const FREQUENCY_BLOCK_MS = 60_000;

/** Maps an error thrown by the WeCom client to a delivery outcome. */
export function outcomeOfError(err: unknown): DeliveryOutcome {
  if (err instanceof WeComConfigError) return { status: 'failed', error: err.message };
  if (err instanceof WeComApiError) {
    if (PERMANENT_ERRCODES.has(err.errcode)) return { status: 'failed', error: `errcode ${err.errcode}` };
    if (err.errcode === 45009) return { status: 'retry', error: 'errcode 45009 (frequency limit)', afterMs: FREQUENCY_BLOCK_MS };
    return { status: 'retry', error: `errcode ${err.errcode}` };
  }
  if (err instanceof WeComHttpError) return { status: 'retry', error: err.message };
  return { status: 'retry', error: err instanceof Error ? err.message : String(err) };
}

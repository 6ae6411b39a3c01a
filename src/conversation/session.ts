/**
 * The conversation session: small, serialisable (plain JSON), versioned. It is everything the engine
 * remembers between two messages of one sender. A session whose schema or flow version no longer
 * matches is dropped with a polite restart, never misread.
 */
import { z } from 'zod';

/** Bump when the shape below changes incompatibly; stored sessions of another version are dropped. */
export const SESSION_SCHEMA_VERSION = 1;

/** Terminal states a finished conversation reports (besides the step ids of a running one). */
export type TerminalState = 'submitted' | 'out_of_scope' | 'cancelled';

/** A question the engine is waiting on that is not a flow step (a yes/no aside). */
const awaitingSchema = z.discriminatedUnion('kind', [
  /** "您是想提建议，还是反映个人诉求？" — `text` is the message being judged, `from` where it came from. */
  z.object({
    kind: z.literal('scope'),
    text: z.string(),
    from: z.enum(['intake', 'step']),
    candidates: z.array(z.string()),
    /** The citizen had insisted past soft coaching before the scope question. */
    insist: z.boolean().optional(),
  }),
  /** "确定要取消吗？" */
  z.object({ kind: z.literal('cancel') }),
  /** "您有一份未完成的草稿，继续还是重新开始？" */
  z.object({ kind: z.literal('resume') }),
  /** "要修改哪一项？" (from the review step) */
  z.object({ kind: z.literal('edit') }),
  /** "确定要重新开始吗？" (a draft with content is never cleared without asking) */
  z.object({ kind: z.literal('restart') }),
  /** "这句要记入可行性吗？" — a sentence at a long step that may be content or an aside: asked, never dropped or stored unasked. */
  z.object({ kind: z.literal('keep'), text: z.string() }),
  /**
   * "您说的是两件事，先提哪一件？" — `parts` of a text that holds several matters (一事一议), `from` the first
   * message or a step's answer, `reason` the quality problem, recorded if the citizen keeps them together.
   */
  /** "标题可以这样写：…，用这个吗？" — a title drafted from what the citizen said the suggestion is about. */
  z.object({ kind: z.literal('title'), title: z.string() }),
  z.object({ kind: z.literal('part'), parts: z.array(z.string()), from: z.enum(['intake', 'step']), reason: z.string(), again: z.boolean().optional() }),
]);
export type Awaiting = z.infer<typeof awaitingSchema>;

export const sessionSchema = z.object({
  /** Session schema version (SESSION_SCHEMA_VERSION). */
  v: z.number().int(),
  flowId: z.string(),
  flowVersion: z.number().int(),
  /** Current step id, `intake` before the flow begins, or a terminal state. */
  stepId: z.string(),
  /** Answers by key; the identity step stores `name`, `phone`, `unit`. */
  answers: z.record(z.string(), z.string()),
  /** Messages collected so far on a multi-message step, joined on 完成. */
  buffer: z.array(z.string()).default([]),
  /**
   * What was collected on a multi-message step left before 完成 (返回, 修改 another answer), by step id:
   * put back when the citizen returns to that step, so nothing typed is lost.
   */
  kept: z.record(z.string(), z.array(z.string())).optional(),
  /** Failed tries on the current step (reset when the step changes). */
  tries: z.number().int().default(0),
  /** Step ids visited, for 返回. */
  history: z.array(z.string()).default([]),
  /** Answers given ahead of their step (a suggestion sent as the first message), checked on arrival. */
  prefill: z.record(z.string(), z.string()).optional(),
  /**
   * The prefill was typed by the citizen in passing (a first message, text sent at a menu): on arrival it
   * is shown, and the citizen may add to it before 完成, rather than taken as the whole answer.
   */
  prefillToConfirm: z.boolean().optional(),
  /** Where to go after the current step when the citizen is changing one answer from the review. */
  returnTo: z.string().optional(),
  /** Answers cleared to be asked again while changing one from the review; put back if the citizen says 返回. */
  editBackup: z.record(z.string(), z.string()).optional(),
  /** The identity field being asked for. */
  focus: z.string().optional(),
  awaiting: awaitingSchema.optional(),
  /**
   * Answers were given ahead of their steps (a pasted form, a title sent first): steps already answered
   * are not asked again on the way forward.
   */
  prefilledAnswers: z.boolean().optional(),
  /** The last message was an emergency, answered with the emergency numbers. */
  afterEmergency: z.boolean().optional(),
  /** The other matters of a text that held several (一事一议): offered as new suggestions after this one is submitted. */
  laterParts: z.array(z.string()).optional(),
  /** The proposer's details of the suggestion just submitted, for the other matters it held. */
  carriedAnswers: z.record(z.string(), z.string()).optional(),
  /** The soft quality problem last coached on the current step: the citizen may insist once. */
  softProblem: z.string().optional(),
  /** Quality problems the citizen insisted past (go to the submission's qualityFlags). */
  qualityFlags: z.array(z.string()).default([]),
  /** Set once the citizen confirmed: the submission is being (or must be re-) stored with this key. */
  pendingSubmit: z.string().optional(),
  /** The reference once stored. */
  reference: z.string().optional(),
  /** When this draft began (ISO); part of the submission key. */
  startedAt: z.string(),
  /** Last change (ISO); drafts expire `draftTtlDays` after it. */
  updatedAt: z.string(),
});

/** The stored session. Plain JSON: strings, numbers, arrays; dates as ISO strings. */
export type Session = z.infer<typeof sessionSchema>;

/** Why a stored record could not be used. */
export type DecodeResult =
  | { ok: true; session: Session }
  | { ok: false; reason: 'corrupt' | 'schema_version' };

/** Reads a stored record; anything of another schema version or shape is reported, not guessed at. */
export function decodeSession(raw: unknown): DecodeResult {
  if (raw && typeof raw === 'object' && 'v' in raw && (raw as { v: unknown }).v !== SESSION_SCHEMA_VERSION) {
    return { ok: false, reason: 'schema_version' };
  }
  const parsed = sessionSchema.safeParse(raw);
  return parsed.success ? { ok: true, session: parsed.data } : { ok: false, reason: 'corrupt' };
}

/** A fresh session for `flow`, sitting before its first step. */
export function newSession(flow: { id: string; version: number }, now: Date): Session {
  const t = now.toISOString();
  return {
    v: SESSION_SCHEMA_VERSION,
    flowId: flow.id,
    flowVersion: flow.version,
    stepId: 'intake',
    answers: {},
    buffer: [],
    tries: 0,
    history: [],
    qualityFlags: [],
    startedAt: t,
    updatedAt: t,
  };
}

/** True for the states a finished conversation reports (submitted, out_of_scope, cancelled). */
export function isTerminal(stepId: string): stepId is TerminalState {
  return stepId === 'submitted' || stepId === 'out_of_scope' || stepId === 'cancelled';
}

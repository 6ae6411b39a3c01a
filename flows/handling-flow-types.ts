/**
 * The small step shape of the handling conversations (unit-answer.flow.ts, evaluation.flow.ts): a few
 * questions whose answers end in ONE effect (answer, rate) carried out by the handling runtime
 * (src/conversation/handling-conversation.ts). Versioned data: a stored state of another version is dropped.
 */
import type { OutboundReply } from '../src/domain/messages.js';

/** What the flow has collected so far (plain strings; stored between messages). */
export type HandlingData = Record<string, string>;

/** Reading one answer: a value to store under the step's key, or a short coaching reply. */
export type HandlingParse = { ok: true; value: string } | { ok: false; reply: string };

export interface HandlingStep {
  id: string;
  /** Where the parsed value is stored. */
  key: string;
  prompt(data: HandlingData): OutboundReply;
  parse(text: string, optionId: string | undefined, data: HandlingData): HandlingParse;
  /** The next step id; `done` carries out the flow's `finish` effect, `cancelled` ends without one. */
  next(data: HandlingData): string;
  /** An effect carried out as soon as this step is answered (the rating is stored before the comment is asked). */
  effect?: string;
}

export interface HandlingFlow {
  id: string;
  version: number;
  start(data: HandlingData): string;
  /** The effect carried out when a step's next is `done`. */
  finish: string;
  steps: readonly HandlingStep[];
}

/** Matches an option by id, 1-based number or label (after trimming). */
export function pickOption<T extends string>(text: string, optionId: string | undefined, options: readonly { id: T; label: string }[]): T | undefined {
  if (optionId) return options.find((o) => o.id === optionId)?.id;
  const t = text.normalize('NFKC').trim().replace(/[。.!！]$/, '');
  const n = Number(t);
  if (Number.isInteger(n) && n >= 1 && n <= options.length) return options[n - 1]!.id;
  return options.find((o) => o.label === t || o.id === t)?.id;
}

/** The step with `id` (a bug in the flow when missing). */
export function stepOf(flow: HandlingFlow, id: string): HandlingStep {
  const s = flow.steps.find((x) => x.id === id);
  if (!s) throw new Error(`handling flow ${flow.id} has no step "${id}"`);
  return s;
}

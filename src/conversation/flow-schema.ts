/**
 * What a flow is: versioned data (`{ id, version, steps }`) plus small named parsers and checks.
 * The engine (engine.ts) interprets any flow built from these step kinds, so new flows (agent proxy
 * entry, satisfaction evaluation) are added in flows/ without changing the engine.
 * `validateFlow` checks a flow at start-up: unique step ids, every `next` exists, a terminal reachable.
 */
import type { SenderAgent } from '../domain/agents.js';
import { z } from 'zod';
import type { ForwardedRecord, OutboundReply, ReplyOption } from '../domain/messages.js';
import { activeCampaign, type AppConfig, type Campaign } from '../infra/config.js';
import type {
  IdentityFields,
  OutOfScopeKind,
  PhoneResult,
  QualityVerdict,
  ScopeVerdict,
} from '../judgement/judgement-types.js';
import type { DraftOptions, DraftVerdict, EmergencyVerdict } from '../judgement/draft-judgement.js';
import type { ReferralKey } from '../judgement/referral.js';
import type { CitizenRef, SuggestionCategory, SuggestionSubmission } from '../domain/suggestion-types.js';
import type { Session } from './session.js';

/** The judgement functions the engine and flows call (src/judgement implements them). */
export interface Judgement {
  judgeScope(text: string): ScopeVerdict;
  coachQuality(text: string, opts?: { category?: SuggestionCategory; title?: string }): QualityVerdict;
  parsePhone(text: string): PhoneResult;
  extractIdentity(text: string): IdentityFields;
  /** Guesses the seed's kind of suggestion from its text (undefined when unclear). */
  inferCategory(text: string): SuggestionCategory | undefined;
  /** Judges a written draft before it is accepted (src/judgement/draft-judgement.ts). */
  judgeDraft(text: string, opts?: DraftOptions): DraftVerdict;
  /** An emergency at any step: answered at once, the draft kept. */
  emergencyAt(text: string): EmergencyVerdict;
  /** The `scope.referrals` key for a refused message of a kind. */
  referralFor(kind: OutOfScopeKind, text: string): ReferralKey;
}

/** The config a flow reads. */
export type FlowConfig = Pick<AppConfig, 'service' | 'campaigns' | 'generalTheme' | 'scope' | 'faq'>;

/** Everything a step may look at besides the session. Pure data and pure functions: no I/O. */
export type { SenderAgent };

export interface FlowContext {
  config: FlowConfig;
  now: Date;
  /** The campaign whose window contains `now`; undefined outside every window (日常建议 only). */
  campaign: Campaign | undefined;
  judge: Judgement;
  citizen: CitizenRef;
  /** Set when the sender is a 信访代理员 in the agent directory (src/agents); flows for agents read it. */
  agent?: SenderAgent;
}


/** What a message as a flow's intake sees: its text, and a forwarded chat record when there is one. */
export interface IntakeMessage {
  text: string;
  forwarded?: ForwardedRecord;
}

/**
 * What a flow's intake `seed` starts a draft with: answers already known, answers to check on arrival at
 * their step (`prefill`, as for a suggestion sent as the first message), and the greeting to say instead
 * of the default welcome.
 */
export interface IntakeSeed {
  answers?: Record<string, string>;
  prefill?: Record<string, string>;
  notice?: string;
}

/** Builds a FlowContext (working out the active campaign), so flows never reach into infra. */
export function buildFlowContext(input: Omit<FlowContext, 'campaign'>): FlowContext {
  return { ...input, campaign: activeCampaign(input.config, input.now) };
}

/** The outcome of reading an answer: a value, or a reason with the short coaching reply for it. */
export type ParseResult = { ok: true; value: string } | { ok: false; reason: string; reply: string };

/** The outcome of a check on a finished answer (a collected proposal, say). */
export type CheckResult =
  | { ok: true }
  /**
   * Coach and stay on the step; `soft`: the citizen may insist once and go on (recorded as `flag`). `parts`:
   * the text holds several things that each belong in an answer of their own (一事一议): the citizen picks
   * one to go on with, and is offered the others after submitting.
   */
  | { ok: false; kind: 'coach'; reason: string; reply: string; soft: boolean; parts?: string[] }
  /**
   * Not a suggestion: refer (with `referral`, a key of config `scope.referrals`); the draft is kept. Unless
   * `final`, a citizen who answers 提建议 submits it with `flag` for the office's screening instead.
   */
  | { ok: false; kind: 'out_of_scope'; category: OutOfScopeKind; referral?: ReferralKey; final?: boolean; flag?: string }
  /**
   * Cannot tell: ask whether it is a suggestion or a personal request. When the citizen already chose
   * 提建议, the answer is accepted with `flag` (held for the office's screening, never auto-routed).
   */
  | { ok: false; kind: 'unsure'; candidates: OutOfScopeKind[]; flag?: string };

export type Prompt = (session: Session, ctx: FlowContext) => OutboundReply;
export type Parser = (text: string, session: Session, ctx: FlowContext) => ParseResult;
export type Check = (value: string, session: Session, ctx: FlowContext) => CheckResult;

/** Which of `service.limits` caps an answer. */
export type LimitKey = keyof AppConfig['service']['limits'];

interface StepBase {
  id: string;
  /** The step after this one; absent on `end` steps. */
  next?: string;
  /** What it is called in summaries and in `修改 <field>`. */
  label: string;
  /** Other words for it in `修改 <field>`. */
  aliases?: string[];
  prompt: Prompt;
  /** A worked example, shown after three failed tries on the step. */
  example?: string;
  /** When true on arrival, the step is passed over (e.g. the agent's consent on their own suggestion). */
  skipIf?: (session: Session, ctx: FlowContext) => boolean;
}

/** Pick one of a few options (answered by id, number or label). */
export interface ChoiceStep extends StepBase {
  kind: 'choice';
  answerKey: string;
  options: (session: Session, ctx: FlowContext) => ReplyOption[];
  /** With exactly one option, take it without asking (and say `autoNote`). */
  autoSelectSingle?: boolean;
  autoNote?: (session: Session, ctx: FlowContext) => string;
  /** Extra answers recorded with the choice (e.g. the campaign id with the theme). */
  alsoRecord?: (optionId: string, session: Session, ctx: FlowContext) => Record<string, string>;
  /** Answers the choice makes known ahead of their steps, checked on arrival (like `intake.prefillKey`). */
  alsoPrefill?: (optionId: string, session: Session, ctx: FlowContext) => Record<string, string>;
  /** How an option id is shown in the summary. */
  display?: (optionId: string, ctx: FlowContext) => string;
  /** The option the question suggests (如无误请回复3): a plain yes (好的, 就按你说的) picks it. */
  suggested?: (session: Session, ctx: FlowContext) => string | undefined;
  /** Short re-ask when the answer is not one of the options. */
  invalidReply: string;
  /** Other whole-message words that pick an option, by option id (e.g. 是 / 同意 for a single consent option). */
  synonyms?: Record<string, readonly string[]>;
  /** Words for the options that come from the configuration (a campaign's theme aliases), by option id. */
  optionWords?: (s: Session, ctx: FlowContext) => Record<string, readonly string[]>;
}

/** One short text answer in one message. */
export interface TextStep extends StepBase {
  kind: 'text';
  answerKey: string;
  limit: LimitKey;
  parse: Parser;
}

/** A long answer in several messages, finished by a done word (完成); checks run on the whole text. */
export interface CollectStep extends StepBase {
  kind: 'collect';
  answerKey: string;
  limit: LimitKey;
  checks: Check[];
  /** Reply to each collected part (given the total length so far). */
  ack: (total: number) => string;
}

/** Several small fields, given together or asked for one by one (name, phone, unit). */
export interface FieldsStep extends StepBase {
  kind: 'fields';
  fields: {
    key: string;
    label: string;
    aliases?: string[];
    limit: LimitKey;
    /** Asking for just this field. */
    ask: string;
    parse: Parser;
  }[];
  /** Pulls whichever fields it can out of one message. */
  extract: (text: string, ctx: FlowContext) => Record<string, string | undefined>;
}

/** Shows the summary; the citizen confirms (→ the `submit` effect), changes one answer, or cancels. */
export interface ReviewStep extends StepBase {
  kind: 'review';
  /** The submission the confirmed answers make (without the key). */
  build: (session: Session, ctx: FlowContext) => Omit<SuggestionSubmission, 'submissionKey'>;
  /** Step ids (or identity field keys) that `修改` may go back to, in summary order. */
  editable: string[];
}

/** A terminal step: the conversation ends in `state`. */
export interface EndStep extends StepBase {
  kind: 'end';
  state: 'submitted' | 'cancelled' | 'out_of_scope';
}

export type Step = ChoiceStep | TextStep | CollectStep | FieldsStep | ReviewStep | EndStep;

/** A conversation as data. `version` pins stored sessions: a session of another version restarts. */
export interface FlowDefinition {
  id: string;
  version: number;
  /** The first step after intake. */
  start: string;
  /**
   * Judge the first message's scope (refuse complaints etc.; keep a genuine suggestion as `prefillKey`).
   * `seed`: when it returns a seed for the first message, the draft begins with it (no scope judgement
   * of the first message; the flow's own checks judge the answers).
   */
  intake?: { judgeScope: boolean; prefillKey?: string; seed?: (message: IntakeMessage, ctx: FlowContext) => IntakeSeed | undefined };
  /** A returning citizen idle for this long is reminded of the draft before going on. */
  resumeReminderAfterMinutes: number;
  steps: Step[];
}

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'must be a function');
const base = {
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a lower-case id'),
  next: z.string().optional(),
  label: z.string().min(1),
  aliases: z.array(z.string()).optional(),
  prompt: fn,
  example: z.string().optional(),
  skipIf: fn.optional(),
};

const stepSchema = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('choice'), answerKey: z.string(), options: fn, autoSelectSingle: z.boolean().optional(), autoNote: fn.optional(), alsoRecord: fn.optional(), alsoPrefill: fn.optional(), display: fn.optional(), suggested: fn.optional(), invalidReply: z.string().min(1), synonyms: z.record(z.string(), z.array(z.string())).optional(), optionWords: fn.optional() }),
  z.object({ ...base, kind: z.literal('text'), answerKey: z.string(), limit: z.string(), parse: fn }),
  z.object({ ...base, kind: z.literal('collect'), answerKey: z.string(), limit: z.string(), checks: z.array(fn), ack: fn }),
  z.object({
    ...base,
    kind: z.literal('fields'),
    fields: z.array(z.object({ key: z.string(), label: z.string(), aliases: z.array(z.string()).optional(), limit: z.string(), ask: z.string(), parse: fn })).min(1),
    extract: fn,
  }),
  z.object({ ...base, kind: z.literal('review'), build: fn, editable: z.array(z.string()).min(1) }),
  z.object({ ...base, kind: z.literal('end'), state: z.enum(['submitted', 'cancelled', 'out_of_scope']) }),
]);

/** Ids the engine uses for its own states; a step may not take them (except as an `end` state). */
const reservedIds = new Set(['intake']);

/** The zod schema of a flow, with the graph rules. */
export const flowSchema = z
  .object({
    id: z.string().min(1),
    version: z.number().int().positive(),
    start: z.string(),
    intake: z.object({ judgeScope: z.boolean(), prefillKey: z.string().optional(), seed: fn.optional() }).optional(),
    resumeReminderAfterMinutes: z.number().positive(),
    steps: z.array(stepSchema).min(1),
  })
  .superRefine((flow, ctx) => {
    const ids = new Map<string, number>();
    flow.steps.forEach((s, i) => {
      if (ids.has(s.id)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `duplicate step id "${s.id}"` });
      if (reservedIds.has(s.id)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `"${s.id}" is reserved` });
      ids.set(s.id, i);
    });
    if (!ids.has(flow.start)) ctx.addIssue({ code: 'custom', path: ['start'], message: `start step "${flow.start}" does not exist` });
    flow.steps.forEach((s, i) => {
      if (s.kind === 'end') {
        if (s.next !== undefined) ctx.addIssue({ code: 'custom', path: ['steps', i, 'next'], message: 'an end step has no next' });
      } else if (s.next === undefined) {
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'next'], message: `step "${s.id}" needs a next step` });
      } else if (!ids.has(s.next)) {
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'next'], message: `next step "${s.next}" does not exist` });
      }
      if (s.kind === 'review') {
        const keys = new Set(flow.steps.flatMap((t) => (t.kind === 'fields' ? [t.id, ...t.fields.map((f) => f.key)] : [t.id])));
        s.editable.forEach((e, j) => {
          if (!keys.has(e)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'editable', j], message: `"${e}" is neither a step nor a field` });
        });
      }
    });
    // A terminal step must be reachable from the start by following `next`.
    const byId = new Map(flow.steps.map((s) => [s.id, s]));
    const seen = new Set<string>();
    let cur = byId.get(flow.start);
    let reached = false;
    while (cur && !seen.has(cur.id)) {
      seen.add(cur.id);
      if (cur.kind === 'end') {
        reached = true;
        break;
      }
      cur = cur.next ? byId.get(cur.next) : undefined;
    }
    if (!reached) ctx.addIssue({ code: 'custom', path: ['steps'], message: `no end step is reachable from "${flow.start}"` });
  });

/** A flow in flows/ breaks the schema (thrown at start-up, naming the flow and the bad step). */
export class FlowDefinitionError extends Error {
  override name = 'FlowDefinitionError';
}

/**
 * Checks a flow at start-up and returns it. Throws FlowDefinitionError naming each problem, e.g.
 * `citizen-suggestion: steps.3.next: next step "feasability" does not exist`.
 */
export function validateFlow<F extends FlowDefinition>(flow: F): F {
  const r = flowSchema.safeParse(flow);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${flow.id ?? '(flow)'}: ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new FlowDefinitionError(`Invalid flow definition:\n${lines.join('\n')}`);
  }
  return flow;
}

/** The step with `id`; throws if the flow has none (a bug in the flow, caught by validateFlow first). */
export function stepOf(flow: FlowDefinition, id: string): Step {
  const s = flow.steps.find((x) => x.id === id);
  if (!s) throw new FlowDefinitionError(`flow ${flow.id} has no step "${id}"`);
  return s;
}

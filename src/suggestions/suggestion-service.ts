/**
 * Storing and reading suggestions. Implements the conversation's SuggestionPort (submit once per
 * submissionKey, citizens see only their own) and the admin API's queries.
 */
import type { Clock } from '../infra/clock.js';
import type { AppConfig } from '../infra/config.js';
import type { SuggestionModels } from './suggestion-model.js';
import { nextReference, yearIn } from './reference-number.js';
import type {
  CitizenRef,
  SuggestionCategory,
  SubmitResult,
  SuggestionPort,
  SuggestionStatus,
  SuggestionStatusView,
  SuggestionSubmission,
} from '../domain/suggestion-types.js';

/** Filters of the admin list, exports and statistics. Every value is plain data checked by the caller's zod schema. */
export interface SuggestionFilter {
  status?: SuggestionStatus;
  theme?: string;
  category?: SuggestionCategory;
  /** Assigned to this unit (an assignment that was not returned). */
  unit?: string;
  level?: 'district' | 'city';
  /** Entered on a citizen's behalf by this agent (WeCom userid). */
  enteredBy?: string;
  /** Submitted at or after / before these instants. */
  from?: Date;
  to?: Date;
  /** Only suggestions with an assignment past its accept or answer deadline. */
  overdue?: boolean;
  valuable?: boolean;
  /** Matched literally (not as a pattern) against title, proposal, reference and the proposer's name and phone. */
  text?: string;
  /** Visibility of a unit token: assigned to this unit, or entered by one of its agents. */
  visibleToUnit?: string;
}

export interface SuggestionQuery extends SuggestionFilter {
  page: number;
  pageSize: number;
}

/** Fields a later step adds to a new suggestion's insert (routing: src/handling/handling-service.ts `routingAtCreation`). */
export interface FieldsAtCreation {
  status: SuggestionStatus;
  set: Record<string, unknown>;
  history: Record<string, unknown>;
  outbox: unknown[];
}

export interface SubmitOptions {
  /**
   * Decides, from the document about to be inserted, fields to insert with it (so a new suggestion is
   * stored already routed). Without it, or when it returns nothing, it is stored `submitted` and unrouted.
   */
  atCreation?: (draft: NewSuggestion) => FieldsAtCreation | undefined;
}

/** A new suggestion's document as it is about to be inserted. */
export type NewSuggestion = SuggestionSubmission & {
  reference: string;
  themeName: string;
  status: SuggestionStatus;
  level: 'district' | 'city';
  submittedAt: Date;
  enteredBy?: (NonNullable<SuggestionSubmission['enteredBy']> & { enteredAt: Date }) | undefined;
  assignments: never[];
  history: { at: Date; actor: string; action: string; to: SuggestionStatus }[];
};

export interface SuggestionService extends SuggestionPort {
  submit(input: SuggestionSubmission, options?: SubmitOptions): Promise<SubmitResult>;
  list(q: SuggestionQuery): Promise<{ items: Record<string, unknown>[]; total: number; page: number; pageSize: number }>;
  getByReference(reference: string): Promise<Record<string, unknown> | null>;
  /** Every suggestion matching `f`, newest first, at most `limit` (exports and statistics); `truncated` when more exist. */
  listAll(f: SuggestionFilter, limit: number): Promise<{ items: Record<string, unknown>[]; total: number; truncated: boolean }>;
}

/** The mongo filter for `f` at `now`. Values are used only as literals: strings never become operators or patterns. */
export function buildSuggestionFilter(f: SuggestionFilter, now: Date): Record<string, unknown> {
  const and: Record<string, unknown>[] = [];
  // 已推荐市征集办 also finds suggestions recommended after they were handled (they keep their status).
  if (f.status === 'recommended_to_city') and.push({ $or: [{ status: f.status }, { cityRecommendation: { $ne: null } }] });
  else if (f.status) and.push({ status: f.status });
  if (f.theme) and.push({ theme: f.theme });
  if (f.category) and.push({ category: f.category });
  if (f.level) and.push({ level: f.level });
  if (f.enteredBy) and.push({ 'enteredBy.agent': f.enteredBy });
  if (f.valuable !== undefined) and.push({ valuable: f.valuable });
  if (f.unit) and.push({ assignments: { $elemMatch: { unit: f.unit, returnedAt: null } } });
  if (f.from || f.to) and.push({ submittedAt: { ...(f.from ? { $gte: f.from } : {}), ...(f.to ? { $lt: f.to } : {}) } });
  if (f.overdue) {
    and.push({
      $or: [
        { assignments: { $elemMatch: { returnedAt: null, answeredAt: null, dueAt: { $lt: now } } } },
        { assignments: { $elemMatch: { returnedAt: null, acceptedAt: null, answeredAt: null, acceptDueAt: { $lt: now } } } },
      ],
    });
  }
  if (f.text) {
    const re = new RegExp(escapeRegex(f.text));
    and.push({ $or: [{ title: re }, { proposal: re }, { reference: re }, { 'proposer.name': re }, { 'proposer.phone': re }] });
  }
  if (f.visibleToUnit) {
    and.push({ $or: [{ assignments: { $elemMatch: { unit: f.visibleToUnit, returnedAt: null } } }, { 'enteredBy.unit': f.visibleToUnit }] });
  }
  if (and.length === 0) return {};
  return and.length === 1 ? (and[0] as Record<string, unknown>) : { $and: and };
}

type Deps = {
  models: SuggestionModels;
  clock: Clock;
  config: Pick<AppConfig, 'service' | 'campaigns' | 'generalTheme' | 'units'>;
};

const isDuplicateKey = (err: unknown, field: string) =>
  typeof err === 'object' && err !== null && (err as { code?: number }).code === 11000 &&
  field in ((err as { keyPattern?: Record<string, unknown> }).keyPattern ?? {});

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Strips storage internals from a document before it leaves the service. */
function toPublic(doc: Record<string, unknown>): Record<string, unknown> {
  const { _id, __v, outbox, ...rest } = doc;
  void _id;
  void __v;
  return { ...rest, outbox: Array.isArray(outbox) ? outbox.map(({ payload, ...o }: Record<string, unknown>) => (void payload, o)) : [] };
}

export function createSuggestionService({ models, clock, config }: Deps): SuggestionService {
  const { Suggestion, Counter } = models;

  const themeName = (campaignId: string, themeId: string): string => {
    if (themeId === config.generalTheme.id) return config.generalTheme.name;
    const theme = config.campaigns.find((c) => c.id === campaignId)?.themes.find((t) => t.id === themeId);
    if (!theme) throw new Error(`unknown theme ${campaignId}/${themeId}`);
    return theme.name;
  };
  const unitName = (id: string) => config.units.find((u) => u.id === id)?.name ?? id;

  const toView = (d: Record<string, any>): SuggestionStatusView => {
    // After a second round of handling (returned, or rated 不满意), the citizen sees the latest answer.
    const answered = (d.assignments ?? [])
      .filter((a: any) => a.answer)
      .sort((a: any, b: any) => new Date(b.answer.at ?? b.answeredAt).getTime() - new Date(a.answer.at ?? a.answeredAt).getTime())[0];
    return {
      reference: d.reference,
      title: d.title,
      status: d.status,
      submittedAt: d.submittedAt,
      units: (d.assignments ?? []).filter((a: any) => a.active !== false && !a.returnedAt).map((a: any) => unitName(a.unit)),
      ...(answered ? { answer: { outcome: answered.answer.outcome, text: answered.answer.text, at: answered.answer.at, unit: unitName(answered.unit) } } : {}),
      ...(d.attachments?.length ? { attachmentKinds: d.attachments.map((a: any) => a.kind) } : {}),
    };
  };

  async function submit(input: SuggestionSubmission, options: SubmitOptions = {}): Promise<SubmitResult> {
    const existing = await Suggestion.findOne({ submissionKey: input.submissionKey }, { reference: 1 }).lean();
    if (existing) return { reference: existing.reference, created: false };
    const now = clock.now();
    const reference = await nextReference(Counter, config.service.referencePrefix, yearIn(now, config.service.timezone));
    const draft: NewSuggestion = {
      ...input,
      reference,
      themeName: themeName(input.campaign, input.theme),
      status: 'submitted' as const,
      level: input.level ?? 'district',
      submittedAt: now,
      enteredBy: input.enteredBy ? { ...input.enteredBy, enteredAt: now } : undefined,
      assignments: [],
      history: [
        {
          at: now,
          actor: input.enteredBy ? `agent:${input.enteredBy.agent}` : `citizen:${input.citizen.channel}:${input.citizen.id}`,
          action: 'submit',
          to: 'submitted',
        },
      ],
    };
    const routed = options.atCreation?.(draft);
    try {
      await Suggestion.create(
        routed ? { ...draft, ...routed.set, status: routed.status, history: [...draft.history, routed.history], outbox: routed.outbox, rev: 1 } : draft,
      );
      return { reference, created: true, ...(routed ? { routed: true } : {}) };
    } catch (err) {
      // Two workers confirming the same draft at once: the loser reports the winner's reference.
      if (isDuplicateKey(err, 'submissionKey')) {
        const winner = await Suggestion.findOne({ submissionKey: input.submissionKey }, { reference: 1 }).lean();
        if (winner) return { reference: winner.reference, created: false };
      }
      throw err;
    }
  }

  return {
    submit,
    async findForCitizen(reference: string, citizen: CitizenRef) {
      const doc = await Suggestion.findOne({ reference, 'citizen.channel': citizen.channel, 'citizen.id': citizen.id }).lean();
      return doc ? toView(doc) : null;
    },
    async listForCitizen(citizen: CitizenRef, limit = 5) {
      const docs = await Suggestion.find({ 'citizen.channel': citizen.channel, 'citizen.id': citizen.id })
        .sort({ submittedAt: -1 })
        .limit(limit)
        .lean();
      return docs.map(toView);
    },
    async list(q: SuggestionQuery) {
      const { page, pageSize, ...f } = q;
      void page;
      void pageSize;
      const filter = buildSuggestionFilter(f, clock.now());
      const [items, total] = await Promise.all([
        Suggestion.find(filter).sort({ submittedAt: -1 }).skip((q.page - 1) * q.pageSize).limit(q.pageSize).lean(),
        Suggestion.countDocuments(filter),
      ]);
      return { items: items.map((d) => toPublic(d as Record<string, unknown>)), total, page: q.page, pageSize: q.pageSize };
    },
    async listAll(f: SuggestionFilter, limit: number) {
      const filter = buildSuggestionFilter(f, clock.now());
      const [items, total] = await Promise.all([
        Suggestion.find(filter).sort({ submittedAt: -1 }).limit(limit).lean(),
        Suggestion.countDocuments(filter),
      ]);
      return { items: items.map((d) => toPublic(d as Record<string, unknown>)), total, truncated: total > items.length };
    },
    async getByReference(reference: string) {
      const doc = await Suggestion.findOne({ reference }).lean();
      return doc ? toPublic(doc as Record<string, unknown>) : null;
    },
  };
}

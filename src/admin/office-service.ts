/**
 * The office's own actions on a suggestion (区信访办): mark it valuable, escalate it for district leaders'
 * review and record their instruction (批示) with the assignment it leads to, recommend it to the city
 * collection office (市征集办) and record the outcome, and nominate an adopted suggestion for an award.
 *
 * Assignment, reassignment, rejection and answers belong to the handling service (issue 5); this service
 * calls its `assign` through the narrow `AssignUnits` port. Every write is one conditional update of the
 * suggestion, matched on its revision `rev` as the handling service's are (a concurrent change gives 409
 * instead of a lost update; the dispatcher's bookkeeping of outbox entries does not count as one). The audit
 * entry of each write is made by the API's audit trail (audit-trail.ts), with the request's authenticated actor.
 */
import type { AppConfig } from '../infra/config.js';
import type { Clock } from '../infra/clock.js';
import { AppError, badRequest, notFound } from '../infra/errors.js';
import { historyNotes } from '../../flows/texts/handling.js';
import { cityOutcomeLabels } from '../../flows/texts/labels.js';
import { canTransition } from '../suggestions/status-machine.js';
import type { SuggestionModels } from '../suggestions/suggestion-model.js';
import type { SuggestionStatus } from '../domain/suggestion-types.js';
import { actorOf, officeActorId, requireOffice, type Principal } from './admin-auth.js';

/** Issue 5's assignment, as the office service needs it (a leader's instruction leads to an assignment). A `{ ok: false }` result is answered with 409. */
export type AssignUnits = (args: { reference: string; units: string[]; actor: string; note?: string }) => Promise<unknown>;

/**
 * Issue 5's status change to recommended_to_city (it also tells the citizen). When given, the office
 * service lets it move the status and records the recommendation beside it.
 */
export type RecommendStatusChange = (args: { reference: string; actor: string; note?: string }) => Promise<unknown>;

export interface AwardListItem {
  reference: string;
  title: string;
  themeName: string;
  proposerName: string;
  year: number;
  tier: string;
  tierName: string;
  amountYuan: number;
  note?: string;
  nominatedAt: Date;
  nominatedBy: string;
}

export interface OfficeService {
  markValuable(p: Principal, reference: string, input: { valuable: boolean; note?: string }): Promise<Record<string, unknown>>;
  escalate(p: Principal, reference: string, input: { note?: string }): Promise<Record<string, unknown>>;
  recordInstruction(p: Principal, reference: string, input: { leader: string; text: string; assignTo?: string[] }): Promise<Record<string, unknown>>;
  recommendToCity(p: Principal, reference: string, input: { note?: string }): Promise<Record<string, unknown>>;
  recordCityOutcome(p: Principal, reference: string, input: { outcome: 'adopted' | 'not_adopted'; note?: string }): Promise<Record<string, unknown>>;
  nominateAward(p: Principal, reference: string, input: { year: number; tier: string; note?: string }): Promise<Record<string, unknown>>;
  listAwards(q: { year?: number }): Promise<AwardListItem[]>;
  /** 办结: the office closes a suggestion after review (answered, rated, or rated 不满意 and reviewed). */
  close(p: Principal, reference: string, input: { note?: string }): Promise<Record<string, unknown>>;
  /** An internal note of the office (not shown to citizens or units). */
  addNote(p: Principal, reference: string, input: { text: string }): Promise<Record<string, unknown>>;
  /** Corrects the theme, category or title; the audit entry keeps the values before and after. */
  correct(p: Principal, reference: string, input: { theme?: string; category?: string; title?: string; note?: string }): Promise<Record<string, unknown>>;
  /** Marks the suggestion a duplicate of an earlier one (it is closed, or rejected if not handled yet, by the office separately). */
  markDuplicate(p: Principal, reference: string, input: { of: string; note?: string }): Promise<Record<string, unknown>>;
}

type Deps = {
  models: Pick<SuggestionModels, 'Suggestion'>;
  clock: Clock;
  config: Pick<AppConfig, 'awards' | 'adminApi' | 'units'> & Partial<Pick<AppConfig, 'campaigns' | 'generalTheme'>>;
  /** Issue 5's assign; without it an instruction is recorded and the office assigns by hand. */
  assign?: AssignUnits;
  recommendStatus?: RecommendStatusChange;
};

const conflict = (message: string) => new AppError(409, 'conflict', message);

/** A port result of the handling service's shape `{ ok: false, code, message }` becomes a 409. */
function checkPortResult(result: unknown): void {
  const r = result as { ok?: boolean; code?: string; message?: string } | null;
  if (r && r.ok === false) throw new AppError(r.code === 'invalid' ? 400 : 409, r.code ?? 'conflict', r.message ?? 'refused');
}

type Doc = Record<string, any>;

/** True when the suggestion counts as adopted for an award (the seed: a leader's instruction plus adoption, or city adoption). */
export function isAwardEligible(doc: Doc, adoptedOutcomes: readonly string[]): boolean {
  if (doc.cityRecommendation?.outcome === 'adopted') return true;
  const adopted = (doc.assignments ?? []).some((a: Doc) => a.answer && adoptedOutcomes.includes(a.answer.outcome));
  return adopted && Boolean(doc.escalation?.instruction);
}

export function createOfficeService({ models, clock, config, assign, recommendStatus }: Deps): OfficeService {
  const { Suggestion } = models;
  const unitIds = new Set(config.units.map((u) => u.id));

  async function load(reference: string): Promise<Doc> {
    const doc = await Suggestion.findOne({ reference }).lean();
    if (!doc) throw notFound(`no suggestion ${reference}`);
    return doc as Doc;
  }

  /**
   * Applies one change: `plan` checks the current document and returns the update; the write only lands if
   * nobody changed the suggestion since it was read.
   */
  async function change(
    p: Principal,
    reference: string,
    action: string,
    fields: readonly string[],
    plan: (doc: Doc, now: Date, actor: string) => { set: Record<string, unknown>; push?: Record<string, unknown>; to?: SuggestionStatus; note?: string },
  ): Promise<Doc> {
    // District leaders record their own instruction; every other change is the office's.
    if (!(p.kind === 'leader' && action === 'leader_instruction')) requireOffice(p);
    const before = await load(reference);
    const now = clock.now();
    const actor = actorOf(p);
    const { set, push, to, note } = plan(before, now, actor);
    const history = { at: now, actor, action, from: before.status, to: to ?? before.status, ...(note ? { note } : {}) };
    const after = await Suggestion.findOneAndUpdate(
      { reference, rev: before.rev ?? null },
      { $set: { ...set, ...(to ? { status: to } : {}) }, $inc: { rev: 1 }, $push: { history, ...(push ?? {}) } },
      { returnDocument: 'after', lean: true },
    );
    if (!after) throw conflict(`suggestion ${reference} changed meanwhile; reload and try again`);
    void fields; // what the change touches; the HTTP audit trail records the whole handling state before and after
    return after as Doc;
  }

  const closedForOffice = (doc: Doc) => doc.status === 'rejected' || doc.status === 'withdrawn';

  return {
    async markValuable(p, reference, { valuable, note }) {
      return change(p, reference, valuable ? 'mark_valuable' : 'unmark_valuable', ['valuable', 'valuableNote'], (doc) => {
        if (closedForOffice(doc)) throw conflict(`suggestion ${reference} is ${doc.status}`);
        return { set: { valuable, valuableNote: note ?? null }, note };
      });
    },

    async escalate(p, reference, { note }) {
      return change(p, reference, 'escalate_to_leaders', ['escalation'], (doc, now, actor) => {
        if (closedForOffice(doc)) throw conflict(`suggestion ${reference} is ${doc.status}`);
        if (doc.escalation && !doc.escalation.instruction) throw conflict(`suggestion ${reference} is already awaiting the leaders' instruction`);
        // Leaders' review runs beside the handling status: the instruction leads to an assignment through the status machine.
        return { set: { escalation: { at: now, by: actor, ...(note ? { note } : {}) } }, note };
      });
    },

    async recordInstruction(p, reference, { leader, text, assignTo }) {
      const units = [...new Set(assignTo ?? [])];
      const unknown = units.filter((u) => !unitIds.has(u));
      if (unknown.length) throw badRequest(`unknown unit ${unknown.join(', ')}`);
      const after = await change(p, reference, 'leader_instruction', ['escalation'], (doc, now, actor) => {
        if (!doc.escalation) throw conflict(`suggestion ${reference} was not escalated for the leaders' review`);
        if (doc.escalation.instruction) throw conflict(`the leaders' instruction on ${reference} is already recorded`);
        return {
          set: { 'escalation.instruction': { leader, text, at: now, recordedBy: actor, assignedUnits: units } },
          note: `${leader}：${text}`,
        };
      });
      if (units.length && assign) {
        checkPortResult(await assign({ reference, units, actor: officeActorId(p), note: historyNotes.leaderInstruction(leader, text) }));
        return load(reference);
      }
      return after;
    },

    async recommendToCity(p, reference, { note }) {
      requireOffice(p);
      if (recommendStatus) {
        const current = await load(reference);
        if (!current.cityRecommendation && canTransition(current.status, 'recommended_to_city')) {
          checkPortResult(await recommendStatus({ reference, actor: officeActorId(p), ...(note ? { note } : {}) }));
        }
      }
      return change(p, reference, 'recommend_to_city', ['cityRecommendation', 'level'], (doc, now, actor) => {
        if (doc.cityRecommendation) throw conflict(`suggestion ${reference} was already recommended to the city`);
        if (closedForOffice(doc)) throw conflict(`suggestion ${reference} is ${doc.status}`);
        const to = canTransition(doc.status, 'recommended_to_city') ? ('recommended_to_city' as const) : undefined;
        // A suggestion already handled in the district keeps its status; the recommendation is recorded beside it.
        if (!to && !['answered', 'evaluated', 'closed', 'escalated', 'recommended_to_city'].includes(doc.status)) {
          throw conflict(`suggestion ${reference} is still being handled (${doc.status})`);
        }
        return { set: { level: 'city', cityRecommendation: { at: now, by: actor, outcome: 'pending', ...(note ? { note } : {}) } }, to, note };
      });
    },

    async recordCityOutcome(p, reference, { outcome, note }) {
      return change(p, reference, 'city_outcome', ['cityRecommendation'], (doc, now, actor) => {
        if (!doc.cityRecommendation) throw conflict(`suggestion ${reference} was not recommended to the city`);
        const to = doc.status === 'recommended_to_city' && canTransition(doc.status, 'closed') ? ('closed' as const) : undefined;
        return {
          set: {
            'cityRecommendation.outcome': outcome,
            'cityRecommendation.outcomeNote': note ?? null,
            'cityRecommendation.outcomeAt': now,
            'cityRecommendation.outcomeBy': actor,
          },
          to,
          note: note ? `${cityOutcomeLabels[outcome] ?? outcome}：${note}` : (cityOutcomeLabels[outcome] ?? outcome),
        };
      });
    },

    async nominateAward(p, reference, { year, tier, note }) {
      const t = config.awards.tiers.find((x) => x.id === tier);
      if (!t) throw badRequest(`unknown award tier ${tier}`, { tiers: config.awards.tiers.map((x) => x.id) });
      if (config.awards.years.length && !config.awards.years.includes(year)) {
        throw badRequest(`award year ${year} is not one of ${config.awards.years.join(', ')}`);
      }
      return change(p, reference, 'nominate_award', ['awards'], (doc, now, actor) => {
        if (!isAwardEligible(doc, config.adminApi.adoptedOutcomes)) {
          throw conflict(`suggestion ${reference} is not adopted: it needs a leaders' instruction and an adopting answer, or adoption by the city`);
        }
        if ((doc.awards ?? []).some((a: Doc) => a.year === year)) throw conflict(`suggestion ${reference} is already nominated for ${year}`);
        return {
          set: {},
          push: { awards: { year, tier: t.id, tierName: t.name, amountYuan: t.amountYuan, nominatedAt: now, nominatedBy: actor, ...(note ? { note } : {}) } },
          note: `${year} ${t.name}`,
        };
      });
    },

    async close(p, reference, { note }) {
      return change(p, reference, 'close', ['status'], (doc) => {
        if (!['answered', 'evaluated', 'escalated'].includes(doc.status) || !canTransition(doc.status, 'closed')) {
          throw new AppError(409, 'bad_state', `suggestion ${reference} is ${doc.status}: only an answered, rated or reviewed one can be closed`);
        }
        return { set: {}, to: 'closed', note };
      });
    },

    async addNote(p, reference, { text }) {
      // The history (which units read) records only that a note was added; its text stays with the office.
      return change(p, reference, 'internal_note', ['internalNotes'], (_doc, now, actor) => ({ set: {}, push: { internalNotes: { at: now, by: actor, text } } }));
    },

    async correct(p, reference, input) {
      const themes = new Map<string, string>([
        ...(config.campaigns ?? []).flatMap((c) => c.themes.map((t) => [t.id, t.name] as [string, string])),
        ...(config.generalTheme ? [[config.generalTheme.id, config.generalTheme.name] as [string, string]] : []),
      ]);
      if (input.theme && !themes.has(input.theme)) throw badRequest(`unknown theme ${input.theme}`);
      return change(p, reference, 'correct', ['theme', 'themeName', 'category', 'title'], (doc) => {
        const set: Record<string, unknown> = {};
        const changed: string[] = [];
        if (input.theme && input.theme !== doc.theme) {
          set.theme = input.theme;
          set.themeName = themes.get(input.theme);
          changed.push(`主题：${doc.themeName ?? doc.theme} → ${themes.get(input.theme)}`);
        }
        if (input.category && input.category !== doc.category) {
          set.category = input.category;
          changed.push(`类别：${doc.category ?? '无'} → ${input.category}`);
        }
        if (input.title && input.title !== doc.title) {
          set.title = input.title;
          changed.push(`标题：${doc.title} → ${input.title}`);
        }
        if (!changed.length) throw badRequest('nothing to correct: the values are the same');
        return { set, note: [changed.join('；'), input.note].filter(Boolean).join('；') };
      });
    },

    async markDuplicate(p, reference, { of, note }) {
      if (of === reference) throw badRequest('a suggestion cannot duplicate itself');
      const original = await Suggestion.findOne({ reference: of }, { reference: 1 }).lean();
      if (!original) throw notFound(`no suggestion ${of}`);
      return change(p, reference, 'mark_duplicate', ['duplicateOf'], (_doc, now, actor) => ({
        set: { duplicateOf: { reference: of, at: now, by: actor } },
        note: [of, note].filter(Boolean).join('；'),
      }));
    },

    async listAwards({ year }) {
      const docs = (await Suggestion.find(year ? { awards: { $elemMatch: { year } } } : { 'awards.0': { $exists: true } })
        .sort({ reference: 1 })
        .lean()) as Doc[];
      return docs.flatMap((d) =>
        (d.awards as Doc[])
          .filter((a) => !year || a.year === year)
          .map((a) => ({
            reference: d.reference,
            title: d.title,
            themeName: d.themeName,
            proposerName: d.proposer?.name ?? '',
            year: a.year,
            tier: a.tier,
            tierName: a.tierName,
            amountYuan: a.amountYuan,
            ...(a.note ? { note: a.note } : {}),
            nominatedAt: a.nominatedAt,
            nominatedBy: a.nominatedBy,
          })),
      );
    },
  };
}

/**
 * The office's own actions on a suggestion (区信访办): mark it valuable, escalate it for district leaders'
 * review and record their instruction (批示) with the assignment it leads to, recommend it to the city
 * collection office (市征集办) and record the outcome, and nominate an adopted suggestion for an award.
 *
 * Assignment, reassignment, rejection and answers belong to the handling service (issue 5); this service
 * calls its `assign` through the narrow `AssignUnits` port. Every write is one conditional update of the
 * suggestion, matched on its revision `rev` as the handling service's are (a concurrent change gives 409
 * instead of a lost update; the dispatcher's bookkeeping of outbox entries does not count as one), followed
 * by an audit entry with the touched fields before and after.
 */
import type { AppConfig } from '../infra/config.js';
import type { Clock } from '../infra/clock.js';
import { AppError, badRequest, notFound } from '../infra/errors.js';
import { historyNotes } from '../../flows/texts/handling.js';
import { canTransition } from '../suggestions/status-machine.js';
import type { SuggestionModels } from '../suggestions/suggestion-model.js';
import type { SuggestionStatus } from '../domain/suggestion-types.js';
import { actorOf, requireOffice, type Principal } from './admin-auth.js';
import type { AuditLog } from './audit-log.js';

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
}

type Deps = {
  models: Pick<SuggestionModels, 'Suggestion'>;
  audit: Pick<AuditLog, 'record'>;
  clock: Clock;
  config: Pick<AppConfig, 'awards' | 'adminApi' | 'units'>;
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

const pick = (doc: Doc | null, fields: readonly string[]): Record<string, unknown> | null =>
  doc ? Object.fromEntries(fields.map((f) => [f, doc[f] ?? null])) : null;

/** True when the suggestion counts as adopted for an award (the seed: a leader's instruction plus adoption, or city adoption). */
export function isAwardEligible(doc: Doc, adoptedOutcomes: readonly string[]): boolean {
  if (doc.cityRecommendation?.outcome === 'adopted') return true;
  const adopted = (doc.assignments ?? []).some((a: Doc) => a.answer && adoptedOutcomes.includes(a.answer.outcome));
  return adopted && Boolean(doc.escalation?.instruction);
}

export function createOfficeService({ models, audit, clock, config, assign, recommendStatus }: Deps): OfficeService {
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
    requireOffice(p);
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
    await audit.record({ actor, action, target: reference, before: pick(before, [...fields, 'status']), after: pick(after as Doc, [...fields, 'status']) });
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
        checkPortResult(await assign({ reference, units, actor: actorOf(p), note: historyNotes.leaderInstruction(leader, text) }));
        return load(reference);
      }
      return after;
    },

    async recommendToCity(p, reference, { note }) {
      requireOffice(p);
      if (recommendStatus) {
        const current = await load(reference);
        if (!current.cityRecommendation && canTransition(current.status, 'recommended_to_city')) {
          checkPortResult(await recommendStatus({ reference, actor: actorOf(p), ...(note ? { note } : {}) }));
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
          note: note ? `${outcome}：${note}` : outcome,
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

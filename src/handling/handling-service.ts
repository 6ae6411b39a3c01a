/**
 * Handling a suggestion after submission: routing, assignment to units, acceptance, return, answer,
 * rejection and the citizen's rating. Every change is ONE findOneAndUpdate on the suggestion document that
 * requires the status and revision it was decided on, and carries its history entry and its outbox
 * entries (the notifications it causes) in the same update — so a crash can never leave a change without
 * its notifications, and two workers can never both apply a change.
 *
 * Expected refusals (wrong status, not this unit's, already done) are returned as `{ ok: false, code }`,
 * never thrown.
 */
import type { FieldsAtCreation } from '../suggestions/suggestion-service.js';
import type { Clock } from '../infra/clock.js';
import type { AppConfig } from '../infra/config.js';
import { assignmentDeadlines, formatDay } from './deadlines.js';
import { outboxEntry, type OutboxEntry, type OutboxMessage, robotSafe } from './outbox.js';
import { routeSuggestion, type RoutableSuggestion, type RoutingDecision } from './route-suggestion.js';
import {
  cardTexts,
  citizenTexts,
  historyNotes,
  levelNames,
  officeTexts,
  outcomeNames,
  ratingNames,
  robotTexts,
  unitFlowTexts,
  unitTexts,
  type AnswerOutcome,
  type Rating,
} from '../../flows/texts/handling.js';
import { assignableStatuses, canTransition, handlingStatus } from '../suggestions/status-machine.js';
import type { SuggestionModels } from '../suggestions/suggestion-model.js';
import type { CitizenRef, SuggestionStatus } from '../domain/suggestion-types.js';
import { attachmentCounts, attachmentTexts, type AttachmentKind } from '../../flows/texts/attachments.js';
import { createUnitDirectory, type UnitDirectory } from './unit-directory.js';

export type HandlingConfig = Pick<
  AppConfig,
  'service' | 'units' | 'members' | 'collectingOffice' | 'routing' | 'deadlines' | 'notifications' | 'campaigns' | 'generalTheme'
>;

export type HandlingErrorCode =
  | 'not_found'
  | 'bad_state'
  | 'not_assigned'
  | 'already_done'
  | 'conflict'
  | 'reason_required'
  | 'unknown_unit'
  | 'not_permitted'
  | 'invalid';

export type HandlingResult = { ok: true; suggestion: StoredSuggestion } | { ok: false; code: HandlingErrorCode; message: string };

/** An assignment as stored (suggestion-model.ts). */
export interface StoredAssignment {
  unit: string;
  seq?: number | null;
  active?: boolean | null;
  assignedAt: Date;
  acceptDueAt?: Date | null;
  dueAt?: Date | null;
  remindAt?: Date | null;
  remindedAt?: Date | null;
  acceptOverdueAt?: Date | null;
  overdueAt?: Date | null;
  acceptedAt?: Date | null;
  acceptedBy?: string | null;
  answeredAt?: Date | null;
  answer?: { outcome?: string | null; text?: string | null; reason?: string | null; by?: string | null; at?: Date | null } | null;
  returnedAt?: Date | null;
  returnReason?: string | null;
  endReason?: string | null;
  cardTaskId?: string | null;
  returnRequestedBy?: string | null;
  returnRequestedAt?: Date | null;
}

/** The fields of a suggestion the handling code reads (a lean document). */
export interface StoredSuggestion {
  _id: unknown;
  reference: string;
  theme: string;
  themeName: string;
  category?: string | null;
  title: string;
  proposal: string;
  proposer: { name: string; phone: string; unit: string };
  citizen: { channel: string; id: string };
  /** Set when an agent entered it (代理录入): notices then go to the agent, who passes them on. */
  enteredBy?: { agent?: string | null; unit?: string | null } | null;
  level?: 'district' | 'city' | null;
  status: SuggestionStatus;
  submittedAt: Date;
  assignments: StoredAssignment[];
  evaluation?: { rating?: string | null; comment?: string | null; at?: Date | null } | null;
  routing?: { decidedAt?: Date | null; units?: string[]; ruleId?: string | null; needsScreening?: boolean | null; screeningReason?: string | null } | null;
  rejection?: { reason?: string | null; by?: string | null; at?: Date | null } | null;
  ratingRequestedAt?: Date | null;
  ratingShownAt?: Date | null;
  attachments?: { id: string; kind: AttachmentKind; location?: { latitude: number; longitude: number; name?: string; address?: string } }[] | null;
  rev?: number | null;
  outbox?: OutboxEntry[];
}

/** Who did something: the office (admin API), a unit member, a citizen, or the system itself. */
export type Actor = { kind: 'office'; id: string } | { kind: 'unit'; unit: string; userid: string } | { kind: 'citizen'; citizen: CitizenRef } | { kind: 'system' };

const actorLabel = (a: Actor): string =>
  a.kind === 'office' ? `office:${a.id}` : a.kind === 'unit' ? `unit:${a.unit}:${a.userid}` : a.kind === 'citizen' ? `citizen:${a.citizen.channel}:${a.citizen.id}` : 'system';

/** What one decided change writes. */
interface Change {
  status: SuggestionStatus;
  set?: Record<string, unknown>;
  history: { action: string; note?: string };
  outbox: OutboxMessage[];
}

type Decision = { ok: true; change: Change } | { ok: false; code: HandlingErrorCode; message: string };
const refuse = (code: HandlingErrorCode, message: string): Decision => ({ ok: false, code, message });

export interface AnswerInput {
  unit: string;
  outcome: AnswerOutcome;
  text: string;
  /** Required for 暂不采纳: acknowledge the good intent and say why it is not feasible now. */
  reason?: string;
  by: Actor;
}

/** A new suggestion's routing as fields of the document about to be inserted (`routingAtCreation`). */
export interface RoutingAtCreation extends FieldsAtCreation {
  outbox: OutboxEntry[];
}

/** A unit member's click on a handling card (the WeCom app's template_card_event, or any channel's equivalent). */
export interface CardClick {
  /** The member's userid. */
  from: string;
  /** The clicked button's key (受理 / 退回 …). */
  eventKey: string;
  taskId: string;
  /** Single-use code to update the clicked card. */
  responseCode: string;
}

export interface HandlingService {
  /** Routes a freshly submitted suggestion: assigns at once, or asks the office to screen it. Idempotent. */
  route(reference: string): Promise<HandlingResult>;
  /**
   * The same decision as `route`, for a suggestion not stored yet: the fields to insert it with, so it is
   * stored already routed, in one write (never unrouted between two writes, and one durable write fewer on
   * the citizen's submitting turn). Undefined when the decision cannot be expressed as plain fields; the
   * caller then stores it unrouted and calls `route`.
   */
  routingAtCreation(draft: Omit<StoredSuggestion, '_id'>): RoutingAtCreation | undefined;
  /** The office assigns units (first assignment, or after a return / an unsatisfied rating). */
  assign(reference: string, input: { units: string[]; by: Actor; note?: string }): Promise<HandlingResult>;
  /** The office replaces the active units with `units`. */
  reassign(reference: string, input: { units: string[]; by: Actor; note?: string }): Promise<HandlingResult>;
  /** The office declines the suggestion; the citizen is told the reason. */
  reject(reference: string, input: { reason: string; by: Actor }): Promise<HandlingResult>;
  /** The office recommends a city-wide suggestion to the city collection office (市征集办). */
  recommendToCity(reference: string, input: { by: Actor; note?: string }): Promise<HandlingResult>;
  accept(reference: string, input: { unit: string; by: Actor; responseCode?: string }): Promise<HandlingResult>;
  /** A member clicked 退回: they are asked for the reason (no status change yet). */
  requestReturn(reference: string, input: { unit: string; userid: string; responseCode?: string }): Promise<HandlingResult>;
  /** The unit sends the suggestion back to the office with a reason. */
  returnToOffice(reference: string, input: { unit: string; reason: string; by: Actor }): Promise<HandlingResult>;
  answer(reference: string, input: AnswerInput): Promise<HandlingResult>;
  /** The citizen rates the answer; 不满意 goes back to the office for review. */
  rate(reference: string, input: { citizen: CitizenRef; rating: Rating; comment?: string }): Promise<HandlingResult>;
  /** Adds the citizen's comment to a rating already given (the rating flow asks for it afterwards). */
  commentRating(reference: string, input: { citizen: CitizenRef; comment: string }): Promise<HandlingResult>;
  /** Handles a click on a unit's card (`template_card_event`): 受理 or 退回. */
  handleCardEvent(event: CardClick): Promise<HandlingResult>;
  /** The newest answered suggestion of this citizen still waiting for a rating. */
  pendingRating(citizen: CitizenRef): Promise<StoredSuggestion | null>;
  /**
   * Whether the citizen has seen the rating request (and the answer before it): sent to them, or kept and
   * shown with a later message. Until then a rating word is not taken as a rating.
   */
  ratingShown(s: StoredSuggestion): boolean;
  /** Records that the kept rating request goes out with the reply to the citizen's current message. */
  markRatingShown(reference: string): Promise<void>;
  /** A suggestion by reference if it is actively assigned to one of `units`. */
  findForUnits(reference: string, units: string[]): Promise<{ suggestion: StoredSuggestion; unit: string } | null>;
  /** The units' open assignments (not yet answered), oldest due first. */
  openForUnits(units: string[]): Promise<{ suggestion: StoredSuggestion; assignment: StoredAssignment }[]>;
  /** The suggestion on which `userid` clicked 退回 and has not given a reason yet. */
  pendingReturnRequest(userid: string): Promise<{ suggestion: StoredSuggestion; unit: string } | null>;
  /** Decides and applies a change with the revision precondition (used by the deadline sweep). */
  applyChange(reference: string, decide: (s: StoredSuggestion) => Decision, actor: Actor): Promise<HandlingResult>;
  readonly directory: UnitDirectory;
}

export type { Decision, Change };
export { refuse };

export function createHandlingService(deps: { models: SuggestionModels; clock: Clock; config: HandlingConfig }): HandlingService {
  const { Suggestion } = deps.models;
  const { config, clock } = deps;
  const dir = createUnitDirectory(config);
  const tz = config.service.timezone;
  const day = (d: Date | null | undefined) => (d ? formatDay(d, tz) : '');

  async function applyChange(reference: string, decide: (s: StoredSuggestion) => Decision, actor: Actor): Promise<HandlingResult> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const doc = (await Suggestion.findOne({ reference }, { outbox: 0 }).lean()) as StoredSuggestion | null;
      if (!doc) return { ok: false, code: 'not_found', message: `no suggestion ${reference}` };
      const d = decide(doc);
      if (!d.ok) return d;
      const { change } = d;
      if (change.status !== doc.status && !canTransition(doc.status, change.status)) {
        return { ok: false, code: 'bad_state', message: `${reference} cannot go from ${doc.status} to ${change.status}` };
      }
      const now = clock.now();
      const entries = change.outbox.map((m) => outboxEntry(m, now));
      // The precondition is the status and revision the decision was made on: if anything changed in
      // between (another member clicked, the office reassigned), nothing is written and we decide again.
      const updated = (await Suggestion.findOneAndUpdate(
        { _id: doc._id, status: doc.status, rev: doc.rev ?? null },
        {
          $set: { ...change.set, status: change.status },
          $inc: { rev: 1 },
          $push: {
            history: { at: now, actor: actorLabel(actor), action: change.history.action, from: doc.status, to: change.status, ...(change.history.note ? { note: change.history.note } : {}) },
            outbox: { $each: entries },
          },
        },
        // No projection here: the embedded engine answers a findAndModify with `fields` with no document.
        { returnDocument: 'after', lean: true },
      )) as StoredSuggestion | null;
      if (updated) {
        delete updated.outbox;
        return { ok: true, suggestion: updated };
      }
    }
    return { ok: false, code: 'conflict', message: `${reference} kept changing; try again` };
  }

  // ---- message builders --------------------------------------------------------------------------

  const excerpt = (s: StoredSuggestion) => {
    const chars = [...s.proposal.replace(/\s+/g, ' ').trim()];
    return chars.length > config.notifications.excerptChars ? `${chars.slice(0, config.notifications.excerptChars).join('')}…` : chars.join('');
  };

  const citizenNotice = (s: StoredSuggestion, topic: 'accepted' | 'answered' | 'rate_request' | 'rejected' | 'recommended', text: string, options?: { id: string; label: string }[]): OutboxMessage => ({
    kind: 'citizen_notice',
    target: { channel: s.citizen.channel as CitizenRef['channel'], id: s.citizen.id },
    payload: { reference: s.reference, text: s.enteredBy?.agent ? `${citizenTexts.viaAgent(s.proposer.name)}\n${text}` : text, topic, ...(options ? { options } : {}) },
  });

  // Written even when the unit has no handlers configured: delivery then fails visibly as a dead letter
  // ("no recipients") instead of the unit silently never hearing of it.
  const toUnit = (unit: string, text: string): OutboxMessage[] => [{ kind: 'unit_text', target: { unit, userids: dir.recipients(unit) }, payload: { text } }];
  const toRobot = (unit: string, content: string): OutboxMessage[] => (dir.robotKey(unit) ? [{ kind: 'robot_markdown', target: { unit }, payload: { content } }] : []);
  const toOffice = (text: string, robot?: string): OutboxMessage[] => [...toUnit(dir.office, text), ...(robot ? toRobot(dir.office, robot) : [])];

  function newAssignments(s: StoredSuggestion, units: string[], now: Date): { assignments: StoredAssignment[]; outbox: OutboxMessage[] } {
    let seq = s.assignments.reduce((m, a) => Math.max(m, a.seq ?? 0), 0);
    const assignments: StoredAssignment[] = [];
    const outbox: OutboxMessage[] = [];
    for (const unit of units) {
      seq++;
      const { acceptDueAt, dueAt, remindAt } = assignmentDeadlines(now, config);
      const taskId = `${s.reference}-${unit}-${seq}`.replace(/[^0-9a-zA-Z_\-@]/g, '_');
      assignments.push({ unit, seq, active: true, assignedAt: now, acceptDueAt, dueAt, remindAt, cardTaskId: taskId });
      const userids = dir.recipients(unit);
      outbox.push({
        kind: 'unit_card',
        target: { unit, userids },
        payload: {
          taskId,
          card: {
            card_type: 'button_interaction',
            source: { desc: config.notifications.cardSource },
            main_title: { title: cardTexts.title(s.reference), desc: cardTexts.desc(day(now)) },
            sub_title_text: `《${s.title}》${excerpt(s)}`,
            horizontal_content_list: [
              { keyname: cardTexts.theme, value: s.themeName },
              { keyname: cardTexts.acceptDue, value: day(acceptDueAt) },
              { keyname: cardTexts.due, value: day(dueAt) },
              // The card is an app message addressed to the unit's members only: the one place the
              // proposer's contact goes (never to a group robot).
              { keyname: cardTexts.proposer, value: `${s.proposer.name} ${s.proposer.phone}` },
              // How many photos, files… came with it (units open them in the console or the admin API).
              ...(s.attachments?.length
                ? [
                    {
                      keyname: attachmentTexts.cardKey,
                      value: attachmentCounts(s.attachments.map((a) => a.kind)),
                      // A link to the suggestion in the console, where the unit's token opens the files.
                      ...(config.notifications.consoleUrl ? { type: 1, url: `${config.notifications.consoleUrl.replace(/\/?$/, '/')}#/s/${s.reference}` } : {}),
                    },
                  ]
                : []),
            ],
            task_id: taskId,
            button_list: [
              { text: cardTexts.acceptButton, style: 1, key: 'accept' },
              { text: cardTexts.returnButton, style: 2, key: 'return' },
            ],
          },
        },
      });
      outbox.push(...toRobot(unit, robotTexts.assigned({ reference: s.reference, title: robotSafe(s.title, s.proposer), theme: s.themeName, due: day(dueAt) })));
    }
    return { assignments, outbox };
  }

  const validUnits = (units: string[]): string | undefined => {
    if (units.length === 0) return 'at least one unit is required';
    const unknown = units.filter((u) => !dir.hasUnit(u));
    return unknown.length ? `unknown unit(s): ${unknown.join(', ')}` : undefined;
  };

  /** Ends every active assignment (reassignment, rejection), telling the units that had it. */
  function endActive(s: StoredSuggestion, now: Date, reason: 'reassigned' | 'rejected', keep: Set<string> = new Set(), quiet: Set<string> = new Set()): { assignments: StoredAssignment[]; outbox: OutboxMessage[] } {
    const outbox: OutboxMessage[] = [];
    const assignments = s.assignments.map((a) => {
      if (!a.active || keep.has(a.unit)) return a;
      // Units that answered already, or get a new round at once, need no "you may stop" message.
      if (!a.answeredAt && !quiet.has(a.unit)) outbox.push(...toUnit(a.unit, unitTexts.reassignedAway(s.reference, s.title)));
      return { ...a, active: false, endReason: reason, returnedAt: now };
    });
    return { assignments, outbox };
  }

  const activeOf = (s: StoredSuggestion, unit: string) => s.assignments.find((a) => a.active && a.unit === unit);
  const withAssignment = (s: StoredSuggestion, unit: string, patch: Partial<StoredAssignment>) =>
    s.assignments.map((a) => (a.active && a.unit === unit ? { ...a, ...patch } : a));

  // ---- changes -----------------------------------------------------------------------------------

  function decideAssign(s: StoredSuggestion, units: string[], replace: boolean, note?: string): Decision {
    const bad = validUnits(units);
    if (bad) return refuse('unknown_unit', bad);
    if (!assignableStatuses.includes(s.status)) return refuse('bad_state', `${s.reference} is ${s.status}`);
    const now = clock.now();
    const unique = [...new Set(units)];
    // A unit that is reassigned while still handling keeps its assignment; one that already answered
    // (the office is reviewing an unsatisfied rating) gets a fresh round with new deadlines and a new card.
    const stillHandling = new Set(unique.filter((u) => !!activeOf(s, u) && !activeOf(s, u)?.answeredAt));
    const ended = replace ? endActive(s, now, 'reassigned', stillHandling, new Set(unique)) : { assignments: s.assignments, outbox: [] };
    const toAdd = unique.filter((u) => !ended.assignments.some((a) => a.active && a.unit === u));
    if (toAdd.length === 0 && !replace) return refuse('already_done', `${s.reference} is already assigned to ${unique.join(', ')}`);
    const added = newAssignments(s, toAdd, now);
    const assignments = [...ended.assignments, ...added.assignments];
    return {
      ok: true,
      change: {
        status: handlingStatus(assignments),
        set: { assignments, 'routing.needsScreening': false },
        history: { action: replace ? 'reassign' : 'assign', note: historyNotes.assigned(unique.map(dir.unitName), note) },
        outbox: [...ended.outbox, ...added.outbox],
      },
    };
  }

  function decideRoute(s: StoredSuggestion): Decision {
    if (s.status !== 'submitted' || s.routing?.decidedAt) return refuse('already_done', `${s.reference} was already routed`);
    // Addresses of locations the citizen sent name places too.
    const placeText = (s.attachments ?? []).map((a) => [a.location?.name, a.location?.address].filter(Boolean).join(' ')).filter(Boolean).join('\n');
    const decision: RoutingDecision = routeSuggestion({ ...s, category: s.category as RoutableSuggestion['category'], ...(placeText ? { placeText } : {}) }, config);
    const now = clock.now();
    const routing = { decidedAt: now, units: decision.units, ruleId: decision.ruleId, needsScreening: decision.needsScreening, screeningReason: decision.screeningReason };
    if (!decision.needsScreening) {
      const d = decideAssign({ ...s, level: decision.level }, decision.units, false, decision.ruleId);
      if (!d.ok) return d;
      return { ok: true, change: { ...d.change, set: { assignments: d.change.set?.assignments, routing, level: decision.level }, history: { action: 'route', note: d.change.history.note } } };
    }
    const level = levelNames[decision.level];
    const reason = officeTexts.screeningReasons[decision.screeningReason ?? 'no_rule'] + (decision.screeningReason === 'ambiguous_place' ? officeTexts.placesNamed(decision.places ?? [], dir.unitName) : '');
    return {
      ok: true,
      change: {
        status: 'submitted',
        set: { routing, level: decision.level },
        history: { action: 'route', note: historyNotes.screening(decision.screeningReason ?? 'no_rule') },
        outbox: toOffice(
          officeTexts.screening({ reference: s.reference, title: s.title, theme: s.themeName, level, proposed: decision.units.map(dir.unitName), reason }),
          robotTexts.screening({ reference: s.reference, title: robotSafe(s.title, s.proposer), level }),
        ),
      },
    };
  }

  function decideAccept(s: StoredSuggestion, unit: string, by: Actor, responseCode?: string): Decision {
    const a = activeOf(s, unit);
    if (!a) return refuse('not_assigned', `${s.reference} is not assigned to ${unit}`);
    if (a.acceptedAt || a.answeredAt) return refuse('already_done', `${s.reference} was already accepted by ${dir.unitName(unit)}`);
    const now = clock.now();
    const name = by.kind === 'unit' ? dir.memberName(by.userid) : dir.unitName(unit);
    const assignments = withAssignment(s, unit, { acceptedAt: now, acceptedBy: actorLabel(by), returnRequestedBy: null, returnRequestedAt: null });
    const outbox: OutboxMessage[] = [citizenNotice(s, 'accepted', citizenTexts.accepted(s.reference, dir.unitName(unit)))];
    if (responseCode) outbox.push({ kind: 'card_update', target: { unit, userids: dir.recipients(unit) }, payload: { responseCode, replaceName: cardTexts.acceptedBy(name) } });
    if (by.kind === 'unit') outbox.push({ kind: 'unit_text', target: { unit, userids: [by.userid] }, payload: { text: unitFlowTexts.accepted(s.reference) } });
    return { ok: true, change: { status: handlingStatus(assignments), set: { assignments }, history: { action: 'accept', note: `${dir.unitName(unit)} ${name}` }, outbox } };
  }

  function decideReturn(s: StoredSuggestion, unit: string, reason: string, by: Actor): Decision {
    const a = activeOf(s, unit);
    if (!a) return refuse('not_assigned', `${s.reference} is not assigned to ${unit}`);
    if (a.answeredAt) return refuse('already_done', `${s.reference} was already answered by ${dir.unitName(unit)}`);
    if (reason.trim().length < 2) return refuse('reason_required', 'a reason is required to return a suggestion');
    const now = clock.now();
    const assignments = withAssignment(s, unit, { active: false, endReason: 'returned', returnedAt: now, returnReason: reason.trim() });
    return {
      ok: true,
      change: {
        status: handlingStatus(assignments),
        set: { assignments },
        history: { action: 'return', note: historyNotes.byUnit(dir.unitName(unit), reason.trim()) },
        outbox: toOffice(officeTexts.returned(s.reference, s.title, dir.unitName(unit), reason.trim())),
      },
    };
  }

  function decideAnswer(s: StoredSuggestion, input: AnswerInput): Decision {
    const a = activeOf(s, input.unit);
    if (!a) return refuse('not_assigned', `${s.reference} is not assigned to ${input.unit}`);
    if (a.answeredAt) return refuse('already_done', `${s.reference} was already answered by ${dir.unitName(input.unit)}`);
    if (!(input.outcome in outcomeNames)) return refuse('invalid', `unknown outcome ${input.outcome}`);
    const text = input.text.trim();
    if (text.length < 2) return refuse('invalid', 'the answer text is empty');
    const reason = input.reason?.trim();
    if (input.outcome === 'not_adopted' && (!reason || reason.length < 2)) return refuse('reason_required', '暂不采纳 needs a reason: acknowledge the good intent and say why');
    const now = clock.now();
    const assignments = withAssignment(s, input.unit, {
      acceptedAt: a.acceptedAt ?? now,
      acceptedBy: a.acceptedBy ?? actorLabel(input.by),
      answeredAt: now,
      answer: { outcome: input.outcome, text, by: actorLabel(input.by), at: now, ...(reason ? { reason } : {}) },
      returnRequestedBy: null,
    });
    const status = handlingStatus(assignments);
    const outbox: OutboxMessage[] = [
      citizenNotice(s, 'answered', citizenTexts.answered({ reference: s.reference, unit: dir.unitName(input.unit), outcome: input.outcome, text, ...(reason ? { reason } : {}) })),
    ];
    const set: Record<string, unknown> = { assignments };
    if (status === 'answered') {
      outbox.push(citizenNotice(s, 'rate_request', citizenTexts.rateRequest(s.reference), Object.entries(ratingNames).map(([id, label]) => ({ id, label }))));
      set.ratingRequestedAt = now;
    }
    return { ok: true, change: { status, set, history: { action: 'answer', note: historyNotes.byUnit(dir.unitName(input.unit), outcomeNames[input.outcome]) }, outbox } };
  }

  // ---- queries -----------------------------------------------------------------------------------

  const lean = (q: unknown) => q as StoredSuggestion | null;

  const service: HandlingService = {
    directory: dir,
    applyChange,
    route: (reference) => applyChange(reference, decideRoute, { kind: 'system' }),
    routingAtCreation(draft) {
      const d = decideRoute({ ...draft, _id: undefined });
      if (!d.ok || (d.change.status !== draft.status && !canTransition(draft.status, d.change.status))) return undefined;
      const { change } = d;
      const set = change.set ?? {};
      if (Object.keys(set).some((k) => k.includes('.') || k.startsWith('$'))) return undefined;
      const now = clock.now();
      return {
        status: change.status,
        set,
        history: { at: now, actor: actorLabel({ kind: 'system' }), action: change.history.action, from: draft.status, to: change.status, ...(change.history.note ? { note: change.history.note } : {}) },
        outbox: change.outbox.map((m) => outboxEntry(m, now)),
      };
    },
    assign: (reference, { units, by, note }) => applyChange(reference, (s) => decideAssign(s, units, false, note), by),
    reassign: (reference, { units, by, note }) => applyChange(reference, (s) => decideAssign(s, units, true, note), by),
    reject: (reference, { reason, by }) =>
      applyChange(
        reference,
        (s) => {
          if (reason.trim().length < 2) return refuse('reason_required', 'a reason the citizen is told is required');
          if (!canTransition(s.status, 'rejected')) return refuse('bad_state', `${s.reference} is ${s.status}`);
          const now = clock.now();
          const ended = endActive(s, now, 'rejected');
          return {
            ok: true,
            change: {
              status: 'rejected',
              set: { assignments: ended.assignments, rejection: { reason: reason.trim(), by: actorLabel(by), at: now } },
              history: { action: 'reject', note: reason.trim() },
              outbox: [...ended.outbox, citizenNotice(s, 'rejected', citizenTexts.rejected(s.reference, reason.trim()))],
            },
          };
        },
        by,
      ),
    recommendToCity: (reference, { by, note }) =>
      applyChange(
        reference,
        (s) =>
          canTransition(s.status, 'recommended_to_city')
            ? { ok: true, change: { status: 'recommended_to_city', set: { level: 'city' }, history: { action: 'recommend_to_city', ...(note ? { note } : {}) }, outbox: [citizenNotice(s, 'recommended', citizenTexts.recommended(s.reference))] } }
            : refuse('bad_state', `${s.reference} is ${s.status}`),
        by,
      ),
    accept: (reference, { unit, by, responseCode }) => applyChange(reference, (s) => decideAccept(s, unit, by, responseCode), by),
    requestReturn: (reference, { unit, userid, responseCode }) =>
      applyChange(
        reference,
        (s) => {
          const a = activeOf(s, unit);
          if (!a) return refuse('not_assigned', `${s.reference} is not assigned to ${unit}`);
          if (a.answeredAt) return refuse('already_done', `${s.reference} was already answered`);
          const outbox: OutboxMessage[] = [{ kind: 'unit_text', target: { unit, userids: [userid] }, payload: { text: unitTexts.askReturnReason(s.reference) } }];
          if (responseCode) outbox.push({ kind: 'card_update', target: { unit, userids: [userid] }, payload: { responseCode, replaceName: cardTexts.returningBy(dir.memberName(userid)) } });
          return {
            ok: true,
            change: { status: s.status, set: { assignments: withAssignment(s, unit, { returnRequestedBy: userid, returnRequestedAt: clock.now() }) }, history: { action: 'return_requested', note: dir.memberName(userid) }, outbox },
          };
        },
        { kind: 'unit', unit, userid },
      ),
    returnToOffice: (reference, { unit, reason, by }) => applyChange(reference, (s) => decideReturn(s, unit, reason, by), by),
    answer: (reference, input) => applyChange(reference, (s) => decideAnswer(s, input), input.by),
    rate: (reference, { citizen, rating, comment }) =>
      applyChange(
        reference,
        (s) => {
          if (s.citizen.channel !== citizen.channel || s.citizen.id !== citizen.id) return refuse('not_permitted', 'only the proposer may rate');
          if (s.status !== 'answered') return refuse(s.evaluation?.rating ? 'already_done' : 'bad_state', `${s.reference} is ${s.status}`);
          if (!(rating in ratingNames)) return refuse('invalid', `unknown rating ${rating}`);
          const c = comment?.trim();
          const evaluation = { rating, at: clock.now(), ...(c ? { comment: c } : {}) };
          const unsatisfied = rating === 'unsatisfied';
          return {
            ok: true,
            change: {
              status: unsatisfied ? 'escalated' : 'evaluated',
              set: { evaluation },
              history: { action: 'rate', note: ratingNames[rating] },
              outbox: unsatisfied ? toOffice(officeTexts.unsatisfied(s.reference, s.title, c)) : [],
            },
          };
        },
        { kind: 'citizen', citizen },
      ),
    commentRating: (reference, { citizen, comment }) =>
      applyChange(
        reference,
        (s) => {
          if (s.citizen.channel !== citizen.channel || s.citizen.id !== citizen.id) return refuse('not_permitted', 'only the proposer may comment');
          if (!s.evaluation?.rating) return refuse('bad_state', `${s.reference} has no rating yet`);
          if (s.evaluation.comment) return refuse('already_done', 'a comment was already given');
          const c = comment.trim();
          if (!c) return refuse('invalid', 'empty comment');
          const outbox = s.status === 'escalated' ? toOffice(officeTexts.unsatisfied(s.reference, s.title, c)) : [];
          return { ok: true, change: { status: s.status, set: { 'evaluation.comment': c }, history: { action: 'rating_comment' }, outbox } };
        },
        { kind: 'citizen', citizen },
      ),
    async handleCardEvent(ev) {
      const s = lean(await Suggestion.findOne({ 'assignments.cardTaskId': ev.taskId }, { outbox: 0 }).lean());
      if (!s) return { ok: false, code: 'not_found', message: `no suggestion for card ${ev.taskId}` };
      const a = s.assignments.find((x) => x.cardTaskId === ev.taskId);
      if (!a) return { ok: false, code: 'not_found', message: `no assignment for card ${ev.taskId}` };
      if (!dir.recipients(a.unit).includes(ev.from)) return { ok: false, code: 'not_permitted', message: `${ev.from} does not handle for ${a.unit}` };
      const by: Actor = { kind: 'unit', unit: a.unit, userid: ev.from };
      if (ev.eventKey === 'accept') {
        const r = await service.accept(s.reference, { unit: a.unit, by, responseCode: ev.responseCode });
        if (!r.ok && r.code === 'already_done' && ev.responseCode) {
          // Someone else was first: show the clicker who did it, so nobody wonders whether it worked.
          const accepted = (await Suggestion.findOne({ _id: s._id }, { assignments: 1 }).lean()) as StoredSuggestion | null;
          const by0 = accepted?.assignments.find((x) => x.cardTaskId === ev.taskId)?.acceptedBy?.split(':')[2];
          await applyChange(
            s.reference,
            (cur) => ({ ok: true, change: { status: cur.status, history: { action: 'card_refresh' }, outbox: [{ kind: 'card_update', target: { unit: a.unit, userids: [ev.from] }, payload: { responseCode: ev.responseCode, replaceName: cardTexts.alreadyAccepted(by0 ? dir.memberName(by0) : dir.unitName(a.unit)) } }] } }),
            by,
          );
        }
        return r;
      }
      if (ev.eventKey === 'return') return service.requestReturn(s.reference, { unit: a.unit, userid: ev.from, responseCode: ev.responseCode });
      return { ok: false, code: 'invalid', message: `unknown card button ${ev.eventKey}` };
    },
    async pendingRating(citizen) {
      return lean(
        await Suggestion.findOne({ 'citizen.channel': citizen.channel, 'citizen.id': citizen.id, status: 'answered', ratingRequestedAt: { $ne: null } })
          .sort({ ratingRequestedAt: -1 })
          .lean(),
      );
    },
    ratingShown(s) {
      if (s.ratingShownAt) return true;
      const request = (s.outbox ?? []).filter((e) => e.kind === 'citizen_notice' && e.payload.topic === 'rate_request').at(-1);
      // Delivered without a note: sent to the citizen there and then (a kept one carries 'kept until…').
      return Boolean(request && request.state === 'delivered' && !request.lastError);
    },
    async markRatingShown(reference) {
      await Suggestion.updateOne({ reference, ratingShownAt: null }, { $set: { ratingShownAt: clock.now() } });
    },
    async findForUnits(reference, units) {
      const s = lean(await Suggestion.findOne({ reference }, { outbox: 0 }).lean());
      if (!s) return null;
      const a = s.assignments.find((x) => x.active && units.includes(x.unit));
      return a ? { suggestion: s, unit: a.unit } : null;
    },
    async openForUnits(units) {
      const docs = (await Suggestion.find({ assignments: { $elemMatch: { unit: { $in: units }, active: true, answeredAt: null } } }, { outbox: 0 }).lean()) as StoredSuggestion[];
      return docs
        .flatMap((s) => s.assignments.filter((a) => a.active && !a.answeredAt && units.includes(a.unit)).map((assignment) => ({ suggestion: s, assignment })))
        .sort((x, y) => (x.assignment.dueAt?.getTime() ?? 0) - (y.assignment.dueAt?.getTime() ?? 0));
    },
    async pendingReturnRequest(userid) {
      const s = lean(await Suggestion.findOne({ assignments: { $elemMatch: { active: true, returnRequestedBy: userid, answeredAt: null } } }, { outbox: 0 }).sort({ updatedAt: -1 }).lean());
      const a = s?.assignments.find((x) => x.active && x.returnRequestedBy === userid);
      return s && a ? { suggestion: s, unit: a.unit } : null;
    },
  };
  return service;
}

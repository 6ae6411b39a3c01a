/**
 * The audit trail of the HTTP API: every successful write under /api (POST, PUT, PATCH, DELETE — whichever
 * part registered the route: office actions, handling, agents) leaves one audit entry with the request's
 * authenticated actor (`request.actor`, set by authentication), the target's state before and after, and the
 * request id. The entry is written before the response is sent: a client that got a 2xx knows it is logged.
 *
 * Register it on the root instance before the /api routes.
 *
 * @example
 * registerAuditTrail(app, { audit, suggestionState: (ref) => …, agentState: (id) => … });
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor as HandlingActor, HandlingResult, HandlingService } from '../handling/handling-service.js';
import type { AuditActor, AuditLog } from './audit-log.js';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Action names of the routes (by the last path segment); others are named `<method> <route>`. */
const suggestionActions: Record<string, string> = {
  valuable: 'mark_valuable',
  escalate: 'escalate_to_leaders',
  instruction: 'leader_instruction',
  'recommend-city': 'recommend_to_city',
  'city-outcome': 'city_outcome',
  awards: 'nominate_award',
  assign: 'assign',
  reassign: 'reassign',
  reject: 'reject',
  answer: 'answer',
  accept: 'accept',
  return: 'return',
  close: 'close',
  notes: 'internal_note',
  correct: 'correct',
  duplicate: 'mark_duplicate',
  evaluation: 'rating',
  rating: 'rating',
  retry: 'retry_dead_letter',
};

export function auditActionOf(method: string, route: string): string {
  if (route.startsWith('/api/agents/:id')) return method === 'DELETE' ? 'remove_agent' : 'put_agent';
  const last = route.split('/').filter(Boolean).at(-1) ?? '';
  return (route.includes(':reference') && suggestionActions[last]) || `${method.toLowerCase()} ${route}`;
}

/** What a suggestion looks like to the audit: its handling state, without personal data or the outbox. */
export function suggestionAuditState(doc: Record<string, any> | null): Record<string, unknown> | null {
  if (!doc) return null;
  const keys = ['status', 'level', 'valuable', 'valuableNote', 'theme', 'category', 'title', 'escalation', 'cityRecommendation', 'awards', 'rejection', 'evaluation'];
  const out: Record<string, unknown> = Object.fromEntries(keys.map((k) => [k, doc[k] ?? null]));
  out.assignments = ((doc.assignments ?? []) as Record<string, any>[]).map((a) => {
    const { cardTaskId: _c, remindAt: _r, ...rest } = a;
    void _c, _r;
    return rest;
  });
  return out;
}

export interface AuditTrailDeps {
  audit: Pick<AuditLog, 'record'>;
  /** The audit state of a suggestion by reference (null when there is none). */
  suggestionState(reference: string): Promise<unknown>;
  /** The audit state of an agent directory entry (null when there is none). */
  agentState?(id: string): Promise<unknown>;
}

interface Pending {
  action: string;
  target: string;
  before: unknown;
  load: () => Promise<unknown>;
}

declare module 'fastify' {
  interface FastifyRequest {
    auditPending?: Pending;
  }
}

export function registerAuditTrail(app: FastifyInstance, deps: AuditTrailDeps): void {
  const subject = (req: FastifyRequest): Omit<Pending, 'before'> | undefined => {
    const route = req.routeOptions.url;
    if (!route?.startsWith('/api/') || !WRITES.has(req.method)) return undefined;
    const params = (req.params ?? {}) as Record<string, unknown>;
    const action = auditActionOf(req.method, route);
    if (typeof params.reference === 'string') {
      const reference = params.reference;
      return { action, target: reference, load: () => deps.suggestionState(reference) };
    }
    if (route.startsWith('/api/agents/') && typeof params.id === 'string') {
      const id = params.id;
      return { action, target: `agent:${id}`, load: () => deps.agentState?.(id) ?? Promise.resolve(null) };
    }
    return { action, target: route, load: async () => null };
  };

  // After authentication (onRequest) and before the handler: the state before the write.
  app.addHook('preHandler', async (req) => {
    const s = subject(req);
    if (!s) return;
    req.auditPending = { ...s, before: await s.load() };
  });
  // Before the response leaves: a 2xx write is in the log, or the client hears that something failed.
  app.addHook('onSend', async (req, reply, payload) => {
    const pending = req.auditPending;
    if (!pending || reply.statusCode >= 400) return payload;
    req.auditPending = undefined;
    const actor = req.actor ?? { kind: 'unknown', id: 'unknown', name: 'unknown' };
    await deps.audit.record({ actor, action: pending.action, target: pending.target, before: pending.before, after: await pending.load(), requestId: String(req.id) });
    return payload;
  });
}

/**
 * The handling service as the WeCom app and the citizens' chat use it (card clicks, the unit's 受理 / 退回 /
 * 答复 in the app, the citizen's rating): each change that lands also leaves an audit entry, under the
 * identity WeCom authenticated (the member's userid from the signed callback, or the citizen's account).
 * The admin API's own calls go through {@link registerAuditTrail} instead, so nothing is recorded twice.
 *
 * @example
 * const audited = auditHandlingChanges(handling, { audit, suggestionState, memberName });
 * createHandlingConversation({ handling: audited, … }); cardClickHandler(audited, logger);
 */
export function auditHandlingChanges<H extends Pick<HandlingService, 'accept' | 'returnToOffice' | 'answer' | 'rate' | 'commentRating' | 'handleCardEvent'>>(
  handling: H,
  deps: { audit: Pick<AuditLog, 'record'>; suggestionState(reference: string): Promise<unknown>; memberName?(userid: string): string },
): H {
  const actorOfHandling = (a: HandlingActor): AuditActor =>
    a.kind === 'unit'
      ? { kind: 'wecom-member', id: a.userid, name: deps.memberName?.(a.userid) ?? a.userid }
      : a.kind === 'citizen'
        ? { kind: 'citizen', id: `${a.citizen.channel}:${a.citizen.id}`, name: 'citizen' }
        : a.kind === 'office'
          ? { kind: 'office', id: a.id, name: a.id }
          : { kind: 'system', id: 'system', name: 'system' };
  const audited = async (action: string, reference: string, actor: AuditActor, run: () => Promise<HandlingResult>): Promise<HandlingResult> => {
    const before = await deps.suggestionState(reference);
    const r = await run();
    if (r.ok) await deps.audit.record({ actor, action, target: reference, before, after: await deps.suggestionState(reference), requestId: null });
    return r;
  };
  const wrapped: Pick<HandlingService, 'accept' | 'returnToOffice' | 'answer' | 'rate' | 'commentRating' | 'handleCardEvent'> = {
    accept: (reference, input) => audited('accept', reference, actorOfHandling(input.by), () => handling.accept(reference, input)),
    returnToOffice: (reference, input) => audited('return', reference, actorOfHandling(input.by), () => handling.returnToOffice(reference, input)),
    answer: (reference, input) => audited('answer', reference, actorOfHandling(input.by), () => handling.answer(reference, input)),
    rate: (reference, input) => audited('rating', reference, actorOfHandling({ kind: 'citizen', citizen: input.citizen }), () => handling.rate(reference, input)),
    commentRating: (reference, input) => audited('rating_comment', reference, actorOfHandling({ kind: 'citizen', citizen: input.citizen }), () => handling.commentRating(reference, input)),
    handleCardEvent: async (click) => {
      // The card's task id starts with the suggestion's reference (`WZ2021-000001-fgw-1`).
      const reference = /^[A-Z]{1,6}\d{4}-\d{6,}/.exec(click.taskId)?.[0];
      const before = reference ? await deps.suggestionState(reference) : null;
      const r = await handling.handleCardEvent(click);
      // A click changes state only by 受理 (退回 asks for the reason first, which `returnToOffice` records).
      if (r.ok && click.eventKey === 'accept' && r.suggestion.reference === reference) {
        await deps.audit.record({
          actor: { kind: 'wecom-member', id: click.from, name: deps.memberName?.(click.from) ?? click.from },
          action: 'accept',
          target: reference,
          before,
          after: await deps.suggestionState(reference),
          requestId: null,
        });
      }
      return r;
    },
  };
  return Object.assign(Object.create(handling) as H, wrapped);
}

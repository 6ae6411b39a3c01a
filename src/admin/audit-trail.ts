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
import type { AuditLog } from './audit-log.js';

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

/**
 * Admin routes for handling: assign, reassign and reject (the office's token), answer (the office, or a
 * unit token for its own unit), the dead letters of the notification outbox and the deadline report (the
 * office). Recommending to the city is the admin API's `/recommend-city` (it calls the handling service).
 * Bodies are zod `.strict()`: unknown fields get a 400 and never reach a query. Refusals map to 404 / 409 / 400.
 *
 * @example
 * registerHandlingRoutes(app, { handling, dispatcher, deadlines, authenticate: createAdminAuth(token) });
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Principal } from './admin-auth.js';
import { AppError, forbidden, notFound } from '../infra/errors.js';
import { referencePattern } from '../suggestions/reference-number.js';
import type { HandlingResult, HandlingService } from '../handling/handling-service.js';
import { outcomeOrder } from '../../flows/texts/handling.js';
import { deadlineReportPageSize, type DeadlineScheduler } from '../handling/deadline-scheduler.js';
import type { Dispatcher } from '../notifications/dispatcher.js';

const plainId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a plain id');
const referenceParams = z.object({ reference: z.string().regex(referencePattern, 'not a reference number') }).strict();
const by = z.string().trim().min(1).max(64).optional();
const unitsBody = z.object({ units: z.array(plainId).min(1).max(10), note: z.string().trim().max(500).optional(), by }).strict();
const rejectBody = z.object({ reason: z.string().trim().min(2).max(1000), by }).strict();
const answerBody = z
  .object({
    unit: plainId,
    outcome: z.enum(outcomeOrder as [string, ...string[]]),
    text: z.string().trim().min(2).max(5000),
    reason: z.string().trim().min(2).max(2000).optional(),
    by: z.string().trim().min(1).max(64),
  })
  .strict()
  .refine((b) => b.outcome !== 'not_adopted' || b.reason, { message: '暂不采纳 needs a reason', path: ['reason'] });
const reportQuery = z
  .object({
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(deadlineReportPageSize.max).default(deadlineReportPageSize.default),
  })
  .strict();
const deadLetterParams = z.object({ reference: z.string().regex(referencePattern), id: z.string().regex(/^[0-9a-f]{32}$/) }).strict();

const statusOf: Record<string, number> = { not_found: 404, unknown_unit: 400, invalid: 400, reason_required: 400, not_permitted: 403 };

function result(r: HandlingResult) {
  if (r.ok) {
    const { outbox: _o, _id: _i, rev: _r, ...rest } = r.suggestion as unknown as Record<string, unknown>;
    void _o, _i, _r;
    return rest;
  }
  throw new AppError(statusOf[r.code] ?? 409, r.code, r.message);
}

export interface HandlingRoutesDeps {
  handling: Pick<HandlingService, 'assign' | 'reassign' | 'reject' | 'answer' | 'findForUnits'>;
  dispatcher: Pick<Dispatcher, 'listDeadLetters' | 'retryDeadLetter'>;
  deadlines: Pick<DeadlineScheduler, 'deadlineReport'>;
  /** The admin auth hook (src/admin/admin-auth.ts); throws 401 when the token is wrong. */
  authenticate: (req: FastifyRequest) => Principal;
}

export function registerHandlingRoutes(app: FastifyInstance, deps: HandlingRoutesDeps): void {
  const office = (req: FastifyRequest, b: { by?: string | undefined }) => {
    const p = deps.authenticate(req);
    if (p.kind !== 'office') throw forbidden('only the office may do this');
    return { kind: 'office' as const, id: b.by ?? p.operator ?? 'admin' };
  };
  app.register(
    async (api) => {
      api.addHook('onRequest', async (req) => {
        deps.authenticate(req);
      });
      api.post('/suggestions/:reference/assign', async (req) => {
        const { reference } = referenceParams.parse(req.params);
        const b = unitsBody.parse(req.body);
        return result(await deps.handling.assign(reference, { units: b.units, by: office(req, b), ...(b.note ? { note: b.note } : {}) }));
      });
      api.post('/suggestions/:reference/reassign', async (req) => {
        const { reference } = referenceParams.parse(req.params);
        const b = unitsBody.parse(req.body);
        return result(await deps.handling.reassign(reference, { units: b.units, by: office(req, b), ...(b.note ? { note: b.note } : {}) }));
      });
      api.post('/suggestions/:reference/reject', async (req) => {
        const { reference } = referenceParams.parse(req.params);
        const b = rejectBody.parse(req.body);
        return result(await deps.handling.reject(reference, { reason: b.reason, by: office(req, b) }));
      });
      api.post('/suggestions/:reference/answer', async (req) => {
        const { reference } = referenceParams.parse(req.params);
        const b = answerBody.parse(req.body);
        const p = deps.authenticate(req);
        // A unit token answers only for its own unit; the office may record any unit's answer.
        if (p.kind === 'unit' && p.unit !== b.unit) throw forbidden(`this token may answer only for ${p.unit}`);
        // A suggestion not assigned to the token's unit does not exist for it: the same 404 as a read, so a
        // unit cannot probe which references exist.
        if (p.kind === 'unit' && !(await deps.handling.findForUnits(reference, [p.unit]))) throw notFound(`no suggestion ${reference}`);
        return result(
          await deps.handling.answer(reference, {
            unit: b.unit,
            outcome: b.outcome as never,
            text: b.text,
            ...(b.reason ? { reason: b.reason } : {}),
            by: p.kind === 'unit' ? { kind: 'unit', unit: p.unit, userid: b.by } : { kind: 'office', id: b.by },
          }),
        );
      });
      api.get('/notifications/dead-letters', async (req) => {
        office(req, {});
        return { items: await deps.dispatcher.listDeadLetters() };
      });
      api.post('/notifications/dead-letters/:reference/:id/retry', async (req) => {
        office(req, {});
        const { reference, id } = deadLetterParams.parse(req.params);
        if (!(await deps.dispatcher.retryDeadLetter(reference, id))) throw notFound('no such dead letter');
        return { retried: true };
      });
      api.get('/reports/deadlines', async (req) => {
        office(req, {});
        return deps.deadlines.deadlineReport(undefined, reportQuery.parse(req.query ?? {}));
      });
    },
    { prefix: '/api' },
  );
}

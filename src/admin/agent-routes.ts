/**
 * Admin routes of the agents part, under /api (bearer auth as the rest of the admin API):
 * - GET /api/agents/quota-report.xlsx | .csv ?year&quarter — the quarter's report as a download (a unit
 *   token gets its own unit only). The JSON is GET /api/agents/quota-report (src/admin, via QuotaReportPort).
 * - GET /api/agents, PUT /api/agents/:id, DELETE /api/agents/:id — the agent directory (office only).
 * Bodies and queries are zod `.strict()`: unknown fields get a 400 before anything is stored.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Principal } from './admin-auth.js';
import { AppError, forbidden, notFound } from '../infra/errors.js';
import type { AgentDirectory } from '../agents/agent-directory.js';
import type { QuotaReports } from '../agents/quota-report.js';

const plainId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a plain id (letters, digits, _ . -)');
const account = z.string().regex(/^[A-Za-z0-9_@.:+=-]{1,128}$/, 'must be a platform user id');
const quarterQuery = z
  .object({ year: z.coerce.number().int().min(2000).max(2100).optional(), quarter: z.coerce.number().int().min(1).max(4).optional() })
  .strict()
  .refine((q) => (q.year === undefined) === (q.quarter === undefined), { message: 'give both year and quarter, or neither' });
const agentBody = z
  .object({
    name: z.string().trim().min(1).max(30),
    unit: plainId,
    phone: z.string().trim().min(5).max(20).optional(),
    wecomUserId: account.optional(),
    kfExternalUserIds: z.array(account).max(10).default([]),
    devUsers: z.array(account).max(10).default([]),
    active: z.boolean().default(true),
  })
  .strict();

export interface AgentRoutesDeps {
  reports: Pick<QuotaReports, 'xlsx' | 'csv'>;
  directory: Pick<AgentDirectory, 'list' | 'put' | 'remove'>;
  /** The admin auth (src/admin/admin-auth.ts); throws 401 when the token is wrong. */
  authenticate: (req: FastifyRequest) => Principal;
}

/** The office's routes for the agent directory and the quota report downloads (office token only). */
export function registerAgentRoutes(app: FastifyInstance, deps: AgentRoutesDeps): void {
  const office = (req: FastifyRequest) => {
    const p = deps.authenticate(req);
    if (p.kind !== 'office') throw forbidden('only the office (区信访办) may do this');
  };
  const scope = (req: FastifyRequest) => {
    const p = deps.authenticate(req);
    const q = quarterQuery.parse(req.query ?? {});
    return { ...(p.kind === 'unit' ? { unit: p.unit } : {}), ...(q.year !== undefined && q.quarter !== undefined ? { year: q.year, quarter: q.quarter } : {}) };
  };
  app.register(
    async (api) => {
      api.addHook('onRequest', async (req) => {
        deps.authenticate(req);
      });
      api.get('/agents/quota-report.xlsx', { schema: { tags: ['agents'], summary: 'The quota report as .xlsx' } }, async (req, reply) => {
        const { filename, body } = await deps.reports.xlsx(scope(req));
        return reply
          .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .header('content-disposition', `attachment; filename="${filename}"`)
          .send(body);
      });
      api.get('/agents/quota-report.csv', { schema: { tags: ['agents'], summary: 'The quota report as CSV' } }, async (req, reply) => {
        const { filename, body } = await deps.reports.csv(scope(req));
        return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`).send(body);
      });
      api.get('/agents', { schema: { tags: ['agents'], summary: 'The agent directory' } }, async (req) => {
        office(req);
        return { items: await deps.directory.list() };
      });
      api.put('/agents/:id', { schema: { tags: ['agents'], summary: 'Add or change an agent' } }, async (req) => {
        office(req);
        const id = plainId.parse((req.params as { id?: string }).id);
        const b = agentBody.parse(req.body);
        const r = await deps.directory.put({ id, ...b });
        if (!r.ok) throw new AppError(r.code === 'unknown_unit' ? 400 : 409, r.code, r.message);
        return r.agent;
      });
      api.delete('/agents/:id', { schema: { tags: ['agents'], summary: 'Remove an agent added through the API' } }, async (req) => {
        office(req);
        const id = plainId.parse((req.params as { id?: string }).id);
        if (!(await deps.directory.remove(id))) throw notFound(`no agent "${id}" was added through the API (retire a config agent with active: false)`);
        return { removed: id };
      });
    },
    { prefix: '/api' },
  );
}

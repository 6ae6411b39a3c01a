/**
 * The admin API under /api, documented as OpenAPI at /docs, and the console at /console.
 *
 * Every input is checked by a strict zod schema: unknown fields, operator-like keys or values (`$ne`),
 * and malformed ids get a 400 naming the problem before anything reaches a query. ADMIN_TOKEN (the
 * office) sees everything; a unit token sees only suggestions assigned to its unit (others answer 404)
 * and may not use the office's actions (403). Writes are recorded in the audit log by the office service.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../infra/clock.js';
import type { AppConfig } from '../infra/config.js';
import { notFound } from '../infra/errors.js';
import { referencePattern } from '../suggestions/reference-number.js';
import type { SuggestionFilter, SuggestionService } from '../suggestions/suggestion-service.js';
import { requireOffice, scopeUnit, type Authenticate, type Principal } from './admin-auth.js';
import type { AuditLog } from './audit-log.js';
import { registerConsole } from './console-route.js';
import type { ConsoleSessionStore } from './console-sessions.js';
import { cityForm, exportFileName, toCsv, toXlsx, type ExportContext } from './export.js';
import { categoryLabels, labelDictionary, ratingLabels, statusLabels } from '../../flows/texts/labels.js';
import type { OfficeService } from './office-service.js';
import { registerSignIn, type ResolveSignInCode } from './sign-in-routes.js';
import { statisticsOptions, type StatisticsReader } from './statistics.js';
import { unitView } from './unit-view.js';
import { bucketsByRole, workState, type QueueBucket, type WorkQueue } from './work-queue.js';
import type { Logger } from '../infra/logger.js';
import { summaryRows, detailRows } from '../agents/quota-report.js';
import type { QuarterReport } from '../agents/quota-ledger.js';

const statuses = ['submitted', 'assigned', 'accepted', 'answered', 'evaluated', 'closed', 'returned', 'escalated', 'recommended_to_city', 'rejected', 'withdrawn'] as const;
const categories = ['policy', 'work', 'problem', 'innovation'] as const;
const plainId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a plain id (letters, digits, _ . -)');
const dateParam = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/, 'must be YYYY-MM-DD or an ISO date-time')
  .refine((s) => !Number.isNaN(Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s)), 'not a real date');
const boolParam = z.enum(['true', 'false']).transform((v) => v === 'true');
const note = z.string().trim().min(1).max(2000);

const filterShape = {
  status: z.enum(statuses).optional(),
  theme: plainId.optional(),
  category: z.enum(categories).optional(),
  unit: plainId.optional(),
  level: z.enum(['district', 'city']).optional(),
  enteredBy: plainId.optional().describe('id of the agent who entered it (代理录入, agents[].id)'),
  from: dateParam.optional().describe('submitted on or after (YYYY-MM-DD in the service timezone, or ISO)'),
  to: dateParam.optional().describe('submitted on or before (YYYY-MM-DD inclusive, or ISO exclusive)'),
  overdue: boolParam.optional(),
  valuable: boolParam.optional(),
  text: z.string().trim().min(1).max(100).optional().describe('literal text in title, proposal or reference'),
};
const filterQuery = z.object(filterShape).strict();
const listQuery = z
  .object({
    ...filterShape,
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(20),
    sort: z.enum(['submitted', 'due']).default('submitted').describe('newest first, or soonest due first (items without a deadline last)'),
  })
  .strict();
const referenceParams = z.object({ reference: z.string().regex(referencePattern, 'not a reference number') }).strict();

const bodies = {
  valuable: z.object({ valuable: z.boolean(), note: note.optional() }).strict(),
  escalate: z.object({ note: note.optional() }).strict(),
  instruction: z
    .object({ leader: z.string().trim().min(1).max(60), text: note, assignTo: z.array(plainId).max(20).optional() })
    .strict(),
  recommend: z.object({ note: note.optional() }).strict(),
  cityOutcome: z.object({ outcome: z.enum(['adopted', 'not_adopted']), note: note.optional() }).strict(),
  award: z.object({ year: z.number().int().min(2000).max(2100), tier: plainId, note: note.optional() }).strict(),
  close: z.object({ note: note.optional() }).strict(),
  internalNote: z.object({ text: note }).strict(),
  correct: z
    .object({ theme: plainId.optional(), category: z.enum(categories).optional(), title: z.string().trim().min(2).max(100).optional(), note: note.optional() })
    .strict()
    .refine((b) => b.theme || b.category || b.title, { message: 'give a theme, category or title' }),
  duplicate: z.object({ of: z.string().regex(referencePattern, 'not a reference number'), note: note.optional() }).strict(),
};
const queueQuery = z.object({ bucket: z.enum(['to_assign', 'review', 'overdue', 'instruction', 'city', 'to_close', 'to_accept', 'to_answer']).optional() }).strict();
const awardsQuery = z.object({ year: z.coerce.number().int().min(2000).max(2100).optional() }).strict();
const auditQuery = z
  .object({
    target: z
      .string()
      .refine((t) => referencePattern.test(t) || /^agent:[A-Za-z0-9_.-]{1,64}$/.test(t), 'not a reference number or agent:<id>')
      .optional(),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

/** Optional quota report of the agents part (issue 6). */
export interface QuotaReportPort {
  /** One quarter's report (default: the current quarter); a unit token sees only its unit. */
  report(q: { unit?: string; year?: number; quarter?: number }): Promise<unknown>;
}

const quotaQuery = z
  .object({ year: z.coerce.number().int().min(2000).max(2100).optional(), quarter: z.coerce.number().int().min(1).max(4).optional() })
  .strict()
  .refine((q) => (q.year === undefined) === (q.quarter === undefined), { message: 'give both year and quarter, or neither' });

export interface AdminRouteDeps {
  suggestions: Pick<SuggestionService, 'list' | 'getByReference' | 'listAll'>;
  /** GET /api/stats: computed in the database over every matching suggestion. */
  statistics: StatisticsReader;
  office: OfficeService;
  audit: Pick<AuditLog, 'list' | 'verify'>;
  authenticate: Authenticate;
  clock: Clock;
  config: Pick<AppConfig, 'env' | 'service' | 'units' | 'campaigns' | 'generalTheme' | 'awards' | 'adminApi' | 'members' | 'agents' | 'leaders' | 'collectingOffice' | 'deadlines'>;
  /** The work queue (home page). */
  queue: WorkQueue;
  /** Console sessions (personal sign-in). */
  sessions: ConsoleSessionStore;
  /** WeCom's auth/getuserinfo; unset when WeCom is not configured (break-glass sign-in only). */
  resolveSignInCode?: ResolveSignInCode;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Campaign counts (有价值, 批示, city recommendations, awards) over a filter. */
  campaignCounts: (filter: SuggestionFilter) => Promise<Record<string, number>>;
  quotas?: QuotaReportPort;
  /** Describes a suggestion's attachments (src/attachments) for its detail: name, size, type, download url. */
  attachments?: { describe(refs: { id: string; kind: string }[]): Promise<unknown[]> };
  /** Serve the console at /console (default true). */
  console?: boolean;
  /** /docs and /docs/json need the office's credential (production). */
  protectDocs?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** The people the console names in history (userid → name): members, leaders, agents with a WeCom id. */
function staffNames(config: AdminRouteDeps['config']): Record<string, string> {
  const names: Record<string, string> = {};
  for (const a of config.agents) if (a.wecomUserId) names[a.wecomUserId] = a.name;
  for (const a of config.agents) names[a.id] ??= a.name;
  for (const m of config.members) names[m.userid] = m.name;
  for (const l of config.leaders) names[l.userid] = l.name;
  return names;
}

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

/** The UTC instant of local midnight of `day` (YYYY-MM-DD) in `timeZone`. */
export function startOfDay(day: string, timeZone: string): Date {
  const guess = new Date(`${day}T00:00:00Z`);
  const offset = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(guess)
    .find((p) => p.type === 'timeZoneName')?.value;
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(offset ?? '');
  const minutes = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  return new Date(guess.getTime() - minutes * 60_000);
}

/**
 * Registers the console, /docs and every /api route. Call before other parts register their /api routes
 * (e.g. the handling routes) so that they appear in the OpenAPI document too.
 */
export function registerAdminRoutes(app: FastifyInstance, deps: AdminRouteDeps): void {
  const { config } = deps;
  const unitNames = Object.fromEntries(config.units.map((u) => [u.id, u.name]));
  const exportCtx: ExportContext = { timezone: config.service.timezone, unitNames, ratingLabels, staffNames: staffNames(config), workState: (d) => workState(d, deps.clock.now(), config) };
  // The session hook and /auth routes come first: every /api route below sees `request.actor`.
  registerSignIn(app, {
    config,
    store: deps.sessions,
    authenticate: deps.authenticate,
    logger: deps.logger,
    ...(deps.resolveSignInCode ? { resolveCode: deps.resolveSignInCode } : {}),
  });

  app.register(swagger, {
    openapi: {
      info: { title: 'Jianyan admin API (建言)', version: '1', description: 'The office console API of the people\'s-suggestion campaign.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: ({ schema, url }) => ({ schema: { ...(schema ?? {}), hide: !url.startsWith('/api') || Boolean(schema?.hide) }, url }),
  });
  app.register(swaggerUi, {
    routePrefix: '/docs',
    // Its own strict policy (with the hashes of its inline code), replacing the API's `default-src 'none'`.
    staticCSP: true,
    ...(deps.protectDocs
      ? {
          uiHooks: {
            onRequest: async (req: FastifyRequest) => {
              requireOffice(deps.authenticate(req));
            },
          },
        }
      : {}),
  });
  if (deps.console !== false) registerConsole(app);

  const toFilter = (q: z.infer<typeof filterQuery>, p: Principal): SuggestionFilter => {
    const { from, to, ...rest } = q;
    const f: SuggestionFilter = { ...rest };
    if (from) f.from = from.length === 10 ? startOfDay(from, config.service.timezone) : new Date(from);
    if (to) f.to = to.length === 10 ? new Date(startOfDay(to, config.service.timezone).getTime() + 86_400_000) : new Date(to);
    // An agent sees the suggestions they entered (to tell the citizen how it goes); a unit its own.
    if (p.kind === 'agent') f.enteredBy = p.actor.id;
    else if (p.kind === 'unit') f.visibleToUnit = p.unit;
    return f;
  };
  const principal = (req: FastifyRequest): Principal => {
    if (!req.principal) throw new Error('admin route reached without authentication');
    return req.principal;
  };
  /** A unit token reading a suggestion of another unit gets the same 404 as a missing one. */
  const visible = (doc: Record<string, any>, p: Principal): boolean =>
    p.kind === 'office' ||
    p.kind === 'leader' ||
    (p.kind === 'agent' && doc.enteredBy?.agent === p.actor.id) ||
    (p.kind === 'unit' &&
      (doc.enteredBy?.unit === p.unit || ((doc.assignments ?? []) as Record<string, any>[]).some((a) => a.unit === p.unit && !a.returnedAt && a.active !== false)));
  const loadVisible = async (reference: string, p: Principal) => {
    const doc = await deps.suggestions.getByReference(reference);
    if (!doc || !visible(doc, p)) throw notFound(`no suggestion ${reference}`);
    return doc as Record<string, any>;
  };
  const exportRows = async (req: FastifyRequest) => {
    const p = principal(req);
    const f = toFilter(filterQuery.parse(req.query), p);
    return deps.suggestions.listAll(f, config.adminApi.maxExportRows);
  };
  // RFC 6266: an ASCII fallback name and the Chinese name in filename*.
  const attachment = (reply: FastifyReply, name: { ascii: string; utf8: string }, type: string) =>
    reply
      .header('content-type', type)
      .header('content-disposition', `attachment; filename="${name.ascii}"; filename*=UTF-8''${encodeURIComponent(name.utf8)}`)
      .header('cache-control', 'no-store');
  const withWork = (doc: Record<string, any>) => ({ ...doc, work: workState(doc, deps.clock.now(), config) });

  app.register(
    async (api) => {
      // zod validates in the handlers (one schema, one error format); the JSON schemas only document.
      api.setValidatorCompiler(() => (data) => ({ value: data }));
      api.addHook('onRequest', async (req) => {
        req.principal = deps.authenticate(req);
      });
      api.addHook('onSend', async (_req, reply) => {
        reply.header('cache-control', 'no-store');
      });

      const tags = ['suggestions'];
      const refSchema = { params: json(referenceParams) };

      api.get('/me', { schema: { tags: ['session'], summary: 'Who is signed in (or whose token this is)' } }, async (req) => {
        const p = principal(req);
        const a = p.actor;
        const unit = p.kind === 'unit' || p.kind === 'agent' ? p.unit : undefined;
        return {
          kind: p.kind,
          ...(unit ? { unit, unitName: unitNames[unit] ?? unit } : {}),
          id: a?.id ?? null,
          name: a?.name ?? null,
          via: a?.via ?? 'token',
          session: Boolean(req.sessionKey && !req.headers.authorization),
          buckets: bucketsByRole[p.kind],
        };
      });

      api.get('/meta', { schema: { tags: ['session'], summary: 'Statuses, themes, categories, units and award tiers for filters' } }, async () => ({
        statuses: statuses.map((s) => ({ id: s, label: statusLabels[s] ?? s })),
        categories: categories.map((c) => ({ id: c, label: categoryLabels[c] ?? c })),
        themes: [...config.campaigns.flatMap((c) => c.themes.map((t) => ({ id: t.id, name: t.name, campaign: c.id }))), { id: config.generalTheme.id, name: config.generalTheme.name, campaign: null }],
        units: config.units.map((u) => ({ id: u.id, name: u.name, kind: u.kind })),
        awardTiers: config.awards.tiers,
        awardYears: config.awards.years,
        // Times are shown in the service's time zone whatever the browser's is.
        timezone: config.service.timezone,
        labels: labelDictionary(),
        people: staffNames(config),
        agents: config.agents.map((a) => ({ id: a.id, name: a.name, unit: a.unit })),
        collectingOffice: config.collectingOffice,
      }));

      api.get('/queue', { schema: { tags: ['session'], summary: "The signed-in person's work queue: counters and one bucket's items", querystring: json(queueQuery) } }, async (req) => {
        const { bucket } = queueQuery.parse(req.query ?? {});
        return deps.queue.read(principal(req), bucket as QueueBucket | undefined);
      });

      api.get('/suggestions', { schema: { tags, summary: 'List suggestions with filters and paging', querystring: json(listQuery) } }, async (req) => {
        const { page, pageSize, sort, ...q } = listQuery.parse(req.query);
        const p = principal(req);
        const f = toFilter(q, p);
        // A unit is shown what handling needs (unit-view.ts), with the work state the console reads.
        const view = (d: Record<string, unknown>) => withWork(p.kind === 'unit' ? unitView(d) : d);
        if (sort === 'due') {
          // The deadline is read from each suggestion's assignments (work-queue.ts), so the matching ones
          // are read (up to the export limit), ordered, then paged.
          const all = await deps.suggestions.listAll(f, config.adminApi.maxExportRows);
          const due = (d: Record<string, any>) => d.work.dueAt ?? '9999';
          const items = all.items.map(view).sort((a, b) => (due(a) < due(b) ? -1 : due(a) > due(b) ? 1 : 0));
          return { items: items.slice((page - 1) * pageSize, page * pageSize), total: all.total, page, pageSize };
        }
        const res = await deps.suggestions.list({ ...f, page, pageSize });
        return { ...res, items: res.items.map(view) };
      });

      api.get('/suggestions/export.csv', { schema: { tags: ['exports'], summary: 'The filtered list as CSV', querystring: json(filterQuery) } }, async (req, reply) => {
        const { items } = await exportRows(req);
        attachment(reply, exportFileName('csv', deps.clock.now(), config.service.timezone), 'text/csv; charset=utf-8');
        return toCsv(items, exportCtx);
      });

      api.get('/suggestions/export.xlsx', { schema: { tags: ['exports'], summary: 'The filtered list as .xlsx', querystring: json(filterQuery) } }, async (req, reply) => {
        const { items } = await exportRows(req);
        attachment(reply, exportFileName('xlsx', deps.clock.now(), config.service.timezone), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
        return toXlsx(items, exportCtx);
      });

      api.get('/suggestions/:reference', { schema: { tags, summary: 'One suggestion with its full history', ...refSchema } }, async (req) => {
        const { reference } = referenceParams.parse(req.params);
        const p = principal(req);
        const doc = await loadVisible(reference, p);
        // Similar earlier suggestions (office and leaders only: a unit sees only its own items).
        const similar =
          (p.kind === 'office' || p.kind === 'leader') && Array.isArray(doc.similarTo)
            ? (
                await Promise.all(
                  (doc.similarTo as { reference: string; score: number }[]).slice(0, 5).map(async (x) => {
                    const o = (await deps.suggestions.getByReference(x.reference)) as Record<string, any> | null;
                    return o ? { reference: o.reference, title: o.title, status: o.status, score: x.score, submittedAt: o.submittedAt } : null;
                  }),
                )
              ).filter(Boolean)
            : [];
        const { internalNotes, ...rest } = doc;
        const refs = (doc.attachments ?? []) as { id: string; kind: string }[];
        const attachments = deps.attachments && refs.length ? await deps.attachments.describe(refs) : [];
        return { ...withWork(p.kind === 'unit' ? unitView(rest) : rest), attachments, similar, ...(p.kind === 'office' ? { internalNotes: internalNotes ?? [] } : {}) };
      });

      api.get('/suggestions/:reference/city-form', { schema: { tags: ['city'], summary: "A recommended suggestion as the city system's form", ...refSchema } }, async (req) => {
        const p = principal(req);
        requireOffice(p);
        const { reference } = referenceParams.parse(req.params);
        const doc = await loadVisible(reference, p);
        if (!doc.cityRecommendation) throw notFound(`suggestion ${reference} was not recommended to the city`);
        return cityForm(doc, { ...exportCtx, submitTo: config.adminApi.citySubmitTo });
      });

      const action = <S extends z.ZodType>(
        path: string,
        summary: string,
        body: S,
        run: (p: Principal, reference: string, input: z.infer<S>) => Promise<Record<string, unknown>>,
      ) =>
        api.post(path, { schema: { tags: ['office actions'], summary, ...refSchema, body: json(body) } }, async (req) => {
          const { reference } = referenceParams.parse(req.params);
          const input = body.parse(req.body ?? {});
          const p = principal(req);
          // A district leader records their own instruction; everything else is the office's.
          if (!(p.kind === 'leader' && path.endsWith('/instruction'))) requireOffice(p);
          await run(p, reference, input);
          return deps.suggestions.getByReference(reference);
        });

      action('/suggestions/:reference/valuable', 'Mark (or unmark) as a valuable suggestion', bodies.valuable, (p, r, b) => deps.office.markValuable(p, r, b));
      action('/suggestions/:reference/escalate', "Escalate for the district leaders' review (呈报区领导阅批)", bodies.escalate, (p, r, b) => deps.office.escalate(p, r, b));
      action('/suggestions/:reference/instruction', "Record the leaders' instruction (批示) and assign units accordingly", bodies.instruction, (p, r, b) =>
        deps.office.recordInstruction(p, r, b),
      );
      action('/suggestions/:reference/recommend-city', 'Recommend to the city collection office (市征集办)', bodies.recommend, (p, r, b) => deps.office.recommendToCity(p, r, b));
      action('/suggestions/:reference/city-outcome', "Record the city collection office's outcome", bodies.cityOutcome, (p, r, b) => deps.office.recordCityOutcome(p, r, b));
      action('/suggestions/:reference/awards', 'Nominate an adopted suggestion for an award year', bodies.award, (p, r, b) => deps.office.nominateAward(p, r, b));
      action('/suggestions/:reference/close', 'Close (办结) after review', bodies.close, (p, r, b) => deps.office.close(p, r, b));
      action('/suggestions/:reference/notes', 'Add an internal note of the office', bodies.internalNote, (p, r, b) => deps.office.addNote(p, r, b));
      action('/suggestions/:reference/correct', 'Correct the theme, category or title (audited)', bodies.correct, (p, r, b) => deps.office.correct(p, r, b));
      action('/suggestions/:reference/duplicate', 'Mark as a duplicate of an earlier suggestion', bodies.duplicate, (p, r, b) => deps.office.markDuplicate(p, r, b));

      api.get('/awards', { schema: { tags: ['awards'], summary: 'Award nominations (optionally of one year)', querystring: json(awardsQuery) } }, async (req) => {
        requireOffice(principal(req));
        const { year } = awardsQuery.parse(req.query);
        return { tiers: config.awards.tiers, announcedTiers: config.awards.announcedTiers ?? null, items: await deps.office.listAwards({ year }) };
      });

      api.get('/stats', { schema: { tags: ['statistics'], summary: 'Counts and rates over the filtered suggestions', querystring: json(filterQuery) } }, async (req) => {
        const p = principal(req);
        const q = filterQuery.parse(req.query);
        const f = toFilter(q, p);
        const own = scopeUnit(p);
        const options = { ...statisticsOptions(config), ...(own ? { unit: own } : q.unit ? { unit: q.unit } : {}) };
        const stats = await deps.statistics.compute(f, options);
        // The four rates per handling unit (the office's table): each unit's own assignments, same filter.
        const rateUnits = own ? [own] : q.unit ? [q.unit] : config.units.filter((u) => u.id !== config.collectingOffice).map((u) => u.id);
        const byUnitRates = await Promise.all(
          rateUnits.map(async (unit) => {
            const s = await deps.statistics.compute({ ...f, unit }, { ...statisticsOptions(config), unit });
            return { unit, unitName: unitNames[unit] ?? unit, total: s.total, rates: s.rates };
          }),
        );
        const campaign = await deps.campaignCounts(f);
        // Every matching suggestion is counted: `truncated` stays for the console, always false.
        return { ...stats, byUnitRates, campaign, matched: stats.total, truncated: false };
      });

      api.get('/audit', { schema: { tags: ['audit'], summary: 'The audit log of admin writes, newest first', querystring: json(auditQuery) } }, async (req) => {
        requireOffice(principal(req));
        return deps.audit.list(auditQuery.parse(req.query));
      });

      api.get('/audit/verify', { schema: { tags: ['audit'], summary: 'Recomputes the hash chain of the audit log; names the first edited, removed or inserted entry' } }, async (req, reply) => {
        requireOffice(principal(req));
        const r = await deps.audit.verify();
        return reply.status(r.ok ? 200 : 409).send(r);
      });

      if (deps.quotas) {
        const quotas = deps.quotas;
        api.get('/agents/quota-report', { schema: { tags: ['agents'], summary: "Agents' proxy-entry quota report", querystring: json(quotaQuery) } }, async (req) => {
          const p = principal(req);
          const q = quotaQuery.parse(req.query ?? {});
          const own = scopeUnit(p);
          const report = (await quotas.report({ ...(own ? { unit: own } : {}), ...(q.year !== undefined ? { year: q.year } : {}), ...(q.quarter !== undefined ? { quarter: q.quarter } : {}) })) as QuarterReport;
          // The same rows as the .xlsx/.csv downloads, so the page and the files read alike.
          return { ...report, table: { summary: summaryRows(report), detail: detailRows(report) } };
        });
      }
    },
    { prefix: '/api' },
  );
}

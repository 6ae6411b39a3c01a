/**
 * The admin part, wired: `buildAdmin` makes the audit log, office service and authenticator from the
 * connection and config, and returns the deps `registerAdminRoutes` takes.
 *
 * @example
 *   const admin = buildAdmin({ connection, suggestions, clock, config, assign: (a) => handling.assign(…) });
 *   registerAdminRoutes(app, admin);
 */
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { silentLogger, type Logger } from '../infra/logger.js';
import { buildSuggestionFilter, type SuggestionFilter } from '../suggestions/suggestion-service.js';
import type { Clock } from '../infra/clock.js';
import type { AppConfig } from '../infra/config.js';
import { createSuggestionModels } from '../suggestions/suggestion-model.js';
import type { SuggestionService } from '../suggestions/suggestion-service.js';
import { createAdminAuth } from './admin-auth.js';
import type { AdminRouteDeps, QuotaReportPort } from './admin-router.js';
import { createAuditLog, createAuditModel, type AuditLog } from './audit-log.js';
import { createOfficeService, type AssignUnits, type RecommendStatusChange } from './office-service.js';
import { createStatisticsReader } from './statistics.js';
import type { FastifyInstance } from 'fastify';
import { registerAuditTrail, suggestionAuditState } from './audit-trail.js';
import { createConsoleSessionModel, createMongoConsoleSessionStore, createRedisConsoleSessionStore } from './console-sessions.js';
import type { ResolveSignInCode } from './sign-in-routes.js';
import { createWorkQueue } from './work-queue.js';

export { registerAdminRoutes, type AdminRouteDeps, type QuotaReportPort } from './admin-router.js';
export { createAdminAuth, actorOf, officeActorId, requireOffice, type Principal, type Authenticate, type RequestActor } from './admin-auth.js';
export { attachSession, createWeComCodeResolver, type ResolveSignInCode } from './sign-in-routes.js';
export { createAuditLog, createAuditModel, type AuditLog, type AuditEntry } from './audit-log.js';
export { registerAuditTrail, suggestionAuditState, auditActionOf, auditHandlingChanges } from './audit-trail.js';
export { createOfficeService, type OfficeService, type AssignUnits, type RecommendStatusChange } from './office-service.js';

export interface BuildAdminDeps {
  connection: Connection;
  suggestions: AdminRouteDeps['suggestions'];
  clock: Clock;
  config: Pick<AppConfig, 'env' | 'service' | 'units' | 'campaigns' | 'generalTheme' | 'awards' | 'adminApi' | 'members' | 'agents' | 'leaders' | 'collectingOffice' | 'deadlines'>;
  /** Console sessions live in Redis when it is configured, else in the database. */
  redis?: Redis;
  logger?: Logger;
  /** WeCom's auth/getuserinfo (personal sign-in); unset without WeCom. */
  resolveSignInCode?: ResolveSignInCode;
  /** Issue 5's assignment (a leaders' instruction assigns units through it). */
  assign?: AssignUnits;
  /** Issue 5's move to recommended_to_city (tells the citizen); the office records the recommendation beside it. */
  recommendStatus?: RecommendStatusChange;
  /** Issue 6's quota report, shown in the console. */
  quotas?: QuotaReportPort;
  /** The audit log, when other parts (the WeCom app's handling) write to it too; one per process keeps appends in order. */
  auditLog?: AuditLog;
}

export function buildAdmin({ connection, suggestions, clock, config, assign, recommendStatus, quotas, auditLog, redis, logger, resolveSignInCode }: BuildAdminDeps): AdminRouteDeps & { auditLog: AuditLog } {
  const audit = auditLog ?? createAuditLog({ model: createAuditModel(connection), clock });
  const { Suggestion } = createSuggestionModels(connection);
  const campaignCounts = async (f: SuggestionFilter) => {
    const base = buildSuggestionFilter(f, clock.now());
    const count = (extra: Record<string, unknown>) => Suggestion.countDocuments(Object.keys(base).length ? { $and: [base, extra] } : extra);
    const [valuable, escalated, instructed, recommended, cityAdopted, awarded] = await Promise.all([
      count({ valuable: true }),
      count({ escalation: { $ne: null } }),
      count({ 'escalation.instruction': { $ne: null } }),
      count({ cityRecommendation: { $ne: null } }),
      count({ 'cityRecommendation.outcome': 'adopted' }),
      count({ 'awards.0': { $exists: true } }),
    ]);
    return { valuable, escalated, instructed, recommended, cityAdopted, awarded };
  };
  return {
    queue: createWorkQueue({ Suggestion, clock, config }),
    sessions: redis ? createRedisConsoleSessionStore(redis, clock) : createMongoConsoleSessionStore(createConsoleSessionModel(connection), clock),
    logger: logger ?? silentLogger,
    campaignCounts,
    ...(resolveSignInCode ? { resolveSignInCode } : {}),
    suggestions: suggestions as Pick<SuggestionService, 'list' | 'getByReference' | 'listAll'>,
    statistics: createStatisticsReader({ models: { Suggestion }, clock }),
    office: createOfficeService({ models: { Suggestion }, clock, config, ...(assign ? { assign } : {}), ...(recommendStatus ? { recommendStatus } : {}) }),
    audit,
    auditLog: audit,
    authenticate: createAdminAuth({ adminToken: config.env.ADMIN_TOKEN, unitTokens: config.adminApi.unitTokens, unitNames: Object.fromEntries(config.units.map((u) => [u.id, u.name])) }),
    clock,
    config,
    ...(quotas ? { quotas } : {}),
  };
}

/**
 * Audits every write under /api of `app` (whichever part registers it) into the admin audit log, with the
 * suggestion's (or agent's) state before and after. Call before registering the /api routes.
 */
export function registerAdminAuditTrail(
  app: FastifyInstance,
  deps: { connection: Connection; auditLog: AuditLog; agentState?: (id: string) => Promise<unknown> },
): void {
  registerAuditTrail(app, {
    audit: deps.auditLog,
    suggestionState: suggestionStateReader(deps.connection),
    ...(deps.agentState ? { agentState: deps.agentState } : {}),
  });
}

/** Reads a suggestion's audit state (handling fields, no personal data) by reference. */
export function suggestionStateReader(connection: Connection): (reference: string) => Promise<unknown> {
  const { Suggestion } = createSuggestionModels(connection);
  return async (reference) => suggestionAuditState(await Suggestion.findOne({ reference }, { outbox: 0, proposer: 0, citizen: 0 }).lean());
}

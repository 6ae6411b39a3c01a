/**
 * The one place where Jianyan's parts are wired together, in a straight line from the bottom layer up:
 * infra → the record → WeCom's outbound clients → handling, agents, notifications → the conversation →
 * inbound channels and the office API → workers. `startService()` is also what the integration tests
 * start; running this file starts it for real.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Connection } from 'mongoose';
import { registerAgentRoutes } from './admin/agent-routes.js';
import { registerAttachmentRoutes } from './admin/attachment-routes.js';
import { registerHandlingRoutes } from './admin/handling-routes.js';
import { attachSession, auditHandlingChanges, buildAdmin, createAuditLog, createAuditModel, createWeComCodeResolver, registerAdminAuditTrail, registerAdminRoutes, requireOffice, suggestionStateReader } from './admin/index.js';
import { buildAgents } from './agents/index.js';
import { registerDevChatRoutes } from './channels/dev/dev-chat-router.js';
import { registerWeComRoutes } from './channels/wecom/index.js';
import { withAttachments } from './conversation/attachments-handler.js';
import { createHandlingConversation } from './conversation/handling-conversation.js';
import { createConversationService } from './conversation/index.js';
import { instrumentConversation } from './conversation/instrumented-handler.js';
import { createMongoSessionStore } from './conversation/mongo-session-store.js';
import { createRateLimitedHandler, MemorySenderRateCounter, RedisSenderRateCounter } from './conversation/rate-limited-handler.js';
import { createRedisSessionStore } from './conversation/redis-session-store.js';
import { createAttachments } from './handling/attachments.js';
import { cardClickHandler, createDeadlineScheduler, createHandlingService, createSubmission } from './handling/index.js';
import { offsetClock, systemClock, type Clock } from './infra/clock.js';
import { loadConfig, type AppConfig } from './infra/config.js';
import { MemoryDedupeStore, RedisDedupeStore } from './infra/dedupe.js';
import { createHttpServer, httpLimitsOf } from './infra/http-server.js';
import { MemoryLockService, RedisLockService } from './infra/locks.js';
import { createLogger, type Logger } from './infra/logger.js';
import { createMetrics, registerMetricsRoute } from './infra/metrics.js';
import { createSecondOpinion } from './judgement/llm-second-opinion.js';
import { connectMongo } from './infra/mongo.js';
import { createRedis } from './infra/redis.js';
import { buildNotifications } from './notifications/index.js';
import { createSimilarSuggestions } from './suggestions/similar-suggestions.js';
import { createSuggestionModels } from './suggestions/suggestion-model.js';
import { createSuggestionService } from './suggestions/suggestion-service.js';
import { createWeComApi } from './wecom-api/index.js';

const QUOTA_REMINDER_INTERVAL_MS = 15 * 60_000;

export interface RunningService {
  app: FastifyInstance;
  config: Readonly<AppConfig>;
  /** The admin token in force (generated for this run when ADMIN_TOKEN is unset outside production). */
  adminToken: string;
  /** The database connection (tests and tools). */
  connection: Connection;
  /** Resolves when every acknowledged WeCom callback has been processed (tests). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  config?: Readonly<AppConfig>;
  logger?: Logger;
  clock?: Clock;
  /** Listen on config PORT (default true); tests may use `app.inject` instead. */
  listen?: boolean;
}

export async function startService(opts: StartOptions = {}): Promise<RunningService> {
  const loaded = opts.config ?? loadConfig();
  const logger = opts.logger ?? createLogger({ level: loaded.env.LOG_LEVEL });
  if (!loaded.env.ADMIN_TOKEN && loaded.env.NODE_ENV === 'production') throw new Error('ADMIN_TOKEN must be set in production');
  // Outside production a missing ADMIN_TOKEN gets a random one for this run: written to a 0600 file (and
  // printed on an interactive terminal), never into the log stream.
  const adminToken = loaded.env.ADMIN_TOKEN ?? randomBytes(24).toString('base64url');
  if (!loaded.env.ADMIN_TOKEN) {
    const file = path.resolve(loaded.env.DATA_DIR, 'admin-token');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${adminToken}\n`, { mode: 0o600 });
    if (process.stderr.isTTY) process.stderr.write(`ADMIN_TOKEN for this run: ${adminToken}\n`);
    logger.warn({ file }, 'ADMIN_TOKEN is not set: generated an admin token for this run (see the file)');
  }
  const config: Readonly<AppConfig> = loaded.env.ADMIN_TOKEN ? loaded : Object.freeze({ ...loaded, env: Object.freeze({ ...loaded.env, ADMIN_TOKEN: adminToken }) });
  const { env } = config;
  const clock = opts.clock ?? (env.JIANYAN_NOW ? offsetClock(new Date(env.JIANYAN_NOW)) : systemClock);

  // Infra: storage, locks, de-duplication, sessions, metrics.
  const mongo = await connectMongo(env, logger);
  const redis = env.REDIS_URL ? createRedis(env.REDIS_URL, logger) : undefined;
  const locks = redis ? new RedisLockService(redis) : new MemoryLockService();
  const dedupe = redis ? new RedisDedupeStore(redis) : new MemoryDedupeStore();
  // Without Redis, drafts live in the database (the embedded engine on `npm start`): a restart keeps them.
  const sessions = redis ? createRedisSessionStore(redis) : await createMongoSessionStore(mongo.connection, clock);
  const metrics = createMetrics();

  // The record: suggestions and the index of similar ones.
  const models = createSuggestionModels(mongo.connection);
  await Promise.all([models.Suggestion.init(), models.Counter.init()]);
  const suggestionService = createSuggestionService({ models, clock, config });
  const similar = createSimilarSuggestions({ models, logger });
  await similar.load();

  // WeCom's outbound clients (tokens, API calls, WeCom's limits, the kf outbox), when WeCom is configured.
  const wecom = config.wecomEnabled ? createWeComApi({ config, clock, logger, redis, onApiError: metrics.countApiError }) : undefined;
  await wecom?.checkCredentials();

  // Handling (承办), agents, notifications.
  const handling = createHandlingService({ models, clock, config });
  const deadlines = createDeadlineScheduler({ handling, models, clock, locks, logger, config });
  const robotKey = handling.directory.robotKey;
  const notifications = buildNotifications({ config, connection: mongo.connection, models, clock, logger, markers: sessions, wecom, robotKey, onDeliveryAttempt: metrics.observeDelivery });
  const agents = buildAgents({ config, connection: mongo.connection, clock, logger, appSender: () => wecom?.appClient });
  // Photos, voice, files and locations: kept with the draft, downloaded in the background, listed on submission.
  const attachments = createAttachments({ connection: mongo.connection, config, clock, logger, media: () => wecom });
  const suggestions = createSubmission({ suggestions: suggestionService, handling, similar, metrics, attachments, logger });

  // The conversation: unit members and pending ratings go to the handling conversation, everyone else to
  // the suggestion flows; kept notices are prepended; each sender is rate-limited.
  // Optional second opinion on unsure first messages from an OpenAI-compatible model (LLM_BASE_URL).
  const secondOpinion = config.env.LLM_BASE_URL
    ? createSecondOpinion({
        baseUrl: config.env.LLM_BASE_URL,
        ...(config.env.LLM_API_KEY ? { apiKey: config.env.LLM_API_KEY } : {}),
        model: config.env.LLM_MODEL,
        timeoutMs: config.env.LLM_TIMEOUT_MS,
        onCall: (result) => metrics.llmCalls.inc({ result }),
        onDisagreement: () => metrics.llmDisagreements.inc(),
      })
    : undefined;
  const engine = createConversationService({ config, clock, logger, sessions, locks, dedupe, suggestions, similar, agents: agents.directory, ...(secondOpinion ? { secondOpinion } : {}), ...(wecom ? { handoff: wecom.kfHandoff } : {}) });
  // Changes made through the WeCom app (card clicks, 受理 / 退回 / 答复) and citizens' ratings are audited
  // under the identity WeCom authenticated; the office API's writes are audited by the HTTP audit trail.
  const auditLog = createAuditLog({ model: createAuditModel(mongo.connection), clock });
  const auditedHandling = auditHandlingChanges(handling, { audit: auditLog, suggestionState: suggestionStateReader(mongo.connection), memberName: handling.directory.memberName });
  const handlingChat = createHandlingConversation({ handling: auditedHandling, sessions, notices: notifications.notices, logger, timezone: config.service.timezone });
  const conversation = createRateLimitedHandler({
    inner: withAttachments(instrumentConversation(handlingChat.wrap(engine), metrics), attachments),
    counter: redis ? new RedisSenderRateCounter(redis) : new MemorySenderRateCounter(),
    logger,
  });

  // HTTP: inbound channels and the office API.
  const admin = buildAdmin({
    connection: mongo.connection,
    suggestions: suggestionService,
    clock,
    config,
    assign: ({ reference, units, actor, note }) => handling.assign(reference, { units, by: { kind: 'office', id: actor }, ...(note ? { note } : {}) }),
    recommendStatus: ({ reference, actor, note }) => handling.recommendToCity(reference, { by: { kind: 'office', id: actor }, ...(note ? { note } : {}) }),
    quotas: agents.reports,
    auditLog,
    ...(redis ? { redis } : {}),
    logger,
    ...(wecom ? { resolveSignInCode: createWeComCodeResolver({ apiBase: env.WECOM_API_BASE, getToken: () => wecom.appClient.getToken() }) } : {}),
  });
  const production = env.NODE_ENV === 'production';
  let ready = false;
  const app = createHttpServer({
    logger,
    isReady: () => ready,
    limits: httpLimitsOf(env),
    production,
    // Failed sign-ins to the office API (and, in production, to /metrics and /docs) are throttled per client.
    authThrottle: {
      maxPerMinute: env.ADMIN_AUTH_FAILURES_PER_MINUTE,
      protects: (url) => url.startsWith('/api/') || url.startsWith('/auth/token') || (production && (url.startsWith('/metrics') || url.startsWith('/docs'))),
      // A console session counts as a credential: it is read here, before the session hook would read it.
      isAuthenticated: async (req) => {
        await attachSession(req, admin.sessions, admin.authenticate);
        return admin.authenticate.identify(req) !== undefined;
      },
      ...(redis ? { redis } : {}),
    },
  });
  // In production the metrics and the API documentation are for the office only.
  registerMetricsRoute(app, metrics, production ? (req: FastifyRequest) => requireOffice(admin.authenticate(req)) : undefined);
  if (config.devChatEnabled) {
    if (production) logger.warn('DEV_CHAT=1 in production: anyone can post to /dev/chat as any user');
    registerDevChatRoutes(app, { conversation, clock });
  }
  const onTemplateCardEvent = cardClickHandler(auditedHandling, logger);
  const inbound = wecom ? registerWeComRoutes(app, { config, logger, api: wecom, conversation, onTemplateCardEvent, locks, dedupe, clock, people: agents.directory }) : undefined;
  // Every write under /api is audited with the authenticated actor, whichever part serves it.
  registerAdminAuditTrail(app, { connection: mongo.connection, auditLog: admin.auditLog, agentState: async (id) => (await agents.directory.list()).find((a) => a.id === id) ?? null });
  // Admin routes first, so the handling routes appear in the OpenAPI document at /docs.
  registerAdminRoutes(app, { ...admin, protectDocs: production, attachments });
  registerHandlingRoutes(app, { handling, dispatcher: notifications.dispatcher, deadlines, authenticate: admin.authenticate });
  registerAgentRoutes(app, { reports: agents.reports, directory: agents.directory, authenticate: admin.authenticate });
  registerAttachmentRoutes(app, { attachments, authenticate: admin.authenticate, suggestion: (reference) => suggestionService.getByReference(reference) });

  await app.ready();
  if (opts.listen !== false) await app.listen({ port: env.PORT, host: env.HOST });

  // Workers: outbox delivery, deadlines, the similarity index's refresh, quota reminders. Each claims its
  // work in MongoDB or under a Redis lock, so every worker may run them.
  notifications.dispatcher.start();
  deadlines.start();
  attachments.start();
  const stopSimilarRefresh = similar.startRefresh(60_000);
  const quotaTimer = setInterval(() => {
    agents.runQuotaReminders(clock.now()).catch((err: Error) => logger.warn({ err: err.message }, 'quota reminders failed'));
  }, QUOTA_REMINDER_INTERVAL_MS);
  quotaTimer.unref();
  ready = true;
  logger.info({ port: env.PORT, devChat: config.devChatEnabled, wecom: config.wecomEnabled, redis: Boolean(redis) }, 'Jianyan started');

  return {
    app,
    config,
    adminToken,
    connection: mongo.connection,
    drain: async () => {
      await inbound?.drain();
    },
    async close() {
      ready = false;
      await app.close();
      clearInterval(quotaTimer);
      stopSimilarRefresh();
      await Promise.all([notifications.dispatcher.stop(), deadlines.stop(), attachments.stop()]);
      await inbound?.drain();
      await wecom?.close();
      redis?.disconnect();
      await mongo.close();
    },
  };
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isEntryPoint) {
  startService().then(
    (svc) => {
      const stop = (signal: string) => {
        svc.app.log.info({ signal }, 'shutting down');
        svc.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    },
    (err: Error) => {
      console.error(err.name === 'ConfigError' ? err.message : err);
      process.exit(1);
    },
  );
}

/**
 * The one place where Jianyan's parts are wired together, in a straight line from the bottom layer up:
 * infra → the record → WeCom's outbound clients → handling, agents, notifications → the conversation →
 * inbound channels and the office API → workers. `startService()` is also what the integration tests
 * start; running this file starts it for real.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { registerAgentRoutes } from './admin/agent-routes.js';
import { registerAttachmentRoutes } from './admin/attachment-routes.js';
import { registerHandlingRoutes } from './admin/handling-routes.js';
import { buildAdmin, registerAdminRoutes } from './admin/index.js';
import { buildAgents } from './agents/index.js';
import { registerDevChatRoutes } from './channels/dev/dev-chat-router.js';
import { registerWeComRoutes } from './channels/wecom/index.js';
import { withAttachments } from './conversation/attachments-handler.js';
import { createHandlingConversation } from './conversation/handling-conversation.js';
import { createConversationService } from './conversation/index.js';
import { instrumentConversation } from './conversation/instrumented-handler.js';
import { createMemorySessionStore } from './conversation/memory-session-store.js';
import { createRateLimitedHandler, MemorySenderRateCounter, RedisSenderRateCounter } from './conversation/rate-limited-handler.js';
import { createRedisSessionStore } from './conversation/redis-session-store.js';
import { createAttachments } from './handling/attachments.js';
import { cardClickHandler, createDeadlineScheduler, createHandlingService, createSubmission } from './handling/index.js';
import { offsetClock, systemClock, type Clock } from './infra/clock.js';
import { loadConfig, type AppConfig } from './infra/config.js';
import { MemoryDedupeStore, RedisDedupeStore } from './infra/dedupe.js';
import { createHttpServer } from './infra/http-server.js';
import { MemoryLockService, RedisLockService } from './infra/locks.js';
import { createLogger, type Logger } from './infra/logger.js';
import { createMetrics, registerMetricsRoute } from './infra/metrics.js';
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
  // Outside production a missing ADMIN_TOKEN gets a random one for this run, printed once.
  const adminToken = loaded.env.ADMIN_TOKEN ?? randomBytes(18).toString('base64url');
  if (!loaded.env.ADMIN_TOKEN) logger.warn({ adminToken }, 'ADMIN_TOKEN is not set: generated an admin token for this run');
  const config: Readonly<AppConfig> = loaded.env.ADMIN_TOKEN ? loaded : Object.freeze({ ...loaded, env: Object.freeze({ ...loaded.env, ADMIN_TOKEN: adminToken }) });
  const { env } = config;
  const clock = opts.clock ?? (env.JIANYAN_NOW ? offsetClock(new Date(env.JIANYAN_NOW)) : systemClock);

  // Infra: storage, locks, de-duplication, sessions, metrics.
  const mongo = await connectMongo(env, logger);
  const redis = env.REDIS_URL ? createRedis(env.REDIS_URL, logger) : undefined;
  const locks = redis ? new RedisLockService(redis) : new MemoryLockService();
  const dedupe = redis ? new RedisDedupeStore(redis) : new MemoryDedupeStore();
  const sessions = redis ? createRedisSessionStore(redis) : createMemorySessionStore(clock);
  const metrics = createMetrics();

  // The record: suggestions and the index of similar ones.
  const models = createSuggestionModels(mongo.connection);
  await Promise.all([models.Suggestion.init(), models.Counter.init()]);
  const suggestionService = createSuggestionService({ models, clock, config });
  const similar = createSimilarSuggestions({ models, logger });
  await similar.load();

  // WeCom's outbound clients (tokens, API calls, WeCom's limits, the kf outbox), when WeCom is configured.
  const wecom = config.wecomEnabled ? createWeComApi({ config, logger, redis, onApiError: metrics.countApiError }) : undefined;
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
  const engine = createConversationService({ config, clock, logger, sessions, locks, dedupe, suggestions, similar, agents: agents.directory });
  const handlingChat = createHandlingConversation({ handling, sessions, notices: notifications.notices, logger, timezone: config.service.timezone });
  const conversation = createRateLimitedHandler({
    inner: withAttachments(instrumentConversation(handlingChat.wrap(engine), metrics), attachments),
    counter: redis ? new RedisSenderRateCounter(redis) : new MemorySenderRateCounter(),
    logger,
  });

  // HTTP: inbound channels and the office API.
  let ready = false;
  const app = createHttpServer({ logger, isReady: () => ready });
  registerMetricsRoute(app, metrics);
  if (config.devChatEnabled) registerDevChatRoutes(app, { conversation, clock });
  const onTemplateCardEvent = cardClickHandler(handling, logger);
  const inbound = wecom ? registerWeComRoutes(app, { config, logger, api: wecom, conversation, onTemplateCardEvent, locks, dedupe, clock, people: agents.directory }) : undefined;
  const admin = buildAdmin({
    connection: mongo.connection,
    suggestions: suggestionService,
    clock,
    config,
    assign: ({ reference, units, actor, note }) => handling.assign(reference, { units, by: { kind: 'office', id: actor }, ...(note ? { note } : {}) }),
    recommendStatus: ({ reference, actor, note }) => handling.recommendToCity(reference, { by: { kind: 'office', id: actor }, ...(note ? { note } : {}) }),
    quotas: agents.reports,
  });
  // Admin routes first, so the handling routes appear in the OpenAPI document at /docs.
  registerAdminRoutes(app, { ...admin, attachments });
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

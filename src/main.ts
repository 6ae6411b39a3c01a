/**
 * The one place where Jianyan's parts are wired together: config → infra → parts → HTTP + workers.
 * `startService()` is also what the integration tests start; running this file starts it for real.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildAdmin, registerAdminRoutes } from './admin/index.js';
import { buildAgents } from './agents/index.js';
import { createAttachments, registerAttachmentRoutes, withAttachmentBinding, withAttachments } from './attachments/attachments.js';
import { registerDevChatRoutes } from './channels/dev/dev-chat-router.js';
import { registerWeComRoutes, type WeComChannels } from './channels/wecom/index.js';
import { createConversationService } from './conversation/index.js';
import { createRateLimitedHandler, MemorySenderRateCounter, RedisSenderRateCounter } from './conversation/rate-limited-handler.js';
import { createRedisSessionStore } from './conversation/redis-session-store.js';
import { createMemorySessionStore } from './conversation/memory-session-store.js';
import { offsetClock, systemClock, type Clock } from './infra/clock.js';
import { loadConfig, type AppConfig } from './infra/config.js';
import { MemoryDedupeStore, RedisDedupeStore } from './infra/dedupe.js';
import { createHttpServer } from './infra/http-server.js';
import { MemoryLockService, RedisLockService } from './infra/locks.js';
import { createLogger, type Logger } from './infra/logger.js';
import { connectMongo } from './infra/mongo.js';
import { createRedis, type Redis } from './infra/redis.js';
import { createSuggestionModels } from './suggestions/suggestion-model.js';
import { createSuggestionService } from './suggestions/suggestion-service.js';
import { createSimilarSuggestions } from './suggestions/similar-suggestions.js';
import { buildHandling } from './notifications/index.js';
import { createMetrics, instrumentConversation, instrumentSubmissions, registerMetricsRoute } from './infra/metrics.js';

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

  const mongo = await connectMongo(env, logger);
  const redis: Redis | undefined = env.REDIS_URL ? createRedis(env.REDIS_URL, logger) : undefined;

  const models = createSuggestionModels(mongo.connection);
  await Promise.all([models.Suggestion.init(), models.Counter.init()]);
  const locks = redis ? new RedisLockService(redis) : new MemoryLockService();
  const dedupe = redis ? new RedisDedupeStore(redis) : new MemoryDedupeStore();
  const sessions = redis ? createRedisSessionStore(redis) : createMemorySessionStore(clock);

  const metrics = createMetrics();
  const handlingPart = buildHandling({
    config,
    connection: mongo.connection,
    models,
    clock,
    logger,
    locks,
    sessions,
    onDeliveryAttempt: (kind, result, seconds) => {
      metrics.notificationDeliveries.inc({ kind, result });
      metrics.notificationDuration.observe({ kind }, seconds);
    },
  });
  const { handling } = handlingPart;
  // Created before the WeCom routes exist; reminders reach agents through the app once it is attached.
  let wecom: WeComChannels | undefined;
  const agents = buildAgents({ config, connection: mongo.connection, clock, logger, appSender: () => wecom?.appClient });
  const similar = createSimilarSuggestions({ models, logger });
  await similar.load();
  const stopSimilarRefresh = similar.startRefresh(60_000);
  // Each stored suggestion is routed to its units in the same write (or right after it, when that cannot
  // be done), and linked to similar earlier ones.
  // Photos, voice, files and locations: kept with the draft, downloaded in the background, listed in the suggestion.
  const attachments = createAttachments({ connection: mongo.connection, config, clock, logger, media: () => wecom });
  const suggestions = withAttachmentBinding(instrumentSubmissions(similar.wrap(handlingPart.routeOnSubmit(createSuggestionService({ models, clock, config, routing: handling }))), metrics), attachments);
  const conversation = createRateLimitedHandler({
    inner: withAttachments(
      instrumentConversation(
        handlingPart.wrapConversation(createConversationService({ config, clock, logger, sessions, locks, dedupe, suggestions, similar, agents: agents.directory })),
        metrics,
      ),
      attachments,
    ),
    counter: redis ? new RedisSenderRateCounter(redis) : new MemorySenderRateCounter(),
    logger,
  });

  let ready = false;
  const app = createHttpServer({ logger, isReady: () => ready });
  registerMetricsRoute(app, metrics);
  if (config.devChatEnabled) registerDevChatRoutes(app, { conversation, clock });
  if (config.wecomEnabled) {
    wecom = registerWeComRoutes(app, {
      config,
      logger,
      conversation,
      redis,
      locks,
      dedupe,
      clock,
      people: agents.directory,
      onApiError: (api, errcode) => metrics.wecomApiErrors.inc({ api, errcode: String(errcode) }),
    });
    await wecom.checkCredentials();
    handlingPart.attachWeCom(wecom);
  }
  const admin = buildAdmin({
    connection: mongo.connection,
    suggestions,
    clock,
    config,
    assign: ({ reference, units, actor, note }) => handling.assign(reference, { units, by: { kind: 'office', id: actor }, ...(note ? { note } : {}) }),
    recommendStatus: ({ reference, actor, note }) => handling.recommendToCity(reference, { by: { kind: 'office', id: actor }, ...(note ? { note } : {}) }),
    quotas: agents.reports,
  });
  // Admin routes first, so the handling routes appear in the OpenAPI document at /docs.
  registerAdminRoutes(app, { ...admin, attachments });
  handlingPart.registerRoutes(app, admin.authenticate);
  agents.registerRoutes(app, admin.authenticate);
  registerAttachmentRoutes(app, { attachments, authenticate: admin.authenticate, suggestion: async (reference) => (await suggestions.getByReference(reference)) as never });

  await app.ready();
  if (opts.listen !== false) await app.listen({ port: env.PORT, host: env.HOST });
  handlingPart.start();
  attachments.start();
  // Quota reminders are claimed in MongoDB before they are sent, so every worker may run them.
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
      await wecom?.drain();
    },
    async close() {
      ready = false;
      await app.close();
      clearInterval(quotaTimer);
      await handlingPart.stop();
      await attachments.stop();
      stopSimilarRefresh();
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

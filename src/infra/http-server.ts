/**
 * The HTTP server (fastify): health, and the one error handler that maps errors to responses.
 * Parts register their own routes (dev chat, admin API, WeCom callbacks).
 *
 * Hardened for the open internet: slow clients are timed out (whole request, headers, idle keep-alive and
 * idle sockets), connections are capped, X-Forwarded-For is believed only from configured proxies, and
 * every response carries security headers (@fastify/helmet; HSTS in production).
 */
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import type { Server, ServerOptions } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyHttpOptions, type FastifyInstance, type FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { AppError } from './errors.js';
import { RedisKeys } from './redis-keys.js';
import type { Logger } from './logger.js';

export interface HttpServerDeps {
  logger: Logger;
  /** Resolves true once storage is ready; /healthz answers 503 before that. */
  isReady: () => boolean;
  bodyLimit?: number;
  /** Timeouts and limits (config env `HTTP_*`, `TRUST_PROXY`); defaults are the config's defaults. */
  limits?: Partial<HttpLimits>;
  /** Production adds HSTS. */
  production?: boolean;
  /**
   * Throttles failed sign-ins per client address (@fastify/rate-limit): requests to `protects(url)` without
   * a valid credential (`isAuthenticated`) count, and more than `maxPerMinute` within a minute get 429.
   * Requests with a valid credential are never counted or throttled.
   */
  authThrottle?: {
    maxPerMinute: number;
    protects: (url: string) => boolean;
    isAuthenticated: (req: FastifyRequest) => boolean | Promise<boolean>;
    /** With several workers: counts shared through Redis (ioredis client), else per process. */
    redis?: unknown;
  };
}

export interface HttpLimits {
  /** The whole request (headers and body) must arrive within this (ms); else 408 and the socket is closed. */
  requestTimeoutMs: number;
  /** The headers must arrive within this (ms). */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (ms). */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic at all is closed after this (ms). */
  idleTimeoutMs: number;
  maxConnections: number;
  /** `TRUST_PROXY`: unset = trust no proxy. */
  trustProxy?: string | undefined;
}

export const defaultHttpLimits: HttpLimits = { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, idleTimeoutMs: 15_000, maxConnections: 2_000 };

/** `TRUST_PROXY` as fastify takes it: a hop count, or addresses / CIDRs / `loopback` etc.; unset = none. */
export function trustProxyOption(value: string | undefined): boolean | string[] {
  if (!value) return false;
  // A hop count (fastify/proxy-addr take a number at run time; its types do not say so).
  if (/^\d+$/.test(value)) return Number(value) as unknown as string[];
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/** The HTTP settings in the environment config. */
export function httpLimitsOf(env: {
  HTTP_REQUEST_TIMEOUT_MS: number;
  HTTP_HEADERS_TIMEOUT_MS: number;
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number;
  HTTP_IDLE_TIMEOUT_MS: number;
  HTTP_MAX_CONNECTIONS: number;
  TRUST_PROXY?: string | undefined;
}): HttpLimits {
  return {
    requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
    headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
    keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    idleTimeoutMs: env.HTTP_IDLE_TIMEOUT_MS,
    maxConnections: env.HTTP_MAX_CONNECTIONS,
    trustProxy: env.TRUST_PROXY,
  };
}

export function createHttpServer({ logger, isReady, bodyLimit = 256 * 1024, limits, production = false, authThrottle }: HttpServerDeps): FastifyInstance {
  const l: HttpLimits = { ...defaultHttpLimits, ...limits };
  // Node checks the request and headers timeouts every `connectionsCheckingInterval` (default 30 s):
  // check often enough that a slow client is closed close to the configured time.
  const checkEvery = Math.max(250, Math.min(1_000, Math.floor(Math.min(l.requestTimeoutMs, l.headersTimeoutMs) / 4)));
  const app: FastifyInstance = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: trustProxyOption(l.trustProxy),
    requestTimeout: l.requestTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    connectionTimeout: l.idleTimeoutMs,
    http: { headersTimeout: Math.min(l.headersTimeoutMs, l.requestTimeoutMs), connectionsCheckingInterval: checkEvery } as ServerOptions,
  } as FastifyHttpOptions<Server>);
  app.server.maxConnections = l.maxConnections;
  void app.register(helmet, {
    // The API answers JSON; the console and /docs set their own policies for their pages.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'self'"] },
    },
    hsts: production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
  if (authThrottle) {
    // A root-level onRequest hook (not the plugin's per-route one), so it runs before the /api scopes'
    // authentication hooks, which would otherwise answer 401 before a failure could be counted.
    void app.register(
      fp(async (root) => {
        // The store is chosen at registration: Redis (shared by the workers) when given.
        await root.register(rateLimit, { global: false, ...(authThrottle.redis ? { redis: authThrottle.redis, nameSpace: RedisKeys.authFailures() } : {}) });
        root.addHook(
          'onRequest',
          root.rateLimit({
            max: authThrottle.maxPerMinute,
            timeWindow: 60_000,
            keyGenerator: (req) => `auth-fail:${req.ip}`,
            allowList: async (req) => !authThrottle.protects(req.url) || (await authThrottle.isAuthenticated(req)),
            onExceeded: (req) => req.log.warn({ ip: req.ip, route: req.routeOptions?.url }, 'admin sign-in throttled: too many failed attempts'),
            errorResponseBuilder: (_req, ctx) => new AppError(429, 'too_many_requests', `too many failed sign-ins; retry in ${Math.ceil(ctx.ttl / 1000)} s`),
          }),
        );
      }),
    );
  }

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof AppError) {
      return reply.status(err.statusCode).send({ error: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) });
    }
    if (err instanceof ZodError) {
      return reply.status(400).send({
        error: 'bad_request',
        message: 'invalid request',
        details: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      return reply.status(status).send({ error: 'bad_request', message: (err as Error).message });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: 'internal', message: 'internal error' });
  });

  app.get('/healthz', async (_req, reply) =>
    isReady() ? { status: 'ok' } : reply.status(503).send({ status: 'starting' }),
  );
  return app;
}

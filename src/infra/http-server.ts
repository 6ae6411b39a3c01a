/**
 * The HTTP server (fastify): health, and the one error handler that maps errors to responses.
 * Parts register their own routes (dev chat, admin API, WeCom callbacks).
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { ZodError } from 'zod';
import { AppError } from './errors.js';
import type { Logger } from './logger.js';

export interface HttpServerDeps {
  logger: Logger;
  /** Resolves true once storage is ready; /healthz answers 503 before that. */
  isReady: () => boolean;
  bodyLimit?: number;
}

export function createHttpServer({ logger, isReady, bodyLimit = 256 * 1024 }: HttpServerDeps): FastifyInstance {
  const app: FastifyInstance = Fastify({ loggerInstance: logger as FastifyBaseLogger, bodyLimit, logController: new LogController({ disableRequestLogging: true }), trustProxy: true });

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

/**
 * Prometheus metrics (prom-client). One registry per process, created in main.ts and passed to the parts
 * that count things; `/metrics` serves it in the Prometheus text format.
 *
 * Names (all prefixed `jianyan_`):
 * - `messages_in_total{channel}` / `messages_out_total{channel}` — messages received from / replies sent to users
 * - `conversation_outcomes_total{outcome}` — terminal states of conversations (submitted, out_of_scope, cancelled, …)
 * - `submissions_total{channel,entered_by}` — suggestions stored (entered_by: citizen | agent)
 * - `notification_deliveries_total{kind,result}` — dispatcher attempts (result: delivered | retry | dead)
 * - `wecom_api_errors_total{api,errcode}` — WeCom API calls answered with a non-zero errcode (or `http` when no answer)
 * - `turn_duration_seconds{channel}` — time to handle one inbound message (lock, engine, effects)
 * - `notification_duration_seconds{kind}` — time of one delivery attempt
 * - `http_request_duration_seconds{method,route,status}` — every HTTP request, by route pattern
 * plus prom-client's default process metrics (`jianyan_process_*`, `jianyan_nodejs_*`).
 *
 * @example
 *   const metrics = createMetrics();
 *   metrics.messagesIn.inc({ channel: 'wecom_kf' });
 *   const end = metrics.turnDuration.startTimer({ channel: 'dev' }); …; end();
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  messagesIn: Counter<'channel'>;
  messagesOut: Counter<'channel'>;
  conversationOutcomes: Counter<'outcome'>;
  submissions: Counter<'channel' | 'entered_by'>;
  notificationDeliveries: Counter<'kind' | 'result'>;
  wecomApiErrors: Counter<'api' | 'errcode'>;
  turnDuration: Histogram<'channel'>;
  notificationDuration: Histogram<'kind'>;
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  /** Counts and times one notification delivery attempt (the dispatcher's `onAttempt`). */
  observeDelivery(kind: string, result: 'delivered' | 'retried' | 'dead', seconds: number): void;
  /** Counts a failed WeCom API call (the WeCom client's `onApiError`). */
  countApiError(api: string, errcode: number | 'http'): void;
}

export interface MetricsOptions {
  /** Collect Node process metrics (CPU, memory, event-loop lag). Default true; tests may turn it off. */
  defaultMetrics?: boolean;
}

/** A fresh registry with every counter and histogram the service reports. */
export function createMetrics({ defaultMetrics = true }: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const prefix = 'jianyan_';
  const observeDelivery: Metrics['observeDelivery'] = (kind, result, seconds) => {
    metrics.notificationDeliveries.inc({ kind, result });
    metrics.notificationDuration.observe({ kind }, seconds);
  };
  const countApiError: Metrics['countApiError'] = (api, errcode) => metrics.wecomApiErrors.inc({ api, errcode: String(errcode) });
  if (defaultMetrics) collectDefaultMetrics({ register: registry, prefix });
  const registers = [registry];
  const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  const metrics: Metrics = {
    registry,
    messagesIn: new Counter({ name: `${prefix}messages_in_total`, help: 'Messages received from users, per channel', labelNames: ['channel'], registers }),
    messagesOut: new Counter({ name: `${prefix}messages_out_total`, help: 'Replies sent to users, per channel', labelNames: ['channel'], registers }),
    conversationOutcomes: new Counter({
      name: `${prefix}conversation_outcomes_total`,
      help: 'Conversations that reached a terminal state, per outcome',
      labelNames: ['outcome'],
      registers,
    }),
    submissions: new Counter({
      name: `${prefix}submissions_total`,
      help: 'Suggestions stored, per channel and who entered them (citizen or agent)',
      labelNames: ['channel', 'entered_by'],
      registers,
    }),
    notificationDeliveries: new Counter({
      name: `${prefix}notification_deliveries_total`,
      help: 'Notification delivery attempts, per kind and result (delivered, retry, dead)',
      labelNames: ['kind', 'result'],
      registers,
    }),
    wecomApiErrors: new Counter({
      name: `${prefix}wecom_api_errors_total`,
      help: 'WeCom API calls that failed, per API and errcode ("http" when no answer came)',
      labelNames: ['api', 'errcode'],
      registers,
    }),
    turnDuration: new Histogram({
      name: `${prefix}turn_duration_seconds`,
      help: 'Time to handle one inbound message, per channel',
      labelNames: ['channel'],
      buckets: latencyBuckets,
      registers,
    }),
    notificationDuration: new Histogram({
      name: `${prefix}notification_duration_seconds`,
      help: 'Time of one notification delivery attempt, per kind',
      labelNames: ['kind'],
      buckets: latencyBuckets,
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: `${prefix}http_request_duration_seconds`,
      help: 'HTTP request latency, per method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: latencyBuckets,
      registers,
    }),
    observeDelivery,
    countApiError,
  };
  return metrics;
}

/**
 * Serves `GET /metrics` and times every request by its route pattern (never the raw URL, so reference
 * numbers or tokens cannot blow up the label set). Unknown routes are counted as `unmatched`.
 */
export function registerMetricsRoute(app: FastifyInstance, metrics: Pick<Metrics, 'registry' | 'httpRequestDuration'>): void {
  const started = new WeakMap<object, bigint>();
  app.addHook('onRequest', async (req) => {
    started.set(req, process.hrtime.bigint());
  });
  app.addHook('onResponse', async (req, reply) => {
    const t0 = started.get(req);
    if (t0 === undefined) return;
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    metrics.httpRequestDuration.observe({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, seconds);
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}

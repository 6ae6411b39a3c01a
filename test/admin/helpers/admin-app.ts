/**
 * Test harness: the real fastify app with the admin API, console, /docs and /metrics on an embedded
 * MongoDB, the real suggestion and handling services, and the dev chat route over the real conversation
 * service (in-memory sessions, locks and dedupe).
 *
 * @example
 *   const app = await startAdminApp({ unitTokens: [{ unit: 'fgw', token: FGW_TOKEN }] });
 *   const res = await app.http.inject({ url: '/api/suggestions', headers: app.auth() });
 *   await app.close();
 */
import mongoose, { type Connection } from 'mongoose';
import type { FastifyInstance } from 'fastify';
import { buildAdmin, registerAdminRoutes } from '../../../src/admin/index.js';
import { registerAttachmentRoutes } from '../../../src/admin/attachment-routes.js';
import { createAttachments, type Attachments, type MediaSource } from '../../../src/handling/attachments.js';
import { registerDevChatRoutes } from '../../../src/channels/dev/dev-chat-router.js';
import { fixedClock } from '../../../src/infra/clock.js';
import { createAgentDirectory, createMemoryAgentStore } from '../../../src/agents/agent-directory.js';
import { loadTestConfig, type AppConfig } from '../../../src/infra/config.js';
import { createHttpServer } from '../../../src/infra/http-server.js';
import { silentLogger } from '../../../src/infra/logger.js';
import { createMetrics, registerMetricsRoute, type Metrics } from '../../../src/infra/metrics.js';
import { createHandlingService, type HandlingService } from '../../../src/handling/handling-service.js';
import { createSuggestionModels, type SuggestionModels } from '../../../src/suggestions/suggestion-model.js';
import { createSuggestionService, type SuggestionService } from '../../../src/suggestions/suggestion-service.js';
import type { SuggestionSubmission } from '../../../src/domain/suggestion-types.js';
import { startTestMongo, type TestMongo } from '../../helpers/embedded-mongo.js';
import { memoryConversation } from '../../helpers/conversation.js';

export const ADMIN_TOKEN = 'office-token-0123456789abcdef';
export const FGW_TOKEN = 'fgw-unit-token-0123456789abcdef';
export const JW_TOKEN = 'jw-unit-token-0123456789abcdef';

export interface AdminApp {
  http: FastifyInstance;
  /** `http://127.0.0.1:PORT` once `listen` was asked for. */
  url: string;
  clock: ReturnType<typeof fixedClock>;
  config: Readonly<AppConfig>;
  connection: Connection;
  models: SuggestionModels;
  suggestions: SuggestionService;
  handling: HandlingService;
  /** Attachments (media downloaded through `opts.media`, e.g. a WeCom API client on the fake WeCom). */
  attachments: Attachments;
  metrics: Metrics;
  /** Authorization header for a token (the office's by default). */
  auth(token?: string): Record<string, string>;
  /** Stores a suggestion as the conversation would. */
  submit(overrides?: Partial<SuggestionSubmission>): Promise<string>;
  close(): Promise<void>;
}

let seq = 0;

export async function startAdminApp(opts: { now?: string; listen?: boolean; withUnitTokens?: boolean; media?: MediaSource } = {}): Promise<AdminApp> {
  const base = loadTestConfig({ ADMIN_TOKEN, DEV_CHAT: '1' });
  const config: Readonly<AppConfig> =
    opts.withUnitTokens === false
      ? base
      : { ...base, adminApi: { ...base.adminApi, unitTokens: [{ unit: 'fgw', token: FGW_TOKEN }, { unit: 'jw', token: JW_TOKEN }] } };
  const clock = fixedClock(opts.now ?? '2021-07-01T10:00:00+08:00');
  const mongo: TestMongo = await startTestMongo();
  const connection = mongoose.createConnection(`${mongo.uri}admin_test_${process.pid}_${++seq}`);
  await connection.asPromise();
  const models = createSuggestionModels(connection);
  await models.Suggestion.init();
  const suggestions = createSuggestionService({ models, clock, config });
  const handling = createHandlingService({ models, clock, config });
  const metrics = createMetrics({ defaultMetrics: false });
  const attachments = createAttachments({ connection, config, clock, logger: silentLogger, media: () => opts.media });

  const http = createHttpServer({ logger: silentLogger, isReady: () => true });
  registerMetricsRoute(http, metrics);
  const admin = buildAdmin({
      connection,
      suggestions,
      clock,
      config,
      assign: ({ reference, units, actor, note }) => handling.assign(reference, { units, by: { kind: 'office', id: actor }, ...(note ? { note } : {}) }),
      recommendStatus: ({ reference, actor, note }) => handling.recommendToCity(reference, { by: { kind: 'office', id: actor }, ...(note ? { note } : {}) }),
  });
  registerAdminRoutes(http, { ...admin, attachments });
  registerAttachmentRoutes(http, { attachments, authenticate: admin.authenticate, suggestion: (reference) => suggestions.getByReference(reference) });
  const conversation = memoryConversation({
    config,
    clock,
    suggestions,
    // The config's demo agent (daili-lisi) can try proxy entry in the simulator.
    agents: createAgentDirectory({ config, store: createMemoryAgentStore(), clock }),
  });
  registerDevChatRoutes(http, { conversation, clock });
  let url = '';
  if (opts.listen) url = await http.listen({ port: 0, host: '127.0.0.1' });
  else await http.ready();

  return {
    http,
    url,
    clock,
    config,
    connection,
    models,
    suggestions,
    handling,
    attachments,
    metrics,
    auth: (token = ADMIN_TOKEN) => ({ authorization: `Bearer ${token}` }),
    async submit(overrides = {}) {
      const n = ++seq;
      const { reference } = await suggestions.submit({
        submissionKey: `test-${n}-${Math.random()}`,
        campaign: 'wz2021',
        theme: 'rural_revitalization',
        category: 'work',
        title: `关于完善农村公交线路的建议${n}`,
        proposal: '建议在孙家镇增开两班往返城区的公交，方便村民早晚出行。',
        feasibility: '利用现有车辆调整班次即可。',
        proposer: { name: '张三', phone: '13812345678', unit: '某某公司' },
        citizen: { channel: 'dev', id: `citizen-${n}` },
        ...overrides,
      });
      return reference;
    },
    async close() {
      await http.close();
      await connection.close();
      await mongo.close();
    },
  };
}

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
import { buildAdmin, createWeComCodeResolver, registerAdminAuditTrail, registerAdminRoutes } from '../../../src/admin/index.js';
import { registerAttachmentRoutes } from '../../../src/admin/attachment-routes.js';
import { createAttachments, type Attachments, type MediaSource } from '../../../src/handling/attachments.js';
import { buildNotifications } from '../../../src/notifications/index.js';
import { buildAgents } from '../../../src/agents/index.js';
import { MemoryLockService } from '../../../src/infra/locks.js';
import { createDeadlineScheduler } from '../../../src/handling/index.js';
import { registerHandlingRoutes } from '../../../src/admin/handling-routes.js';
import { registerAgentRoutes } from '../../../src/admin/agent-routes.js';
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

/** The staff of the tests' directory: an office clerk, unit members, a district leader. */
export const STAFF = {
  clerk: { userid: 'chenxf', name: '陈信访' },
  fgwMember: { userid: 'lisi', name: '李四' },
  jwMember: { userid: 'zhaoliu', name: '赵六' },
  leader: { userid: 'wangqz', name: '王区长' },
  /** An agent (信访代理员) of 区农业农村委 writing from the WeCom app. */
  agent: { userid: 'wangdl', name: '王代理', id: 'daili-wang' },
} as const;

export interface AdminAppOptions {
  now?: string;
  listen?: boolean;
  withUnitTokens?: boolean;
  /** Register the handling routes (assign, accept, return, answer…) as main.ts does. */
  handlingRoutes?: boolean;
  /** Personal sign-in through this fake WeCom (its `url`, corp id and agent id). */
  wecom?: { url: string; corpId: string; agentId: number; secret: string };
  /** Console sessions in this Redis (else the database). */
  redis?: import('ioredis').Redis;
  /** Where attachments' media come from (a fake WeCom's media/get). */
  media?: MediaSource;
}

export async function startAdminApp(opts: AdminAppOptions = {}): Promise<AdminApp> {
  const wecomEnv: Record<string, string> = opts.wecom
    ? { WECOM_CORP_ID: opts.wecom.corpId, WECOM_AGENT_ID: String(opts.wecom.agentId), WECOM_API_BASE: opts.wecom.url, WECOM_LOGIN_URL: `${opts.wecom.url}/wwlogin/sso/login`, WECOM_OAUTH_URL: `${opts.wecom.url}/connect/oauth2/authorize` }
    : {};
  const base = loadTestConfig({ ADMIN_TOKEN, DEV_CHAT: '1', ...wecomEnv });
  const staffed: Readonly<AppConfig> = {
    ...base,
    members: [
      { userid: STAFF.clerk.userid, name: STAFF.clerk.name, role: 'office', unit: 'xfb' },
      { userid: STAFF.fgwMember.userid, name: STAFF.fgwMember.name, role: 'unit', unit: 'fgw' },
      { userid: STAFF.jwMember.userid, name: STAFF.jwMember.name, role: 'unit', unit: 'jw' },
    ],
    leaders: [{ userid: STAFF.leader.userid, name: STAFF.leader.name }],
    agents: [...base.agents, { id: STAFF.agent.id, name: STAFF.agent.name, unit: 'nyncw', wecomUserId: STAFF.agent.userid, kfExternalUserIds: [], devUsers: [] }],
  };
  const config: Readonly<AppConfig> =
    opts.withUnitTokens === false
      ? staffed
      : { ...staffed, adminApi: { ...staffed.adminApi, unitTokens: [{ unit: 'fgw', token: FGW_TOKEN }, { unit: 'jw', token: JW_TOKEN }] } };
  const clock = fixedClock(opts.now ?? '2021-07-01T10:00:00+08:00');
  const mongo: TestMongo = await startTestMongo();
  const connection = mongoose.createConnection(`${mongo.uri}admin_test_${process.pid}_${++seq}`);
  await connection.asPromise();
  const models = createSuggestionModels(connection);
  await models.Suggestion.init();
  const suggestions = createSuggestionService({ models, clock, config });
  const handling = createHandlingService({ models, clock, config });
  // The handling routes' other parts, wired as main.ts does (without WeCom: nothing is delivered).
  const handlingParts = opts.handlingRoutes
    ? {
        deadlines: createDeadlineScheduler({ handling, models, clock, locks: new MemoryLockService(), logger: silentLogger, config }),
        notifications: buildNotifications({ config, connection, models, clock, logger: silentLogger, robotKey: handling.directory.robotKey }),
      }
    : undefined;
  const wecom = opts.wecom;
  // The app's access token from the fake's gettoken, as the real WeCom client would fetch it.
  const getToken = async () => {
    const res = await fetch(`${wecom!.url}/cgi-bin/gettoken?${new URLSearchParams({ corpid: wecom!.corpId, corpsecret: wecom!.secret })}`);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const metrics = createMetrics({ defaultMetrics: false });
  const attachments = createAttachments({ connection, config, clock, logger: silentLogger, media: () => opts.media });

  const http = createHttpServer({ logger: silentLogger, isReady: () => true });
  registerMetricsRoute(http, metrics);
  // The agents part (quota report and its downloads) comes with the handling routes, as in main.ts.
  const agents = opts.handlingRoutes ? buildAgents({ config, connection, clock, logger: silentLogger }) : undefined;
  const admin = buildAdmin({
      ...(agents ? { quotas: agents.reports } : {}),
      ...(opts.redis ? { redis: opts.redis } : {}),
      connection,
      suggestions,
      clock,
      config,
      ...(wecom ? { resolveSignInCode: createWeComCodeResolver({ apiBase: wecom.url, getToken }) } : {}),
      assign: ({ reference, units, actor, note }) => handling.assign(reference, { units, by: { kind: 'office', id: actor }, ...(note ? { note } : {}) }),
      recommendStatus: ({ reference, actor, note }) => handling.recommendToCity(reference, { by: { kind: 'office', id: actor }, ...(note ? { note } : {}) }),
    });
  registerAdminAuditTrail(http, { connection, auditLog: admin.auditLog });
  registerAdminRoutes(http, { ...admin, attachments });
  registerAttachmentRoutes(http, { attachments, authenticate: admin.authenticate, suggestion: (reference) => suggestions.getByReference(reference) });
  if (handlingParts) registerHandlingRoutes(http, { handling, dispatcher: handlingParts.notifications.dispatcher, deadlines: handlingParts.deadlines, authenticate: admin.authenticate });
  if (agents) registerAgentRoutes(http, { reports: agents.reports, directory: agents.directory, authenticate: admin.authenticate });
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
        proposer: { name: '张志刚', phone: '13812345678', unit: '某某公司' },
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

import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildAdmin, registerAdminRoutes } from '../../src/admin/index.js';
import { buildAgents } from '../../src/agents/index.js';
import { registerAgentRoutes } from '../../src/admin/agent-routes.js';
import { registerDevChatRoutes } from '../../src/channels/dev/dev-chat-router.js';
import { fixedClock } from '../../src/infra/clock.js';
import type { AppConfig } from '../../src/infra/config.js';
import { createHttpServer } from '../../src/infra/http-server.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createSuggestionModels } from '../../src/suggestions/suggestion-model.js';
import { createSuggestionService } from '../../src/suggestions/suggestion-service.js';
import { startTestMongo, type TestMongo } from '../helpers/embedded-mongo.js';
import { quotaConfig } from '../agents/quota-config.js';
import { memoryConversation } from '../helpers/conversation.js';

const ADMIN = 'office-token-0123456789abcdef';
const NYNCW = 'nyncw-unit-token-0123456789abcdef';
let mongo: TestMongo;
let conn: Connection;
let app: ReturnType<typeof createHttpServer>;
const clock = fixedClock('2021-08-10T10:00:00+08:00');

beforeAll(async () => {
  mongo = await startTestMongo();
  conn = mongoose.createConnection(`${mongo.uri}r${randomUUID().slice(0, 8)}`);
  await conn.asPromise();
  const base = quotaConfig();
  const config: AppConfig = {
    ...base,
    env: { ...base.env, ADMIN_TOKEN: ADMIN },
    agents: [...base.agents.map((a) => (a.id === 'lisi' ? { ...a, devUsers: ['daili-lisi'] } : a))],
    adminApi: { ...base.adminApi, unitTokens: [{ unit: 'nyncw', token: NYNCW }] },
  };
  const models = createSuggestionModels(conn);
  await models.Suggestion.init();
  const suggestions = createSuggestionService({ models, clock, config });
  const agents = buildAgents({ config, connection: conn, clock, logger: silentLogger });
  const conversation = memoryConversation({
    config,
    clock,
    suggestions,
    agents: agents.directory,
  });
  app = createHttpServer({ logger: silentLogger, isReady: () => true });
  registerDevChatRoutes(app, { conversation, clock });
  const admin = buildAdmin({ connection: conn, suggestions, clock, config, quotas: agents.reports });
  registerAdminRoutes(app, { ...admin, console: false });
  registerAgentRoutes(app, { reports: agents.reports, directory: agents.directory, authenticate: admin.authenticate });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await conn?.close();
  await mongo?.close();
});

const auth = (t = ADMIN) => ({ authorization: `Bearer ${t}` });
const chat = async (text: string, extra: Record<string, unknown> = {}) => {
  const res = await app.inject({ method: 'POST', url: '/dev/chat', payload: { user: 'daili-lisi', role: 'agent', text, ...extra } });
  expect(res.statusCode).toBe(200);
  return res.json() as { replies: { text: string }[]; state: string; reference?: string };
};

describe('an agent in the dev chat, and the office reading the quota', () => {
  test('a proxy entry in the browser simulator counts for the agent’s unit in the quarter report and downloads', async () => {
    const t0 = Date.parse('2021-08-10T09:00:00+08:00') / 1000;
    let r = await chat('', {
      forwarded: {
        title: '聊天记录',
        items: [
          { sender: '李四', time: t0, text: '刘大姐，您说的建议再讲一遍？' },
          { sender: '刘芳', time: t0 + 60, text: '我们村的留守老人多，吃饭难。建议村里利用闲置村小办一个老年食堂，由村集体和志愿者一起运营，每餐收几块钱。' },
          { sender: '刘芳', time: t0 + 120, text: '我电话13698765432，在高梁镇新田村。' },
        ],
      },
    });
    expect(r.state).toBe('theme');
    expect(r.replies.map((x) => x.text).join('\n')).toContain('已采用“刘芳”的1条发言');
    r = await chat('1');
    r = await chat('关于利用闲置村小开办老年食堂的建议');
    r = await chat('3');
    expect(r.state).toBe('feasibility');
    r = await chat('闲置村小房屋完好，改造费用约三万元，可申请乡村振兴项目资金，志愿者已有十余人报名。');
    r = await chat('完成');
    expect(r.state).toBe('consent');
    r = await chat('1');
    expect(r.replies[0]!.text).toContain('建议人：刘芳（由 区农业农村委 李四 代理录入）');
    r = await chat('确认');
    expect(r.state).toBe('submitted');
    const reference = r.reference!;

    const stored = await createSuggestionModels(conn).Suggestion.findOne({ reference }).lean();
    expect(stored).toMatchObject({ proposer: { name: '刘芳', phone: '13698765432' }, enteredBy: { agent: 'lisi', unit: 'nyncw' }, citizen: { channel: 'dev', id: 'daili-lisi' } });
    expect((stored as { enteredBy: { consentAt: Date; enteredAt: Date } }).enteredBy.consentAt).toBeInstanceOf(Date);

    // The office sees the unit's August entry in the Q3 report; the unit's own token sees only itself.
    const report = await app.inject({ url: '/api/agents/quota-report?year=2021&quarter=3', headers: auth() });
    expect(report.statusCode).toBe(200);
    const nyncw = report.json().units.find((u: { unit: string }) => u.unit === 'nyncw');
    expect(nyncw).toMatchObject({ status: 'met', counted: [{ reference, reason: 'campaign_proxy_entry', month: 8 }] });
    const own = await app.inject({ url: '/api/agents/quota-report', headers: auth(NYNCW) });
    expect(own.json().units.map((u: { unit: string }) => u.unit)).toEqual(['nyncw']);
    expect((await app.inject({ url: '/api/agents/quota-report?year=2021', headers: auth() })).statusCode).toBe(400);

    const xlsx = await app.inject({ url: '/api/agents/quota-report.xlsx?year=2021&quarter=3', headers: auth(NYNCW) });
    expect(xlsx.headers['content-disposition']).toBe('attachment; filename="quota-2021-Q3.xlsx"');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const detail: string[][] = [];
    wb.getWorksheet('计入明细')!.eachRow((row) => detail.push((row.values as unknown[]).slice(1).map(String)));
    expect(detail).toEqual([
      ['单位', '建议编号', '录入时间', '计入月份', '计入原因'],
      ['区农业农村委', reference, '2021/08/10 10:00', '8月', '代理录入的专题建议'],
    ]);
    const csv = await app.inject({ url: '/api/agents/quota-report.csv?year=2021&quarter=3', headers: auth() });
    expect(csv.body).toContain('区农业农村委,区级部门,李四,8月,非考核月,已录入（1次，1件）,非考核月,无');
  });

  test('the office manages the agent directory; the next message from the new account is an agent’s', async () => {
    const put = await app.inject({
      method: 'PUT',
      url: '/api/agents/qian',
      headers: auth(),
      payload: { name: '钱七', unit: 'gaosun', devUsers: ['qian-dev'] },
    });
    expect(put.statusCode).toBe(200);
    const list = await app.inject({ url: '/api/agents', headers: auth() });
    expect(list.json().items.map((a: { id: string; source: string }) => `${a.id}:${a.source}`)).toEqual(['zhao:config', 'lisi:config', 'qian:admin']);
    const hello = await app.inject({ method: 'POST', url: '/dev/chat', payload: { user: 'qian-dev', text: '你好' } });
    expect(hello.json().replies[0].text).toContain('钱七您好！您是信访代理员');

    expect((await app.inject({ method: 'PUT', url: '/api/agents/x', headers: auth(), payload: { name: '某', unit: 'nowhere' } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'PUT', url: '/api/agents/y', headers: auth(), payload: { name: '某', unit: 'jw', devUsers: ['qian-dev'] } })).statusCode).toBe(409);
    expect((await app.inject({ method: 'PUT', url: '/api/agents/z', headers: auth(), payload: { name: '某', unit: 'jw', role: 'x' } })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/agents', headers: auth(NYNCW) })).statusCode).toBe(403);
    expect((await app.inject({ url: '/api/agents' })).statusCode).toBe(401);

    expect((await app.inject({ method: 'DELETE', url: '/api/agents/qian', headers: auth() })).statusCode).toBe(200);
    expect((await app.inject({ method: 'DELETE', url: '/api/agents/zhao', headers: auth() })).statusCode).toBe(404);
  });
});

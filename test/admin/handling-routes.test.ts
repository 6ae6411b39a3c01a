import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createAdminAuth } from '../../src/admin/admin-auth.js';
import { createHttpServer } from '../../src/infra/http-server.js';
import { silentLogger } from '../../src/infra/logger.js';
import { registerHandlingRoutes } from '../../src/admin/handling-routes.js';
import type { FakeWeCom } from '../fakes/fake-wecom-server.js';
import { appTextsTo, cardsTo, CITIZEN, handlingConfig, useHandlingWorld, type World } from '../handling/handling-world.js';

const TOKEN = 'office-token-0123456789abcdef';
const FGW_TOKEN = 'fgw-unit-token-0123456789abcdef';
// Screening mode: nothing is assigned until the office decides.
const world = useHandlingWorld({
  robots: ['robot-xfb', 'robot-fgw'],
  world: () => {
    const base = handlingConfig();
    return { config: { ...base, routing: { ...base.routing, mode: 'screening' as const } } };
  },
});
let fake: FakeWeCom;
let w: World;
let app: FastifyInstance;

// Runs after the world's own beforeEach (hooks run in the order they were registered).
beforeEach(async () => {
  fake = world.fake;
  w = world.w;
  app = createHttpServer({ logger: silentLogger, isReady: () => true });
  const authenticate = createAdminAuth({ adminToken: TOKEN, unitTokens: [{ unit: 'fgw', token: FGW_TOKEN }] });
  registerHandlingRoutes(app, { handling: w.handling, dispatcher: w.dispatcher('api'), deadlines: w.deadlines, authenticate });
  await app.ready();
});
afterEach(async () => {
  await app.close();
});

const call = (method: 'GET' | 'POST', url: string, payload?: unknown, token = TOKEN) =>
  app.inject({ method, url, ...(payload !== undefined ? { payload: payload as object } : {}), headers: { authorization: `Bearer ${token}` } });

describe('the office screens, assigns, reassigns and rejects through the admin API', () => {
  test('in screening mode the office is told, with the level and the proposed units, and assigns', async () => {
    const ref = await w.submit();
    expect((await w.doc(ref)).status).toBe('submitted');
    await w.dispatcher().runOnce();
    expect(appTextsTo(fake, 'office_chen')[0]).toContain(`新建议待甄别：${ref}`);
    expect(appTextsTo(fake, 'office_chen')[0]).toContain('层级：区级');
    expect(appTextsTo(fake, 'office_chen')[0]).toContain('规则建议交办：区发展改革委');
    expect(cardsTo(fake, 'unit_li')).toHaveLength(0);

    const res = await call('POST', `/api/suggestions/${ref}/assign`, { units: ['fgw'], by: 'chen' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'assigned', assignments: [expect.objectContaining({ unit: 'fgw', active: true })] });
    expect(res.json().outbox).toBeUndefined();
    await w.dispatcher().runOnce();
    expect(cardsTo(fake, 'unit_li')).toHaveLength(1);
  });

  test('a city-wide suggestion is recorded as city level for the office', async () => {
    const ref = await w.submit({ title: '在全市推广川渝通办', proposal: '建议在全市范围推广川渝通办事项清单。' });
    const doc = await w.doc(ref);
    expect(doc.level).toBe('city');
    expect(doc.routing).toMatchObject({ needsScreening: true, screeningReason: 'city_level' });
    await w.dispatcher().runOnce();
    expect(appTextsTo(fake, 'office_chen')[0]).toContain('层级：涉及全市');
  });

  test('reassigning tells the old unit to stop and sends cards to the new one', async () => {
    const ref = await w.submit();
    await call('POST', `/api/suggestions/${ref}/assign`, { units: ['fgw'] });
    const res = await call('POST', `/api/suggestions/${ref}/reassign`, { units: ['gzw'], note: '涉及国企改革' });
    expect(res.statusCode).toBe(200);
    const doc = await w.doc(ref);
    expect(doc.assignments.map((a) => [a.unit, a.active, a.endReason ?? null])).toEqual([
      ['fgw', false, 'reassigned'],
      ['gzw', true, null],
    ]);
    await w.dispatcher().runOnce();
    expect(appTextsTo(fake, 'unit_li').at(-1)).toContain('已由区信访办改派其他单位');
  });

  test('rejecting needs a reason, and the citizen is told it', async () => {
    await w.citizenSays('你好');
    const ref = await w.submit();
    expect((await call('POST', `/api/suggestions/${ref}/reject`, {})).statusCode).toBe(400);
    const res = await call('POST', `/api/suggestions/${ref}/reject`, { reason: '属于个人诉求，已转信访渠道办理' });
    expect(res.json()).toMatchObject({ status: 'rejected', rejection: { reason: '属于个人诉求，已转信访渠道办理' } });
    await w.dispatcher().runOnce();
    expect(fake.kfMessagesTo(CITIZEN).at(-1)?.text).toContain('原因：属于个人诉求，已转信访渠道办理');
    expect((await call('POST', `/api/suggestions/${ref}/assign`, { units: ['fgw'] })).statusCode).toBe(409);
  });

  test('answers through the API; 暂不采纳 without a reason is refused', async () => {
    const ref = await w.submit();
    await call('POST', `/api/suggestions/${ref}/assign`, { units: ['fgw'] });
    const bad = await call('POST', `/api/suggestions/${ref}/answer`, { unit: 'fgw', outcome: 'not_adopted', text: '暂不考虑', by: 'li' });
    expect(bad.statusCode).toBe(400);
    const ok = await call('POST', `/api/suggestions/${ref}/answer`, { unit: 'fgw', outcome: 'for_reference', text: '您的建议已转相关科室参考。', by: 'li' });
    expect(ok.json()).toMatchObject({ status: 'answered', assignments: [expect.objectContaining({ answer: expect.objectContaining({ outcome: 'for_reference', by: 'office:li' }) })] });
    expect((await call('POST', `/api/suggestions/${ref}/answer`, { unit: 'jw', outcome: 'adopted', text: '已采纳', by: 'x' })).statusCode).toBe(409);
  });

  test('a unit token answers only for its own unit and cannot assign', async () => {
    const ref = await w.submit();
    await call('POST', `/api/suggestions/${ref}/assign`, { units: ['fgw'] });
    expect((await call('POST', `/api/suggestions/${ref}/assign`, { units: ['gzw'] }, FGW_TOKEN)).statusCode).toBe(403);
    expect((await call('GET', '/api/reports/deadlines', undefined, FGW_TOKEN)).statusCode).toBe(403);
    expect((await call('POST', `/api/suggestions/${ref}/answer`, { unit: 'gzw', outcome: 'adopted', text: '已采纳', by: 'li' }, FGW_TOKEN)).statusCode).toBe(403);
    const ok = await call('POST', `/api/suggestions/${ref}/answer`, { unit: 'fgw', outcome: 'adopted', text: '已纳入明年工作计划。', by: 'unit_li' }, FGW_TOKEN);
    expect(ok.json().assignments[0].answer).toMatchObject({ outcome: 'adopted', by: 'unit:fgw:unit_li' });
  });

  test('unknown fields, bad references, unknown units and a missing token are refused', async () => {
    const ref = await w.submit();
    expect((await call('POST', `/api/suggestions/${ref}/assign`, { units: ['fgw'], status: 'closed' })).statusCode).toBe(400);
    expect((await call('POST', `/api/suggestions/${ref}/assign`, { units: [{ $ne: null }] })).statusCode).toBe(400);
    expect((await call('POST', `/api/suggestions/${ref}/assign`, { units: ['nope'] })).statusCode).toBe(400);
    expect((await call('POST', '/api/suggestions/WZ2021-999999/assign', { units: ['fgw'] })).statusCode).toBe(404);
    expect((await call('POST', '/api/suggestions/not-a-ref/assign', { units: ['fgw'] })).statusCode).toBe(400);
    expect((await call('GET', '/api/reports/deadlines', undefined, 'wrong')).statusCode).toBe(401);
  });

  test('dead letters and the deadline report are visible', async () => {
    const ref = await w.submit();
    await call('POST', `/api/suggestions/${ref}/assign`, { units: ['jw'] }); // 区教委 has no handlers configured: visible, not silent
    await w.dispatcher().runOnce();
    const dl = (await call('GET', '/api/notifications/dead-letters')).json();
    expect(dl.items).toEqual([
      expect.objectContaining({ reference: ref, kind: 'unit_card', target: { unit: 'jw', userids: [] }, lastError: 'no recipients configured for the unit' }),
    ]);
    const report = (await call('GET', '/api/reports/deadlines')).json();
    expect(report.rows).toEqual([expect.objectContaining({ reference: ref, waitingOn: 'units' })]);
    expect(report).toMatchObject({ page: 1, pageSize: 200, summary: { total: 1, waitingOnUnits: 1 } });
    const second = (await call('GET', '/api/reports/deadlines?page=2&pageSize=1')).json();
    expect(second).toMatchObject({ page: 2, pageSize: 1, rows: [], summary: { total: 1 } });
    expect((await call('GET', '/api/reports/deadlines?pageSize=5000')).statusCode).toBe(400);
    expect((await call('GET', '/api/reports/deadlines?status[$ne]=closed')).statusCode).toBe(400);
  });
});

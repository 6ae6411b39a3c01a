import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADMIN_TOKEN, FGW_TOKEN, JW_TOKEN, startAdminApp, type AdminApp } from './helpers/admin-app.js';

let app: AdminApp;
const office = { kind: 'office' as const, id: 'test' };

beforeAll(async () => {
  app = await startAdminApp();
}, 30_000);
afterAll(async () => {
  await app?.close();
});

const get = (url: string, token = ADMIN_TOKEN) => app.http.inject({ url, headers: app.auth(token) });
const post = (url: string, payload: unknown, token = ADMIN_TOKEN, headers: Record<string, string> = {}) =>
  app.http.inject({ method: 'POST', url, payload: payload as object, headers: { ...app.auth(token), ...headers } });

describe('authentication', () => {
  test('no token, a wrong token or a malformed header is refused with 401', async () => {
    expect((await app.http.inject({ url: '/api/suggestions' })).statusCode).toBe(401);
    expect((await get('/api/suggestions', 'not-the-token-xxxxxxxxxxxxxxxx')).statusCode).toBe(401);
    expect((await app.http.inject({ url: '/api/suggestions', headers: { authorization: `Basic ${ADMIN_TOKEN}` } })).statusCode).toBe(401);
  });

  test('the office and a unit token say who they are', async () => {
    expect((await get('/api/me')).json()).toMatchObject({ kind: 'office', name: '区信访办（管理令牌）', via: 'token' });
    expect((await get('/api/me', FGW_TOKEN)).json()).toMatchObject({ kind: 'unit', unit: 'fgw', unitName: '区发展改革委' });
  });
});

describe('the suggestion list', () => {
  const refs: Record<string, string> = {};
  beforeAll(async () => {
    refs.rural = await app.submit({ title: '关于发展乡村民宿的建议', category: 'work' });
    refs.chengyu = await app.submit({ theme: 'chengyu_economic_circle', title: '关于共建成渝物流通道的建议', category: 'policy' });
    refs.proxied = await app.submit({ title: '关于村道安装路灯的建议', category: 'problem', enteredBy: { agent: 'agent-li', unit: 'jw', consentAt: new Date() } });
    await app.handling.assign(refs.chengyu, { units: ['fgw'], by: office });
  });

  test('filters by theme, category, status, agent and text', async () => {
    const refsOf = async (q: string) => ((await get(`/api/suggestions?${q}`)).json().items as Array<{ reference: string }>).map((i) => i.reference);
    expect(await refsOf('theme=chengyu_economic_circle')).toEqual([refs.chengyu]);
    expect(await refsOf('category=problem')).toEqual([refs.proxied]);
    expect(await refsOf('status=assigned&unit=fgw')).toEqual([refs.chengyu]);
    expect(await refsOf('enteredBy=agent-li')).toEqual([refs.proxied]);
    expect(await refsOf(`text=${encodeURIComponent('乡村民宿')}`)).toEqual([refs.rural]);
    expect(await refsOf('from=2021-07-02')).toEqual([]);
    expect((await refsOf('from=2021-07-01&to=2021-07-01')).length).toBeGreaterThanOrEqual(3);
  });

  test('an assignment past its deadline shows under overdue', async () => {
    const ref = await app.submit({ title: '关于超期测试的建议' });
    await app.handling.assign(ref, { units: ['nyncw'], by: office });
    const before = (await get('/api/suggestions?overdue=true')).json().items.map((i: { reference: string }) => i.reference);
    expect(before).not.toContain(ref);
    app.clock.advance(40 * 86_400_000);
    try {
      const after = (await get('/api/suggestions?overdue=true')).json().items.map((i: { reference: string }) => i.reference);
      expect(after).toContain(ref);
    } finally {
      app.clock.advance(-40 * 86_400_000);
    }
  });

  test.each([
    ['an operator in a query key', '/api/suggestions?status[$ne]=closed'],
    ['an operator as a value', '/api/suggestions?theme=$ne'],
    ['an unknown filter', '/api/suggestions?where=1'],
    ['an unknown status', '/api/suggestions?status=everything'],
    ['a bad date', '/api/suggestions?from=2021-13-45'],
    ['a bad reference', '/api/suggestions/abc$'],
    ['a page size too large', '/api/suggestions?pageSize=100000'],
  ])('%s is a 400 with the reason', async (_what, url) => {
    const res = await get(url);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'bad_request' });
  });

  test('a body with an operator object or an unknown field is a 400 and changes nothing', async () => {
    const r1 = await post(`/api/suggestions/${refs.rural}/valuable`, { valuable: { $ne: false } });
    expect(r1.statusCode).toBe(400);
    expect(r1.json().details[0].path).toBe('valuable');
    const r2 = await post(`/api/suggestions/${refs.rural}/valuable`, { valuable: true, $set: { status: 'closed' } });
    expect(r2.statusCode).toBe(400);
    expect((await get(`/api/suggestions/${refs.rural}`)).json()).toMatchObject({ valuable: false, status: 'submitted' });
  });

  test('a unit token sees only its own unit\'s suggestions', async () => {
    const fgw = (await get('/api/suggestions', FGW_TOKEN)).json();
    expect(fgw.items.map((i: { reference: string }) => i.reference)).toEqual([refs.chengyu]);
    // It cannot widen its view with a filter for another unit.
    expect((await get('/api/suggestions?unit=nyncw', FGW_TOKEN)).json().total).toBe(0);
    // A suggestion entered by the unit's agent is visible to that unit.
    expect((await get(`/api/suggestions/${refs.proxied}`, JW_TOKEN)).statusCode).toBe(200);
    expect((await get(`/api/suggestions/${refs.rural}`, FGW_TOKEN)).statusCode).toBe(404);
    expect((await get(`/api/suggestions/${refs.chengyu}`, FGW_TOKEN)).statusCode).toBe(200);
  });

  test('a unit token may not use the office\'s actions', async () => {
    const res = await post(`/api/suggestions/${refs.chengyu}/valuable`, { valuable: true }, FGW_TOKEN);
    expect(res.statusCode).toBe(403);
    expect((await get('/api/audit', FGW_TOKEN)).statusCode).toBe(403);
    expect((await get('/api/awards', FGW_TOKEN)).statusCode).toBe(403);
  });
});

describe('office actions', () => {
  test('marking valuable is recorded in history and in the audit log with before and after, under the token, not a sent name', async () => {
    const ref = await app.submit({ title: '关于有价值建议标记的建议' });
    const res = await post(`/api/suggestions/${ref}/valuable`, { valuable: true, note: '思路新' }, ADMIN_TOKEN, { 'x-operator': encodeURIComponent('王科长') });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ valuable: true, valuableNote: '思路新' });
    expect(res.json().history.at(-1)).toMatchObject({ action: 'mark_valuable', actor: 'office' });
    const audit = (await get(`/api/audit?target=${ref}`)).json();
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({
      seq: expect.any(Number),
      actor: { kind: 'office', id: 'admin-token' },
      action: 'mark_valuable',
      target: ref,
      before: { valuable: false, valuableNote: null, status: 'submitted' },
      after: { valuable: true, valuableNote: '思路新', status: 'submitted' },
      requestId: expect.any(String),
    });
    expect(JSON.stringify(audit.items[0])).not.toContain('王科长');
    expect((await get('/api/suggestions?valuable=true')).json().items.map((i: { reference: string }) => i.reference)).toContain(ref);
  });

  test("escalation, the leaders' instruction and the assignment it leads to", async () => {
    const ref = await app.submit({ title: '关于全区停车难问题的建议' });
    expect((await post(`/api/suggestions/${ref}/instruction`, { leader: '李区长', text: '请研究' })).statusCode).toBe(409);
    expect((await post(`/api/suggestions/${ref}/escalate`, { note: '涉及全区重大民生' })).statusCode).toBe(200);
    expect((await post(`/api/suggestions/${ref}/escalate`, {})).statusCode).toBe(409);
    const res = await post(`/api/suggestions/${ref}/instruction`, { leader: '李区长', text: '请区发展改革委牵头研究落实', assignTo: ['fgw'] });
    expect(res.statusCode).toBe(200);
    const s = res.json();
    expect(s.escalation.instruction).toMatchObject({ leader: '李区长', text: '请区发展改革委牵头研究落实', assignedUnits: ['fgw'] });
    expect(s.status).toBe('assigned');
    expect(s.assignments.map((a: { unit: string }) => a.unit)).toEqual(['fgw']);
    expect(s.history.map((h: { action: string }) => h.action)).toEqual(['submit', 'escalate_to_leaders', 'leader_instruction', 'assign']);
    expect((await post(`/api/suggestions/${ref}/instruction`, { leader: '李区长', text: '再次', assignTo: ['nosuchunit'] })).statusCode).toBe(400);
  });

  test('recommending to the city, the outcome, the city form and an award', async () => {
    const ref = await app.submit({ title: '=HYPERLINK("http://x")关于全市推广的建议', level: 'city' });
    expect((await post(`/api/suggestions/${ref}/awards`, { year: 2021, tier: 'first' })).statusCode).toBe(409);
    const rec = await post(`/api/suggestions/${ref}/recommend-city`, { note: '具有全市推广价值' });
    expect(rec.statusCode).toBe(200);
    expect(rec.json()).toMatchObject({ status: 'recommended_to_city', level: 'city', cityRecommendation: { outcome: 'pending', note: '具有全市推广价值' } });
    const form = (await get(`/api/suggestions/${ref}/city-form`)).json();
    expect(form.fields).toContainEqual({ label: '递呈单位', value: '万州区政府' });
    expect(form.fields).toContainEqual({ label: '建议人姓名', value: '张志刚' });
    expect(form.text).toContain('推荐理由：具有全市推广价值');
    const out = await post(`/api/suggestions/${ref}/city-outcome`, { outcome: 'adopted', note: '市征集办采纳' });
    expect(out.json()).toMatchObject({ status: 'closed', cityRecommendation: { outcome: 'adopted' } });
    expect((await post(`/api/suggestions/${ref}/awards`, { year: 2021, tier: 'nosuch' })).statusCode).toBe(400);
    expect((await post(`/api/suggestions/${ref}/awards`, { year: 2019, tier: 'first' })).statusCode).toBe(400);
    const award = await post(`/api/suggestions/${ref}/awards`, { year: 2021, tier: 'first', note: '转化运用效果明显' });
    expect(award.statusCode).toBe(200);
    expect(award.json().awards).toEqual([expect.objectContaining({ year: 2021, tier: 'first', tierName: '一等奖', amountYuan: 20000 })]);
    expect((await post(`/api/suggestions/${ref}/awards`, { year: 2021, tier: 'second' })).statusCode).toBe(409);
    const awards = (await get('/api/awards?year=2021')).json();
    expect(awards.tiers.map((t: { name: string; amountYuan: number }) => `${t.name}${t.amountYuan}`)).toEqual(['特等奖50000', '一等奖20000', '二等奖10000', '三等奖5000', '鼓励奖2000']);
    expect(awards.items).toEqual([expect.objectContaining({ reference: ref, tierName: '一等奖', amountYuan: 20000, year: 2021 })]);
  });
});

describe('statistics', () => {
  test('counts and on-time rates follow the handling record', async () => {
    const a = await app.submit({ theme: 'general', campaign: 'general', title: '统计用建议甲', category: 'innovation' });
    const b = await app.submit({ theme: 'general', campaign: 'general', title: '统计用建议乙', category: 'innovation' });
    await app.handling.assign(a, { units: ['gzw'], by: office });
    await app.handling.assign(b, { units: ['gzw'], by: office });
    await app.handling.accept(a, { unit: 'gzw', by: { kind: 'unit', unit: 'gzw', userid: 'u1' } });
    await app.handling.answer(a, { unit: 'gzw', outcome: 'adopted', text: '已采纳，将于下季度实施。', by: { kind: 'unit', unit: 'gzw', userid: 'u1' } });
    await app.handling.rate(a, { citizen: { channel: 'dev', id: (await app.suggestions.getByReference(a))!.citizen!.valueOf() ? ((await app.suggestions.getByReference(a)) as any).citizen.id : '' }, rating: 'satisfied' });
    const st = (await get('/api/stats?theme=general&category=innovation')).json();
    expect(st.total).toBe(2);
    expect(st.byTheme).toEqual([{ key: 'general', label: '日常建议', count: 2 }]);
    expect(st.byCategory).toEqual([{ key: 'innovation', label: '创新体制机制类', count: 2 }]);
    expect(st.byUnit).toEqual([{ key: 'gzw', label: '区国资委', count: 2 }]);
    expect(st.byMonth).toEqual([{ key: '2021-07', label: '2021-07', count: 2 }]);
    // b is neither accepted nor past its deadline yet, so only a counts.
    expect(st.rates.response).toEqual({ numerator: 1, denominator: 1, rate: 1 });
    expect(st.rates.answer).toEqual({ numerator: 1, denominator: 1, rate: 1 });
    expect(st.rates.adoption).toEqual({ numerator: 1, denominator: 1, rate: 1 });
    expect(st.rates.satisfaction).toEqual({ numerator: 1, denominator: 1, rate: 1 });
    app.clock.advance(40 * 86_400_000);
    try {
      const late = (await get('/api/stats?theme=general&category=innovation')).json();
      expect(late.rates.response).toEqual({ numerator: 1, denominator: 2, rate: 0.5 });
      expect(late.rates.answer).toEqual({ numerator: 1, denominator: 2, rate: 0.5 });
    } finally {
      app.clock.advance(-40 * 86_400_000);
    }
  });
});

describe('exports', () => {
  let ref: string;
  beforeAll(async () => {
    ref = await app.submit({
      title: '=cmd|"/c calc"!A1',
      proposal: '+SUM(1,2) 与 "引号", 逗号\n换行 <script>alert(1)</script>',
      proposer: { name: '@李四', phone: '13900001111', unit: '-单位' },
      category: 'innovation',
      theme: 'chengyu_economic_circle',
    });
  });

  test('CSV neutralises formulas and quotes fields', async () => {
    const res = await get(`/api/suggestions/export.csv?text=${encodeURIComponent('calc')}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toContain('attachment');
    const body = res.body.replace(/^\uFEFF/, '');
    const [header, row] = body.split('\r\n');
    expect(header?.startsWith('建议编号,提交时间,征集主题')).toBe(true);
    expect(row).toContain(ref);
    expect(row).toContain(`"'=cmd|""/c calc""!A1"`);
    expect(body).toContain(`"'+SUM(1,2) 与 ""引号"", 逗号\n换行 <script>alert(1)</script>"`);
    expect(row).toContain(`'@李四`);
    expect(row).toContain(`'-单位`);
  });

  test('xlsx cells are text and neutralised', async () => {
    const res = await get(`/api/suggestions/export.xlsx?text=${encodeURIComponent('calc')}`);
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).getCell(1).value).toBe('建议编号');
    const row = ws.getRow(2);
    expect(row.getCell(1).value).toBe(ref);
    expect(row.getCell(5).value).toBe(`'=cmd|"/c calc"!A1`);
    expect(row.getCell(8).value).toBe(`'@李四`);
    for (let c = 1; c <= ws.columnCount; c++) expect(typeof row.getCell(c).formula).toBe('undefined');
  });

  test('a unit token exports only its own suggestions', async () => {
    const res = await get('/api/suggestions/export.csv', JW_TOKEN);
    const lines = res.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines.slice(1).every((l) => l.includes('agent-li'))).toBe(true);
  });
});

describe('docs, metrics and console', () => {
  test('the OpenAPI document lists the admin API', async () => {
    const doc = (await app.http.inject({ url: '/docs/json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/suggestions', '/api/suggestions/{reference}', '/api/stats', '/api/awards', '/api/suggestions/export.xlsx']));
    expect(Object.keys(doc.paths).every((p: string) => p.startsWith('/api'))).toBe(true);
    expect((await app.http.inject({ url: '/docs/' })).statusCode).toBe(200);
  });

  test('/metrics speaks the Prometheus format', async () => {
    app.metrics.messagesIn.inc({ channel: 'dev' });
    app.metrics.wecomApiErrors.inc({ api: 'kf/send_msg', errcode: '95001' });
    const res = await app.http.inject({ url: '/metrics' });
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('jianyan_messages_in_total{channel="dev"} 1');
    expect(res.body).toContain('jianyan_wecom_api_errors_total{api="kf/send_msg",errcode="95001"} 1');
    expect(res.body).toMatch(/jianyan_http_request_duration_seconds_count\{method="GET",route="\/api\/suggestions",status="200"\} \d+/);
  });

  test('the console is served with a strict content security policy, and only its own files', async () => {
    const res = await app.http.inject({ url: '/console/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.body).toContain('人民建议征集管理台');
    expect((await app.http.inject({ url: '/console/console.js' })).headers['content-type']).toContain('javascript');
    expect((await app.http.inject({ url: '/console/..%2Fadmin-router.ts' })).statusCode).toBe(404);
  });
});

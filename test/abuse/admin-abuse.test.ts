/**
 * Abuse through the office's side of the whole service (issue 9): markup and spreadsheet formulas in
 * every field a citizen or a unit can write, read back through the API and both exports; operator
 * injection and malformed input in admin queries; and unit tokens reaching for another unit's suggestion.
 * Every refusal answers with a status and a reason, and changes nothing: no suggestion, audit entry,
 * session or WeCom message.
 *
 * In depth elsewhere: the filters and each office action in test/admin/admin-api.test.ts; the console
 * rendering markup as text in ./console-escaping.test.ts and test/console/console.browser.test.ts.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADMIN_TOKEN, FGW_TOKEN, JW_TOKEN, startAbuseWorld, type AbuseWorld } from './abuse-world.js';

/** Markup and formula payloads, one per field a citizen writes (titles are capped at 60 characters). */
export const HOSTILE = {
  title: '=HYPERLINK("//x.cn")<script>a()</script>关于增设公交班次的建议',
  proposal: "+cmd|' /C calc'!A0 <img src=x onerror=alert(2)> 五桥片区到江南新区的公交每30分钟一班，早晚高峰挤不上车，建议加密到每10分钟一班。",
  feasibility: "@SUM(1+1)*cmd|' /C calc'!A0 <b>可调用</b>公交公司现有2辆备用车，不需新购车辆，候车亭约2万元。",
  identity: '张志刚，13812345678，-2+3<i>万州区某某公司</i>',
  answer: '=HYPERLINK("http://evil.example","详情")<script>alert(3)</script>已研究，拟于下月加密班次。',
};

/** RFC 4180 rows (quoted fields, doubled quotes, CRLF), enough to read our own export back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && s[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), i++;
    else field += c;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

let w: AbuseWorld;
let hostile = '';
let fgwOnly = '';
beforeAll(async () => {
  w = await startAbuseWorld();
  hostile = (await w.submit('hostile', HOSTILE)).reference;
  // Routed to the theme's units; the office also assigns it to fgw, whose token answers with markup.
  expect((await w.apiPost(`/suggestions/${hostile}/assign`, { units: ['fgw'] })).status).toBe(200);
  const answered = await w.apiPost(`/suggestions/${hostile}/answer`, { unit: 'fgw', outcome: 'adopted', text: HOSTILE.answer, by: 'unit_li' }, FGW_TOKEN);
  expect(answered.status).toBe(200);
  // A second suggestion, assigned to fgw alone: jw's token must not reach it.
  fgwOnly = (await w.submit('fgw-citizen', { title: '关于共建成渝物流通道的建议', proposal: '万州港到成都的货运需要中转两次，成本高。建议开通万州港至成都的铁水联运班列，每周两班。', feasibility: '可利用现有铁路专用线，港务集团已有意向，预计物流成本下降两成。', identity: '李四，13912345678，万州区某物流公司' })).reference;
  expect((await w.apiPost(`/suggestions/${fgwOnly}/reassign`, { units: ['fgw'] })).status).toBe(200);
  await w.settle();
});
afterAll(async () => {
  await w?.close();
});

describe('markup and formulas in every field', () => {
  test('are stored and returned by the API exactly as written (JSON carries them as data)', async () => {
    const { status, body } = await w.api(`/suggestions/${hostile}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ title: HOSTILE.title, proposal: HOSTILE.proposal, feasibility: HOSTILE.feasibility, proposer: { name: '张志刚' } });
    expect(JSON.stringify(body.assignments)).toContain('<script>alert(3)</script>');
  });

  const formulaStart = /^[=+\-@\t\r]/;

  test('the CSV export neutralises every cell that a spreadsheet would run as a formula', async () => {
    const r = await w.request('GET', `/api/suggestions/export.csv?text=${encodeURIComponent('公交班次')}`, { token: ADMIN_TOKEN });
    expect(r.status).toBe(200);
    const rows = parseCsv(r.text);
    const header = rows[0]!;
    const row = rows.find((x) => x.includes(hostile))!;
    expect(row).toBeDefined();
    const cell = (label: RegExp) => row[header.findIndex((h) => label.test(h))]!;
    expect(cell(/标题/)).toBe(`'${HOSTILE.title}`);
    expect(cell(/建议内容/)).toBe(`'${HOSTILE.proposal}`);
    expect(cell(/可行性/)).toBe(`'${HOSTILE.feasibility}`);
    for (const c of row) expect(c).not.toMatch(formulaStart);
    // The unit's answer with its formula is in the row, but after the unit's name: it starts as text.
    expect(row.join('\n')).toContain(HOSTILE.answer);
  });

  test('the .xlsx export holds only strings, never a formula, and the same neutralised text', async () => {
    const r = await fetch(`${w.base}/api/suggestions/export.xlsx?text=${encodeURIComponent('公交班次')}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(r.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await r.arrayBuffer()) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const header = (ws.getRow(1).values as unknown[]).map(String);
    let found: unknown[] | undefined;
    ws.eachRow((row, n) => {
      if (n === 1) return;
      const values = (row.values as unknown[]).slice(1);
      for (const v of values) {
        // A formula cell would read back as an object ({formula}); a hyperlink as {text, hyperlink}.
        if (v !== null && v !== undefined) expect(typeof v).toBe('string');
        if (typeof v === 'string') expect(v).not.toMatch(formulaStart);
      }
      row.eachCell((c) => expect(c.type).toBe(ExcelJS.ValueType.String));
      if (values.includes(hostile)) found = values;
    });
    expect(found).toBeDefined();
    const cell = (label: RegExp) => found![header.findIndex((h) => label.test(h)) - 1];
    expect(cell(/标题/)).toBe(`'${HOSTILE.title}`);
    expect(cell(/建议内容/)).toBe(`'${HOSTILE.proposal}`);
    expect(cell(/可行性/)).toBe(`'${HOSTILE.feasibility}`);
  });

  test('a name made of markup is not taken as a name: asked again, nothing stored', async () => {
    const user = 'markup-name';
    await w.chat(user, '我想提建议');
    const before = await w.snapshot();
    const r = await w.chat(user, '1');
    expect(r.state).toBe('title');
    const walk = async (...texts: string[]) => {
      for (const t of texts) await w.chat(user, t);
    };
    await walk('关于村道安装路灯的建议', '解决问题', '村里主干道没有路灯，夜里老人孩子出行不安全。建议在主干道每50米安装一盏太阳能路灯。', '完成', '太阳能路灯无需布线，每盏约三千元，可由村集体和乡镇共同出资。', '完成');
    const id = await w.chat(user, '<script>alert(1)</script>，13812345678，万州区某某公司');
    expect(id.state).toBe('identity');
    expect(id.replies.map((x) => x.text).join('\n')).toMatch(/姓名/);
    expect((await w.snapshot()).suggestions).toBe(before.suggestions);
  });
});

describe('operator injection and malformed admin queries', () => {
  type Case = [what: string, url: string, reason: RegExp];
  const cases: Case[] = [
    ['an operator in a query key', '/suggestions?status[$ne]=x', /status\[\$ne\]|unrecognized|Unrecognized/i],
    ['a $regex key on text', '/suggestions?text[$regex]=.*', /text\[\$regex\]|unrecognized|Unrecognized/i],
    ['a JSON operator object as a value', `/suggestions?theme=${encodeURIComponent('{"$gt":""}')}`, /plain id/],
    ['a $where-like value', '/suggestions?unit=$where', /plain id/],
    ['an unknown query field', '/suggestions?where=1', /unrecognized|Unrecognized/i],
    ['a page size too large', '/suggestions?pageSize=1000000', /200|too big|Too big/i],
    ['a page of zero', '/suggestions?page=0', /1|too small|Too small/i],
    ['a non-numeric page size', '/suggestions?pageSize=abc', /number|NaN/i],
    ['a bad reference', "/suggestions/WZ2021-1'%20OR%201=1", /not a reference number/],
    ['a reference with an operator', '/suggestions/%24ne', /not a reference number/],
    ['a path-traversal reference', '/suggestions/..%2F..%2Fetc%2Fpasswd', /not a reference number/],
    ['a bad date', '/suggestions?from=2021-02-30T99:00', /date/],
    ['an operator in the export filter', '/suggestions/export.csv?status[$ne]=closed', /unrecognized|Unrecognized/i],
    ['an operator in the stats filter', '/stats?category[$in]=policy', /unrecognized|Unrecognized/i],
    ['an operator in the audit target', '/audit?target[$ne]=x', /unrecognized|Unrecognized/i],
    ['a huge audit page', '/audit?pageSize=5000', /200|too big|Too big/i],
  ];
  test.each(cases)('%s → 400 with the reason', async (_what, url, reason) => {
    const before = await w.snapshot();
    const r = await w.api(url);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('bad_request');
    expect(JSON.stringify(r.body)).toMatch(reason);
    await w.expectUnchanged(before);
  });

  test('text is searched literally: ".*" matches nothing, a regex special character is no error', async () => {
    expect((await w.api('/suggestions?text=.*')).body).toMatchObject({ total: 0, items: [] });
    expect((await w.api(`/suggestions?text=${encodeURIComponent('(((')}`)).status).toBe(200);
    expect((await w.api(`/suggestions?text=${encodeURIComponent('<script>')}`)).body.items.map((i: { reference: string }) => i.reference)).toEqual([hostile]);
  });

  type BodyCase = [what: string, url: () => string, body: unknown, reason: RegExp];
  const bodyCases: BodyCase[] = [
    ['an operator object as a boolean', () => `/suggestions/${hostile}/valuable`, { valuable: { $ne: null } }, /valuable/],
    ['an unknown field in an action', () => `/suggestions/${hostile}/escalate`, { note: '请阅', $set: { status: 'closed' } }, /unrecognized|Unrecognized/i],
    ['an operator object as a unit', () => `/suggestions/${hostile}/assign`, { units: [{ $ne: '' }] }, /units/],
    ['a unit id with an operator', () => `/suggestions/${hostile}/assign`, { units: ['$where'] }, /plain id/],
    ['an operator object as the answer text', () => `/suggestions/${hostile}/answer`, { unit: 'fgw', outcome: 'adopted', text: { $gt: '' }, by: 'x' }, /text/],
  ];
  test.each(bodyCases)('a body with %s → 400 with the reason, nothing changed', async (_what, url, body, reason) => {
    const before = await w.snapshot();
    const r = await w.apiPost(url(), body);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toMatch(reason);
    await w.expectUnchanged(before);
  });
});

describe("a unit token reaching for another unit's suggestion", () => {
  const refsOf = (body: { items: Array<{ reference: string }> }) => body.items.map((i) => i.reference);

  test('control: fgw sees and reads its own suggestion', async () => {
    expect(refsOf((await w.api('/suggestions', FGW_TOKEN)).body)).toContain(fgwOnly);
    expect((await w.api(`/suggestions/${fgwOnly}`, FGW_TOKEN)).status).toBe(200);
  });

  test('listing, filtering by the other unit, exporting and statistics leave it out', async () => {
    const before = await w.snapshot();
    expect(refsOf((await w.api('/suggestions', JW_TOKEN)).body)).not.toContain(fgwOnly);
    expect(refsOf((await w.api('/suggestions?unit=fgw', JW_TOKEN)).body)).toEqual([]);
    const csv = await w.request('GET', '/api/suggestions/export.csv?unit=fgw', { token: JW_TOKEN });
    expect(csv.status).toBe(200);
    expect(csv.text).not.toContain(fgwOnly);
    expect(csv.text).not.toContain('13912345678');
    const xlsx = await fetch(`${w.base}/api/suggestions/export.xlsx`, { headers: { authorization: `Bearer ${JW_TOKEN}` } });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as unknown as ArrayBuffer);
    expect(wb.worksheets[0]!.rowCount).toBe(1);
    expect((await w.api('/stats?unit=fgw', JW_TOKEN)).body.matched).toBe(0);
    await w.expectUnchanged(before);
  });

  type Case = [what: string, method: 'GET' | 'POST', url: () => string, body: unknown, status: number, reason: RegExp];
  const cases: Case[] = [
    ['reading it', 'GET', () => `/suggestions/${fgwOnly}`, undefined, 404, /no suggestion/],
    ['its city form', 'GET', () => `/suggestions/${fgwOnly}/city-form`, undefined, 403, /office/],
    ['answering it as fgw', 'POST', () => `/suggestions/${fgwOnly}/answer`, { unit: 'fgw', outcome: 'adopted', text: '已采纳，下月实施。', by: 'x' }, 403, /only for jw/],
    // 404, as for reading it: a unit token cannot tell an existing reference from a missing one.
    ['answering it as jw (not assigned)', 'POST', () => `/suggestions/${fgwOnly}/answer`, { unit: 'jw', outcome: 'adopted', text: '已采纳，下月实施。', by: 'x' }, 404, /no suggestion/],
    ['assigning it to itself', 'POST', () => `/suggestions/${fgwOnly}/assign`, { units: ['jw'] }, 403, /office/],
    ['reassigning it', 'POST', () => `/suggestions/${fgwOnly}/reassign`, { units: ['jw'] }, 403, /office/],
    ['rejecting it', 'POST', () => `/suggestions/${fgwOnly}/reject`, { reason: '不属于征集范围' }, 403, /office/],
    ['marking it valuable', 'POST', () => `/suggestions/${fgwOnly}/valuable`, { valuable: true }, 403, /office/],
    ['escalating it', 'POST', () => `/suggestions/${fgwOnly}/escalate`, {}, 403, /office/],
    ['the audit log', 'GET', () => '/audit', undefined, 403, /office/],
    ['the deadline report', 'GET', () => '/reports/deadlines', undefined, 403, /office/],
  ];
  test.each(cases)('%s → refused with a reason, nothing changed', async (_what, method, url, body, status, reason) => {
    const before = await w.snapshot();
    const r = method === 'GET' ? await w.api(url(), JW_TOKEN) : await w.apiPost(url(), body, JW_TOKEN);
    expect(r.status).toBe(status);
    expect(r.body.message).toMatch(reason);
    await w.expectUnchanged(before);
  });
});

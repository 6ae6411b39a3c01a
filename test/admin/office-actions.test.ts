/**
 * The office's console actions and reads at the API level: 办结 only after review, internal notes the units
 * never see, audited corrections, duplicates, the work queue per role, the list's search and 已推荐市征集办
 * filter, statistics with per-unit rates and campaign counts, and the dated export file name.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FGW_TOKEN, startAdminApp, type AdminApp } from './helpers/admin-app.js';

let app: AdminApp;
const office = { kind: 'office' as const, id: 'chenxf' };

beforeAll(async () => {
  app = await startAdminApp({ handlingRoutes: true });
}, 60_000);
afterAll(async () => {
  await app?.close();
});

const post = (reference: string, action: string, payload: unknown, token?: string) =>
  app.http.inject({ method: 'POST', url: `/api/suggestions/${reference}/${action}`, headers: app.auth(token), payload: payload as Record<string, unknown> });
const get = (url: string, token?: string) => app.http.inject({ url, headers: app.auth(token) });

async function answered(overrides = {}): Promise<string> {
  const reference = await app.submit(overrides);
  await app.handling.assign(reference, { units: ['fgw'], by: office });
  await app.handling.accept(reference, { unit: 'fgw', by: { kind: 'unit', unit: 'fgw', userid: 'lisi' } });
  const r = await app.handling.answer(reference, { unit: 'fgw', outcome: 'adopted', text: '已采纳，下月实施。', by: { kind: 'unit', unit: 'fgw', userid: 'lisi' } });
  expect(r.ok).toBe(true);
  return reference;
}

describe('office actions', () => {
  test('办结 is refused while units are still working, allowed once answered, and final', async () => {
    const working = await app.submit();
    await app.handling.assign(working, { units: ['fgw'], by: office });
    const early = await post(working, 'close', {});
    expect(early.statusCode).toBe(409);
    expect(early.json().error).toBe('bad_state');

    const done = await answered();
    expect((await post(done, 'close', { note: '已复核' })).json().status).toBe('closed');
    expect((await post(done, 'close', {})).statusCode).toBe(409);
    // A unit token may not close.
    const other = await answered();
    expect((await post(other, 'close', {}, FGW_TOKEN)).statusCode).toBe(403);
  });

  test('internal notes are kept for the office and never shown to the unit', async () => {
    const reference = await answered();
    expect((await post(reference, 'notes', { text: '建议人曾多次来电，注意沟通方式' })).statusCode).toBe(200);
    const forOffice = (await get(`/api/suggestions/${reference}`)).json();
    expect(forOffice.internalNotes).toEqual([expect.objectContaining({ text: '建议人曾多次来电，注意沟通方式', by: 'office' })]);
    const forUnit = (await get(`/api/suggestions/${reference}`, FGW_TOKEN)).json();
    expect(forUnit.internalNotes).toBeUndefined();
    expect(JSON.stringify(forUnit)).not.toContain('多次来电');
  });

  test('a correction changes theme, category and title, and the audit keeps both versions', async () => {
    const reference = await app.submit({ title: '关于完善农村公交的建意' });
    const res = await post(reference, 'correct', { title: '关于完善农村公交的建议', category: 'problem', theme: 'chengyu_economic_circle', note: '错别字' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ title: '关于完善农村公交的建议', category: 'problem', theme: 'chengyu_economic_circle' });
    const audit = (await get(`/api/audit?target=${reference}`)).json().items[0];
    expect(audit.action).toBe('correct');
    expect(audit.before).toMatchObject({ title: '关于完善农村公交的建意', category: 'work', theme: 'rural_revitalization' });
    expect(audit.after).toMatchObject({ title: '关于完善农村公交的建议', category: 'problem', theme: 'chengyu_economic_circle' });
    expect((await post(reference, 'correct', { title: '关于完善农村公交的建议' })).statusCode).toBe(400);
    expect((await post(reference, 'correct', { theme: 'no_such_theme' })).statusCode).toBe(400);
  });

  test('a duplicate points at the earlier suggestion, which must exist', async () => {
    const first = await app.submit();
    const again = await app.submit();
    expect((await post(again, 'duplicate', { of: first })).json().duplicateOf).toMatchObject({ reference: first, by: 'office' });
    expect((await post(again, 'duplicate', { of: 'WZ2021-999999' })).statusCode).toBe(404);
    expect((await post(first, 'duplicate', { of: first })).statusCode).toBe(400);
  });
});

describe('reads', () => {
  test('the queue counts per role: the office sees what waits for it, a unit token its own steps', async () => {
    const fresh = await app.submit();
    const toAccept = await app.submit();
    await app.handling.assign(toAccept, { units: ['fgw'], by: office });
    const officeQueue = (await get('/api/queue?bucket=to_assign')).json();
    expect(officeQueue.buckets.map((b: { id: string }) => b.id)).toEqual(['to_assign', 'review', 'overdue', 'instruction', 'city', 'to_close']);
    expect(officeQueue.items.map((i: { reference: string }) => i.reference)).toContain(fresh);
    const unitQueue = (await get('/api/queue?bucket=to_accept', FGW_TOKEN)).json();
    expect(unitQueue.buckets.map((b: { id: string }) => b.id)).toEqual(['to_accept', 'to_answer', 'overdue']);
    const item = unitQueue.items.find((i: { reference: string }) => i.reference === toAccept);
    expect(item.work).toMatchObject({ actor: 'unit', step: 'accept', units: [expect.objectContaining({ unit: 'fgw', step: 'accept', overdue: false })], daysLeft: 3, overdue: false });
    expect(unitQueue.items.map((i: { reference: string }) => i.reference)).not.toContain(fresh);
  });

  test("search finds the proposer's name and phone; 已推荐市征集办 also finds one recommended after handling", async () => {
    const byPhone = await app.submit({ proposer: { name: '欧阳娜娜', phone: '13700001234', unit: '某某学校' } });
    expect((await get('/api/suggestions?text=13700001234')).json().items.map((i: { reference: string }) => i.reference)).toEqual([byPhone]);
    expect((await get(`/api/suggestions?text=${encodeURIComponent('欧阳娜娜')}`)).json().items.map((i: { reference: string }) => i.reference)).toEqual([byPhone]);
    const handled = await answered();
    expect((await post(handled, 'recommend-city', { note: '涉及全市' })).statusCode).toBe(200);
    expect((await get(`/api/suggestions/${handled}`)).json().status).toBe('answered');
    expect((await get('/api/suggestions?status=recommended_to_city&pageSize=200')).json().items.map((i: { reference: string }) => i.reference)).toContain(handled);
  });

  test('statistics give each unit its four rates and the campaign counts, over the same filter', async () => {
    const st = (await get('/api/stats')).json();
    const fgw = st.byUnitRates.find((u: { unit: string }) => u.unit === 'fgw');
    expect(fgw.unitName).toBe('区发展改革委');
    expect(fgw.rates.adoption.denominator).toBeGreaterThan(0);
    expect(st.byUnitRates.map((u: { unit: string }) => u.unit)).not.toContain('xfb');
    expect(st.campaign).toMatchObject({ recommended: 1, valuable: 0 });
    const filtered = (await get('/api/stats?unit=fgw')).json();
    expect(filtered.byUnitRates.map((u: { unit: string }) => u.unit)).toEqual(['fgw']);
  });

  test('the list sorted by due date puts the soonest deadline first and keeps the total', async () => {
    const plain = (await get('/api/suggestions?pageSize=200')).json();
    const byDue = (await get('/api/suggestions?pageSize=200&sort=due')).json();
    expect(byDue.total).toBe(plain.total);
    const dues = byDue.items.map((i: { work: { dueAt: string | null } }) => i.work.dueAt ?? '9999');
    expect(dues).toEqual([...dues].sort());
    expect(dues[0]).not.toBe('9999');
    // Paging works over the sorted whole.
    const second = (await get('/api/suggestions?pageSize=2&page=2&sort=due')).json();
    expect(second.items.map((i: { reference: string }) => i.reference)).toEqual(byDue.items.slice(2, 4).map((i: { reference: string }) => i.reference));
  });

  test('statistics and the list count the same suggestions for the same filter', async () => {
    for (const q of ['', 'unit=fgw', 'status=answered', 'theme=rural_revitalization&unit=fgw']) {
      const st = (await get(`/api/stats?${q}`)).json();
      const list = (await get(`/api/suggestions?${q}`)).json();
      expect(st.total, q).toBe(list.total);
    }
  });

  test('exports are named with the day, in Chinese, with an ASCII fallback', async () => {
    const res = await get('/api/suggestions/export.csv');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="suggestions-2021-07-01.csv"; filename*=UTF-8''${encodeURIComponent('人民建议_2021-07-01.csv')}`);
    const header = res.body.replace(/^\uFEFF/, '').split('\r\n')[0]!;
    expect(header).toContain('办理结果');
    expect(header).toContain('暂不采纳原因');
  });
});

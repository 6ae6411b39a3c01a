/**
 * Personal sign-in to the console through the fake WeCom (wecom-contract.md §7.7), at the HTTP level: the
 * redirect to WeCom with a state, the callback that checks it and resolves the code with
 * auth/getuserinfo, the session cookie, sessions kept in the database or in a real Redis, sign-out, the
 * break-glass token, and that whatever is done is recorded as the signed-in person, never a typed name.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADMIN_TOKEN, FGW_TOKEN, STAFF, startAdminApp, type AdminApp } from './helpers/admin-app.js';
import { startFakeWeCom, type FakeWeCom } from '../fakes/fake-wecom-server.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const CORP = 'ww0123456789abcdef';

/** Walks the browser's part of the sign-in: start → WeCom's page → the callback. Returns the callback's answer. */
async function walkSignIn(app: AdminApp, wecom: FakeWeCom, who: { userid: string } | { openid: string }, tamper: { state?: string; replay?: boolean } = {}) {
  const start = await fetch(`${app.url}/auth/wecom/start`, { redirect: 'manual' });
  const stateCookie = /jy_oauth_state=([^;]+)/.exec(start.headers.get('set-cookie') ?? '')?.[1] ?? '';
  const toWeCom = new URL(start.headers.get('location')!);
  wecom.signInAs(who);
  const page = await fetch(toWeCom, { redirect: 'manual' });
  const back = new URL(page.headers.get('location')!);
  if (tamper.state !== undefined) back.searchParams.set('state', tamper.state);
  const callback = await fetch(back, { redirect: 'manual', headers: { cookie: `jy_oauth_state=${stateCookie}` } });
  return { start, toWeCom, back, callback, stateCookie };
}

const sessionOf = (res: Response) => /jy_session=([^;]*)/.exec(res.headers.getSetCookie().join('\n'))?.[1];

describe('sign-in with WeCom, sessions in the database', () => {
  let app: AdminApp;
  let wecom: FakeWeCom;

  beforeAll(async () => {
    wecom = await startFakeWeCom();
    app = await startAdminApp({ listen: true, handlingRoutes: true, wecom: { url: wecom.url, corpId: CORP, agentId: 1000002, secret: 'app-secret' } });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await wecom?.close();
  });

  test('the browser goes to WeCom with the corp, the app and a state, and comes back signed in as the member', async () => {
    const { toWeCom, callback, stateCookie } = await walkSignIn(app, wecom, { userid: STAFF.clerk.userid });
    expect(`${toWeCom.origin}${toWeCom.pathname}`).toBe(`${wecom.url}/wwlogin/sso/login`);
    expect(Object.fromEntries(toWeCom.searchParams)).toEqual({
      login_type: 'CorpApp',
      appid: CORP,
      agentid: '1000002',
      redirect_uri: `${app.url}/auth/wecom/callback`,
      state: stateCookie,
    });
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/console/');
    const cookie = callback.headers.getSetCookie().find((c) => c.startsWith('jy_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Max-Age=36000/);
    expect(cookie).toMatch(/Path=\//);
    const me = await fetch(`${app.url}/api/me`, { headers: { cookie: `jy_session=${sessionOf(callback)}` } });
    expect(await me.json()).toMatchObject({ kind: 'office', id: 'chenxf', name: '陈信访', via: 'wecom', session: true });
    // The code was resolved with the app's token, once.
    const lookups = wecom.received.filter((r) => r.api === 'auth/getuserinfo');
    expect(lookups.at(-1)!.errcode).toBe(0);
  });

  test('inside the WeCom client the OAuth page is used instead of the QR page, and signs in the same way', async () => {
    const start = await fetch(`${app.url}/auth/wecom/start`, { redirect: 'manual', headers: { 'user-agent': 'Mozilla/5.0 (iPhone) wxwork/4.1.22 MicroMessenger/7.0.1' } });
    const to = new URL(start.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(`${wecom.url}/connect/oauth2/authorize`);
    expect(to.hash).toBe('#wechat_redirect');
    const state = /jy_oauth_state=([^;]+)/.exec(start.headers.get('set-cookie') ?? '')![1]!;
    expect(Object.fromEntries(to.searchParams)).toEqual({ appid: CORP, redirect_uri: `${app.url}/auth/wecom/callback`, response_type: 'code', scope: 'snsapi_base', state, agentid: '1000002' });
    wecom.signInAs({ userid: STAFF.fgwMember.userid });
    to.hash = '';
    const back = new URL((await fetch(to, { redirect: 'manual' })).headers.get('location')!);
    const callback = await fetch(back, { redirect: 'manual', headers: { cookie: `jy_oauth_state=${state}` } });
    expect(callback.headers.get('location')).toBe('/console/');
    expect((await app.http.inject({ url: '/api/me', headers: { cookie: `jy_session=${sessionOf(callback)}` } })).json()).toMatchObject({ kind: 'unit', unit: 'fgw', name: '李四' });
  });

  test('a state that is not the one issued is refused before WeCom is asked about the code', async () => {
    const before = wecom.received.filter((r) => r.api === 'auth/getuserinfo').length;
    const { callback } = await walkSignIn(app, wecom, { userid: STAFF.clerk.userid }, { state: 'forged-state-forged-state' });
    expect(callback.headers.get('location')).toBe('/console/?signin=expired');
    expect(sessionOf(callback) ?? '').toBe('');
    expect(wecom.received.filter((r) => r.api === 'auth/getuserinfo').length).toBe(before);
  });

  test('a code is single-use: replaying it fails; a non-member is refused', async () => {
    const first = await walkSignIn(app, wecom, { userid: STAFF.fgwMember.userid });
    expect(first.callback.headers.get('location')).toBe('/console/');
    const replay = await fetch(first.back, { redirect: 'manual', headers: { cookie: `jy_oauth_state=${first.stateCookie}` } });
    expect(replay.headers.get('location')).toBe('/console/?signin=failed');
    expect(wecom.received.filter((r) => r.api === 'auth/getuserinfo').at(-1)!.errcode).toBe(40029);

    const stranger = await walkSignIn(app, wecom, { openid: 'o-wechat-user' });
    expect(stranger.callback.headers.get('location')).toBe('/console/?signin=denied');
    expect(sessionOf(stranger.callback) ?? '').toBe('');
  });

  test('what a signed-in clerk does is recorded as them, whatever name a header or body declares', async () => {
    const reference = await app.submit();
    const { callback } = await walkSignIn(app, wecom, { userid: STAFF.clerk.userid });
    const cookie = `jy_session=${sessionOf(callback)}`;
    const mark = await app.http.inject({ method: 'POST', url: `/api/suggestions/${reference}/valuable`, headers: { cookie, 'x-operator': encodeURIComponent('冒名者') }, payload: { valuable: true } });
    expect(mark.statusCode).toBe(200);
    const assign = await app.http.inject({ method: 'POST', url: `/api/suggestions/${reference}/assign`, headers: { cookie }, payload: { units: ['fgw'], by: '冒名者' } });
    expect(assign.statusCode).toBe(200);
    const doc = await app.suggestions.getByReference(reference);
    const actors = (doc!.history as { action: string; actor: string }[]).filter((h) => h.action !== 'submit').map((h) => [h.action, h.actor]);
    expect(actors).toEqual([
      ['mark_valuable', 'office:chenxf'],
      ['assign', 'office:chenxf'],
    ]);
    const audit = await app.http.inject({ url: `/api/audit?target=${reference}`, headers: { cookie } });
    // Every write is audited under the signed-in person (newest first).
    expect(audit.json().items.map((e: { action: string; actor: { kind: string; id: string } }) => [e.action, `${e.actor.kind}:${e.actor.id}`])).toEqual([
      ['assign', 'office:chenxf'],
      ['mark_valuable', 'office:chenxf'],
    ]);
  });

  test('a unit member answers for their own unit only, as themselves; a leader cannot use the office actions', async () => {
    const reference = await app.submit();
    await app.handling.assign(reference, { units: ['fgw', 'jw'], by: { kind: 'office', id: 'chenxf' } });
    const member = `jy_session=${sessionOf((await walkSignIn(app, wecom, { userid: STAFF.fgwMember.userid })).callback)}`;
    const forOther = await app.http.inject({ method: 'POST', url: `/api/suggestions/${reference}/answer`, headers: { cookie: member }, payload: { unit: 'jw', outcome: 'adopted', text: '已研究采纳，明年实施。' } });
    expect(forOther.statusCode).toBe(403);
    const accept = await app.http.inject({ method: 'POST', url: `/api/suggestions/${reference}/accept`, headers: { cookie: member }, payload: {} });
    expect(accept.statusCode).toBe(200);
    const answer = await app.http.inject({ method: 'POST', url: `/api/suggestions/${reference}/answer`, headers: { cookie: member }, payload: { outcome: 'adopted', text: '已研究采纳，明年实施。', by: '冒名者' } });
    expect(answer.statusCode).toBe(200);
    const fgw = ((await app.suggestions.getByReference(reference))!.assignments as Record<string, any>[]).find((a) => a.unit === 'fgw')!;
    expect(fgw.acceptedBy).toBe('unit:fgw:lisi');
    expect(fgw.answer.by).toBe('unit:fgw:lisi');

    const leader = `jy_session=${sessionOf((await walkSignIn(app, wecom, { userid: STAFF.leader.userid })).callback)}`;
    const reject = await app.http.inject({ method: 'POST', url: `/api/suggestions/${reference}/reject`, headers: { cookie: leader }, payload: { reason: '不属于征集范围' } });
    expect(reject.statusCode).toBe(403);
    const valuable = await app.http.inject({ method: 'POST', url: `/api/suggestions/${reference}/valuable`, headers: { cookie: leader }, payload: { valuable: true } });
    expect(valuable.statusCode).toBe(403);
    // …but reads everything.
    expect((await app.http.inject({ url: `/api/suggestions/${reference}`, headers: { cookie: leader } })).statusCode).toBe(200);
  });

  test('an agent sees only the suggestions they entered, and can change nothing', async () => {
    const theirs = await app.submit({ enteredBy: { agent: STAFF.agent.id, unit: 'nyncw', consentAt: new Date('2021-07-01T01:00:00Z') } });
    const other = await app.submit();
    const agent = `jy_session=${sessionOf((await walkSignIn(app, wecom, { userid: STAFF.agent.userid })).callback)}`;
    expect((await app.http.inject({ url: '/api/me', headers: { cookie: agent } })).json()).toMatchObject({ kind: 'agent', id: 'daili-wang', name: '王代理', unitName: '区农业农村委' });
    const list = (await app.http.inject({ url: '/api/suggestions?pageSize=200', headers: { cookie: agent } })).json();
    expect(list.items.map((i: { reference: string }) => i.reference)).toEqual([theirs]);
    expect((await app.http.inject({ url: `/api/suggestions/${other}`, headers: { cookie: agent } })).statusCode).toBe(404);
    expect((await app.http.inject({ method: 'POST', url: `/api/suggestions/${theirs}/valuable`, headers: { cookie: agent }, payload: { valuable: true } })).statusCode).toBe(403);
    expect((await app.http.inject({ method: 'POST', url: `/api/suggestions/${theirs}/accept`, headers: { cookie: agent }, payload: { unit: 'nyncw' } })).statusCode).toBe(403);
  });

  test('sessions end: at sign-out, and when they expire', async () => {
    const cookie = `jy_session=${sessionOf((await walkSignIn(app, wecom, { userid: STAFF.clerk.userid })).callback)}`;
    expect((await app.http.inject({ url: '/api/me', headers: { cookie } })).statusCode).toBe(200);
    const out = await app.http.inject({ method: 'POST', url: '/auth/signout', headers: { cookie } });
    expect(out.statusCode).toBe(204);
    expect(out.headers['set-cookie']).toMatch(/jy_session=;.*Max-Age=0/);
    expect((await app.http.inject({ url: '/api/me', headers: { cookie } })).statusCode).toBe(401);

    const later = `jy_session=${sessionOf((await walkSignIn(app, wecom, { userid: STAFF.clerk.userid })).callback)}`;
    app.clock.advance(10 * 3_600_000 + 1000);
    expect((await app.http.inject({ url: '/api/me', headers: { cookie: later } })).statusCode).toBe(401);
  });

  test('break-glass: the admin token starts a session that says so; a wrong token does not', async () => {
    const wrong = await app.http.inject({ method: 'POST', url: '/auth/token', payload: { token: 'not-the-token-0000000000' } });
    expect(wrong.statusCode).toBe(401);
    const right = await app.http.inject({ method: 'POST', url: '/auth/token', payload: { token: ADMIN_TOKEN } });
    expect(right.statusCode).toBe(200);
    const cookie = /jy_session=[^;]+/.exec(String(right.headers['set-cookie']))![0];
    expect((await app.http.inject({ url: '/api/me', headers: { cookie } })).json()).toMatchObject({ kind: 'office', id: 'break-glass', name: '区信访办（应急登录）', via: 'break-glass' });
  });

  test("a unit's break-glass session is recorded as 应急登录 of that unit, never as a member", async () => {
    const reference = await app.submit();
    await app.handling.assign(reference, { units: ['fgw'], by: { kind: 'office', id: 'chenxf' } });
    const res = await app.http.inject({ method: 'POST', url: '/auth/token', payload: { token: FGW_TOKEN } });
    const cookie = /jy_session=[^;]+/.exec(String(res.headers['set-cookie']))![0];
    expect((await app.http.inject({ method: 'POST', url: `/api/suggestions/${reference}/accept`, headers: { cookie }, payload: {} })).statusCode).toBe(200);
    const fgw = ((await app.suggestions.getByReference(reference))!.assignments as Record<string, any>[])[0]!;
    expect(fgw.acceptedBy).toBe('unit:fgw:应急登录');
  });
});

describe('sign-in with WeCom, sessions in Redis', () => {
  let app: AdminApp;
  let wecom: FakeWeCom;
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await startTestRedis();
    wecom = await startFakeWeCom();
    app = await startAdminApp({ listen: true, redis: redis.client(), wecom: { url: wecom.url, corpId: CORP, agentId: 1000002, secret: 'app-secret' } });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await wecom?.close();
    await redis?.stop();
  });

  test('the session lives in Redis under the hash of the cookie, with its expiry, and sign-out deletes it', async () => {
    const sid = sessionOf((await walkSignIn(app, wecom, { userid: STAFF.clerk.userid })).callback)!;
    const client = redis.client();
    const key = `jy:console:session:${createHash('sha256').update(sid).digest('hex')}`;
    const stored = JSON.parse((await client.get(key))!);
    expect(stored.actor).toEqual({ kind: 'office', id: 'chenxf', name: '陈信访', unit: 'xfb', via: 'wecom' });
    const ttl = await client.pttl(key);
    expect(ttl).toBeGreaterThan(9 * 3_600_000);
    expect(ttl).toBeLessThanOrEqual(10 * 3_600_000);
    // The raw cookie value is nowhere in Redis.
    expect((await client.keys('*')).some((k) => k.includes(sid))).toBe(false);
    expect((await app.http.inject({ url: '/api/me', headers: { cookie: `jy_session=${sid}` } })).json()).toMatchObject({ name: '陈信访' });
    await app.http.inject({ method: 'POST', url: '/auth/signout', headers: { cookie: `jy_session=${sid}` } });
    expect(await client.exists(key)).toBe(0);
  });
});

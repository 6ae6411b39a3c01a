/**
 * Personal sign-in to the console with WeCom (wecom-contract.md §7.7) and the console session.
 *
 *   GET  /auth/wecom/start     → 302 to WeCom's sign-in page (the QR page; inside the WeCom client, the
 *                                OAuth page) with a fresh `state` (also kept in a short HttpOnly cookie,
 *                                so the callback can check it: CSRF).
 *   GET  /auth/wecom/callback  → checks `state`, resolves the single-use `code` with auth/getuserinfo to
 *                                the member's userid, maps it to a role from the directory (config
 *                                `leaders`, `members`, `units[].wecomUserIds`, `agents`), starts a
 *                                server-side session and sets the session cookie; back to /console/.
 *   POST /auth/token           → break-glass: a valid ADMIN_TOKEN (or unit token) starts a session,
 *                                logged as such.
 *   POST /auth/signout         → ends the session and clears the cookie.
 *
 * The session cookie is HttpOnly, SameSite=Strict, Path=/, with Max-Age, and Secure in production or over
 * https. The hook `identify` (registered on the root instance) resolves the cookie once per /api or /auth
 * request and sets `request.actor` for sessions and tokens alike.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { parse as parseCookies, serialize } from 'cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppConfig } from '../infra/config.js';
import { unauthorized } from '../infra/errors.js';
import type { Logger } from '../infra/logger.js';
import { actorLabels } from '../../flows/texts/labels.js';
import { identifyRequest, principalOf, type Authenticate, type RequestActor } from './admin-auth.js';
import type { ConsoleSessionStore } from './console-sessions.js';

export const SESSION_COOKIE = 'jy_session';
const STATE_COOKIE = 'jy_oauth_state';
const STATE_TTL_S = 300;

/** Resolves a sign-in code to the WeCom member's userid (undefined for a non-member). */
export type ResolveSignInCode = (code: string) => Promise<{ userid?: string }>;

/** auth/getuserinfo over the app's access token (a GET; the WeCom client only POSTs). */
export function createWeComCodeResolver(deps: { apiBase: string; getToken: () => Promise<string>; fetch?: typeof fetch }): ResolveSignInCode {
  const base = deps.apiBase.replace(/\/+$/, '');
  const doFetch = deps.fetch ?? fetch;
  return async (code) => {
    const token = await deps.getToken();
    const res = await doFetch(`${base}/cgi-bin/auth/getuserinfo?${new URLSearchParams({ access_token: token, code })}`, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as { errcode?: number; errmsg?: string; userid?: string; UserId?: string };
    if (body.errcode !== 0) throw new Error(`auth/getuserinfo errcode ${body.errcode}: ${body.errmsg ?? ''}`);
    const userid = body.userid ?? body.UserId;
    return userid ? { userid } : {};
  };
}

export type SignInConfig = Pick<AppConfig, 'env' | 'units' | 'members' | 'agents' | 'leaders' | 'collectingOffice' | 'adminApi'>;

/** The console role of a WeCom member, from the directory in config; undefined when they have none. */
export function roleOf(userid: string, config: Pick<SignInConfig, 'units' | 'members' | 'agents' | 'leaders' | 'collectingOffice'>): RequestActor | undefined {
  const leader = config.leaders.find((l) => l.userid === userid);
  if (leader) return { kind: 'leader', id: userid, name: leader.name, via: 'wecom' };
  const member = config.members.find((m) => m.userid === userid);
  const name = member?.name ?? config.agents.find((a) => a.wecomUserId === userid)?.name ?? userid;
  const officeUnit = config.units.find((u) => u.id === config.collectingOffice);
  if (member?.role === 'office' || officeUnit?.wecomUserIds.includes(userid)) return { kind: 'office', id: userid, name, unit: config.collectingOffice, via: 'wecom' };
  const unit = member?.role === 'unit' ? member.unit : config.units.find((u) => u.wecomUserIds.includes(userid))?.id;
  if (unit) return { kind: 'unit', id: userid, name, unit, via: 'wecom' };
  const agent = config.agents.find((a) => a.wecomUserId === userid);
  // An agent is known by their agent id (what their entries carry in `enteredBy.agent`).
  if (member?.role === 'agent' || agent) return { kind: 'agent', id: agent?.id ?? userid, name, unit: agent?.unit ?? member?.unit ?? '', via: 'wecom' };
  return undefined;
}

export interface SignInDeps {
  config: SignInConfig;
  store: ConsoleSessionStore;
  authenticate: Authenticate;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Unset when WeCom is not configured: only the break-glass token sign-in works then. */
  resolveCode?: ResolveSignInCode;
}

const tokenBody = z.object({ token: z.string().min(1).max(200) }).strict();

const sessionRead = new WeakSet<FastifyRequest>();

/**
 * Reads the console session named by the request's cookie (once per request) and sets
 * `request.sessionPrincipal` and `request.actor`. The session hook calls it; so does the failed sign-in
 * throttle, which runs earlier and must not count a signed-in person's requests.
 */
export async function attachSession(req: FastifyRequest, store: Pick<ConsoleSessionStore, 'get'>, authenticate: Authenticate): Promise<void> {
  if (sessionRead.has(req)) return;
  sessionRead.add(req);
  const sid = parseCookies(req.headers.cookie ?? '')[SESSION_COOKIE];
  if (sid) {
    const session = await store.get(sid);
    if (session) {
      req.sessionPrincipal = principalOf(session.actor);
      req.sessionKey = sid;
    }
  }
  identifyRequest(req, authenticate);
}

/** Registers the session hook and the /auth routes. Call before any /api route is registered. */
export function registerSignIn(app: FastifyInstance, deps: SignInDeps): void {
  const { config, store } = deps;
  const ttlMs = config.adminApi.sessionHours * 3_600_000;
  const secure = (req: FastifyRequest) => config.env.NODE_ENV === 'production' || req.protocol === 'https';
  const cookies = (req: FastifyRequest) => parseCookies(req.headers.cookie ?? '');

  app.addHook('onRequest', async (req) => {
    const path = req.url.split('?')[0] ?? '';
    if (!path.startsWith('/api/') && !path.startsWith('/auth/')) return;
    await attachSession(req, store, deps.authenticate);
  });

  const setSession = (reply: FastifyReply, req: FastifyRequest, id: string) =>
    reply.header('set-cookie', serialize(SESSION_COOKIE, id, { httpOnly: true, sameSite: 'strict', path: '/', maxAge: Math.floor(ttlMs / 1000), secure: secure(req) }));
  const back = (reply: FastifyReply, outcome?: string) => reply.header('cache-control', 'no-store').redirect(outcome ? `/console/?signin=${outcome}` : '/console/');
  const origin = (req: FastifyRequest) => (config.env.CONSOLE_PUBLIC_URL ?? `${req.protocol}://${req.host}`).replace(/\/+$/, '');

  app.get('/auth/wecom/start', { schema: { hide: true } }, async (req, reply) => {
    if (!deps.resolveCode || !config.env.WECOM_CORP_ID) return back(reply, 'unavailable');
    // Letters and digits only, at most 128 bytes: what WeCom's OAuth pages pass back unchanged.
    const state = randomBytes(18).toString('hex');
    const redirectUri = `${origin(req)}/auth/wecom/callback`;
    const agentid = String(config.env.WECOM_AGENT_ID ?? '');
    // Inside the WeCom client (its user agent says wxwork) the OAuth page signs the member in without a
    // QR code; in any other browser, WeCom's QR sign-in page.
    const inClient = /wxwork/i.test(req.headers['user-agent'] ?? '');
    const url = new URL(inClient ? config.env.WECOM_OAUTH_URL : config.env.WECOM_LOGIN_URL);
    url.search = new URLSearchParams(
      inClient
        ? { appid: config.env.WECOM_CORP_ID, redirect_uri: redirectUri, response_type: 'code', scope: 'snsapi_base', state, agentid }
        : { login_type: 'CorpApp', appid: config.env.WECOM_CORP_ID, agentid, redirect_uri: redirectUri, state },
    ).toString();
    if (inClient) url.hash = 'wechat_redirect';
    reply.header('set-cookie', serialize(STATE_COOKIE, state, { httpOnly: true, sameSite: 'lax', path: '/auth/wecom', maxAge: STATE_TTL_S, secure: secure(req) }));
    return reply.header('cache-control', 'no-store').redirect(url.toString());
  });

  app.get('/auth/wecom/callback', { schema: { hide: true } }, async (req, reply) => {
    const q = z.object({ code: z.string().min(1).max(512).optional(), state: z.string().max(128).optional() }).passthrough().parse(req.query ?? {});
    const expected = cookies(req)[STATE_COOKIE] ?? '';
    reply.header('set-cookie', serialize(STATE_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: '/auth/wecom', maxAge: 0, secure: secure(req) }));
    const given = q.state ?? '';
    const stateOk = expected.length > 0 && given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
    if (!stateOk || !q.code || !deps.resolveCode) {
      deps.logger.warn({ hasCode: Boolean(q.code), stateOk }, 'console sign-in refused: state missing or not the one issued');
      return back(reply, 'expired');
    }
    let userid: string | undefined;
    try {
      ({ userid } = await deps.resolveCode(q.code));
    } catch (err) {
      deps.logger.warn({ err: (err as Error).message }, 'console sign-in failed: the code could not be resolved');
      return back(reply, 'failed');
    }
    const actor = userid ? roleOf(userid, config) : undefined;
    if (!actor) {
      deps.logger.warn({ userid: userid ?? null }, 'console sign-in refused: not in the members directory');
      return back(reply, 'denied');
    }
    const { id } = await store.create(actor, ttlMs);
    deps.logger.info({ actor: { kind: actor.kind, id: actor.id, unit: actor.unit ?? null }, via: 'wecom' }, 'console sign-in');
    reply.removeHeader('set-cookie');
    reply.header('set-cookie', [
      serialize(STATE_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: '/auth/wecom', maxAge: 0, secure: secure(req) }),
      serialize(SESSION_COOKIE, id, { httpOnly: true, sameSite: 'strict', path: '/', maxAge: Math.floor(ttlMs / 1000), secure: secure(req) }),
    ]);
    return back(reply);
  });

  app.post('/auth/token', { schema: { hide: true } }, async (req, reply) => {
    const { token } = tokenBody.parse(req.body ?? {});
    // The token is checked exactly as an API call's bearer token is (401 when wrong).
    const fake = { headers: { authorization: `Bearer ${token}` } } as unknown as FastifyRequest;
    const p = deps.authenticate.identify(fake);
    if (!p) {
      req.log.warn({ ip: req.ip, reason: 'unknown_token' }, 'console break-glass sign-in failed');
      throw unauthorized();
    }
    const base = p.actor ?? { kind: 'office' as const, id: 'admin-token', name: actorLabels.adminToken, via: 'token' as const };
    const actor: RequestActor =
      base.kind === 'office' ? { kind: 'office', id: 'break-glass', name: actorLabels.breakGlass, via: 'break-glass' } : { ...base, id: 'break-glass', via: 'break-glass' };
    const { id } = await store.create(actor, ttlMs);
    deps.logger.warn({ actor: { kind: actor.kind, id: actor.id, unit: actor.unit ?? null }, via: 'break-glass' }, 'console break-glass sign-in with a token');
    setSession(reply, req, id);
    return { kind: actor.kind, name: actor.name };
  });

  app.post('/auth/signout', { schema: { hide: true } }, async (req, reply) => {
    if (req.sessionKey) {
      await store.destroy(req.sessionKey);
      if (req.actor) deps.logger.info({ actor: { kind: req.actor.kind, id: req.actor.id } }, 'console sign-out');
    }
    reply.header('set-cookie', serialize(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', path: '/', maxAge: 0, secure: secure(req) }));
    return reply.status(204).send();
  });
}

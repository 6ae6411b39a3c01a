/**
 * Who is calling the admin API, established once per request.
 *
 * Two ways in: a personal console session (WeCom sign-in, see sign-in-routes.ts; a server-side session
 * behind an HttpOnly cookie) or a bearer token (`ADMIN_TOKEN` = the office, unit tokens from config =
 * one unit each), for the API and as break-glass. Tokens are compared in constant time (on their SHA-256
 * digests, so lengths leak nothing either).
 *
 * The request-level identity is `request.actor` (`{ kind, id, name, unit?, via }`), set by the hook
 * `identifyRequest` for both ways in; every write is recorded under it (audit log, history). It comes only
 * from what was authenticated, never from a name the client sends (an `X-Operator` header is ignored).
 * Failed sign-ins are logged without the token; their rate per client is limited by the HTTP server
 * (@fastify/rate-limit, which lets requests with a valid credential through: `Authenticate.check`).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { forbidden, unauthorized } from '../infra/errors.js';
import { actorLabels } from '../../flows/texts/labels.js';

/** The signed-in person (or the token) behind a request. */
export interface RequestActor {
  kind: 'office' | 'unit' | 'leader' | 'agent';
  /** WeCom userid of a person; `admin-token` / `unit-token:<unit>` / `break-glass` for tokens. */
  id: string;
  name: string;
  unit?: string;
  via: 'wecom' | 'token' | 'break-glass';
}

/** What the caller may do: the office, one handling unit, a district leader, or an agent. */
export type Principal =
  | { kind: 'office'; actor?: RequestActor }
  | { kind: 'unit'; unit: string; actor?: RequestActor }
  | { kind: 'leader'; actor: RequestActor }
  | { kind: 'agent'; unit: string; actor: RequestActor };

export interface AdminAuthOptions {
  /** The office's token; when unset, only unit tokens can sign in. */
  adminToken?: string;
  unitTokens?: ReadonlyArray<{ unit: string; token: string }>;
  /** Unit names, for the actor names of unit tokens. */
  unitNames?: Readonly<Record<string, string>>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated person or token (undefined when nobody is signed in). Issue 17's audit reads it. */
    actor?: RequestActor;
    /** Set by the session hook when a valid console session cookie came with the request. */
    sessionPrincipal?: Principal;
    /** The session id (hashed) behind `sessionPrincipal`, for sign-out. */
    sessionKey?: string;
  }
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export type Authenticate = ((req: FastifyRequest) => Principal) & {
  /** The principal when the request carries a valid credential, without logging or throwing. */
  identify: (req: FastifyRequest) => Principal | undefined;
};

/** The principal of a signed-in person. */
export function principalOf(actor: RequestActor): Principal {
  switch (actor.kind) {
    case 'office':
      return { kind: 'office', actor };
    case 'unit':
      return { kind: 'unit', unit: actor.unit ?? '', actor };
    case 'leader':
      return { kind: 'leader', actor };
    case 'agent':
      return { kind: 'agent', unit: actor.unit ?? '', actor };
  }
}

/**
 * Builds the request authenticator: a bearer token if one is presented (a wrong one is 401 even with a
 * session), else the console session, else 401 (logged without the token).
 */
export function createAdminAuth(options: AdminAuthOptions | string): Authenticate {
  const opts: AdminAuthOptions = typeof options === 'string' ? { adminToken: options } : options;
  const candidates: Array<{ hash: Buffer; principal: Principal }> = [];
  if (opts.adminToken) {
    candidates.push({ hash: digest(opts.adminToken), principal: { kind: 'office', actor: { kind: 'office', id: 'admin-token', name: actorLabels.adminToken, via: 'token' } } });
  }
  for (const t of opts.unitTokens ?? []) {
    const name = actorLabels.unitToken(opts.unitNames?.[t.unit] ?? t.unit);
    candidates.push({ hash: digest(t.token), principal: { kind: 'unit', unit: t.unit, actor: { kind: 'unit', id: `unit-token:${t.unit}`, name, unit: t.unit, via: 'token' } } });
  }

  const match = (req: FastifyRequest): Principal | 'missing' | 'unknown' => {
    const header = req.headers.authorization;
    if (!header) return req.sessionPrincipal ?? 'missing';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m?.[1]) return 'unknown';
    const presented = digest(m[1]);
    let found: Principal | undefined;
    // Compare against every candidate so the time taken does not reveal which one matched.
    for (const c of candidates) if (timingSafeEqual(presented, c.hash) && !found) found = c.principal;
    return found ?? 'unknown';
  };

  const authenticate = (req: FastifyRequest): Principal => {
    const found = match(req);
    if (found === 'missing' || found === 'unknown') {
      // Never the token itself: only that one was missing or not recognised, and from where.
      req.log.warn({ ip: req.ip, method: req.method, route: req.routeOptions?.url, reason: found === 'missing' ? 'no_credential' : 'unknown_token' }, 'admin sign-in failed');
      throw unauthorized();
    }
    if (found.actor) req.actor ??= found.actor;
    return found;
  };
  return Object.assign(authenticate, {
    identify: (req: FastifyRequest) => {
      const found = match(req);
      return typeof found === 'object' ? found : undefined;
    },
  });
}

/** Sets `request.actor` from a token or the session, without refusing anyone (routes decide that). */
export function identifyRequest(req: FastifyRequest, authenticate: Authenticate): void {
  const p = authenticate.identify(req);
  if (p?.actor) req.actor = p.actor;
}

/**
 * The audit/history actor of a principal: a signed-in person is `office:<userid>`, `unit:<unit>:<userid>`
 * or `leader:<userid>` (the handling service's form); a token is `office` or `unit:fgw`.
 */
export function actorOf(p: Principal): string {
  const a = p.actor;
  if (a && a.via !== 'token') {
    if (a.kind === 'unit') return `unit:${a.unit}:${a.via === 'break-glass' ? actorLabels.breakGlassMember : a.id}`;
    return `${a.kind}:${a.id}`;
  }
  return p.kind === 'unit' ? `unit:${p.unit}` : p.kind === 'agent' ? `agent:${p.unit}` : p.kind;
}

/** The id the handling service records for an office action (`office:<id>`): the person, or the token. */
export function officeActorId(p: Principal): string {
  return p.actor && p.actor.via !== 'token' ? p.actor.id : 'admin';
}

/** Throws 403 unless the principal is the office. */
export function requireOffice(p: Principal): void {
  if (p.kind !== 'office') throw forbidden('only the office (区信访办) may do this');
}

/** The unit a principal is confined to (units and agents), if any. */
export function scopeUnit(p: Principal): string | undefined {
  return p.kind === 'unit' || p.kind === 'agent' ? p.unit : undefined;
}

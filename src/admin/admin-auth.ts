/**
 * Bearer-token auth for /api. `ADMIN_TOKEN` is the office (区信访办) and may do everything; each unit token
 * from config (`adminApi.unitTokens`) sees and acts only on its own unit's suggestions. Tokens are compared
 * in constant time (on their SHA-256 digests, so lengths leak nothing either).
 *
 * Authentication sets `request.actor`, the identity every write is recorded under (audit log, history):
 * it comes only from what was authenticated, never from a name the client sends (an `X-Operator` header
 * is ignored). Failed sign-ins are logged without the token; their rate per client is limited by the
 * HTTP server (@fastify/rate-limit, see {@link isAuthenticated}).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { forbidden, unauthorized } from '../infra/errors.js';

/** Who is calling: the office, or one handling unit. */
export type Principal = { kind: 'office'; operator?: string } | { kind: 'unit'; unit: string; operator?: string };

/**
 * The authenticated identity of a request: `admin-token` (the office's shared token), `unit-token` (id =
 * the unit) — and the personal sign-in of the console adds its own kind.
 */
export interface RequestActor {
  kind: string;
  id: string;
  name: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by authentication; undefined on routes that need none. */
    actor?: RequestActor;
  }
}

/** The identity of a token principal. */
export function tokenActor(p: Principal): RequestActor {
  return p.kind === 'office' ? { kind: 'admin-token', id: 'admin-token', name: 'ADMIN_TOKEN' } : { kind: 'unit-token', id: p.unit, name: p.unit };
}

export interface AdminAuthOptions {
  /** The office's token; when unset, only unit tokens can sign in. */
  adminToken?: string;
  unitTokens?: ReadonlyArray<{ unit: string; token: string }>;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export type Authenticate = ((req: FastifyRequest) => Principal) & {
  /** True when the request carries a valid credential (checked without side effects; the rate limiter's allow-list). */
  check?: (req: FastifyRequest) => boolean;
};

/** Builds the request authenticator. Throws 401 for a missing or unknown token (logged without the token). */
export function createAdminAuth(options: AdminAuthOptions | string): Authenticate {
  const opts: AdminAuthOptions = typeof options === 'string' ? { adminToken: options } : options;
  const candidates: Array<{ hash: Buffer; principal: Principal }> = [];
  if (opts.adminToken) candidates.push({ hash: digest(opts.adminToken), principal: { kind: 'office' } });
  for (const t of opts.unitTokens ?? []) candidates.push({ hash: digest(t.token), principal: { kind: 'unit', unit: t.unit } });

  const match = (req: FastifyRequest): Principal | 'missing' | 'unknown' => {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m?.[1]) return 'missing';
    const presented = digest(m[1]);
    let found: Principal | undefined;
    // Compare against every candidate so the time taken does not reveal which one matched.
    for (const c of candidates) if (timingSafeEqual(presented, c.hash) && !found) found = c.principal;
    return found ?? 'unknown';
  };

  const authenticate: Authenticate = (req: FastifyRequest): Principal => {
    const found = match(req);
    if (found === 'missing' || found === 'unknown') {
      // Never the token itself: only that one was missing or not recognised, and from where.
      req.log.warn({ ip: req.ip, method: req.method, route: req.routeOptions?.url, reason: found === 'missing' ? 'no_token' : 'unknown_token' }, 'admin sign-in failed');
      throw unauthorized();
    }
    req.actor ??= tokenActor(found);
    return found;
  };
  authenticate.check = (req) => typeof match(req) === 'object';
  return authenticate;
}

/** The audit/history actor name of a principal, e.g. `office`, `unit:fgw`. */
export function actorOf(p: Principal): string {
  const base = p.kind === 'office' ? 'office' : `unit:${p.unit}`;
  return p.operator ? `${base}(${p.operator})` : base;
}

/** Throws 403 unless the principal is the office. */
export function requireOffice(p: Principal): void {
  if (p.kind !== 'office') throw forbidden('only the office (区信访办) may do this');
}

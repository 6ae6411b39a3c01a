/**
 * Bearer-token auth for /api. `ADMIN_TOKEN` is the office (区信访办) and may do everything; each unit token
 * from config (`adminApi.unitTokens`) sees and acts only on its own unit's suggestions. Tokens are compared
 * in constant time (on their SHA-256 digests, so lengths leak nothing either).
 *
 * An optional `X-Operator` header names the person at the keyboard; it is recorded in the audit log next
 * to the token's identity, never trusted for permissions.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { forbidden, unauthorized } from '../infra/errors.js';

/** Who is calling: the office, or one handling unit. */
export type Principal = { kind: 'office'; operator?: string } | { kind: 'unit'; unit: string; operator?: string };

export interface AdminAuthOptions {
  /** The office's token; when unset, only unit tokens can sign in. */
  adminToken?: string;
  unitTokens?: ReadonlyArray<{ unit: string; token: string }>;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
const operatorPattern = /^[\p{L}\p{N} ._-]{1,32}$/u;

export type Authenticate = (req: FastifyRequest) => Principal;

/** Builds the request authenticator. Throws 401 for a missing or unknown token. */
export function createAdminAuth(options: AdminAuthOptions | string): Authenticate {
  const opts: AdminAuthOptions = typeof options === 'string' ? { adminToken: options } : options;
  const candidates: Array<{ hash: Buffer; principal: Principal }> = [];
  if (opts.adminToken) candidates.push({ hash: digest(opts.adminToken), principal: { kind: 'office' } });
  for (const t of opts.unitTokens ?? []) candidates.push({ hash: digest(t.token), principal: { kind: 'unit', unit: t.unit } });

  return function authenticate(req: FastifyRequest): Principal {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m?.[1]) throw unauthorized();
    const presented = digest(m[1]);
    let found: Principal | undefined;
    // Compare against every candidate so the time taken does not reveal which one matched.
    for (const c of candidates) if (timingSafeEqual(presented, c.hash) && !found) found = c.principal;
    if (!found) throw unauthorized();
    const raw = req.headers['x-operator'];
    const operator = typeof raw === 'string' ? decodeOperator(raw) : undefined;
    return operator ? { ...found, operator } : found;
  };
}

function decodeOperator(raw: string): string | undefined {
  let value = raw;
  try {
    value = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  value = value.trim();
  return operatorPattern.test(value) ? value : undefined;
}

/** The audit/history actor name of a principal, e.g. `office`, `unit:fgw`, `office(张三)`. */
export function actorOf(p: Principal): string {
  const base = p.kind === 'office' ? 'office' : `unit:${p.unit}`;
  return p.operator ? `${base}(${p.operator})` : base;
}

/** Throws 403 unless the principal is the office. */
export function requireOffice(p: Principal): void {
  if (p.kind !== 'office') throw forbidden('only the office (区信访办) may do this');
}

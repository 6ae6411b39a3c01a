/**
 * `GET /api/attachments/:id`: the bytes of an attachment (src/handling/attachments.ts) with its sniffed
 * `Content-Type`, for the office and the units the suggestion is assigned to (or whose agent entered it);
 * another unit gets 403, an unknown id 404.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Attachments } from '../handling/attachments.js';
import { forbidden, notFound } from '../infra/errors.js';
import type { Principal } from './admin-auth.js';

/**
 * Who may download, as who may read the suggestion: the office and leaders; units the suggestion is
 * assigned to (or whose agent entered it); the agent who entered it.
 */
function mayRead(p: Principal, s: { assignments?: { unit: string; active?: boolean; returnedAt?: Date | null }[]; enteredBy?: { unit?: string; agent?: string } | null }): boolean {
  if (p.kind === 'office' || p.kind === 'leader') return true;
  if (p.kind === 'agent') return s.enteredBy?.agent === p.actor.id;
  return s.enteredBy?.unit === p.unit || (s.assignments ?? []).some((a) => a.unit === p.unit && !a.returnedAt && a.active !== false);
}

export function registerAttachmentRoutes(
  app: FastifyInstance,
  deps: {
    attachments: Pick<Attachments, 'open'>;
    authenticate: (req: FastifyRequest) => Principal;
    suggestion: (reference: string) => Promise<Parameters<typeof mayRead>[1] | null>;
  },
): void {
  app.get('/api/attachments/:id', { schema: { tags: ['attachments'], summary: "An attachment's bytes (the office, or a unit the suggestion is assigned to)" } }, async (req, reply) => {
    const p = deps.authenticate(req);
    const id = String((req.params as { id?: string }).id ?? '');
    if (!/^[0-9a-f]{32}$/.test(id)) throw notFound('no such attachment');
    const found = await deps.attachments.open(id);
    if (!found?.doc.reference) throw notFound('no such attachment');
    const s = await deps.suggestion(found.doc.reference);
    if (!s) throw notFound('no such attachment');
    if (!mayRead(p, s)) {
      (found.stream as unknown as { destroy?: () => void }).destroy?.();
      throw forbidden('this attachment belongs to a suggestion not assigned to your unit');
    }
    const name = found.doc.name ?? found.doc._id;
    return reply
      .header('content-type', found.doc.contentType ?? 'application/octet-stream')
      .header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(name)}`)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
      .send(found.stream);
  });
}


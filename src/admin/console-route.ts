/**
 * Serves the console's static files (src/admin/console) at /console. The files are read once at start-up
 * and served from a fixed list, so no request path ever reaches the file system. A strict Content Security
 * Policy allows only our own scripts and styles: even a missed escape could not run injected script.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const consoleDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'console');

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const securityHeaders = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export function registerConsole(app: FastifyInstance): void {
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const name of readdirSync(consoleDir)) {
    const type = types[path.extname(name)];
    if (type) files.set(name, { body: readFileSync(path.join(consoleDir, name)), type });
  }
  const send = (name: string) => files.get(name);
  app.get('/console', async (_req, reply) => reply.redirect('/console/'));
  app.get('/console/', async (_req, reply) => {
    const f = send('index.html');
    if (!f) return reply.status(404).send();
    return reply.headers(securityHeaders).type(f.type).send(f.body);
  });
  app.get<{ Params: { file: string } }>('/console/:file', async (req, reply) => {
    const f = send(req.params.file);
    if (!f) return reply.status(404).send({ error: 'not_found', message: 'no such console file' });
    return reply.headers(securityHeaders).type(f.type).send(f.body);
  });
}

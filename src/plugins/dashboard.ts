import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * The dashboard's own policy: its scripts, styles and API calls come from this origin only,
 * and no inline script or style element runs (Vite's build has none). Everything else stays
 * as the API's (security plugin): no framing, no referrer, no sniffing.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PREFIX = '/admin/';

/**
 * Serves the built dashboard (dashboard/dist) at /admin/. Its file names carry a hash of
 * their content, so they are cached for a year; index.html, which names them, never is.
 * Not built yet: /admin/ says how to build it.
 */
export async function dashboard(app: FastifyInstance, { root }: { root: string }) {
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('content-security-policy', DASHBOARD_CSP);
    done(null, payload);
  });
  if (!existsSync(join(root, 'index.html'))) {
    app.get(PREFIX, { schema: { hide: true }, config: { database: false } }, async (_request, reply) =>
      reply.code(503).type('text/plain; charset=utf-8').send('The dashboard is not built yet: run `npm run build:dashboard` (npm start does it when it is missing).'),
    );
    return;
  }
  app.get('/admin', { schema: { hide: true }, config: { database: false } }, async (_request, reply) => reply.redirect(PREFIX, 301));
  await app.register(fastifyStatic, {
    root,
    prefix: PREFIX,
    wildcard: true,
    index: ['index.html'],
    cacheControl: false,
    setHeaders: (response, path) => {
      response.header('cache-control', path.startsWith(join(root, 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}

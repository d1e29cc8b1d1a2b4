import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  referrerPolicy: { policy: 'no-referrer' },
};

/**
 * Response headers for a JSON API: nothing a browser would render or frame, no sniffing,
 * no referrer. /docs sends its own, looser policy for Swagger UI's scripts (openapi plugin).
 * CORS is off unless CORS_ORIGINS lists exact origins; tokens travel in the Authorization
 * header, never cookies, so credentials are not allowed.
 */
export default fp(
  async function security(app: FastifyInstance, { corsOrigins }: { corsOrigins: string[] }) {
    // helmet's headers do not depend on the request, so they are worked out once here
    // (@fastify/helmet rebuilt them on every request; the README's benchmark section has the difference).
    const headers = helmetHeaders();
    app.addHook('onRequest', (_request, reply, done) => {
      reply.headers(headers);
      done();
    });
    if (corsOrigins.length === 0) return;
    await app.register(cors, {
      origin: corsOrigins,
      methods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-request-id'],
      exposedHeaders: ['retry-after', 'x-request-id', 'idempotent-replayed'],
      credentials: false,
      maxAge: 600,
    });
  },
  { name: 'security' },
);

/** Runs helmet once against a stand-in response and keeps the headers it sets. */
function helmetHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  helmet(HELMET_OPTIONS)({} as IncomingMessage, response as unknown as ServerResponse, () => {});
  return headers;
}

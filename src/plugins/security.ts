import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Response headers for a JSON API: nothing a browser would render or frame, no sniffing,
 * no referrer. /docs sends its own, looser policy for Swagger UI's scripts (openapi plugin).
 * CORS is off unless CORS_ORIGINS lists exact origins; tokens travel in the Authorization
 * header, never cookies, so credentials are not allowed.
 */
export default fp(
  async function security(app: FastifyInstance, { corsOrigins }: { corsOrigins: string[] }) {
    await app.register(helmet, {
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      referrerPolicy: { policy: 'no-referrer' },
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

import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

type Responses = Record<string, { content?: Record<string, unknown> }>;

/**
 * Error answers are sent as application/problem+json (see the errors plugin), but the
 * generator labels every response application/json; relabel those of the Problem schema.
 */
function withProblemMediaType<T extends { paths?: object }>(document: T): T {
  for (const item of Object.values(document.paths ?? {}) as Record<string, { responses?: Responses }>[]) {
    for (const operation of Object.values(item)) {
      for (const response of Object.values(operation.responses ?? {})) {
        const json = response.content?.['application/json'] as { schema?: { $ref?: string } } | undefined;
        if (json?.schema?.$ref === '#/components/schemas/Problem') response.content = { 'application/problem+json': json };
      }
    }
  }
  return document;
}

/**
 * The OpenAPI 3.1 document is generated from the same route schemas that validate
 * requests and serialize responses, so it cannot drift from what the server does.
 */
export default fp(
  async function openapi(app: FastifyInstance) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Ecommerce API',
          version: '0.1.0',
          description:
            'Customers, catalogue, carts and orders. Prices are JSON numbers in major units with at most two decimals. Errors are RFC 9457 problem+json.',
        },
        components: {
          securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        },
      },
      // Shared schemas keep their $id as their component name (Problem, ...).
      refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
      transformObject: (document) =>
        'openapiObject' in document ? withProblemMediaType(document.openapiObject) : document.swaggerObject,
    });
    // Served from the installed package: no CDN.
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'openapi' },
);

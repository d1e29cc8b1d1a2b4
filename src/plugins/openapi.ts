import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { OpenAPIV3_1 } from 'openapi-types';

type Document = OpenAPIV3_1.Document;
type Operation = OpenAPIV3_1.OperationObject;
type Response = OpenAPIV3_1.ResponseObject;

/** Header names as the contract spells them; Fastify reads every request header in lower case. */
const HEADER_SPELLING: Record<string, string> = { 'idempotency-key': 'Idempotency-Key' };

const TAGS = [
  { name: 'auth', description: 'Log in, sign up, sign out, and reset a forgotten password' },
  { name: 'customers', description: 'Customer accounts: admins manage all, a customer itself' },
  { name: 'addresses', description: "A customer's address book: saved addresses, at most one the default" },
  { name: 'products', description: 'The catalogue: public to read, admins change it' },
  { name: 'cart', description: "One cart per customer; it persists" },
  { name: 'orders', description: 'Placing orders, reading them, and moving them along their lifecycle' },
  { name: 'shipping', description: 'Shipping rates: public to read (active ones), admins manage them' },
  { name: 'tax', description: 'Tax rates per country and region: public to read, admins manage them' },
  { name: 'events', description: 'The event feed: every change other systems care about, oldest first (admin)' },
  { name: 'webhooks', description: 'Webhook endpoints and their deliveries, signed as Standard Webhooks says (admin)' },
  { name: 'payments', description: 'Paying for orders (manual or Stripe), capturing, voiding and refunding; Stripe\'s webhook' },
  { name: 'reports', description: 'Figures for the admin dashboard: the shop at a glance (admin)' },
  { name: 'operations', description: 'Liveness and readiness' },
];

const HEADERS: Record<string, OpenAPIV3_1.HeaderObject> = {
  RequestId: {
    description: "The request's id, in every log line about it: the caller's own X-Request-Id when it is short and plain, else a new UUID",
    schema: { type: 'string', maxLength: 128 },
  },
  RetryAfter: { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } },
  IdempotentReplayed: {
    description: '"true" when this is the stored answer to an earlier request with the same Idempotency-Key; nothing new was placed',
    schema: { type: 'string', enum: ['true'] },
  },
};

/**
 * What the route schemas cannot say by themselves, added to the generated document:
 *   - errors are sent as application/problem+json (the generator labels every response
 *     application/json);
 *   - headers: X-Request-Id on every response, Retry-After on 429 and 503, Idempotent-Replayed
 *     on the success of an operation that takes an Idempotency-Key;
 *   - header parameters keep the contract's spelling, and a query parameter with a default
 *     is optional (the generator marks it required, since the route's type always has it).
 */
export function completeDocument(document: Document): Document {
  for (const item of Object.values(document.paths ?? {})) {
    for (const method of ['get', 'put', 'post', 'delete'] as const) {
      const operation = item?.[method];
      if (operation) completeOperation(operation);
    }
  }
  document.components = { ...document.components, headers: HEADERS };
  return document;
}

function completeOperation(operation: Operation): void {
  let idempotent = false;
  for (const parameter of (operation.parameters ?? []) as OpenAPIV3_1.ParameterObject[]) {
    // A query value with a default may be left out: the server fills the default in.
    if (parameter.in === 'query' && parameter.schema && 'default' in parameter.schema) parameter.required = false;
    if (parameter.in !== 'header') continue;
    parameter.name = HEADER_SPELLING[parameter.name] ?? parameter.name;
    idempotent ||= parameter.name === 'Idempotency-Key';
  }
  for (const [status, response] of Object.entries(operation.responses ?? {}) as [string, Response][]) {
    const json = response.content?.['application/json'];
    if (json?.schema && '$ref' in json.schema && json.schema.$ref === '#/components/schemas/Problem') {
      response.content = { 'application/problem+json': json };
    }
    const headers: Record<string, OpenAPIV3_1.ReferenceObject> = { 'X-Request-Id': { $ref: '#/components/headers/RequestId' } };
    if (status === '429' || status === '503') headers['Retry-After'] = { $ref: '#/components/headers/RetryAfter' };
    if (idempotent && status.startsWith('2')) headers['Idempotent-Replayed'] = { $ref: '#/components/headers/IdempotentReplayed' };
    response.headers = { ...response.headers, ...headers };
  }
}

/**
 * The OpenAPI 3.1 document is generated from the same route schemas that validate
 * requests and serialize responses, so it cannot drift from what the server does.
 */
export default fp(
  async function openapi(app: FastifyInstance, { version }: { version: string }) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Ecommerce API',
          version,
          description:
            'Customers, catalogue, carts and orders. Money is a JSON number in major units with at most two decimals ' +
            '(multipleOf 0.01); errors are RFC 9457 problem+json with a stable code.',
          license: { name: 'MIT', identifier: 'MIT' },
          contact: { name: 'The maintainers: see the README and SECURITY.md in the repository' },
        },
        servers: [{ url: '/', description: 'The server this document was read from' }],
        tags: TAGS,
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'From POST /customers/login' },
            orderToken: {
              type: 'apiKey',
              in: 'query',
              name: 'order_token',
              description: "A guest's key to its one order, answered by POST /carts/{cart_id}/checkout",
            },
          },
        },
      },
      // Named schemas keep their $id as their component name (Product, Order, Problem, ...).
      refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
      transformObject: (document) =>
        'openapiObject' in document ? completeDocument(document.openapiObject as Document) : document.swaggerObject,
    });
    // Served from the installed package: no CDN, and no call to the online validator. Its
    // CSP would upgrade requests to https, which leaves /docs blank over plain HTTP on any
    // host but localhost, so that directive goes.
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, '').replace(' validator.swagger.io', ''),
      uiConfig: { validatorUrl: null },
    });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'openapi' },
);

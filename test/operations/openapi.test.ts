import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';
import { MULTIPLE_OF_PRECISION } from '../../src/shared/schemas.js';
import { ADMIN, buildTestApp, call, login } from '../helpers/app.js';

/** public: no token; optional: a token is accepted, not needed; self: a token; admin: an admin's token. */
type Access = 'public' | 'optional' | 'self' | 'admin' | 'token';

/**
 * Every route of the contract, with who may call it, its success status, and its
 * operationId: a generated client names its functions after these, so they never change.
 */
const CONTRACT: [route: string, access: Access, success: number, operationId: string][] = [
  ['GET /health', 'public', 200, 'health'],
  ['GET /ready', 'public', 200, 'ready'],
  ['POST /customers/login', 'public', 200, 'login'],
  ['POST /customers/register', 'public', 201, 'register'],
  ['POST /customers/password-reset', 'public', 202, 'requestPasswordReset'],
  ['POST /customers/password-reset/confirm', 'public', 200, 'confirmPasswordReset'],
  ['POST /customers/logout', 'self', 200, 'logout'],
  ['GET /customers', 'admin', 200, 'listCustomers'],
  ['GET /customers/p', 'admin', 200, 'pageCustomers'],
  ['POST /customers', 'admin', 201, 'createCustomer'],
  ['GET /customers/me', 'self', 200, 'getMe'],
  ['GET /customers/{id}', 'self', 200, 'getCustomer'],
  ['PUT /customers/{id}', 'self', 200, 'updateCustomer'],
  ['DELETE /customers/{id}', 'self', 200, 'deleteCustomer'],
  ['GET /customers/{id}/addresses', 'self', 200, 'listAddresses'],
  ['POST /customers/{id}/addresses', 'self', 201, 'createAddress'],
  ['PUT /customers/{id}/addresses/{address_id}', 'self', 200, 'updateAddress'],
  ['DELETE /customers/{id}/addresses/{address_id}', 'self', 200, 'deleteAddress'],
  ['GET /products', 'optional', 200, 'listProducts'],
  ['POST /products', 'admin', 201, 'createProduct'],
  ['GET /products/p', 'optional', 200, 'pageProducts'],
  ['GET /products/{id}', 'optional', 200, 'getProduct'],
  ['PUT /products/{id}', 'admin', 200, 'updateProduct'],
  ['DELETE /products/{id}', 'admin', 200, 'deleteProduct'],
  ['POST /cart/add', 'self', 200, 'addToCart'],
  ['POST /cart/remove', 'self', 200, 'removeFromCart'],
  ['GET /cart/{customer_id}', 'self', 200, 'getCart'],
  ['DELETE /cart/{customer_id}', 'self', 200, 'clearCart'],
  ['POST /carts', 'public', 201, 'createGuestCart'],
  ['GET /carts/{cart_id}', 'public', 200, 'getGuestCart'],
  ['POST /carts/{cart_id}/add', 'public', 200, 'addToGuestCart'],
  ['POST /carts/{cart_id}/remove', 'public', 200, 'removeFromGuestCart'],
  ['DELETE /carts/{cart_id}', 'public', 200, 'clearGuestCart'],
  ['POST /orders', 'self', 201, 'placeOrder'],
  ['POST /orders/from_cart', 'self', 201, 'placeOrderFromCart'],
  ['POST /orders/quote', 'self', 200, 'quoteOrder'],
  ['POST /orders/from_cart/quote', 'self', 200, 'quoteOrderFromCart'],
  ['POST /carts/{cart_id}/checkout', 'public', 201, 'checkoutGuestCart'],
  ['POST /carts/{cart_id}/checkout/quote', 'public', 200, 'quoteGuestCart'],
  ['GET /orders/{id}', 'token', 200, 'getOrder'],
  ['GET /orders/track/{id}', 'token', 200, 'trackOrder'],
  ['GET /orders/p', 'self', 200, 'pageOrders'],
  ['POST /orders/{id}/status', 'admin', 200, 'changeOrderStatus'],
  ['POST /orders/{id}/cancel', 'token', 200, 'cancelOrder'],
  ['POST /orders/{id}/payments', 'token', 201, 'createPayment'],
  ['GET /orders/{id}/payments', 'token', 200, 'listPayments'],
  ['POST /payments/{id}/capture', 'admin', 200, 'capturePayment'],
  ['POST /payments/{id}/cancel', 'admin', 200, 'cancelPayment'],
  ['POST /payments/{id}/refunds', 'admin', 201, 'refundPayment'],
  ['POST /webhooks/stripe', 'public', 200, 'receiveStripeWebhook'],
  ['GET /shipping-rates', 'optional', 200, 'listShippingRates'],
  ['POST /shipping-rates', 'admin', 201, 'createShippingRate'],
  ['GET /shipping-rates/{id}', 'optional', 200, 'getShippingRate'],
  ['PUT /shipping-rates/{id}', 'admin', 200, 'updateShippingRate'],
  ['DELETE /shipping-rates/{id}', 'admin', 200, 'deleteShippingRate'],
  ['GET /tax-rates', 'public', 200, 'listTaxRates'],
  ['POST /tax-rates', 'admin', 201, 'createTaxRate'],
  ['PUT /tax-rates/{id}', 'admin', 200, 'updateTaxRate'],
  ['DELETE /tax-rates/{id}', 'admin', 200, 'deleteTaxRate'],
  ['GET /events', 'admin', 200, 'listEvents'],
  ['POST /webhook-endpoints', 'admin', 201, 'createWebhookEndpoint'],
  ['GET /webhook-endpoints', 'admin', 200, 'listWebhookEndpoints'],
  ['GET /webhook-endpoints/{id}', 'admin', 200, 'getWebhookEndpoint'],
  ['PUT /webhook-endpoints/{id}', 'admin', 200, 'updateWebhookEndpoint'],
  ['DELETE /webhook-endpoints/{id}', 'admin', 200, 'deleteWebhookEndpoint'],
  ['POST /webhook-endpoints/{id}/rotate-secret', 'admin', 200, 'rotateWebhookSecret'],
  ['POST /webhook-endpoints/{id}/test', 'admin', 202, 'testWebhookEndpoint'],
  ['GET /webhook-endpoints/{id}/deliveries', 'admin', 200, 'listWebhookDeliveries'],
  ['POST /webhook-deliveries/{id}/redeliver', 'admin', 202, 'redeliverWebhook'],
  ['GET /reports/summary', 'admin', 200, 'getSummary'],
];

/** Routes with a second success status beside their main one: opening a payment answers the open one with 200. */
const ALSO_SUCCEEDS: Record<string, number[]> = { 'POST /orders/{id}/payments': [200] };

/** Bodies another system writes (Stripe's events): checked by their signature, and open to the fields it adds. */
const FOREIGN_BODIES = ['POST /webhooks/stripe'];

/** Routes that are documentation themselves, or the dashboard's files, not API. */
const NOT_API = /^\/(docs|openapi\.json|admin)(\/|\*|$)/;

/** "METHOD /path/{param}" for every route the app has registered, read from its route tree. */
function registeredRoutes(app: FastifyInstance): string[] {
  const routes: string[] = [];
  const segments: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    segments.length = depth;
    segments.push(match[2]!);
    const path = segments.join('').replace(/:(\w+)/g, '{$1}');
    for (const method of match[3]?.split(', ') ?? []) {
      if (method !== 'HEAD' && method !== 'OPTIONS' && !NOT_API.test(path)) routes.push(`${method} ${path}`);
    }
  }
  return routes.sort();
}

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { in: string; name: string; required?: boolean; schema: Record<string, unknown> }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<
    string,
    { description?: string; headers?: Record<string, { $ref: string }>; content?: Record<string, { schema: Record<string, unknown> }> }
  >;
}

/** A schema with a reference to a named schema followed (one level: what a route points at). */
function resolved(doc: any, schema: Record<string, any>): Record<string, any> {
  const ref = schema.$ref;
  return typeof ref === 'string' ? doc.components.schemas[ref.replace('#/components/schemas/', '')] : schema;
}

async function openapiDocument(app: FastifyInstance) {
  const response = await call(app, 'GET', '/openapi.json');
  assert.equal(response.status, 200);
  assert.match(String(response.headers['content-type']), /^application\/json/);
  return response.body;
}

function operations(doc: { paths: Record<string, Record<string, Operation>> }): Map<string, Operation> {
  const found = new Map<string, Operation>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) found.set(`${method.toUpperCase()} ${path}`, operation);
  }
  return found;
}

function refsIn(value: unknown, refs: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => refsIn(item, refs));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') refs.push(inner);
      else refsIn(inner, refs);
    }
  }
  return refs;
}

test('when /openapi.json is read, then it is an OpenAPI 3.1.0 document listing exactly the routes the app serves', async (t) => {
  const app = await buildTestApp(t);

  const doc = await openapiDocument(app);

  assert.equal(doc.openapi, '3.1.0');
  assert.equal(typeof doc.info.title, 'string');
  assert.equal(typeof doc.info.version, 'string');
  const documented = [...operations(doc).keys()].sort();
  assert.deepEqual(documented, registeredRoutes(app), 'the document and the route tree differ');
  assert.deepEqual(documented, CONTRACT.map(([route]) => route).sort(), 'the document and the contract differ');
  for (const [route] of CONTRACT) {
    const [method, path] = route.split(' ') as [string, string];
    assert.ok(app.hasRoute({ method: method as 'GET', url: path.replace(/\{(\w+)\}/g, ':$1') }), `${route} is not served`);
  }
});

test('when a route is protected, then the document declares bearerAuth on it and its 401 (and 403 for admins); public routes declare neither', async (t) => {
  const app = await buildTestApp(t);
  const doc = await openapiDocument(app);
  const ops = operations(doc);

  const { description: _, ...scheme } = doc.components.securitySchemes.bearerAuth;
  assert.deepEqual(scheme, { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  for (const [route, access] of CONTRACT) {
    const operation = ops.get(route)!;
    const statuses = Object.keys(operation.responses);
    if (access === 'public') {
      // (A public route may still answer 401: the login does, to a wrong password.)
      assert.deepEqual(operation.security, [], `${route} is public: it says so with security: []`);
    } else if (access === 'optional') {
      assert.deepEqual(operation.security, [{}, { bearerAuth: [] }], `${route} takes a token but needs none`);
    } else if (access === 'token') {
      assert.deepEqual(operation.security, [{ bearerAuth: [] }, { orderToken: [] }], `${route} needs a token or a guest's order token`);
      assert.ok(statuses.includes('401'), `${route} does not declare 401`);
    } else {
      assert.deepEqual(operation.security, [{ bearerAuth: [] }], `${route} needs a token`);
      assert.ok(statuses.includes('401'), `${route} does not declare 401`);
    }
    if (access === 'admin') assert.ok(statuses.includes('403'), `${route} is admin-only but does not declare 403`);
  }
});

test('when an operation is documented, then it has its success response, its input errors, and a summary', async (t) => {
  const app = await buildTestApp(t);
  const ops = operations(await openapiDocument(app));

  for (const [route, , success] of CONTRACT) {
    const operation = ops.get(route)!;
    const statuses = Object.keys(operation.responses);
    assert.equal(typeof operation.summary, 'string', `${route} has no summary`);
    assert.ok(operation.description, `${route} has no description`);
    assert.ok(operation.tags?.length, `${route} has no tag`);
    assert.deepEqual(
      statuses.filter((s) => s.startsWith('2')),
      [...(ALSO_SUCCEEDS[route] ?? []), success].map(String).sort(),
      `${route} success statuses`,
    );
    assert.ok(operation.responses[String(success)]?.content?.['application/json']?.schema, `${route} has no success schema`);

    const pathParams = [...route.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    for (const name of pathParams) {
      const parameter = operation.parameters?.find((p) => p.in === 'path' && p.name === name);
      assert.ok(parameter, `${route} does not describe {${name}}`);
      assert.equal(parameter.required, true);
      if (name === 'cart_id') {
        // A guest cart's id is random text (contract, "Guest checkout"), of one alphabet and length.
        assert.equal(parameter.schema.type, 'string', `${route} {${name}} is not a string`);
        assert.ok(parameter.schema.pattern && typeof parameter.schema.minLength === 'number' && parameter.schema.minLength === parameter.schema.maxLength, `${route} {${name}} has no exact form`);
        continue;
      }
      assert.equal(parameter.schema.type, 'integer', `${route} {${name}} is not an integer`);
      assert.equal(parameter.schema.minimum, 1, `${route} {${name}} is not positive`);
    }
    if (pathParams.length) {
      assert.ok(statuses.includes('400') && statuses.includes('404'), `${route} takes an id but lacks 400 or 404`);
    }
    if (operation.requestBody) {
      assert.equal(operation.requestBody.required, true, `${route} body`);
      const schema = operation.requestBody.content['application/json']?.schema;
      assert.ok(schema, `${route} has no JSON body schema`);
      if (!FOREIGN_BODIES.includes(route)) {
        assert.equal(resolved(await openapiDocument(app), schema).additionalProperties, false, `${route} body allows unknown fields`);
      }
      for (const status of ['400', '413', '415']) assert.ok(statuses.includes(status), `${route} takes a body but lacks ${status}`);
    }
  }
  for (const route of ['POST /customers/login', 'POST /customers/register', 'POST /customers', 'PUT /customers/{id}', 'POST /products', 'PUT /products/{id}']) {
    assert.ok(ops.get(route)?.requestBody, `${route} documents no body`);
  }
});

test('when an error response is documented, then it is the shared problem+json schema', async (t) => {
  const app = await buildTestApp(t);
  const doc = await openapiDocument(app);

  const problem = doc.components.schemas.Problem;
  assert.ok(problem, 'no Problem component');
  for (const field of ['type', 'title', 'status', 'detail']) assert.ok(problem.required.includes(field), `Problem lacks ${field}`);
  for (const [route, operation] of operations(doc)) {
    for (const [status, response] of Object.entries(operation.responses)) {
      if (Number(status) < 400) continue;
      assert.deepEqual(Object.keys(response.content ?? {}), ['application/problem+json'], `${route} ${status} media type`);
      assert.deepEqual(response.content?.['application/problem+json']?.schema, { $ref: '#/components/schemas/Problem' }, `${route} ${status}`);
    }
  }
});

test('when the document refers to a schema, then the schema is there, and no response schema names a password hash', async (t) => {
  const app = await buildTestApp(t);
  const doc = await openapiDocument(app);

  const refs = refsIn(doc);
  assert.ok(refs.length > 0);
  for (const ref of new Set(refs)) {
    const match = /^#\/components\/(schemas|headers)\/(.+)$/.exec(ref);
    assert.ok(match && doc.components[match[1]!][match[2]!], `unresolved $ref ${ref}`);
  }
  assert.doesNotMatch(JSON.stringify(doc), /password_hash|token_version/);
  const product = resolved(doc, operations(doc).get('GET /products/{id}')!.responses['200']!.content!['application/json']!.schema);
  assert.deepEqual(
    Object.keys(product.properties as object).sort(),
    ['created_at', 'description', 'id', 'price', 'product_name', 'requires_shipping', 'stock', 'updated_at'],
  );
  const createProduct = resolved(doc, operations(doc).get('POST /products')!.requestBody!.content['application/json']!.schema);
  assert.deepEqual([...(createProduct.required as string[])].sort(), ['price', 'product_name']);
});

test('when /docs is opened, then it is an HTML page whose scripts and styles are all served by the app, none from a CDN', async (t) => {
  const app = await buildTestApp(t);

  let response = await app.inject({ method: 'GET', url: '/docs' });
  let url = '/docs';
  for (let hops = 0; hops < 3 && response.statusCode >= 300 && response.statusCode < 400; hops += 1) {
    url = new URL(String(response.headers.location), `http://localhost${url}`).pathname;
    response = await app.inject({ method: 'GET', url });
  }

  assert.equal(response.statusCode, 200);
  assert.match(String(response.headers['content-type']), /^text\/html/);
  const html = response.body;
  assert.match(html, /<html/i);
  assert.doesNotMatch(html, /(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i, 'the page loads something from another host');
  const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  assert.ok(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css')), `assets: ${assets}`);
  const base = url.endsWith('/') ? url : `${url}/`;
  for (const asset of assets) {
    const assetPath = new URL(asset, `http://localhost${asset.startsWith('./') ? base : url}`).pathname;
    const served = await app.inject({ method: 'GET', url: assetPath });
    assert.equal(served.statusCode, 200, `${asset} (${assetPath}) is not served`);
  }

  // The page reads the same document as /openapi.json, from this server.
  const initializer = await app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
  assert.equal(initializer.statusCode, 200);
  const code = initializer.body.replace(/\/\/.*$/gm, '');
  assert.doesNotMatch(code, /https?:\/\//, 'the initializer fetches from another host');
  const json = await call(app, 'GET', '/docs/json');
  assert.equal(json.status, 200);
  assert.deepEqual(json.body, await openapiDocument(app));
});

test('when a client generator reads the document, then every operation has its stable operationId, every resource a named schema, and the servers are given', async (t) => {
  const app = await buildTestApp(t);
  const doc = await openapiDocument(app);
  const ops = operations(doc);

  for (const [route, , success, operationId] of CONTRACT) {
    const operation = ops.get(route)!;
    assert.equal(operation.operationId, operationId, route);
    const schema = operation.responses[String(success)]!.content!['application/json']!.schema;
    const named = schema.$ref ?? (schema.items as { $ref?: string } | undefined)?.$ref;
    assert.match(String(named), /^#\/components\/schemas\/[A-Z]\w+$/, `${route} answers a named schema`);
    if (operation.requestBody) {
      assert.match(String(operation.requestBody.content['application/json']!.schema.$ref), /^#\/components\/schemas\/\w+Body$/, `${route} body`);
    }
  }
  assert.equal(new Set(CONTRACT.map(([, , , id]) => id)).size, CONTRACT.length, 'operationIds are unique');
  for (const name of ['Product', 'ProductPage', 'Customer', 'Cart', 'Order', 'OrderPage', 'OrderTracking', 'LoginResponse', 'Problem', 'Message']) {
    assert.ok(doc.components.schemas[name], `no ${name} schema`);
  }
  assert.deepEqual(doc.servers.map((server: { url: string }) => server.url), ['/']);
});

test('when the document lists a response, then it promises the headers the server sends: X-Request-Id always, Retry-After on 429 and 503, Idempotent-Replayed on placing', async (t) => {
  const app = await buildTestApp(t);
  const doc = await openapiDocument(app);
  for (const [route, operation] of operations(doc)) {
    const takesKey = operation.parameters?.some((p) => p.in === 'header' && p.name === 'Idempotency-Key') ?? false;
    for (const [status, response] of Object.entries(operation.responses)) {
      const headers = Object.keys(response.headers ?? {});
      assert.ok(headers.includes('X-Request-Id'), `${route} ${status}`);
      assert.equal(headers.includes('Retry-After'), status === '429' || status === '503', `${route} ${status} Retry-After`);
      assert.equal(headers.includes('Idempotent-Replayed'), takesKey && status.startsWith('2'), `${route} ${status} Idempotent-Replayed`);
    }
  }
  for (const route of ['POST /orders', 'POST /orders/from_cart']) {
    const header = ops(doc, route).parameters?.find((p) => p.in === 'header');
    assert.equal(header?.name, 'Idempotency-Key', `${route} spells the header as the contract does`);
    assert.equal(header?.required, false);
  }
  for (const status of ['429', '503']) assert.ok(ops(doc, 'POST /customers/login').responses[status], `login documents ${status}`);
});

test('when a query parameter has a default, then the document does not require it: GET /products/p and /orders/p need no query', async (t) => {
  const app = await buildTestApp(t);
  const doc = await openapiDocument(app);
  for (const route of ['GET /products/p', 'GET /orders/p']) {
    const query = ops(doc, route).parameters!.filter((p) => p.in === 'query');
    assert.ok(query.length > 0);
    for (const parameter of query) assert.notEqual(parameter.required, true, `${route} ${parameter.name}`);
  }
  assert.equal((await call(app, 'GET', '/products/p')).status, 200, 'and the server indeed answers without one');
});

test('when a document-driven validator checks amounts with the money rule (multipleOf 0.01), then it accepts and refuses exactly what the server does', async (t) => {
  const app = await buildTestApp(t);
  const admin = await login(app, ADMIN.username, ADMIN.password);
  const doc = await openapiDocument(app);
  const price = resolved(doc, ops(doc, 'POST /products').requestBody!.content['application/json']!.schema).properties.price;
  assert.equal(price.multipleOf, 0.01, 'the rule is in the document as standard JSON Schema');
  const validate = new Ajv2020({ strict: false, multipleOfPrecision: MULTIPLE_OF_PRECISION }).compile({ ...price, 'x-money': undefined });

  const amounts = [
    ...[0, 0.01, 0.07, 0.1, 0.29, 1, 9.99, 19.99, 1234.56, 99_999_999.99],
    ...[0.001, 0.005, 19.999, 12.345, 0.1234, 1e-7, 99_999_999.995, 100_000_000, -0.01],
    ...Array.from({ length: 40 }, (_, i) => Math.round(((i * 7_919_333) % 10_000_000_000) ) / 100),
    ...Array.from({ length: 40 }, (_, i) => (((i * 104_729) % 10_000_000) * 10 + 1 + (i % 9)) / 1000),
  ];
  const disagreements: string[] = [];
  for (const amount of amounts) {
    const server = await call(app, 'POST', '/products', { token: admin, body: { product_name: 'Priced', price: amount } });
    const documented = validate(amount);
    if ((server.status === 201) !== documented) disagreements.push(`${amount}: server ${server.status}, document ${documented}`);
  }
  assert.deepEqual(disagreements, []);
});

test('when /docs is served over plain HTTP under any host name, then its CSP does not upgrade requests to https (which left the page blank)', async (t) => {
  const app = await buildTestApp(t);
  const page = await app.inject({ method: 'GET', url: '/docs', headers: { host: 'shop.internal:3000' } });
  assert.equal(page.statusCode, 200);
  const csp = String(page.headers['content-security-policy']);
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /upgrade-insecure-requests/);
  assert.doesNotMatch(csp, /validator\.swagger\.io/, 'and nothing is fetched from the online validator');
});

function ops(doc: { paths: Record<string, Record<string, Operation>> }, route: string): Operation {
  const operation = operations(doc).get(route);
  assert.ok(operation, `${route} is not documented`);
  return operation;
}

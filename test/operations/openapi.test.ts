import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, call } from '../helpers/app.js';

type Access = 'public' | 'self' | 'admin';

/** Every route of the contract, with who may call it and its success status. */
const CONTRACT: [route: string, access: Access, success: number][] = [
  ['GET /health', 'public', 200],
  ['GET /ready', 'public', 200],
  ['POST /customers/login', 'public', 200],
  ['POST /customers/register', 'public', 201],
  ['GET /customers', 'admin', 200],
  ['POST /customers', 'admin', 201],
  ['GET /customers/me', 'self', 200],
  ['GET /customers/{id}', 'self', 200],
  ['PUT /customers/{id}', 'self', 200],
  ['DELETE /customers/{id}', 'self', 200],
  ['GET /products', 'public', 200],
  ['POST /products', 'admin', 201],
  ['GET /products/p', 'public', 200],
  ['GET /products/{id}', 'public', 200],
  ['PUT /products/{id}', 'admin', 200],
  ['DELETE /products/{id}', 'admin', 200],
  ['POST /cart/add', 'self', 200],
  ['POST /cart/remove', 'self', 200],
  ['GET /cart/{customer_id}', 'self', 200],
  ['DELETE /cart/{customer_id}', 'self', 200],
  ['POST /orders', 'self', 201],
  ['POST /orders/from_cart', 'self', 201],
  ['GET /orders/{id}', 'self', 200],
  ['GET /orders/track/{id}', 'self', 200],
  ['GET /orders/p', 'self', 200],
  ['POST /orders/{id}/status', 'admin', 200],
  ['POST /orders/{id}/cancel', 'self', 200],
];

/** Routes that are documentation themselves, not API. */
const NOT_API = /^\/(docs|openapi\.json)(\/|$)/;

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
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { in: string; name: string; required?: boolean; schema: Record<string, unknown> }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema: Record<string, unknown> }> }>;
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

  assert.deepEqual(doc.components.securitySchemes.bearerAuth, { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  for (const [route, access] of CONTRACT) {
    const operation = ops.get(route)!;
    const statuses = Object.keys(operation.responses);
    if (access === 'public') {
      // (A public route may still answer 401: the login does, to a wrong password.)
      assert.equal(operation.security, undefined, `${route} is public but declares security`);
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
    assert.ok(operation.tags?.length, `${route} has no tag`);
    assert.deepEqual(
      statuses.filter((s) => s.startsWith('2')),
      [String(success)],
      `${route} success statuses`,
    );
    assert.ok(operation.responses[String(success)]?.content?.['application/json']?.schema, `${route} has no success schema`);

    const pathParams = [...route.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    for (const name of pathParams) {
      const parameter = operation.parameters?.find((p) => p.in === 'path' && p.name === name);
      assert.ok(parameter, `${route} does not describe {${name}}`);
      assert.equal(parameter.required, true);
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
      assert.equal(schema.additionalProperties, false, `${route} body allows unknown fields`);
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
    const match = /^#\/components\/schemas\/(.+)$/.exec(ref);
    assert.ok(match && doc.components.schemas[match[1]!], `unresolved $ref ${ref}`);
  }
  assert.doesNotMatch(JSON.stringify(doc), /password_hash|token_version/);
  const product = operations(doc).get('GET /products/{id}')!.responses['200']!.content!['application/json']!.schema;
  assert.deepEqual(
    Object.keys(product.properties as object).sort(),
    ['created_at', 'description', 'id', 'price', 'product_name', 'stock', 'updated_at'],
  );
  const createProduct = operations(doc).get('POST /products')!.requestBody!.content['application/json']!.schema;
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

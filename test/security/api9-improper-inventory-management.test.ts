// OWASP API9:2023 Improper Inventory Management: routes nobody documented (old versions,
// debug or test endpoints, forgotten admin helpers) stay reachable and unguarded.
// Defence: the OpenAPI document is generated from the very route schemas the app serves,
// and this test compares the two both ways: every registered route appears in
// /openapi.json with the same method and path, every documented one is served, and the
// only exceptions are named here with their reason. Unknown paths are a 404 problem+json.
import assert from 'node:assert/strict';
import { channel } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { type TestContext, test } from 'node:test';
import type { FastifyInstance, HTTPMethods, RouteOptions } from 'fastify';
import type { Config } from '../../src/config.js';
import { buildTestApp, call } from '../helpers/app.js';
import { documentedOperations, openapiDocument } from './attack-helpers.js';
import { assertProblem } from '../helpers/problem.js';

/** "/orders/{id}/status" as Fastify writes it: "/orders/:id/status". */
const fastifyPath = (openapiPath: string) => openapiPath.replace(/\{(\w+)\}/g, ':$1');
/** "/orders/:id/status" as OpenAPI writes it: "/orders/{id}/status". */
const openapiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

// One node of Fastify's printRoutes() tree: indentation, branch, the piece of path the node
// adds (with the default commonPrefix the pieces join into full paths, wildcards included),
// and, for a node that ends a route, its methods.
const ROUTE_LINE = /^((?:│ {3}| {4})*)[├└]── (.+?)(?: \(([A-Z]+(?:, [A-Z]+)*)\))?$/;

/**
 * Every route the router holds, as "METHOD /path/{param}", read from Fastify's own route
 * tree: the one public API that lists every route of a built app (an onRoute hook sees
 * only what is added after it, and misses the "/prefix/" twin Fastify adds for a plugin's
 * root route). The parse is strict: a line it does not understand throws, and every route
 * it reads must be one the router really has, so a change of format fails loudly.
 */
function registeredRoutes(app: FastifyInstance): string[] {
  const routes: string[] = [];
  const segments: string[] = [];
  for (const line of app.printRoutes().split('\n')) {
    if (line.trim() === '') continue;
    const match = ROUTE_LINE.exec(line);
    if (!match) throw new Error(`printRoutes printed a line this parser does not understand: ${JSON.stringify(line)}`);
    const depth = match[1]!.length / 4;
    assert.ok(depth <= segments.length, `a line deeper than its parent: ${JSON.stringify(line)}`);
    segments.length = depth;
    segments.push(match[2] === '(empty root node)' ? '' : match[2]!);
    // The router keeps a catch-all "*" as "/*" but prints it straight under the root.
    const url = segments.join('').replace(/^(?!\/)/, '/');
    for (const method of match[3]?.split(', ') ?? []) {
      assert.ok(app.hasRoute({ method: method as HTTPMethods, url }), `parsed ${method} ${url}, which the router does not hold`);
      routes.push(`${method} ${openapiPath(url)}`);
    }
  }
  assert.ok(routes.length > 0, 'no route was read from printRoutes');
  return routes.sort();
}

/**
 * Builds the app while an onRoute hook, added through Fastify's documented
 * 'fastify.initialization' diagnostics channel before any plugin runs, notes every route
 * as it is added: a second, independent list to check the parsed tree against.
 */
async function buildAppNotingRoutes(t: TestContext, overrides: Partial<Config> = {}) {
  const announced = new Set<string>();
  const initialization = channel('fastify.initialization');
  let instance: FastifyInstance | undefined;
  const onInit = (message: unknown) => {
    const { fastify } = message as { fastify: FastifyInstance };
    if (instance) return;
    instance = fastify;
    fastify.addHook('onRoute', (route: RouteOptions) => {
      for (const method of [route.method].flat()) announced.add(`${method} ${openapiPath(route.url.replace(/^(?!\/)/, '/'))}`);
    });
  };
  initialization.subscribe(onInit);
  try {
    const app = await buildTestApp(t, overrides);
    assert.equal(instance, app, 'the hook was added to another Fastify instance');
    return { app, announced: [...announced].sort() };
  } finally {
    initialization.unsubscribe(onInit);
  }
}

/**
 * Registered but not in the document, on purpose:
 * - HEAD twins: Fastify adds a HEAD for every GET (same path, hooks and handler, no body);
 *   OpenAPI describes the GET. Each is checked to have its GET.
 * - The documentation itself: /openapi.json (hidden from the document it serves) and the
 *   Swagger UI under /docs (its page, static assets, and the same document as JSON and YAML).
 *   All are GET only, and /docs/json is checked to be the very same document.
 * - The admin dashboard's files under /admin/ (a web page that calls the documented API).
 */
const isHeadTwin = (route: string, all: Set<string>) => route.startsWith('HEAD ') && all.has(route.replace(/^HEAD /, 'GET '));
const isDocumentation = (route: string) => route === 'GET /openapi.json' || /^GET \/(docs|admin)(\/.*)?$/.test(route);

test('when the registered routes and /openapi.json are compared, then they list the same methods and paths, apart from HEAD twins and the documentation itself', async (t) => {
  const { app, announced } = await buildAppNotingRoutes(t);
  const documented = [...documentedOperations(await openapiDocument(app)).keys()].sort();
  const registered = registeredRoutes(app);
  const all = new Set(registered);

  const undocumented = registered.filter((route) => !documented.includes(route));
  const unexplained = undocumented.filter((route) => !isHeadTwin(route, all) && !isDocumentation(route));
  const unserved = documented.filter((route) => !all.has(route));

  assert.deepEqual(announced.filter((route) => !all.has(route)), [], 'added through onRoute but missing from the parsed tree');
  assert.deepEqual(unexplained, [], 'registered but not documented');
  assert.deepEqual(unserved, [], 'documented but not registered');
  assert.ok(documented.length >= 27, `only ${documented.length} documented routes`);
  for (const seen of ['GET /openapi.json', 'GET /docs', 'GET /docs/static/*', 'GET /admin/*', 'HEAD /products/{id}']) {
    assert.ok(undocumented.includes(seen), `${seen} was not seen, so the exceptions were not exercised`);
  }
});

test('when each documented path is asked about every other HTTP method, then the router serves none of them (nothing hides behind a documented path)', async (t) => {
  const app = await buildTestApp(t);
  const documented = new Set(documentedOperations(await openapiDocument(app)).keys());
  const paths = new Set([...documented].map((route) => route.split(' ')[1]!));

  for (const path of paths) {
    for (const method of app.supportedMethods as HTTPMethods[]) {
      const route = `${method} ${path}`;
      // Every GET has its HEAD twin, but the whole catalogue's (which would read it all to send nothing).
      const headTwin = method === 'HEAD' && documented.has(`GET ${path}`) && path !== '/products';
      const expected = documented.has(route) || headTwin;
      assert.equal(app.hasRoute({ method, url: fastifyPath(path) }), expected, `${route} is ${expected ? 'not served' : 'served but undocumented'}`);
    }
  }
});

test('when CORS origins are configured, then the only route it adds is the OPTIONS preflight', async (t) => {
  const plain = registeredRoutes(await buildTestApp(t));
  const withCors = registeredRoutes(await buildTestApp(t, { corsOrigins: ['https://shop.example'] }));
  assert.deepEqual(withCors.filter((route) => !plain.includes(route)), ['OPTIONS /*']);
  assert.deepEqual(plain.filter((route) => !withCors.includes(route)), []);
});

test('when /docs/json is read, then it is the same document as /openapi.json, for the version in package.json', async (t) => {
  const app = await buildTestApp(t);
  const doc = await openapiDocument(app);
  const viaDocs = await call(app, 'GET', '/docs/json');
  const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

  assert.equal(viaDocs.status, 200);
  assert.deepEqual(viaDocs.body, doc);
  assert.equal(doc.info.version, version, 'the document names another version than the one running');
});

test('when an unknown path or method is requested, then 404 problem+json "No such route", with or without a token', async (t) => {
  const app = await buildTestApp(t);
  const cases: [HTTPMethods, string][] = [
    ['GET', '/nope'],
    ['POST', '/nope'],
    ['GET', '/products/1/reviews'],
    ['PATCH', '/products/1'],
    ['PATCH', '/customers/1'],
    ['PUT', '/orders/1'],
    ['DELETE', '/orders/1'],
    ['POST', '/cart'],
  ];
  for (const [method, url] of cases) {
    for (const headers of [{}, { authorization: 'Bearer not-a-token' }] as Record<string, string>[]) {
      const response = await call(app, method, url, { headers });
      assertProblem(response, 404, { code: 'NOT_FOUND', what: `${method} ${url}` });
      assert.equal(response.body.detail, 'No such route.');
    }
  }
});

test('when the usual debug, admin, test and old-version paths are probed, then none exists', async (t) => {
  const app = await buildTestApp(t);
  const probes = [
    '/debug', '/debug/vars', '/admin/users', '/admin/api', '/test', '/tests', '/internal', '/metrics', '/status', '/env',
    '/.env', '/config', '/graphql', '/console', '/actuator', '/actuator/env', '/server-status', '/phpinfo.php', '/.git/config',
    '/swagger.json', '/swagger', '/api-docs', '/seed', '/reset', '/migrate', '/api', '/api/products', '/api/v1/products',
    '/v1/products', '/v2/orders', '/v0/customers', '/export', '/import', '/backup', '/logs', '/shutdown',
  ];
  for (const url of probes) {
    for (const method of ['GET', 'POST'] as const) {
      assertProblem(await call(app, method, url), 404, { code: 'NOT_FOUND', what: `${method} ${url}` });
    }
  }
  // And nothing of the kind is registered under another name.
  const suspicious = /debug|admin|test|internal|metrics|env|seed|reset|migrate|graphql|console|actuator|export|import|\/v\d/i;
  // Contract routes carry such words on purpose: a customer's password reset, an admin's test ping
  // of a webhook endpoint, and the admin dashboard's page and files (GET only).
  const contract = /^POST \/customers\/password-reset(\/confirm)?$|^POST \/webhook-endpoints\/[^/]+\/test$|^(GET|HEAD) \/admin(\/\*?)?$/;
  assert.deepEqual(registeredRoutes(app).filter((route) => suspicious.test(route) && !contract.test(route)), []);
});

test('when the Swagger UI or dashboard static routes are asked for files outside their folders, then 404: they serve only their own assets', async (t) => {
  const app = await buildTestApp(t);
  for (const url of [
    '/docs/../package.json',
    '/docs/%2e%2e/%2e%2e/package.json',
    '/docs/static/../../../package.json',
    '/docs/..%2f..%2fpackage.json',
    '/docs/%2e%2e%2f%2e%2e%2f%2e%2e%2fsrc%2fconfig.ts',
    '/docs/static/..%2f..%2f..%2f..%2fetc%2fpasswd',
    '/docs/package.json',
    // The dashboard serves its built files only, not its sources or anything beside them.
    '/admin/../package.json',
    '/admin/%2e%2e/%2e%2e/package.json',
    '/admin/assets/..%2f..%2f..%2fpackage.json',
    '/admin/package.json',
    '/admin/src/App.tsx',
    '/admin/vite.config.ts',
  ]) {
    const response = await call(app, 'GET', url);
    assertProblem(response, 404, { code: 'NOT_FOUND', what: url });
    assert.doesNotMatch(String(JSON.stringify(response.body)), /"dependencies"|ecommerce-api|root:x:0|process\.env/, url);
  }
  assert.equal((await call(app, 'GET', '/docs/json')).status, 200);
});

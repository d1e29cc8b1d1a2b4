import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { countDelivery, countOrderPlaced, setEventsWaitingSource } from '../../src/shared/metrics.js';
import { RequestSeries } from '../../src/shared/request-series.js';
import { adminToken, buildTestApp, call, createProduct } from '../helpers/app.js';
import { listen } from '../helpers/http.js';

/** The metrics listener's address once the app is ready (metrics on). */
async function metricsAddress(app: FastifyInstance): Promise<string> {
  await app.ready();
  const address = app.metricsAddress();
  assert.ok(address, 'the metrics listener has an address');
  return address;
}

/** GET /metrics over real HTTP: the text, checked to be Prometheus's text format. */
async function scrape(app: FastifyInstance): Promise<string> {
  const response = await fetch(`${await metricsAddress(app)}/metrics`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  return response.text();
}

/** The value of the sample `name` whose labels are exactly `labels`; undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, value]) => [key, value]));
    if (JSON.stringify(sorted(found)) === JSON.stringify(sorted(labels))) return Number(match[3]);
  }
  return undefined;
}

function sorted(labels: Record<string, string | undefined>): [string, string | undefined][] {
  return Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
}

/** Listening sockets of this process (the metrics listener is one; a database connection is not). */
function listeners(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'TCPServerWrap').length;
}

/** The app's onResponse hooks: Fastify keeps them under this symbol and has no public way to list them. */
function onResponseHooks(app: FastifyInstance): number {
  const symbol = Object.getOwnPropertySymbols(app).find((s) => s.description === 'fastify.hooks');
  assert.ok(symbol, "Fastify's hooks are found");
  const hooks: unknown = Reflect.get(app, symbol);
  const onResponse: unknown = typeof hooks === 'object' && hooks !== null ? Reflect.get(hooks, 'onResponse') : undefined;
  assert.ok(Array.isArray(onResponse));
  return onResponse.length;
}

test('when products are read by id and an unknown path is asked, then /metrics counts them by route pattern, method and status', async (t) => {
  const app = await buildTestApp(t, { metricsPort: 0 });
  const token = await adminToken(app);
  const product = await createProduct(app, token);
  for (let i = 0; i < 3; i++) assert.equal((await call(app, 'GET', `/products/${product.id}`)).status, 200);
  assert.equal((await call(app, 'GET', '/products/999999')).status, 404);
  for (const path of ['/no/such/path', '/another-made-up-path', '/x?y=z']) assert.equal((await call(app, 'GET', path)).status, 404);

  const text = await scrape(app);
  const byId = { route: '/products/:id', method: 'GET' };
  assert.equal(sample(text, 'http_requests_total', { ...byId, status: '200' }), 3);
  assert.equal(sample(text, 'http_requests_total', { ...byId, status: '404' }), 1, 'a missing product is its route, not unmatched');
  assert.equal(sample(text, 'http_requests_total', { route: 'unmatched', method: 'GET', status: '404' }), 3);
  assert.equal(sample(text, 'http_requests_total', { route: '/products', method: 'POST', status: '201' }), 1);
  assert.equal(sample(text, 'http_request_duration_seconds_count', { ...byId, status: '200' }), 3);
  assert.equal(sample(text, 'http_request_duration_seconds_bucket', { ...byId, status: '200', le: '+Inf' }), 3);
  const seconds = sample(text, 'http_request_duration_seconds_sum', { ...byId, status: '200' });
  assert.ok(seconds !== undefined && seconds > 0 && seconds < 10, `took ${seconds} s`);
  assert.doesNotMatch(text, /no\/such\/path|another-made-up-path/, 'a path no route matches never becomes a label');
  assertTextFormat(text);
});

/** Every line a comment, blank or a sample; each family declared once. */
function assertTextFormat(text: string): void {
  for (const line of text.split('\n')) {
    assert.match(line, /^$|^# (HELP|TYPE) \S+ .+$|^[a-zA-Z_:][\w:]*(\{([a-zA-Z_]\w*="(?:[^"\\\n]|\\.)*",?)*\})? \S+$/, `a valid line: ${line}`);
  }
  const types = text.split('\n').filter((line) => line.startsWith('# TYPE '));
  assert.equal(new Set(types.map((line) => line.split(' ')[2])).size, types.length, 'each family once');
  assert.ok(text.endsWith('\n'));
}

test('when durations fall on and between bucket bounds, then each is counted in the first bucket whose bound it does not exceed, cumulatively', () => {
  const series = new RequestSeries();
  for (const seconds of [0.001, 0.0011, 0.0025, 0.3, 11]) series.record('/a/:id', 'GET', 200, seconds);
  series.record('/with "quotes"\\', 'POST', 201, 0.002);
  const text = series.render();
  const a = { route: '/a/:id', method: 'GET', status: '200' };
  assert.equal(sample(text, 'http_request_duration_seconds_bucket', { ...a, le: '0.001' }), 1);
  assert.equal(sample(text, 'http_request_duration_seconds_bucket', { ...a, le: '0.0025' }), 3);
  assert.equal(sample(text, 'http_request_duration_seconds_bucket', { ...a, le: '0.25' }), 3);
  assert.equal(sample(text, 'http_request_duration_seconds_bucket', { ...a, le: '0.5' }), 4);
  assert.equal(sample(text, 'http_request_duration_seconds_bucket', { ...a, le: '10' }), 4);
  assert.equal(sample(text, 'http_request_duration_seconds_bucket', { ...a, le: '+Inf' }), 5);
  assert.equal(sample(text, 'http_request_duration_seconds_count', a), 5);
  assert.ok(Math.abs((sample(text, 'http_request_duration_seconds_sum', a) ?? 0) - 11.3046) < 1e-9);
  assert.equal(sample(text, 'http_requests_total', a), 5);
  assert.match(text, /^http_requests_total\{route="\/with \\"quotes\\"\\\\",method="POST",status="201"\} 1$/m, 'label values escaped');
  assertTextFormat(text);
});

test('when orders, deliveries and waiting events are reported, then /metrics shows them beside the process figures', async (t) => {
  const app = await buildTestApp(t, { metricsPort: 0 });
  let before = await scrape(app);
  assert.equal(sample(before, 'orders_placed_total'), 0);
  assert.equal(sample(before, 'events_waiting'), 0, 'no source yet: 0');
  for (const outcome of ['succeeded', 'failed', 'retried']) assert.equal(sample(before, 'webhook_deliveries_total', { outcome }), 0);

  countOrderPlaced(app.metrics);
  countOrderPlaced(app.metrics);
  countDelivery(app.metrics, 'succeeded');
  countDelivery(app.metrics, 'retried');
  countDelivery(app.metrics, 'retried');
  setEventsWaitingSource(app.metrics, async () => 7);

  const text = await scrape(app);
  assert.equal(sample(text, 'orders_placed_total'), 2);
  assert.equal(sample(text, 'webhook_deliveries_total', { outcome: 'succeeded' }), 1);
  assert.equal(sample(text, 'webhook_deliveries_total', { outcome: 'retried' }), 2);
  assert.equal(sample(text, 'webhook_deliveries_total', { outcome: 'failed' }), 0);
  assert.equal(sample(text, 'events_waiting'), 7);
  assert.ok((sample(text, 'process_cpu_user_seconds_total') ?? 0) > 0, 'the process figures are there');
  assert.ok((sample(text, 'nodejs_heap_size_used_bytes') ?? 0) > 0);

  setEventsWaitingSource(app.metrics, async () => {
    throw new Error('the database is away');
  });
  before = await scrape(app);
  assert.ok(Number.isNaN(sample(before, 'events_waiting')), 'a failing source reads NaN');
  assert.equal(sample(before, 'orders_placed_total'), 2, 'and the rest is still answered');
});

test('when metrics are on, then /metrics is not served on the API port, and the metrics port serves nothing else', async (t) => {
  const app = await buildTestApp(t, { metricsPort: 0 });
  const http = await listen(t, app);
  const onApi = await http('GET', '/metrics');
  assert.equal(onApi.status, 404);
  assert.equal(onApi.body.code, 'NOT_FOUND');

  const address = app.metricsAddress();
  assert.ok(address);
  assert.notEqual(new URL(address).port, String((app.server.address() as { port: number }).port));
  assert.equal((await fetch(`${address}/`)).status, 404);
  assert.equal((await fetch(`${address}/metrics`, { method: 'POST' })).status, 405);
  assert.equal((await fetch(`${address}/metrics?x=1`)).status, 200);
});

test('when two apps have metrics in one process, then each counts only its own requests', async (t) => {
  const first = await buildTestApp(t, { metricsPort: 0 });
  const second = await buildTestApp(t, { metricsPort: 0 });
  for (let i = 0; i < 2; i++) await call(first, 'GET', '/health');
  await call(second, 'GET', '/health');
  const labels = { route: '/health', method: 'GET', status: '200' };
  assert.equal(sample(await scrape(first), 'http_requests_total', labels), 2);
  assert.equal(sample(await scrape(second), 'http_requests_total', labels), 1);
  assert.notEqual(first.metricsAddress(), second.metricsAddress());
  // The process's figures are collected once per process (each collection starts an event-loop
  // monitor and a GC observer that never stop), and both registries show the same ones.
  const lag = 'nodejs_eventloop_lag_seconds';
  assert.ok(first.metrics?.registry.getSingleMetric(lag));
  assert.equal(first.metrics?.registry.getSingleMetric(lag), second.metrics?.registry.getSingleMetric(lag));
});

test('when METRICS_PORT is taken, then the app does not start', async (t) => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => holder.close(resolve)));
  const { port } = holder.address() as { port: number };
  const app = await buildTestApp(t, { metricsPort: port });
  await assert.rejects(async () => {
    await app.ready();
  }, { code: 'EADDRINUSE' });
});

test('when METRICS_PORT is unset, then nothing listens and no hook is added', async (t) => {
  const off = await buildTestApp(t);
  const on = await buildTestApp(t, { metricsPort: 0 });
  const listening = listeners();
  await off.ready();
  assert.equal(listeners(), listening, 'ready without metrics opens no listener');
  assert.equal(off.metrics, undefined);
  assert.equal(off.metricsAddress(), undefined);
  assert.equal(onResponseHooks(off), onResponseHooks(on) - 1, 'the metrics hook is the one hook more');
  assert.equal((await call(off, 'GET', '/health')).status, 200);
  countOrderPlaced(off.metrics);
  countDelivery(off.metrics, 'failed');
  setEventsWaitingSource(off.metrics, async () => 1);
});

test('when the app closes, then the metrics listener closes with it, kept-alive scrapers too', async (t) => {
  const app = await buildTestApp(t, { metricsPort: 0 });
  const listening = listeners();
  const address = await metricsAddress(app);
  assert.equal(listeners(), listening + 1);
  assert.equal((await fetch(`${address}/metrics`)).status, 200, 'fetch keeps its connection alive afterwards');
  await app.close();
  await assert.rejects(fetch(`${address}/metrics`), 'nothing listens any more');
  const port = Number(new URL(address).port);
  const again = createServer();
  await new Promise<void>((resolve, reject) => again.once('error', reject).listen(port, '127.0.0.1', resolve));
  await new Promise((resolve) => again.close(resolve));
  // Its socket is closed at once; libuv forgets the handle a few turns of the loop later.
  for (let turn = 0; turn < 100 && listeners() > listening; turn++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(listeners(), listening);
});

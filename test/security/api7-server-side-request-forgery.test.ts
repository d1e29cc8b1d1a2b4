// OWASP API7:2023 Server Side Request Forgery: the API fetches a URL a client gave it
// (an image, a webhook, a callback) and so can be made to reach internal services.
// Defence: the one URL the API ever sends to is a webhook endpoint's `url`, which an admin
// gives and which is held to https and public addresses, checked at save and again on the
// address each attempt resolves to (src/modules/webhooks/destination.ts, test/webhooks/send.test.ts).
// No other route takes a URL-typed field, and text that looks like a URL (a product name,
// a tracking number) is stored and returned as text. These tests check those facts, so
// adding another URL field fails them.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildTestApp, call } from '../helpers/app.js';
import { type OpenApiDocument, documentedOperations, openapiDocument, openAttackShop } from './attack-helpers.js';

const URL_FORMATS = ['uri', 'url', 'uri-reference', 'iri', 'iri-reference', 'uri-template', 'hostname', 'idn-hostname', 'ipv4', 'ipv6'];
const URL_NAMES = /url|uri|webhook|callback|image|img|avatar|href|link|redirect|endpoint|host|proxy|fetch/i;

type Schema = Record<string, unknown>;

/** Every property (and parameter) a request can carry, with its schema, found by walking the document. */
function requestFields(doc: OpenApiDocument): { where: string; name: string; schema: Schema }[] {
  const fields: { where: string; name: string; schema: Schema }[] = [];
  const resolve = (schema: Schema): Schema => {
    const ref = schema.$ref;
    if (typeof ref !== 'string') return schema;
    const target = doc.components?.schemas?.[ref.replace('#/components/schemas/', '')];
    assert.ok(target, `unresolved $ref ${ref}`);
    return resolve(target as Schema);
  };
  const walk = (raw: Schema, where: string) => {
    const schema = resolve(raw);
    for (const [name, inner] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
      fields.push({ where, name, schema: resolve(inner) });
      walk(inner, `${where}.${name}`);
    }
    for (const key of ['items', 'additionalProperties'] as const) {
      if (schema[key] && typeof schema[key] === 'object') walk(schema[key] as Schema, `${where}[]`);
    }
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
      for (const branch of (schema[key] ?? []) as Schema[]) walk(branch, where);
    }
  };
  for (const [route, operation] of documentedOperations(doc)) {
    for (const parameter of operation.parameters ?? []) {
      fields.push({ where: `${route} ${parameter.in}`, name: parameter.name, schema: resolve(parameter.schema) });
      walk(parameter.schema, `${route} ${parameter.in} ${parameter.name}`);
    }
    for (const [mediaType, content] of Object.entries(operation.requestBody?.content ?? {})) {
      walk(content.schema, `${route} ${mediaType}`);
    }
  }
  return fields;
}

/** Every `format` keyword anywhere in a schema, resolved or not. */
function formatsIn(schema: unknown, found: string[] = []): string[] {
  if (Array.isArray(schema)) schema.forEach((item) => formatsIn(item, found));
  else if (schema && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'format' && typeof value === 'string') found.push(value);
      else formatsIn(value, found);
    }
  }
  return found;
}

test('when every request field in /openapi.json is walked, then only the webhook endpoint url is named like a URL, and none is URL-typed', async (t) => {
  const app = await buildTestApp(t);
  const doc = await openapiDocument(app);

  const fields = requestFields(doc);

  // The walk really reaches bodies, path, query and header parameters.
  const names = new Set(fields.map((field) => field.name));
  for (const known of ['product_name', 'customer_id', 'items', 'product_id', 'quantity', 'password', 'id', 'q', 'per_page', 'Idempotency-Key', 'tracking_number']) {
    assert.ok(names.has(known), `the walk did not find ${known}`);
  }
  const webhookUrl = /^(POST \/webhook-endpoints|PUT \/webhook-endpoints\/\{id\}) application\/json$/;
  assert.equal(fields.filter(({ where, name }) => name === 'url' && webhookUrl.test(where)).length, 2, 'the webhook endpoint url is found');
  for (const { where, name, schema } of fields) {
    if (name === 'url' && webhookUrl.test(where)) continue;
    assert.doesNotMatch(name, URL_NAMES, `${where}: ${name} looks like a URL field`);
    for (const format of formatsIn(schema)) assert.ok(!URL_FORMATS.includes(format), `${where}: ${name} has format ${format}`);
  }
  for (const [route, operation] of documentedOperations(doc)) {
    const request = { parameters: operation.parameters ?? [], body: operation.requestBody ?? {} };
    for (const format of formatsIn(request)) assert.ok(!URL_FORMATS.includes(format), `${route} takes a ${format}`);
  }
});

test('when product, customer and tracking fields hold URLs aimed at an internal listener, then they are stored as text and nothing is ever fetched', async (t) => {
  // A listener standing in for an internal service: any request the API made would land here.
  const hits: string[] = [];
  const canary = createServer((request, response) => {
    hits.push(`${request.method} ${request.url}`);
    response.end('internal secret');
  });
  await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => canary.close(() => resolve())));
  const base = `http://127.0.0.1:${(canary.address() as AddressInfo).port}`;
  const fetchSpy = t.mock.method(globalThis, 'fetch');

  const { app, admin, mallory, placed, moveTo, trackOf, productOf } = await openAttackShop(t);
  const name = `${base}/product-name`;
  const description = `<img src="${base}/image.png"> file:///etc/passwd gopher://127.0.0.1:6379/_INFO http://169.254.169.254/latest/meta-data/`;
  const created = await call(app, 'POST', '/products', { token: admin.token, body: { product_name: name, price: 1, description, stock: 3 } });
  assert.equal(created.status, 201);
  const renamed = await call(app, 'PUT', `/customers/${mallory.id}`, { token: mallory.token, body: { customer_name: `${base}/avatar` } });
  assert.equal(renamed.status, 200);
  const order = await placed(mallory, [{ product_id: created.body.id, quantity: 1 }]);
  await moveTo(order.id, 'paid');
  const shipped = await call(app, 'POST', `/orders/${order.id}/status`, {
    token: admin.token,
    body: { status: 'shipped', tracking_number: `${base}/track`, note: `${base}/note` },
  });
  assert.equal(shipped.status, 200);

  assert.equal(created.body.product_name, name);
  assert.equal(created.body.description, description);
  assert.deepEqual(await productOf(created.body.id), { ...created.body, stock: 2 });
  assert.equal(renamed.body.customer_name, `${base}/avatar`);
  assert.equal(order.items[0].product_name, name);
  const tracking = await trackOf(order.id);
  assert.equal(tracking.tracking_number, `${base}/track`);
  assert.equal(tracking.history.at(-1).note, `${base}/note`);
  const search = await call(app, 'GET', `/products?q=${encodeURIComponent(base)}`);
  assert.deepEqual(search.body.map((product: { id: number }) => product.id), [created.body.id]);
  await sleep(200); // room for any request sent in the background
  assert.deepEqual(hits, [], 'the API fetched a URL it was given');
  assert.equal(fetchSpy.mock.callCount(), 0, 'the API called fetch');
});

test('when an admin points a webhook endpoint at an internal listener, then it is refused and nothing is fetched', async (t) => {
  const hits: string[] = [];
  const canary = createServer((request, response) => {
    hits.push(`${request.method} ${request.url}`);
    response.end('internal secret');
  });
  await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => canary.close(() => resolve())));
  const port = (canary.address() as AddressInfo).port;
  // Inline delivery, as a real shop runs: a refused endpoint must not be sent anything.
  const app = await buildTestApp(t, { webhookDelivery: 'inline' });
  const { adminToken } = await import('../helpers/app.js');
  const token = await adminToken(app);
  for (const url of [`http://127.0.0.1:${port}/x`, `https://127.0.0.1:${port}/x`, `https://[::ffff:127.0.0.1]:${port}/x`, `https://localhost:${port}/x`, 'https://169.254.169.254/latest/meta-data/']) {
    const response = await call(app, 'POST', '/webhook-endpoints', { token, body: { url, events: ['*'] } });
    assert.equal(response.status, 400, `${url}: ${JSON.stringify(response.body)}`);
  }
  assert.deepEqual((await call(app, 'GET', '/webhook-endpoints', { token })).body, []);
  await sleep(200);
  assert.deepEqual(hits, []);
});

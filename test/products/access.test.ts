import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { adminToken, buildTestApp, call, createProduct, registerCustomer } from '../helpers/app.js';
import { assertProblem } from '../helpers/problem.js';

/** Everything a client can read about the catalogue. */
async function catalogue(app: FastifyInstance, id: number) {
  return {
    list: (await call(app, 'GET', '/products')).body,
    page: (await call(app, 'GET', '/products/p?per_page=100')).body,
    one: (await call(app, 'GET', `/products/${id}`)).body,
  };
}

/** One of each write, each of which would change the catalogue if it went through. */
function writes(id: number) {
  return [
    { method: 'POST' as const, url: '/products', body: { product_name: 'Sneaked in', price: 1 } },
    { method: 'PUT' as const, url: `/products/${id}`, body: { price: 0.01, product_name: 'Hijacked' } },
    { method: 'DELETE' as const, url: `/products/${id}`, body: undefined },
  ];
}

test('when anyone reads the catalogue without a token, then every read route answers 200 with the product', async (t) => {
  const app = await buildTestApp(t);
  const product = await createProduct(app, await adminToken(app), { product_name: 'Public tea', price: 4.5 });

  const list = await call(app, 'GET', '/products');
  const page = await call(app, 'GET', '/products/p');
  const one = await call(app, 'GET', `/products/${product.id}`);

  assert.equal(list.status, 200);
  assert.deepEqual(list.body, [product]);
  assert.equal(page.status, 200);
  assert.deepEqual(page.body, { items: [product], page: 1, per_page: 10, total: 1, pages: 1, next: null });
  assert.equal(one.status, 200);
  assert.deepEqual(one.body, product);
});

test("when a customer reads the catalogue with its token, then it gets the same answers as anyone", async (t) => {
  const app = await buildTestApp(t);
  const product = await createProduct(app, await adminToken(app));
  const { token } = await registerCustomer(app);

  for (const url of ['/products', '/products/p', `/products/${product.id}`]) {
    const anonymous = await call(app, 'GET', url);
    const asCustomer = await call(app, 'GET', url, { token });
    assert.equal(asCustomer.status, 200, url);
    assert.deepEqual(asCustomer.body, anonymous.body, url);
  }
});

test('when a write comes without a token or with a bad one, then 401 and the catalogue is unchanged', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const product = await createProduct(app, admin);
  const before = await catalogue(app, product.id);
  const [header, payload] = admin.split('.');
  const badTokens: [string, Record<string, string>][] = [
    ['no token', {}],
    ['a garbage token', { authorization: 'Bearer not-a-token' }],
    ['a tampered token', { authorization: `Bearer ${header}.${payload}.${'A'.repeat(43)}` }],
    ['a token without Bearer', { authorization: admin }],
    ['basic auth', { authorization: 'Basic YWRtaW46YWRtaW4tcGFzc3dvcmQtMQ==' }],
  ];

  for (const write of writes(product.id)) {
    for (const [what, headers] of badTokens) {
      const response = await call(app, write.method, write.url, { body: write.body, headers });
      assertProblem(response, 401, { what: `${write.method} ${write.url} with ${what}: ${response.status}` });
    }
  }

  assert.deepEqual(await catalogue(app, product.id), before);
});

test("when a customer writes to the catalogue, then 403 and the catalogue is unchanged", async (t) => {
  const app = await buildTestApp(t);
  const product = await createProduct(app, await adminToken(app));
  const { token } = await registerCustomer(app);
  const before = await catalogue(app, product.id);

  for (const write of writes(product.id)) {
    const response = await call(app, write.method, write.url, { token, body: write.body });
    assertProblem(response, 403, { what: `${write.method} ${write.url}: ${response.status} ${JSON.stringify(response.body)}` });
  }

  assert.deepEqual(await catalogue(app, product.id), before);
});

test('when an admin writes, then each write goes through (the 401 and 403 above are about the caller)', async (t) => {
  const app = await buildTestApp(t);
  const token = await adminToken(app);
  const product = await createProduct(app, token);

  const [create, update, remove] = writes(product.id);
  assert.equal((await call(app, create!.method, create!.url, { token, body: create!.body })).status, 201);
  assert.equal((await call(app, update!.method, update!.url, { token, body: update!.body })).status, 200);
  assert.equal((await call(app, remove!.method, remove!.url, { token })).status, 200);

  const names = (await call(app, 'GET', '/products')).body.map((p: { product_name: string }) => p.product_name);
  assert.deepEqual(names, ['Sneaked in']);
});

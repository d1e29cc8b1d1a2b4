import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminToken, buildTestApp, call, createProduct, registerCustomer } from '../helpers/app.js';
import { assertProblem } from '../helpers/problem.js';

test('when a bodiless route gets content-type JSON with no body, then it works; a route needing a body says 400', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const product = await createProduct(app, admin, { stock: 5 });
  const { customer, token } = await registerCustomer(app);
  const order = await call(app, 'POST', '/orders', {
    token,
    body: { customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] },
  });
  const json = { 'content-type': 'application/json' };
  const cancelled = await call(app, 'POST', `/orders/${order.body.id}/cancel`, { token, headers: json });
  assert.equal(cancelled.status, 200);
  assert.equal(cancelled.body.status, 'cancelled');
  const empty = await call(app, 'POST', '/products', { token: admin, headers: json });
  assertProblem(empty, 400);
  assert.equal((await call(app, 'GET', '/products')).body.length, 1);
});

test('when a JSON body carries __proto__ or constructor.prototype, then 400 and nothing is stored', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  for (const payload of [
    '{"product_name":"P","price":1,"__proto__":{"admin":true}}',
    '{"product_name":"P","price":1,"constructor":{"prototype":{"admin":true}}}',
  ]) {
    const response = await app.inject({
      method: 'POST',
      url: '/products',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      payload,
    });
    assert.equal(response.statusCode, 400, payload);
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
    assert.equal(response.json().code, 'FORBIDDEN_KEY');
  }
  assert.equal((await call(app, 'GET', '/products')).body.length, 0);
});

test('when a page far past the end is asked for, then its items are empty and the totals are right', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  await createProduct(app, admin);
  const response = await call(app, 'GET', '/products/p?page=2000000000&per_page=100');
  assert.equal(response.status, 200);
  assert.deepEqual(response.body, { items: [], page: 2_000_000_000, per_page: 100, total: 1, pages: 1, next: null });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { adminToken, buildTestApp, call, createProduct, registerCustomer } from '../helpers/app.js';
import { shopState } from '../helpers/snapshot.js';
import { assertProblem } from '../helpers/problem.js';

/** Every route with an id in its path; `:id` is replaced by each bad id, and a body it would accept goes along. */
const ID_ROUTES: { method: InjectOptions['method']; path: string; body?: Record<string, unknown> }[] = [
  { method: 'GET', path: '/customers/:id' },
  { method: 'PUT', path: '/customers/:id', body: { customer_name: 'Renamed by a bad id' } },
  { method: 'DELETE', path: '/customers/:id' },
  { method: 'GET', path: '/products/:id' },
  { method: 'PUT', path: '/products/:id', body: { price: 0.01 } },
  { method: 'DELETE', path: '/products/:id' },
  { method: 'GET', path: '/cart/:id' },
  { method: 'DELETE', path: '/cart/:id' },
  { method: 'GET', path: '/orders/:id' },
  { method: 'GET', path: '/orders/track/:id' },
  { method: 'POST', path: '/orders/:id/cancel' },
  { method: 'POST', path: '/orders/:id/status', body: { status: 'paid' } },
];

/**
 * Ids that are not positive integers written plainly. Several would coerce to 1, the id of
 * a real customer, product, cart and order here, so a loose parser would act on that row.
 */
const BAD_IDS: [id: string, status: number][] = [
  ['abc', 400],
  ['0', 400],
  ['-5', 400],
  ['-1', 400],
  ['1e3', 400],
  ['1e0', 400],
  ['1.0', 400],
  ['1.5', 400],
  ['0x1', 400],
  ['+1', 400],
  ['%201', 400], // " 1"
  ['1%20', 400], // "1 "
  ['Infinity', 400],
  ['NaN', 400],
  ['null', 400],
  ['true', 400],
  ['%00', 400],
  ['1%3B', 400], // "1;"
  ['99999999999', 400],
  ['2147483648', 400],
  ['9'.repeat(60), 400],
  ['%', 400], // a malformed percent-escape
  ['%E0%A4%A', 400],
  // Past the router's 100-character limit for a path parameter: the URL itself is refused.
  ['9'.repeat(500), 414],
];

async function everything(app: FastifyInstance, admin: string, customerId: number, orderId: number) {
  const order = await call(app, 'GET', `/orders/${orderId}`, { token: admin });
  const track = await call(app, 'GET', `/orders/track/${orderId}`, { token: admin });
  const cart = await call(app, 'GET', `/cart/${customerId}`, { token: admin });
  return { ...(await shopState(app, admin)), order: order.body, track: track.body, cart: cart.body };
}

test('when a path holds an id that is not a positive integer, then every id route answers a 4xx problem+json and nothing changes', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { customer, token } = await registerCustomer(app);
  const product = await createProduct(app, admin, { product_name: 'Id target', price: 2, stock: 10 });
  const order = await call(app, 'POST', '/orders', {
    token,
    body: { customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] },
  });
  assert.equal(order.status, 201);
  // Id 1 is the admin; make it a real product, cart and order too.
  assert.equal(product.id, 1);
  assert.equal(order.body.id, 1);
  const added = await call(app, 'POST', '/cart/add', {
    token: admin,
    body: { customer_id: 1, product_id: product.id, quantity: 1 },
  });
  assert.equal(added.status, 200);

  const before = await everything(app, admin, 1, order.body.id);
  for (const route of ID_ROUTES) {
    for (const [id, status] of BAD_IDS) {
      const url = route.path.replace(':id', id);
      const shown = id.length > 20 ? `${id.slice(0, 8)}...(${id.length} characters)` : id;
      await t.test(`when ${route.method} ${route.path.replace(':id', shown)} is asked for, then ${status} problem+json`, async () => {
        const response = await call(app, route.method, url, { token: admin, ...(route.body ? { body: route.body } : {}) });
        assertProblem(response, status);
      });
    }
  }
  const after = await everything(app, admin, 1, order.body.id);

  assert.deepEqual(after, before);
  // The same routes with the plain id 1 do reach the rows, so the 400s above were about the id alone.
  assert.equal((await call(app, 'GET', '/products/1')).status, 200);
  assert.equal((await call(app, 'GET', '/orders/1', { token: admin })).status, 200);
  assert.equal((await call(app, 'GET', '/customers/1', { token: admin })).status, 200);
  assert.equal((await call(app, 'GET', '/products/01')).status, 200, 'a leading zero is still plain digits');
});

test('when an id is unknown but well-formed, then each id route answers 404 problem+json', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const before = await shopState(app, admin);

  for (const route of ID_ROUTES) {
    // The cart routes answer for a customer; an unknown customer has no cart.
    const url = route.path.replace(':id', '2147483647');
    const response = await call(app, route.method, url, { token: admin, ...(route.body ? { body: route.body } : {}) });
    assertProblem(response, 404);
  }

  assert.deepEqual(await shopState(app, admin), before);
});

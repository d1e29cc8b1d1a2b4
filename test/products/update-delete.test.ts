import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { adminToken, buildTestApp, call, createProduct, registerCustomer } from '../helpers/app.js';
import { assertProblem } from '../helpers/problem.js';

const ORIGINAL = { product_name: 'Teapot', price: 30, description: 'Cast iron', stock: 5 };

async function getProduct(app: FastifyInstance, id: number) {
  return call(app, 'GET', `/products/${id}`);
}

const patches: [string, Record<string, unknown>][] = [
  ['only the name', { product_name: 'Kettle' }],
  ['only the price', { price: 0.1 }],
  ['only the description', { description: 'Enamelled steel' }],
  ['a null description', { description: null }],
  ['only the stock', { stock: 0 }],
  ['a null stock (stop tracking)', { stock: null }],
  ['price and stock', { price: 99999999.99, stock: 1_000_000_000 }],
  ['every field', { product_name: 'Kettle', price: 12.34, description: '', stock: 7 }],
];

test('when an admin PUTs any subset of fields, then just those fields and updated_at change', async (t) => {
  const app = await buildTestApp(t);
  const token = await adminToken(app);
  const bystander = await createProduct(app, token, { product_name: 'Bystander', price: 1 });

  for (const [what, patch] of patches) {
    await t.test(`when the PUT holds ${what}, then just those fields and updated_at change`, async () => {
      const created = await createProduct(app, token, ORIGINAL);
      await sleep(3); // so the new updated_at is a later millisecond

      const response = await call(app, 'PUT', `/products/${created.id}`, { token, body: patch });

      assert.equal(response.status, 200, JSON.stringify(response.body));
      const { updated_at, ...rest } = response.body;
      const { updated_at: before, ...expected } = { ...created, ...patch };
      assert.deepEqual(rest, expected);
      assert.ok(updated_at > before, `updated_at ${updated_at} is not after ${before}`);
      assert.equal(response.body.created_at, created.created_at);
      assert.deepEqual((await getProduct(app, created.id)).body, response.body);
    });
  }

  assert.deepEqual((await getProduct(app, bystander.id)).body, bystander);
});

test('when an admin PUTs an empty object, then 200 and no field changes', async (t) => {
  const app = await buildTestApp(t);
  const token = await adminToken(app);
  const created = await createProduct(app, token, ORIGINAL);

  const response = await call(app, 'PUT', `/products/${created.id}`, { token, body: {} });

  assert.equal(response.status, 200);
  const { updated_at: _after, ...fields } = response.body;
  const { updated_at: _before, ...original } = created;
  assert.deepEqual(fields, original);
  assert.deepEqual((await getProduct(app, created.id)).body, response.body);
});

test('when a PUT carries an invalid value or an unknown field, then 400 and the product is unchanged', async (t) => {
  const app = await buildTestApp(t);
  const token = await adminToken(app);
  const created = await createProduct(app, token, ORIGINAL);
  const bodies: Record<string, unknown>[] = [
    { price: 19.999 },
    { price: -1 },
    { price: '19.99' },
    { price: null },
    { product_name: '' },
    { product_name: null },
    { stock: -1 },
    { stock: 2.5 },
    { product_name: 'Fine', deleted_at: '2020-01-01T00:00:00.000Z' },
    { product_name: 'Fine', created_at: '2020-01-01T00:00:00.000Z' },
    { product_name: 'Fine', id: created.id + 1 },
  ];

  for (const body of bodies) {
    const response = await call(app, 'PUT', `/products/${created.id}`, { token, body });
    assertProblem(response, 400, { what: `${JSON.stringify(body)}: ${response.status} ${JSON.stringify(response.body)}` });
  }

  assert.deepEqual((await getProduct(app, created.id)).body, created);
  assert.deepEqual((await call(app, 'GET', '/products')).body, [created]);
});

test('when an admin PUTs an unknown product id, then 404 and nothing is created', async (t) => {
  const app = await buildTestApp(t);
  const token = await adminToken(app);
  const created = await createProduct(app, token, ORIGINAL);

  const response = await call(app, 'PUT', `/products/${created.id + 1000}`, { token, body: { price: 1 } });

  assertProblem(response, 404, { what: `${response.status} ${JSON.stringify(response.body)}` });
  assert.deepEqual((await call(app, 'GET', '/products')).body, [created]);
});

test('when an admin deletes a product, then 200 {message} and it is gone from every read, PUT and a second DELETE', async (t) => {
  const app = await buildTestApp(t);
  const token = await adminToken(app);
  const kept = await createProduct(app, token, { product_name: 'Kept mug', price: 3 });
  const doomed = await createProduct(app, token, { product_name: 'Doomed mug', price: 3 });

  const response = await call(app, 'DELETE', `/products/${doomed.id}`, { token });

  assert.equal(response.status, 200);
  assert.deepEqual(Object.keys(response.body), ['message']);
  assert.equal(typeof response.body.message, 'string');
  assertProblem(await getProduct(app, doomed.id), 404);
  assert.deepEqual((await call(app, 'GET', '/products')).body, [kept]);
  assert.deepEqual((await call(app, 'GET', '/products?q=doomed')).body, []);
  assert.deepEqual((await call(app, 'GET', '/products/p')).body, { items: [kept], page: 1, per_page: 10, total: 1, pages: 1, next: null });
  assert.deepEqual((await call(app, 'GET', '/products/p?q=mug&sort=-price')).body.total, 1);
  const put = await call(app, 'PUT', `/products/${doomed.id}`, { token, body: { product_name: 'Revived' } });
  assertProblem(put, 404, { what: `PUT: ${put.status}` });
  const again = await call(app, 'DELETE', `/products/${doomed.id}`, { token });
  assertProblem(again, 404, { what: `second DELETE: ${again.status}` });
  // The PUT did not bring it back, and the kept product is untouched.
  assertProblem(await getProduct(app, doomed.id), 404);
  assert.deepEqual((await getProduct(app, kept.id)).body, kept);
});

// The unfiltered total is a count the database keeps as products come and go (migration
// 0005), so racing writes must neither lose nor double an update of it.
test('when products are created and deleted at the same time, twice over for some, then the total is exactly the live products', async (t) => {
  const app = await buildTestApp(t);
  const token = await adminToken(app);
  const first = await Promise.all(Array.from({ length: 30 }, (_, i) => createProduct(app, token, { product_name: `Cup ${i}`, price: 1 })));
  const doomed = first.slice(0, 10);

  const [created, deletes] = await Promise.all([
    Promise.all(Array.from({ length: 15 }, (_, i) => createProduct(app, token, { product_name: `Jug ${i}`, price: 2 }))),
    Promise.all([...doomed, ...doomed].map((product) => call(app, 'DELETE', `/products/${product.id}`, { token }))),
  ]);

  // Each product is deleted once; its second DELETE finds it gone.
  assert.deepEqual(deletes.map((d) => d.status).sort(), [...Array(10).fill(200), ...Array(10).fill(404)]);
  const live = (await call(app, 'GET', '/products')).body;
  assert.equal(live.length, 20 + created.length);
  const page = await call(app, 'GET', '/products/p');
  assert.equal(page.body.total, live.length);
  assert.equal(page.body.pages, Math.ceil(live.length / 10));
});

test('when an admin deletes an unknown product id, then 404 and the catalogue is unchanged', async (t) => {
  const app = await buildTestApp(t);
  const token = await adminToken(app);
  const created = await createProduct(app, token);

  const response = await call(app, 'DELETE', `/products/${created.id + 1}`, { token });

  assertProblem(response, 404);
  assert.deepEqual((await call(app, 'GET', '/products')).body, [created]);
});

test('when a product in a cart and in an order is deleted, then it leaves the cart and the order keeps its name and price', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { customer, token } = await registerCustomer(app);
  const doomed = await createProduct(app, admin, { product_name: 'Limited print', price: 45.5, stock: 10 });
  const other = await createProduct(app, admin, { product_name: 'Frame', price: 12 });
  const order = await call(app, 'POST', '/orders', {
    token,
    body: { customer_id: customer.id, items: [{ product_id: doomed.id, quantity: 2 }] },
  });
  assert.equal(order.status, 201, JSON.stringify(order.body));
  for (const product of [doomed, other]) {
    const added = await call(app, 'POST', '/cart/add', {
      token,
      body: { customer_id: customer.id, product_id: product.id, quantity: 1 },
    });
    assert.equal(added.status, 200, JSON.stringify(added.body));
  }

  assert.equal((await call(app, 'DELETE', `/products/${doomed.id}`, { token: admin })).status, 200);

  const cart = await call(app, 'GET', `/cart/${customer.id}`, { token });
  assert.equal(cart.status, 200);
  assert.deepEqual(
    cart.body.items.map((item: { product_id: number }) => item.product_id),
    [other.id],
  );
  assert.equal(cart.body.total, 12);
  const kept = await call(app, 'GET', `/orders/${order.body.id}`, { token: admin });
  assert.equal(kept.status, 200);
  assert.deepEqual(kept.body.items, order.body.items);
  assert.equal(kept.body.items[0].product_name, 'Limited print');
  assert.equal(kept.body.items[0].unit_price, 45.5);
  assert.equal(kept.body.total, 91);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inTransaction } from '../../src/db/engine.js';
import { MAX_HASHES_PER_CLIENT } from '../../src/shared/passwords.js';
import { adminToken, buildTestApp, call, createProduct, login, registerCustomer } from '../helpers/app.js';
import { onPostgres } from '../helpers/database.js';
import { countByStatus, listen } from '../helpers/http.js';
import { decodeJwt } from '../helpers/tokens.js';

// Every change here is one that two requests can make at the same moment. Each must be one
// conditional statement or a locked read, so concurrent requests all count, and exactly as
// many pass a limit as fit under it. Real concurrent HTTP requests, on SQLite and on
// PostgreSQL (where READ COMMITTED lets a read-then-write lose updates).

const where = onPostgres ? 'PostgreSQL' : 'SQLite';

async function shopWithOneCustomer(t: Parameters<typeof buildTestApp>[0], overrides: Parameters<typeof buildTestApp>[1] = {}) {
  const app = await buildTestApp(t, overrides);
  const admin = await adminToken(app);
  const buyer = await registerCustomer(app);
  const http = await listen(t, app);
  const add = (productId: number, quantity: number) =>
    http('POST', '/cart/add', { token: buyer.token, body: { customer_id: buyer.customer.id, product_id: productId, quantity } });
  const lineOf = async (productId: number) => {
    const cart = await http('GET', `/cart/${buyer.customer.id}`, { token: buyer.token });
    return cart.body.items.find((item: { product_id: number }) => item.product_id === productId)?.quantity;
  };
  return { app, admin, buyer, http, add, lineOf };
}

const atOnce = <T>(count: number, send: (i: number) => Promise<T>) => Promise.all(Array.from({ length: count }, (_, i) => send(i)));

test(`when 20 adds of one unit to the same cart line arrive at once on ${where}, then the line holds 20`, async (t) => {
  const { admin, app, add, lineOf } = await shopWithOneCustomer(t);
  const product = await createProduct(app, admin, { stock: 100 });

  const results = await atOnce(20, () => add(product.id, 1));

  assert.deepEqual(countByStatus(results), { 200: 20 });
  assert.equal(await lineOf(product.id), 20);
});

test(`when 20 adds of one unit arrive at once for a product with stock 15 on ${where}, then exactly 15 succeed and the line holds 15`, async (t) => {
  const { admin, app, add, lineOf } = await shopWithOneCustomer(t);
  const product = await createProduct(app, admin, { stock: 15 });

  const results = await atOnce(20, () => add(product.id, 1));

  assert.deepEqual(countByStatus(results), { 200: 15, 409: 5 });
  for (const refused of results.filter((r) => r.status === 409)) assert.equal(refused.body.code, 'INSUFFICIENT_STOCK');
  assert.equal(await lineOf(product.id), 15);
  assert.equal((await call(app, 'GET', `/products/${product.id}`)).body.stock, 15, 'a cart reserves nothing');
});

test(`when 20 adds of one unit arrive at once for a line 10 short of its 1,000-unit cap on ${where}, then exactly 10 succeed`, async (t) => {
  const { admin, app, add, lineOf } = await shopWithOneCustomer(t);
  const product = await createProduct(app, admin);
  assert.equal((await add(product.id, 990)).status, 200);

  const results = await atOnce(20, () => add(product.id, 1));

  assert.deepEqual(countByStatus(results), { 200: 10, 409: 10 });
  for (const refused of results.filter((r) => r.status === 409)) assert.equal(refused.body.code, 'LINE_LIMIT');
  assert.equal(await lineOf(product.id), 1000);
});

test(`when 25 removals of one unit arrive at once for a line of 20 on ${where}, then 20 take one each, 5 find nothing, and the line is gone`, async (t) => {
  const { admin, app, buyer, http, add, lineOf } = await shopWithOneCustomer(t);
  const product = await createProduct(app, admin);
  assert.equal((await add(product.id, 20)).status, 200);

  const results = await atOnce(25, () =>
    http('POST', '/cart/remove', { token: buyer.token, body: { customer_id: buyer.customer.id, product_id: product.id, quantity: 1 } }),
  );

  assert.deepEqual(countByStatus(results), { 200: 20, 404: 5 });
  assert.equal(await lineOf(product.id), undefined);
});

test(`when adds and removals of one line interleave on ${where}, then the line ends at exactly what they add up to`, async (t) => {
  const { admin, app, buyer, http, add, lineOf } = await shopWithOneCustomer(t);
  const product = await createProduct(app, admin);
  assert.equal((await add(product.id, 100)).status, 200);

  const results = await atOnce(40, (i) =>
    i % 2 === 0
      ? add(product.id, 3)
      : http('POST', '/cart/remove', { token: buyer.token, body: { customer_id: buyer.customer.id, product_id: product.id, quantity: 2 } }),
  );

  assert.deepEqual(countByStatus(results), { 200: 40 });
  assert.equal(await lineOf(product.id), 100 + 20 * 3 - 20 * 2);
});

test(`when 10 checkouts of one cart arrive at once on ${where}, then exactly one order is placed and stock is taken once`, async (t) => {
  const { admin, app, buyer, http, add } = await shopWithOneCustomer(t);
  const product = await createProduct(app, admin, { stock: 50 });
  assert.equal((await add(product.id, 5)).status, 200);

  const results = await atOnce(10, () => http('POST', '/orders/from_cart', { token: buyer.token, body: { customer_id: buyer.customer.id } }));

  assert.deepEqual(countByStatus(results), { 201: 1, 409: 9 });
  for (const refused of results.filter((r) => r.status === 409)) assert.equal(refused.body.code, 'EMPTY_CART');
  assert.equal((await http('GET', `/products/${product.id}`)).body.stock, 45);
  assert.equal((await http('GET', '/orders/p', { token: admin })).body.total, 1);
  assert.deepEqual((await http('GET', `/cart/${buyer.customer.id}`, { token: buyer.token })).body.items, []);
});

test(`when 10 orders of one customer arrive at once with a cap of 3 pending on ${where}, then exactly 3 are placed; paying or cancelling one frees a place`, async (t) => {
  const { admin, app, buyer, http } = await shopWithOneCustomer(t, { maxPendingOrdersPerCustomer: 3 });
  const product = await createProduct(app, admin, { stock: 100 });
  const order = () => http('POST', '/orders', { token: buyer.token, body: { customer_id: buyer.customer.id, items: [{ product_id: product.id, quantity: 1 }] } });

  const results = await atOnce(10, order);

  assert.deepEqual(countByStatus(results), { 201: 3, 409: 7 });
  for (const refused of results.filter((r) => r.status === 409)) assert.equal(refused.body.code, 'TOO_MANY_PENDING_ORDERS');
  assert.equal((await http('GET', `/products/${product.id}`)).body.stock, 97, 'a refused order takes no stock');
  const placed = results.filter((r) => r.status === 201).map((r) => r.body.id as number);
  assert.equal((await order()).status, 409);

  assert.equal((await http('POST', `/orders/${placed[0]}/status`, { token: admin, body: { status: 'paid' } })).status, 200);
  assert.equal((await order()).status, 201, 'a paid order no longer counts');
  assert.equal((await order()).status, 409);
  assert.equal((await http('POST', `/orders/${placed[1]}/cancel`, { token: buyer.token })).status, 200);
  const afterCancel = await atOnce(5, order);
  assert.deepEqual(countByStatus(afterCancel), { 201: 1, 409: 4 }, 'a cancelled order frees exactly one place');
});

test(`when password changes of one customer arrive at once on ${where}, then each one raises the token version: the next token carries their number`, async (t) => {
  const { app, admin, buyer, http } = await shopWithOneCustomer(t);
  // As many as one client may hash at once (MAX_HASHES_PER_CLIENT), so none is turned away.
  const changes = MAX_HASHES_PER_CLIENT;
  const results = await atOnce(changes, (i) =>
    http('PUT', `/customers/${buyer.customer.id}`, { token: admin, body: { password: `concurrent-password-${i}` } }),
  );
  assert.deepEqual(countByStatus(results), { 200: changes });
  // Whichever change landed last set the password; find it, and read the version its token carries.
  let token: string | undefined;
  for (let i = 0; i < changes && token === undefined; i += 1) {
    token = await login(app, buyer.customer.username, `concurrent-password-${i}`).catch(() => undefined);
  }
  assert.ok(token, 'one of the passwords works');
  assert.equal(decodeJwt(token).payload.ver, changes);
  assert.equal((await http('GET', '/customers/me', { token: buyer.token })).status, 401);
});

test(`when a customer is deleted while its password changes on ${where}, then its tokens end either way and it stays deleted`, async (t) => {
  const { admin, buyer, http } = await shopWithOneCustomer(t);
  const [deleted, changed] = await Promise.all([
    http('DELETE', `/customers/${buyer.customer.id}`, { token: admin }),
    http('PUT', `/customers/${buyer.customer.id}`, { token: admin, body: { password: 'changed-meanwhile-1' } }),
  ]);
  assert.equal(deleted.status, 200);
  assert.ok([200, 404].includes(changed.status), `the change either came first or found no one: ${changed.status}`);
  assert.equal((await http('GET', '/customers/me', { token: buyer.token })).status, 401);
  assert.equal((await http('GET', `/customers/${buyer.customer.id}`, { token: admin })).status, 404);
  assert.equal((await http('POST', '/customers/login', { body: { username: buyer.customer.username, password: 'changed-meanwhile-1' } })).status, 401);
});

test(`when a checkout with an Idempotency-Key is sent 10 times at once on ${where} (a double click), then every answer is the one order`, async (t) => {
  const { admin, app, buyer, http, add } = await shopWithOneCustomer(t);
  const product = await createProduct(app, admin, { stock: 50 });
  assert.equal((await add(product.id, 5)).status, 200);

  const results = await atOnce(10, () =>
    http('POST', '/orders/from_cart', {
      token: buyer.token,
      body: { customer_id: buyer.customer.id },
      headers: { 'idempotency-key': 'double-click-1' },
    }),
  );

  assert.deepEqual(countByStatus(results), { 201: 10 }, JSON.stringify(results.find((r) => r.status !== 201)?.body));
  assert.equal(new Set(results.map((r) => r.body.id)).size, 1);
  assert.equal(results.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, 9);
  assert.equal((await http('GET', `/products/${product.id}`)).body.stock, 45);
});

test(`when a restock commits while an order waits for the product's lock on ${where}, then the order takes its units from the new stock`, async (t) => {
  const { admin, app, buyer, http } = await shopWithOneCustomer(t);
  const product = await createProduct(app, admin, { stock: 2 });
  // A transaction of its own raises the stock and holds the row until it commits.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const restock = inTransaction(app.db, async (trx) => {
    await trx.updateTable('products').set({ stock: 5 }).where('id', '=', product.id).execute();
    await held;
  });
  const order = http('POST', '/orders', { token: buyer.token, body: { customer_id: buyer.customer.id, items: [{ product_id: product.id, quantity: 4 }] } });
  await new Promise((resolve) => setTimeout(resolve, 300));
  release();
  await restock;

  const placed = await order;
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  assert.equal((await http('GET', `/products/${product.id}`)).body.stock, 1, 'four of the five units were taken');
});

test(`when new products are added at once to a cart 2 short of its 100 products on ${where}, then exactly 2 get in and the rest are 409 CART_FULL`, async (t) => {
  const { app, add, buyer, http } = await shopWithOneCustomer(t);
  const now = new Date().toISOString();
  const rows = Array.from({ length: 110 }, (_, i) => ({ product_name: `Filler ${i}`, description: null, price_cents: 100, stock: null, created_at: now, updated_at: now }));
  const ids = (await app.db.insertInto('products').values(rows).returning('id').execute()).map((row) => row.id);
  for (const id of ids.slice(0, 98)) assert.equal((await add(id, 1)).status, 200);

  const results = await atOnce(10, (i) => add(ids[98 + i]!, 1));

  assert.deepEqual(countByStatus(results), { 200: 2, 409: 8 });
  for (const refused of results.filter((r) => r.status === 409)) assert.equal(refused.body.code, 'CART_FULL');
  const cart = await http('GET', `/cart/${buyer.customer.id}`, { token: buyer.token });
  assert.equal(cart.body.items.length, 100);
  assert.equal((await add(ids[0]!, 5)).status, 200, 'more of a product already there still fits');
  const order = await http('POST', '/orders/from_cart', { token: buyer.token, body: { customer_id: buyer.customer.id } });
  assert.equal(order.status, 201, 'a full cart checks out as one order of 100 lines');
  assert.equal(order.body.items.length, 100);
});

test(`when a pending order is released while another order waits for the customer's lock on ${where}, then the count of pending orders stays exact`, async (t) => {
  const { app, admin, buyer, http } = await shopWithOneCustomer(t, { maxPendingOrdersPerCustomer: 3 });
  const product = await createProduct(app, admin);
  const order = () => http('POST', '/orders', { token: buyer.token, body: { customer_id: buyer.customer.id, items: [{ product_id: product.id, quantity: 1 }] } });
  const placed: number[] = [];
  for (let i = 0; i < 3; i += 1) placed.push((await order()).body.id as number);
  const pending = async () =>
    (await app.db.selectFrom('customers').select('pending_orders').where('id', '=', buyer.customer.id).executeTakeFirstOrThrow()).pending_orders;

  // Paying one order frees a place; its transaction holds the customer's row while the next order waits for it.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const paying = inTransaction(app.db, async (trx) => {
    await trx.updateTable('orders').set({ status: 'paid' }).where('id', '=', placed[0]!).execute();
    await trx.updateTable('customers').set((eb) => ({ pending_orders: eb('pending_orders', '-', 1) })).where('id', '=', buyer.customer.id).execute();
    await held;
  });
  const next = order();
  await new Promise((resolve) => setTimeout(resolve, 300));
  release();
  await paying;

  assert.equal((await next).status, 201);
  assert.equal(await pending(), 3, 'two still pending and the new one');
  assert.equal((await order()).status, 409, 'and the cap holds');
});

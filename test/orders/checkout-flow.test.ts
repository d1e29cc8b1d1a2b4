import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminToken, buildTestApp, call, createProduct, isProblem, registerCustomer } from '../helpers/app.js';

async function shop(t: import('node:test').TestContext) {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const mug = await createProduct(app, admin, { product_name: 'Mug', price: 19.99, stock: 10 });
  const pen = await createProduct(app, admin, { product_name: 'Pen', price: 0.1 });
  const ann = await registerCustomer(app);
  const stock = async (id: number) => (await call(app, 'GET', `/products/${id}`)).body.stock;
  const order = (items: object[], token = ann.token, customer_id = ann.customer.id, headers = {}) =>
    call(app, 'POST', '/orders', { token, body: { customer_id, items }, headers });
  const orderCount = async () => (await call(app, 'GET', '/orders/p', { token: admin })).body.total;
  return { app, admin, mug, pen, ann, stock, order, orderCount };
}

test('when an order is placed, then lines are merged, name and price are copied, and tracked stock is taken', async (t) => {
  const { app, admin, mug, pen, ann, stock, order } = await shop(t);
  const placed = await order([
    { product_id: pen.id, quantity: 3 },
    { product_id: mug.id, quantity: 2 },
    { product_id: pen.id, quantity: 7 },
  ]);
  assert.equal(placed.status, 201);
  assert.equal(placed.body.customer_id, ann.customer.id);
  assert.equal(placed.body.status, 'pending');
  assert.deepEqual(placed.body.items, [
    { product_id: mug.id, product_name: 'Mug', unit_price: 19.99, quantity: 2, line_total: 39.98 },
    { product_id: pen.id, product_name: 'Pen', unit_price: 0.1, quantity: 10, line_total: 1 },
  ]);
  assert.equal(placed.body.total, 40.98);
  assert.equal(await stock(mug.id), 8);
  assert.equal(await stock(pen.id), null);
  // Later edits and deletion of a product do not touch the order.
  await call(app, 'PUT', `/products/${mug.id}`, { token: admin, body: { product_name: 'Big mug', price: 25 } });
  await call(app, 'DELETE', `/products/${pen.id}`, { token: admin });
  assert.deepEqual((await call(app, 'GET', `/orders/${placed.body.id}`, { token: ann.token })).body, placed.body);
});

test('when any line is short or unknown, then nothing changes: no order, every stock as it was', async (t) => {
  const { app, admin, mug, pen, stock, order, orderCount } = await shop(t);
  const cup = await createProduct(app, admin, { product_name: 'Cup', price: 3, stock: 1 });
  const short = await order([{ product_id: mug.id, quantity: 2 }, { product_id: cup.id, quantity: 2 }]);
  assert.ok(isProblem(short, 409));
  assert.equal(short.body.code, 'INSUFFICIENT_STOCK');
  assert.match(short.body.detail, new RegExp(`product ${cup.id} \\("Cup"\\)`));
  assert.ok(isProblem(await order([{ product_id: mug.id, quantity: 1 }, { product_id: 4242, quantity: 1 }]), 404));
  assert.ok(isProblem(await order([]), 400));
  assert.ok(isProblem(await order(Array.from({ length: 101 }, () => ({ product_id: pen.id, quantity: 1 }))), 400));
  assert.equal(await orderCount(), 0);
  assert.deepEqual([await stock(mug.id), await stock(cup.id)], [10, 1]);
});

test('when a cart is checked out, then the order holds its lines and the cart is empty; empty or short carts are refused', async (t) => {
  const { app, mug, pen, ann, stock, orderCount } = await shop(t);
  const checkout = () => call(app, 'POST', '/orders/from_cart', { token: ann.token, body: { customer_id: ann.customer.id } });
  const empty = await checkout();
  assert.ok(isProblem(empty, 409));
  assert.equal(empty.body.code, 'EMPTY_CART');
  const add = (product_id: number, quantity: number) =>
    call(app, 'POST', '/cart/add', { token: ann.token, body: { customer_id: ann.customer.id, product_id, quantity } });
  await add(mug.id, 10);
  await add(pen.id, 1);
  await app.db.updateTable('products').set({ stock: 9 }).where('id', '=', mug.id).execute(); // someone else bought one
  assert.ok(isProblem(await checkout(), 409));
  assert.equal((await call(app, 'GET', `/cart/${ann.customer.id}`, { token: ann.token })).body.items.length, 2);
  await call(app, 'POST', '/cart/remove', { token: ann.token, body: { customer_id: ann.customer.id, product_id: mug.id, quantity: 1 } });
  const placed = await checkout();
  assert.equal(placed.status, 201);
  assert.equal(placed.body.total, 180.01); // 9 x 19.99 + 0.10
  assert.deepEqual((await call(app, 'GET', `/cart/${ann.customer.id}`, { token: ann.token })).body.items, []);
  assert.equal(await stock(mug.id), 0);
  assert.equal(await orderCount(), 1);
});

test('when orders are read, then the owner and admins see them, another customer gets 403, unknown ids 404', async (t) => {
  const { app, admin, mug, ann, order } = await shop(t);
  const eve = await registerCustomer(app);
  const placed = (await order([{ product_id: mug.id, quantity: 1 }])).body;
  for (const path of [`/orders/${placed.id}`, `/orders/track/${placed.id}`]) {
    assert.equal((await call(app, 'GET', path, { token: ann.token })).status, 200);
    assert.equal((await call(app, 'GET', path, { token: admin })).status, 200);
    assert.ok(isProblem(await call(app, 'GET', path, { token: eve.token }), 403));
    assert.ok(isProblem(await call(app, 'GET', path.replace(String(placed.id), '9999'), { token: admin }), 404));
  }
  assert.ok(isProblem(await order([{ product_id: mug.id, quantity: 1 }], eve.token, ann.customer.id), 403));
  // A deleted customer's orders stay readable by admins.
  await call(app, 'DELETE', `/customers/${ann.customer.id}`, { token: admin });
  assert.equal((await call(app, 'GET', `/orders/${placed.id}`, { token: admin })).body.customer_id, ann.customer.id);
});

test('when orders are paged, then customers see only their own, admins all or one customer, newest first', async (t) => {
  const { app, admin, pen, ann, order } = await shop(t);
  const bob = await registerCustomer(app);
  const ids = [];
  for (let i = 0; i < 3; i += 1) ids.push((await order([{ product_id: pen.id, quantity: 1 }])).body.id);
  ids.push((await order([{ product_id: pen.id, quantity: 1 }], bob.token, bob.customer.id)).body.id);
  const page = (query: string, token: string) => call(app, 'GET', `/orders/p${query}`, { token });
  const own = await page('?per_page=2', ann.token);
  assert.deepEqual(own.body.items.map((o: any) => o.id), [ids[2], ids[1]]);
  assert.deepEqual({ ...own.body, items: undefined }, { items: undefined, page: 1, per_page: 2, total: 3, pages: 2 });
  assert.ok(isProblem(await page(`?customer_id=${bob.customer.id}`, ann.token), 403));
  assert.equal((await page(`?customer_id=${ann.customer.id}`, ann.token)).body.total, 3);
  assert.deepEqual((await page('', admin)).body.items.map((o: any) => o.id), [...ids].reverse());
  assert.deepEqual((await page(`?customer_id=${bob.customer.id}`, admin)).body.items.map((o: any) => o.id), [ids[3]]);
  assert.ok(isProblem(await page('?page=0', admin), 400));
});

test('when an admin moves an order along, then each legal step is kept in the history and illegal ones are 409', async (t) => {
  const { app, admin, mug, ann, order } = await shop(t);
  const id = (await order([{ product_id: mug.id, quantity: 1 }])).body.id;
  const move = (body: object, token = admin) => call(app, 'POST', `/orders/${id}/status`, { token, body });
  assert.ok(isProblem(await move({ status: 'paid' }, ann.token), 403));
  for (const status of ['shipped', 'delivered', 'pending']) {
    const refused = await move({ status });
    assert.ok(isProblem(refused, 409), status);
    assert.equal(refused.body.code, 'ILLEGAL_STATUS_CHANGE');
  }
  assert.ok(isProblem(await move({ status: 'paid', tracking_number: 'T1' }), 400));
  assert.ok(isProblem(await move({ status: 'lost' }), 400));
  assert.equal((await move({ status: 'paid', note: 'Card captured' })).body.status, 'paid');
  assert.ok(isProblem(await move({ status: 'paid' }), 409));
  assert.equal((await move({ status: 'shipped', tracking_number: '1Z999' })).body.status, 'shipped');
  assert.ok(isProblem(await move({ status: 'cancelled' }), 409));
  assert.equal((await move({ status: 'delivered' })).body.status, 'delivered');
  const track = (await call(app, 'GET', `/orders/track/${id}`, { token: ann.token })).body;
  assert.equal(track.tracking_number, '1Z999');
  assert.equal(track.status, 'delivered');
  assert.deepEqual(track.history.map((h: any) => [h.status, h.note]), [
    ['pending', 'Order placed'],
    ['paid', 'Card captured'],
    ['shipped', null],
    ['delivered', null],
  ]);
  for (const h of track.history) assert.match(h.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test('when an order is cancelled, then its stock comes back once; owners may cancel only pending orders', async (t) => {
  const { app, admin, mug, ann, stock, order } = await shop(t);
  const eve = await registerCustomer(app);
  const first = (await order([{ product_id: mug.id, quantity: 3 }])).body.id;
  assert.ok(isProblem(await call(app, 'POST', `/orders/${first}/cancel`, { token: eve.token }), 403));
  const cancelled = await call(app, 'POST', `/orders/${first}/cancel`, { token: ann.token });
  assert.equal(cancelled.body.status, 'cancelled');
  assert.equal(await stock(mug.id), 10);
  assert.ok(isProblem(await call(app, 'POST', `/orders/${first}/cancel`, { token: admin }), 409));
  assert.equal(await stock(mug.id), 10);

  const second = (await order([{ product_id: mug.id, quantity: 4 }])).body.id;
  await call(app, 'POST', `/orders/${second}/status`, { token: admin, body: { status: 'paid' } });
  const ownerLate = await call(app, 'POST', `/orders/${second}/cancel`, { token: ann.token });
  assert.ok(isProblem(ownerLate, 409));
  assert.equal(await stock(mug.id), 6);
  assert.equal((await call(app, 'POST', `/orders/${second}/cancel`, { token: admin })).body.status, 'cancelled');
  assert.equal(await stock(mug.id), 10);
});

test('when an Idempotency-Key is repeated, then the first order comes back and nothing new is placed', async (t) => {
  const { app, admin, mug, pen, ann, stock, order, orderCount } = await shop(t);
  const key = { 'idempotency-key': 'order-7' };
  const items = [{ product_id: mug.id, quantity: 2 }];
  const first = await order(items, ann.token, ann.customer.id, key);
  const again = await order(items, ann.token, ann.customer.id, key);
  assert.equal(again.status, 201);
  assert.deepEqual(again.body, first.body);
  assert.equal(again.headers['idempotent-replayed'], 'true');
  assert.equal(first.headers['idempotent-replayed'], undefined);
  assert.equal(await stock(mug.id), 8);
  const other = await order([{ product_id: pen.id, quantity: 1 }], ann.token, ann.customer.id, key);
  assert.ok(isProblem(other, 409));
  assert.equal(other.body.code, 'IDEMPOTENCY_KEY_REUSED');
  // The same key from another customer is its own.
  const bob = await registerCustomer(app);
  assert.notEqual((await order(items, bob.token, bob.customer.id, key)).body.id, first.body.id);
  // A failed attempt stores nothing, so the same key can be retried once stock is back.
  const retry = { 'idempotency-key': 'retry-me' };
  assert.ok(isProblem(await order([{ product_id: mug.id, quantity: 9 }], ann.token, ann.customer.id, retry), 409));
  await call(app, 'PUT', `/products/${mug.id}`, { token: admin, body: { stock: 20 } });
  assert.equal((await order([{ product_id: mug.id, quantity: 9 }], ann.token, ann.customer.id, retry)).status, 201);
  for (const bad of ['', 'k'.repeat(256)]) {
    assert.ok(isProblem(await order(items, ann.token, ann.customer.id, { 'idempotency-key': bad }), 400), `key of ${bad.length}`);
  }
  assert.equal(await orderCount(), 3);
});

test('when many lines with awkward prices are ordered, then every total is the exact sum in cents', async (t) => {
  const { app, admin, ann, order } = await shop(t);
  const prices = [19.99, 0.1, 0.01, 0.07, 1.1, 2.67, 99999999.99, 33.33, 0.2, 0.3];
  const products = [];
  for (const price of prices) products.push(await createProduct(app, admin, { price }));
  const items = products.map((p, i) => ({ product_id: p.id, quantity: (i % 7) + 1 }));
  const placed = (await order(items)).body;
  let expectedCents = 0;
  for (const [i, line] of placed.items.entries()) {
    const cents: number = Math.round(products[i].price * 100) * items[i]!.quantity;
    assert.equal(Math.round(line.line_total * 100), cents);
    assert.equal(line.line_total, cents / 100);
    expectedCents += cents;
  }
  assert.equal(placed.total, expectedCents / 100);
  assert.equal(placed.customer_id, ann.customer.id);
});

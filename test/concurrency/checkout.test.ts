import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminToken, buildTestApp, createProduct, registerCustomer } from '../helpers/app.js';
import { countByStatus, listen } from '../helpers/http.js';

// These fire real concurrent HTTP requests at one server: the guarantees must hold
// however the requests interleave.

async function registerMany(app: Parameters<typeof registerCustomer>[0], count: number) {
  const customers = [];
  for (let i = 0; i < count; i += 1) customers.push(await registerCustomer(app));
  return customers;
}

type Http = Awaited<ReturnType<typeof listen>>;
type Line = { product_id: number; quantity: number };

/** `count` orders fired at once, the buyers taking turns; order i holds `linesOf(i)`. */
function ordersAtOnce(http: Http, buyers: Awaited<ReturnType<typeof registerMany>>, count: number, linesOf: (i: number) => Line[]) {
  return Promise.all(
    Array.from({ length: count }, (_, i) => {
      const buyer = buyers[i % buyers.length]!;
      return http('POST', '/orders', { token: buyer.token, body: { customer_id: buyer.customer.id, items: linesOf(i) } });
    }),
  );
}

test('when 60 buyers order one unit each of a product with stock 10 at once, then exactly 10 succeed and stock ends at 0', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const product = await createProduct(app, admin, { stock: 10, price: 19.99 });
  const buyers = await registerMany(app, 6);
  const http = await listen(t, app);

  const results = await ordersAtOnce(http, buyers, 60, () => [{ product_id: product.id, quantity: 1 }]);

  assert.deepEqual(countByStatus(results), { 201: 10, 409: 50 });
  for (const refused of results.filter((r) => r.status === 409)) assert.equal(refused.body.code, 'INSUFFICIENT_STOCK');
  assert.equal((await http('GET', `/products/${product.id}`)).body.stock, 0);
  const orders = await http('GET', '/orders/p?per_page=100', { token: admin });
  assert.equal(orders.body.total, 10);
  const unitsSold = orders.body.items.flatMap((o: any) => o.items).reduce((n: number, l: any) => n + l.quantity, 0);
  assert.equal(unitsSold, 10);
});

test('when 50 customers check out their carts at once against stock 10, then 10 orders are placed and 40 carts are kept', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const product = await createProduct(app, admin, { stock: 10, price: 0.1 });
  const buyers = await registerMany(app, 50);
  const http = await listen(t, app);
  for (const buyer of buyers) {
    const added = await http('POST', '/cart/add', {
      token: buyer.token,
      body: { customer_id: buyer.customer.id, product_id: product.id, quantity: 1 },
    });
    assert.equal(added.status, 200);
  }

  const results = await Promise.all(
    buyers.map((buyer) =>
      http('POST', '/orders/from_cart', { token: buyer.token, body: { customer_id: buyer.customer.id } }),
    ),
  );

  assert.deepEqual(countByStatus(results), { 201: 10, 409: 40 });
  assert.equal((await http('GET', `/products/${product.id}`)).body.stock, 0);
  assert.equal((await http('GET', '/orders/p?per_page=100', { token: admin })).body.total, 10);
  const carts = await Promise.all(
    buyers.map((buyer) => http('GET', `/cart/${buyer.customer.id}`, { token: buyer.token })),
  );
  for (const [i, cart] of carts.entries()) {
    const ordered = results[i]!.status === 201;
    assert.equal(cart.body.items.length, ordered ? 0 : 1, `cart of buyer ${i}`);
  }
});

test('when one order is cancelled 20 times at once, then one cancel wins and its stock comes back once', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const product = await createProduct(app, admin, { stock: 10 });
  const buyer = await registerCustomer(app);
  const http = await listen(t, app);
  const order = await http('POST', '/orders', {
    token: buyer.token,
    body: { customer_id: buyer.customer.id, items: [{ product_id: product.id, quantity: 3 }] },
  });
  assert.equal((await http('GET', `/products/${product.id}`)).body.stock, 7);

  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      http('POST', `/orders/${order.body.id}/cancel`, { token: i % 2 ? admin : buyer.token }),
    ),
  );

  assert.deepEqual(countByStatus(results), { 200: 1, 409: 19 });
  assert.equal((await http('GET', `/products/${product.id}`)).body.stock, 10);
  const history = (await http('GET', `/orders/track/${order.body.id}`, { token: admin })).body.history;
  assert.deepEqual(history.map((h: any) => h.status), ['pending', 'cancelled']);
});

test('when 20 requests with one Idempotency-Key arrive at once, then one order is placed and all get it', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const product = await createProduct(app, admin, { stock: 100 });
  const buyer = await registerCustomer(app);
  const http = await listen(t, app);
  const body = { customer_id: buyer.customer.id, items: [{ product_id: product.id, quantity: 2 }] };

  const results = await Promise.all(
    Array.from({ length: 20 }, () =>
      http('POST', '/orders', { token: buyer.token, body, headers: { 'idempotency-key': 'checkout-42' } }),
    ),
  );

  assert.deepEqual(countByStatus(results), { 201: 20 });
  assert.equal(new Set(results.map((r) => r.body.id)).size, 1);
  assert.equal(results.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, 19);
  assert.equal((await http('GET', `/products/${product.id}`)).body.stock, 98);
  assert.equal((await http('GET', '/orders/p', { token: admin })).body.total, 1);
});

test("when owners cancel while an admin marks the same orders paid, then no order the customer cancelled was ever paid", async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const product = await createProduct(app, admin, { stock: 100 });
  const buyer = await registerCustomer(app);
  const http = await listen(t, app);
  const orderIds: number[] = [];
  for (let i = 0; i < 15; i += 1) {
    const placed = await http('POST', '/orders', {
      token: buyer.token,
      body: { customer_id: buyer.customer.id, items: [{ product_id: product.id, quantity: 2 }] },
    });
    assert.equal(placed.status, 201);
    orderIds.push(placed.body.id);
  }

  const races = await Promise.all(
    orderIds.map(async (id) => {
      const [cancel, pay] = await Promise.all([
        http('POST', `/orders/${id}/cancel`, { token: buyer.token }),
        http('POST', `/orders/${id}/status`, { token: admin, body: { status: 'paid' } }),
      ]);
      return { id, cancel: cancel.status, pay: pay.status };
    }),
  );

  let cancelled = 0;
  for (const race of races) {
    const track = (await http('GET', `/orders/track/${race.id}`, { token: admin })).body;
    const statuses = track.history.map((h: any) => h.status);
    // Either the cancel came first (the payment is then refused) or the payment did
    // (the owner may no longer cancel): never both, never a paid order cancelled by its owner.
    if (race.cancel === 200) {
      assert.equal(race.pay, 409, `order ${race.id}`);
      assert.deepEqual(statuses, ['pending', 'cancelled']);
      cancelled += 1;
    } else {
      assert.deepEqual([race.cancel, race.pay], [409, 200], `order ${race.id}`);
      assert.deepEqual(statuses, ['pending', 'paid']);
    }
  }
  assert.equal((await http('GET', `/products/${product.id}`)).body.stock, 100 - 2 * (orderIds.length - cancelled));
});

// On SQLite, transactions that arrive together commit together, each in its own savepoint
// (src/db/group-commit.ts): a failing order must still leave nothing behind, and the
// others must still be placed.
test('when good and failing orders arrive at once, then every good one is placed whole and every failing one leaves nothing', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const plenty = await createProduct(app, admin, { stock: 1_000, price: 19.99 });
  const scarce = await createProduct(app, admin, { stock: 3, price: 0.1 });
  const buyers = await registerMany(app, 5);
  const http = await listen(t, app);

  // Every order takes 2 of the plentiful product; a third of them also ask for an unknown
  // product (404) and another third for 1 of the scarce one, of which only 3 can succeed.
  const results = await ordersAtOnce(http, buyers, 30, (i) => {
    const items = [{ product_id: plenty.id, quantity: 2 }];
    if (i % 3 === 1) items.push({ product_id: 999_999, quantity: 1 });
    if (i % 3 === 2) items.push({ product_id: scarce.id, quantity: 1 });
    return items;
  });

  assert.deepEqual(countByStatus(results), { 201: 13, 404: 10, 409: 7 });
  const placed = results.filter((r) => r.status === 201).map((r) => r.body);
  assert.equal((await http('GET', `/products/${plenty.id}`)).body.stock, 1_000 - 2 * 13);
  assert.equal((await http('GET', `/products/${scarce.id}`)).body.stock, 0);
  const orders = await http('GET', '/orders/p?per_page=100', { token: admin });
  assert.equal(orders.body.total, 13);
  assert.deepEqual(
    orders.body.items.map((o: any) => o.id).sort((a: number, b: number) => a - b),
    placed.map((o: any) => o.id).sort((a: number, b: number) => a - b),
  );
  for (const order of orders.body.items) {
    const lines = order.items.map((line: any) => [line.product_id, line.quantity]);
    assert.ok(
      JSON.stringify(lines) === JSON.stringify([[plenty.id, 2]]) ||
        JSON.stringify(lines) === JSON.stringify([[plenty.id, 2], [scarce.id, 1]]),
      JSON.stringify(order),
    );
    const tracked = await http('GET', `/orders/track/${order.id}`, { token: admin });
    assert.equal(tracked.body.history.length, 1);
  }
});

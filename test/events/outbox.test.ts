import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminToken, buildTestApp, call, createProduct, registerCustomer } from '../helpers/app.js';
import { assertProblem } from '../helpers/problem.js';
import { eventsOfType, readFeed, settledFeed } from './feed.js';

async function shop(t: Parameters<typeof buildTestApp>[0]) {
  // Inline: this process dispatches the events into the feed (no endpoint exists, so nothing is sent).
  const app = await buildTestApp(t, { webhookDelivery: 'inline' });
  const admin = await adminToken(app);
  const buyer = await registerCustomer(app);
  return { app, admin, buyer };
}

test('when an order is placed, then one order.placed event holds the order exactly as GET /orders/{id} answers it', async (t) => {
  const { app, admin, buyer } = await shop(t);
  const product = await createProduct(app, admin, { price: 19.99, stock: 5 });
  const placed = await call(app, 'POST', '/orders', {
    token: buyer.token,
    body: { customer_id: buyer.customer.id, items: [{ product_id: product.id, quantity: 2 }] },
  });
  assert.equal(placed.status, 201);
  const [event, ...more] = await eventsOfType(app, admin, 'order.placed', 1);
  assert.deepEqual(more, []);
  const read = await call(app, 'GET', `/orders/${placed.body.id}`, { token: admin });
  assert.deepEqual(event!.data, { order: read.body });
  assert.match(event!.id, /^evt_[0-9a-f]{32}$/);
});

test('when an order is refused (short stock, unknown product), then no event is recorded', async (t) => {
  const { app, admin, buyer } = await shop(t);
  const product = await createProduct(app, admin, { stock: 1 });
  const before = (await settledFeed(app, admin)).length;
  const short = await call(app, 'POST', '/orders', { token: buyer.token, body: { customer_id: buyer.customer.id, items: [{ product_id: product.id, quantity: 2 }] } });
  assertProblem(short, 409, { code: 'INSUFFICIENT_STOCK' });
  const unknown = await call(app, 'POST', '/orders', { token: buyer.token, body: { customer_id: buyer.customer.id, items: [{ product_id: 999, quantity: 1 }] } });
  assertProblem(unknown, 404);
  assert.equal((await settledFeed(app, admin)).length, before);
});

test('when an order moves through paid, shipped and delivered, then each change records its event with the order as it now is', async (t) => {
  const { app, admin, buyer } = await shop(t);
  const product = await createProduct(app, admin);
  const placed = await call(app, 'POST', '/orders', { token: buyer.token, body: { customer_id: buyer.customer.id, items: [{ product_id: product.id, quantity: 1 }] } });
  const id = placed.body.id;
  const paid = await call(app, 'POST', `/orders/${id}/status`, { token: admin, body: { status: 'paid' } });
  const shipped = await call(app, 'POST', `/orders/${id}/status`, { token: admin, body: { status: 'shipped', tracking_number: '1Z999' } });
  const delivered = await call(app, 'POST', `/orders/${id}/status`, { token: admin, body: { status: 'delivered' } });
  assert.deepEqual([paid.status, shipped.status, delivered.status], [200, 200, 200]);
  const illegal = await call(app, 'POST', `/orders/${id}/status`, { token: admin, body: { status: 'paid' } });
  assertProblem(illegal, 409, { code: 'ILLEGAL_STATUS_CHANGE' });

  const events = await eventsOfType(app, admin, 'order.delivered', 1).then(() => readFeed(app, admin));
  const orderEvents = events.filter((event) => event.type.startsWith('order.'));
  assert.deepEqual(orderEvents.map((event) => event.type), ['order.placed', 'order.paid', 'order.shipped', 'order.delivered']);
  assert.deepEqual(orderEvents[1]!.data, { order: paid.body });
  assert.deepEqual(orderEvents[2]!.data, { order: shipped.body, tracking_number: '1Z999' });
  assert.deepEqual(orderEvents[3]!.data, { order: delivered.body });
});

test('when orders are cancelled by their customer and by an admin, then order.cancelled says who', async (t) => {
  const { app, admin, buyer } = await shop(t);
  const product = await createProduct(app, admin);
  const place = async () =>
    (await call(app, 'POST', '/orders', { token: buyer.token, body: { customer_id: buyer.customer.id, items: [{ product_id: product.id, quantity: 1 }] } })).body.id;
  const first = await place();
  const second = await place();
  const byCustomer = await call(app, 'POST', `/orders/${first}/cancel`, { token: buyer.token });
  const byAdmin = await call(app, 'POST', `/orders/${second}/cancel`, { token: admin });
  assert.deepEqual([byCustomer.status, byAdmin.status], [200, 200]);
  const again = await call(app, 'POST', `/orders/${first}/cancel`, { token: buyer.token });
  assertProblem(again, 409);
  const cancelled = await eventsOfType(app, admin, 'order.cancelled', 2);
  assert.deepEqual(
    cancelled.map((event) => [event.data.order.id, event.data.reason]),
    [
      [first, 'customer'],
      [second, 'admin'],
    ],
  );
  assert.deepEqual(cancelled[0]!.data.order, byCustomer.body);
  assert.equal((await settledFeed(app, admin)).filter((event) => event.type === 'order.cancelled').length, 2);
});

test('when customers register or are created by an admin, then customer.created holds each (and a refused duplicate records none)', async (t) => {
  const { app, admin, buyer } = await shop(t);
  const created = await call(app, 'POST', '/customers', {
    token: admin,
    body: { customer_name: 'Grace', email: 'grace@example.com', username: 'grace', password: 'grace-password-1' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const duplicate = await call(app, 'POST', '/customers/register', {
    body: { customer_name: 'Grace 2', email: 'grace@example.com', username: 'grace2', password: 'grace-password-1' },
  });
  assertProblem(duplicate, 409);
  const events = (await settledFeed(app, admin)).filter((event) => event.type === 'customer.created');
  const customers = events.map((event) => event.data.customer);
  assert.deepEqual(customers.slice(-2), [buyer.customer, created.body]);
  assert.ok(!JSON.stringify(events).includes('password'), 'no password or hash in the event');
});

test('when a tracked stock reaches 0 (an order, an admin), then product.out_of_stock holds the product as GET /products/{id} answers it, once', async (t) => {
  const { app, admin, buyer } = await shop(t);
  const sold = await createProduct(app, admin, { price: 20, stock: 2 });
  const untracked = await createProduct(app, admin, { stock: null });
  const emptied = await createProduct(app, admin, { price: 0.01, stock: 3 });
  const order = await call(app, 'POST', '/orders', {
    token: buyer.token,
    body: { customer_id: buyer.customer.id, items: [{ product_id: sold.id, quantity: 2 }, { product_id: untracked.id, quantity: 5 }] },
  });
  assert.equal(order.status, 201);
  const put = await call(app, 'PUT', `/products/${emptied.id}`, { token: admin, body: { stock: 0 } });
  assert.equal(put.status, 200);
  const again = await call(app, 'PUT', `/products/${emptied.id}`, { token: admin, body: { stock: 0 } });
  assert.equal(again.status, 200);

  const events = await eventsOfType(app, admin, 'product.out_of_stock', 2);
  // The order took the last units (GET shows the product as it was then); the admin's first PUT answered it as it was then.
  const soldOut = (await call(app, 'GET', `/products/${sold.id}`)).body;
  assert.deepEqual(events.map((event) => event.data), [{ product: soldOut }, { product: put.body }]);
  assert.equal((await settledFeed(app, admin)).filter((event) => event.type === 'product.out_of_stock').length, 2);
  // The trigger's events are named like every other: a reader goes on from one.
  for (const event of events) assert.match(event.id, /^evt_[0-9a-f]{32}$/);
  const afterFirst = await call(app, 'GET', `/events?type=product.out_of_stock&after=${events[0]!.id}`, { token: admin });
  assert.equal(afterFirst.status, 200);
  assert.deepEqual(afterFirst.body.items.map((event: { id: string }) => event.id), [events[1]!.id]);
});

test('when the feed is read with after, type and limit, then it pages oldest first and says whether more follow', async (t) => {
  const { app, admin } = await shop(t);
  for (let i = 0; i < 4; i += 1) await registerCustomer(app);
  // Every one of them in the feed: the bootstrap admin's, the buyer's and these four. (Waiting
  // for five let PostgreSQL's dispatcher place the sixth between this read and the next.)
  const all = (await eventsOfType(app, admin, 'customer.created', 6)).map((event) => event.id);
  assert.equal(all.length, 6);
  const first = await call(app, 'GET', '/events?type=customer.created&limit=2', { token: admin });
  assert.equal(first.status, 200);
  assert.deepEqual(first.body.items.map((event: { id: string }) => event.id), all.slice(0, 2));
  assert.equal(first.body.has_more, true);
  const rest = await call(app, 'GET', `/events?type=customer.created&after=${all[1]}`, { token: admin });
  assert.deepEqual(rest.body.items.map((event: { id: string }) => event.id), all.slice(2));
  assert.equal(rest.body.has_more, false);
  const created = await readFeed(app, admin);
  assert.deepEqual(created.map((event) => event.created_at), [...created.map((event) => event.created_at)].sort());
});

test('when the feed is asked badly or by someone else, then the answer is 400, 401, 403 or (an unknown after) 404', async (t) => {
  const { app, buyer } = await shop(t);
  const admin = await adminToken(app);
  for (const query of ['limit=0', 'limit=1001', 'type=order.exploded', 'after=evt_nope', 'extra=1']) {
    assertProblem(await call(app, 'GET', `/events?${query}`, { token: admin }), 400, { what: query });
  }
  assertProblem(await call(app, 'GET', `/events?after=evt_${'0'.repeat(32)}`, { token: admin }), 404);
  // An id like a real one in every digit but one is still not that event's.
  const [real] = (await readFeed(app, admin)).map((event) => event.id);
  for (const digit of [5, real!.length - 1]) {
    const forged = `${real!.slice(0, digit)}${real![digit] === 'f' ? '0' : 'f'}${real!.slice(digit + 1)}`;
    assertProblem(await call(app, 'GET', `/events?after=${forged}`, { token: admin }), 404, { what: forged });
  }
  assertProblem(await call(app, 'GET', '/events'), 401);
  assertProblem(await call(app, 'GET', '/events', { token: buyer.token }), 403);
});

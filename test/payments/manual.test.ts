import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call } from '../helpers/app.js';
import { assertProblem } from '../helpers/problem.js';
import { openPaymentShop } from './shop.js';

// Manual payments (money arriving outside the API), the admin's "paid", and what a client may not say.

test('when a buyer pays by hand and an admin captures it, then the order becomes paid once, with payment.captured and order.paid', async (t) => {
  const shop = await openPaymentShop(t);
  const order = await shop.placeOrder(2);

  const created = await shop.pay(order.id, 'manual');
  assert.equal(created.status, 201);
  assert.deepEqual(
    { ...created.body, id: 0, created_at: '', updated_at: '' },
    { id: 0, order_id: order.id, provider: 'manual', status: 'pending', amount: 40, amount_captured: 0, amount_refunded: 0, currency: 'USD', client_secret: null, refunds: [], created_at: '', updated_at: '' },
  );
  const again = await shop.pay(order.id, 'manual');
  assert.equal(again.status, 200, 'the open payment is answered again');
  assert.equal(again.body.id, created.body.id);

  const captured = await call(shop.app, 'POST', `/payments/${created.body.id}/capture`, { token: shop.admin });
  assert.equal(captured.status, 200);
  assert.equal(captured.body.status, 'captured');
  assert.equal(captured.body.amount_captured, 40);
  const paid = await shop.orderOf(order.id);
  assert.deepEqual([paid.status, paid.payment_status, paid.amount_paid, paid.amount_refunded], ['paid', 'paid', 40, 0]);

  assertProblem(await call(shop.app, 'POST', `/payments/${created.body.id}/capture`, { token: shop.admin }), 409);
  assertProblem(await shop.pay(order.id, 'manual'), 409, { code: 'ILLEGAL_STATUS_CHANGE' });
  assert.equal((await shop.eventsOf('payment.captured')).length, 1);
  const paidEvents = await shop.eventsOf('order.paid');
  assert.equal(paidEvents.length, 1);
  assert.equal(paidEvents[0]?.data.order.payment_status, 'paid');
  const placedEvents = await shop.eventsOf('order.placed');
  assert.deepEqual([placedEvents[0]?.data.order.payment_status, placedEvents[0]?.data.order.amount_paid], ['unpaid', 0]);
});

test('when a client names the amount, an unknown provider, or a provider the shop has not enabled, then 4xx and no payment', async (t) => {
  const shop = await openPaymentShop(t, { overrides: { paymentProviders: ['manual'], stripe: undefined } });
  const order = await shop.placeOrder();

  assertProblem(await shop.pay(order.id, 'manual', { body: { provider: 'manual', amount: 0.01 } }), 400);
  assertProblem(await shop.pay(order.id, 'paypal'), 400);
  assertProblem(await shop.pay(order.id, 'stripe'), 409, { code: 'PAYMENT_PROVIDER_DISABLED' });
  assert.deepEqual(await shop.paymentsOf(order.id), []);

  const other = await shop.app.inject({ method: 'POST', url: '/customers/register', payload: { customer_name: 'Eve', email: 'eve@example.com', phone: '+1 555 0101', username: 'eve', password: 'eve-password' } });
  assert.equal(other.statusCode, 201);
  const eve = await call(shop.app, 'POST', '/customers/login', { body: { username: 'eve', password: 'eve-password' } });
  assertProblem(await shop.pay(order.id, 'manual', { token: eve.body.auth_token }), 403);
  assertProblem(await call(shop.app, 'POST', `/payments/1/refunds`, { token: eve.body.auth_token, body: {} }), 403);
  assert.deepEqual(await shop.paymentsOf(order.id), []);
});

test('when an order costs nothing, then paying it is 409 NOTHING_TO_PAY', async (t) => {
  const shop = await openPaymentShop(t);
  const free = await call(shop.app, 'POST', '/products', { token: shop.admin, body: { product_name: 'Sticker', price: 0 } });
  const order = await call(shop.app, 'POST', '/orders', { token: shop.customer.token, body: { customer_id: shop.customer.id, items: [{ product_id: free.body.id, quantity: 1 }] } });
  assert.equal(order.status, 201);
  assertProblem(await shop.pay(order.body.id, 'manual'), 409, { code: 'NOTHING_TO_PAY' });
});

test("when an admin marks an order paid, then a captured manual payment for its total is recorded and open payments are voided", async (t) => {
  const shop = await openPaymentShop(t);
  const order = await shop.placeOrder(3);
  const stripePayment = await shop.opened(order.id, 'stripe');

  const paid = await call(shop.app, 'POST', `/orders/${order.id}/status`, { token: shop.admin, body: { status: 'paid', note: 'Bank transfer' } });
  assert.equal(paid.status, 200);
  assert.deepEqual([paid.body.status, paid.body.payment_status, paid.body.amount_paid], ['paid', 'paid', 60]);
  const payments = await shop.paymentsOf(order.id);
  assert.deepEqual(
    payments.map((p: any) => [p.provider, p.status, p.amount_captured]),
    [
      ['stripe', 'cancelled', 0],
      ['manual', 'captured', 60],
    ],
  );
  assert.equal(shop.intentOf(stripePayment).status, 'canceled', 'the buyer can no longer pay the PaymentIntent');
  const history = await call(shop.app, 'GET', `/orders/track/${order.id}`, { token: shop.admin });
  assert.deepEqual(history.body.history.map((h: any) => [h.status, h.note]), [['pending', 'Order placed'], ['paid', 'Bank transfer']]);
});

test('when an order paid by hand is refunded in two parts, then the order is partially_refunded, then refunded, and more is 409 REFUND_EXCEEDS_CAPTURED', async (t) => {
  const shop = await openPaymentShop(t);
  const order = await shop.placeOrder(1);
  await call(shop.app, 'POST', `/orders/${order.id}/status`, { token: shop.admin, body: { status: 'paid' } });
  const [payment] = await shop.paymentsOf(order.id);

  const first = await call(shop.app, 'POST', `/payments/${payment.id}/refunds`, { token: shop.admin, body: { amount: 5.5, reason: 'Scratched' }, headers: { 'idempotency-key': 'r1' } });
  assert.equal(first.status, 201);
  assert.deepEqual([first.body.amount, first.body.reason], [5.5, 'Scratched']);
  const replay = await call(shop.app, 'POST', `/payments/${payment.id}/refunds`, { token: shop.admin, body: { amount: 5.5, reason: 'Scratched' }, headers: { 'idempotency-key': 'r1' } });
  assert.equal(replay.status, 201);
  assert.equal(replay.headers['idempotent-replayed'], 'true');
  assert.equal(replay.body.id, first.body.id);
  assert.deepEqual([(await shop.orderOf(order.id)).payment_status, (await shop.orderOf(order.id)).amount_refunded], ['partially_refunded', 5.5]);

  const rest = await call(shop.app, 'POST', `/payments/${payment.id}/refunds`, { token: shop.admin, body: {} });
  assert.equal(rest.status, 201);
  assert.equal(rest.body.amount, 14.5, 'the default is what is left');
  const refunded = await shop.orderOf(order.id);
  assert.deepEqual([refunded.status, refunded.payment_status, refunded.amount_paid, refunded.amount_refunded], ['paid', 'refunded', 20, 20]);
  assertProblem(await call(shop.app, 'POST', `/payments/${payment.id}/refunds`, { token: shop.admin, body: { amount: 0.01 } }), 409, { code: 'REFUND_EXCEEDS_CAPTURED' });
  const events = await shop.eventsOf('order.refunded');
  assert.equal(events.length, 2);
  assert.deepEqual(Object.keys(events[1]?.data).sort(), ['order', 'payment', 'refund']);
  assert.equal(events[1]?.data.order.payment_status, 'refunded');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runDueJobs } from '../../src/background/scheduled-jobs.js';
import { shopJobs } from '../../src/background/background.js';
import { call } from '../helpers/app.js';
import { assertProblem } from '../helpers/problem.js';
import { openPaymentShop } from './shop.js';

// Cancelling an order with payments, and the expiry of orders nobody paid.

async function paidWithStripe(shop: Awaited<ReturnType<typeof openPaymentShop>>, quantity = 1) {
  const order = await shop.placeOrder(quantity);
  const payment = await shop.opened(order.id, 'stripe');
  await shop.webhook('payment_intent.succeeded', shop.stripe.confirm(shop.intentOf(payment).id));
  return { order, payment };
}

test('when an order with Stripe-captured money is cancelled without a decision, then 409 PAYMENT_CAPTURED; with refund false the money is kept, with refund true it goes back', async (t) => {
  const shop = await openPaymentShop(t);
  const kept = await paidWithStripe(shop, 2);
  const before = await shop.stateOf(kept.order.id);

  assertProblem(await call(shop.app, 'POST', `/orders/${kept.order.id}/cancel`, { token: shop.admin }), 409, { code: 'PAYMENT_CAPTURED' });
  assert.deepEqual(await shop.stateOf(kept.order.id), before, 'nothing changed');

  const keptCancel = await call(shop.app, 'POST', `/orders/${kept.order.id}/cancel`, { token: shop.admin, body: { refund: false } });
  assert.equal(keptCancel.status, 200);
  assert.deepEqual([keptCancel.body.status, keptCancel.body.payment_status, keptCancel.body.amount_refunded], ['cancelled', 'paid', 0]);
  assert.equal(await shop.stockOf(), 10, 'the stock came back');

  const refunded = await paidWithStripe(shop, 3);
  const refundCancel = await call(shop.app, 'POST', `/orders/${refunded.order.id}/cancel`, { token: shop.admin, body: { refund: true } });
  assert.equal(refundCancel.status, 200);
  assert.deepEqual([refundCancel.body.status, refundCancel.body.payment_status, refundCancel.body.amount_refunded], ['cancelled', 'refunded', 60]);
  assert.equal(shop.intentOf(refunded.payment).refunded, 6000, 'Stripe paid it back');
  const cancelled = await shop.eventsOf('order.cancelled');
  assert.deepEqual(cancelled.map((e) => e.data.reason), ['admin', 'admin']);
});

test('when a customer cancels a pending order, then its open Stripe payment is voided; a customer may not decide about money (403)', async (t) => {
  const shop = await openPaymentShop(t);
  const order = await shop.placeOrder(1);
  const payment = await shop.opened(order.id, 'stripe');

  assertProblem(await call(shop.app, 'POST', `/orders/${order.id}/cancel`, { token: shop.customer.token, body: { refund: true } }), 403);
  assert.equal(shop.intentOf(payment).status, 'requires_payment_method');
  const cancelled = await call(shop.app, 'POST', `/orders/${order.id}/cancel`, { token: shop.customer.token });
  assert.equal(cancelled.status, 200);
  assert.equal(cancelled.body.status, 'cancelled');
  assert.equal(shop.intentOf(payment).status, 'canceled');
  assert.equal((await shop.paymentsOf(order.id))[0].status, 'cancelled');
});

test("when a customer cancels an order that is already paid, then 409 comes before anything, and its other open payment is not voided", async (t) => {
  const shop = await openPaymentShop(t);
  const order = await shop.placeOrder(1);
  const stripePayment = await shop.opened(order.id, 'stripe');
  const manual = await shop.opened(order.id, 'manual');
  assert.equal((await call(shop.app, 'POST', `/payments/${manual.id}/capture`, { token: shop.admin })).status, 200);
  const before = await shop.stateOf(order.id);
  assert.equal(before.order.status, 'paid');

  assertProblem(await call(shop.app, 'POST', `/orders/${order.id}/cancel`, { token: shop.customer.token }), 409, { code: 'ILLEGAL_STATUS_CHANGE' });
  assert.equal(shop.intentOf(stripePayment).status, 'requires_payment_method', 'the PaymentIntent was not cancelled');
  assert.ok(!shop.stripe.requests.some((r) => r.path.endsWith('/cancel')), 'Stripe was not asked to cancel anything');
  assert.deepEqual(await shop.stateOf(order.id), before);
});

test('when an admin cancels an order paid by hand without a body, then it is cancelled and the money is kept, as in part one', async (t) => {
  const shop = await openPaymentShop(t);
  const order = await shop.placeOrder(1);
  await call(shop.app, 'POST', `/orders/${order.id}/status`, { token: shop.admin, body: { status: 'paid' } });
  const cancelled = await call(shop.app, 'POST', `/orders/${order.id}/cancel`, { token: shop.admin });
  assert.equal(cancelled.status, 200);
  assert.deepEqual([cancelled.body.status, cancelled.body.payment_status, cancelled.body.amount_paid], ['cancelled', 'paid', 20]);
});

test('when the payment timeout passes, then an unpaid order is cancelled once (payment_timeout, stock back, payment voided) and a paid one is left alone', async (t) => {
  const shop = await openPaymentShop(t, { overrides: { orderPaymentTimeoutSeconds: 60 } });
  const unpaid = await shop.placeOrder(2);
  const openPayment = await shop.opened(unpaid.id, 'stripe');
  const paid = await paidWithStripe(shop, 3);
  assert.equal(await shop.stockOf(), 5);
  const jobs = shopJobs(shop.app.config);

  assert.deepEqual((await runDueJobs(shop.app.db, jobs, Date.now())).includes('expire-unpaid-orders'), true);
  assert.equal((await shop.orderOf(unpaid.id)).status, 'pending', 'not yet: the timeout has not passed');

  const later = Date.now() + 120_000;
  assert.ok((await runDueJobs(shop.app.db, jobs, later)).includes('expire-unpaid-orders'));
  const expired = await shop.orderOf(unpaid.id);
  assert.deepEqual([expired.status, expired.payment_status], ['cancelled', 'unpaid']);
  assert.equal(shop.intentOf(openPayment).status, 'canceled');
  assert.equal((await shop.orderOf(paid.order.id)).status, 'paid');
  assert.equal(await shop.stockOf(), 7, 'the unpaid order gave its 2 back');

  await runDueJobs(shop.app.db, jobs, later + 120_000);
  assert.equal(await shop.stockOf(), 7, 'and only once');
  const cancelled = await shop.eventsOf('order.cancelled');
  assert.deepEqual(cancelled.map((e) => [e.data.order.id, e.data.reason]), [[unpaid.id, 'payment_timeout']]);
});

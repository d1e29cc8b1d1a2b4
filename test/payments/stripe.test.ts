import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call } from '../helpers/app.js';
import { FAKE_STRIPE_KEY, stripeEvent } from '../helpers/fake-stripe.js';
import { assertProblem } from '../helpers/problem.js';
import { openPaymentShop } from './shop.js';

// Stripe through the official client against a fake Stripe on loopback; webhooks signed by
// the stripe package's generateTestHeaderString.

test('when a buyer pays with Stripe (automatic capture), then the webhook makes the order paid once, and a repeated or late event changes nothing', async (t) => {
  const shop = await openPaymentShop(t);
  const order = await shop.placeOrder(2);

  const payment = await shop.opened(order.id, 'stripe');
  assert.deepEqual([payment.status, payment.amount, payment.currency], ['pending', 40, 'USD']);
  const intent = shop.intentOf(payment);
  assert.deepEqual([intent.amount, intent.currency, intent.metadata.order_id], [4000, 'usd', String(order.id)]);
  assert.ok(shop.stripe.requests.some((r) => r.idempotencyKey === `payment-${payment.id}-create`), 'the create call carries its idempotency key');
  assert.ok(shop.stripe.requests.every((r) => r.authorization === `Bearer ${FAKE_STRIPE_KEY}`));
  assert.doesNotMatch(JSON.stringify(payment), new RegExp(FAKE_STRIPE_KEY), 'the secret key never appears in an answer');

  shop.stripe.confirm(intent.id);
  const { payload, signature } = stripeEvent('payment_intent.succeeded', intent, { id: 'evt_success_1' });
  const received = await shop.sendWebhook(payload, signature);
  assert.equal(received.status, 200);
  assert.deepEqual(received.body, { received: true });
  const paid = await shop.orderOf(order.id);
  assert.deepEqual([paid.status, paid.payment_status, paid.amount_paid], ['paid', 'paid', 40]);

  assert.equal((await shop.sendWebhook(payload, stripeEvent('x', {}).signature.replace(/t=\d+/, 't=0'))).status, 400, 'a signature of another body is refused');
  assert.equal((await shop.sendWebhook(payload, signature)).status, 200, 'the same event again is acknowledged');
  assert.equal((await shop.webhook('payment_intent.requires_action', { ...intent, status: 'requires_action' })).status, 200);
  assert.equal((await shop.webhook('payment_intent.succeeded', intent)).status, 200, 'another event saying the same');
  const [after] = await shop.paymentsOf(order.id);
  assert.deepEqual([after.status, after.amount_captured], ['captured', 40], 'a late requires_action does not move it back');
  assert.equal((await shop.eventsOf('order.paid')).length, 1);
  assert.equal((await shop.eventsOf('payment.captured')).length, 1);
});

test('when the buyer returns from paying before the webhook, then reading the payments records the capture, and the webhook after it changes nothing', async (t) => {
  const shop = await openPaymentShop(t);
  const order = await shop.placeOrder(1);
  const payment = await shop.opened(order.id, 'stripe');
  const intent = shop.stripe.confirm(shop.intentOf(payment).id);

  const returned = await call(shop.app, 'GET', `/orders/${order.id}/payments`, { token: shop.customer.token });
  assert.equal(returned.status, 200);
  assert.deepEqual([returned.body[0].status, returned.body[0].amount_captured], ['captured', 20]);
  assert.equal((await shop.orderOf(order.id)).status, 'paid');
  assert.equal((await shop.webhook('payment_intent.succeeded', intent)).status, 200);
  assert.equal((await shop.eventsOf('order.paid')).length, 1);
});

test('when a webhook is forged, stale, unsigned or for an unknown PaymentIntent, or its amount or currency differ, then nothing is captured', async (t) => {
  const shop = await openPaymentShop(t);
  const order = await shop.placeOrder(1);
  const payment = await shop.opened(order.id, 'stripe');
  // What a succeeded intent would say; the fake's own intent stays unpaid, so reading it captures nothing either.
  const succeeded = { ...shop.intentOf(payment), status: 'succeeded', amount_received: 2000 };
  const before = await shop.stateOf(order.id);

  const forged = stripeEvent('payment_intent.succeeded', succeeded, { secret: 'whsec_not_the_shops' });
  assertProblem(await shop.sendWebhook(forged.payload, forged.signature), 400);
  const stale = stripeEvent('payment_intent.succeeded', succeeded, { timestamp: Math.floor(Date.now() / 1000) - 600 });
  assertProblem(await shop.sendWebhook(stale.payload, stale.signature), 400);
  const signed = stripeEvent('payment_intent.succeeded', succeeded);
  assertProblem(await shop.sendWebhook(signed.payload.replace('"amount":2000', '"amount":1'), signed.signature), 400);
  assertProblem(await shop.sendWebhook(signed.payload, undefined), 400);

  assert.equal((await shop.webhook('payment_intent.succeeded', { ...succeeded, id: 'pi_unknown' })).status, 200);
  assert.equal((await shop.webhook('charge.dispute.created', { id: 'dp_1' })).status, 200);
  assert.equal((await shop.webhook('payment_intent.succeeded', { ...succeeded, amount: 1, amount_received: 1 })).status, 200);
  assert.equal((await shop.webhook('payment_intent.succeeded', { ...succeeded, currency: 'eur' })).status, 200);
  assert.equal((await shop.webhook('payment_intent.succeeded', { ...succeeded, amount_received: 999_999 })).status, 200);

  assert.deepEqual(await shop.stateOf(order.id), before);
  assert.equal((await shop.eventsOf('payment.captured')).length, 0);
});

test('when 10 copies of one succeeded event arrive at once, then one capture and one paid transition', async (t) => {
  const shop = await openPaymentShop(t);
  const order = await shop.placeOrder(1);
  const payment = await shop.opened(order.id, 'stripe');
  const intent = shop.stripe.confirm(shop.intentOf(payment).id);
  const { payload, signature } = stripeEvent('payment_intent.succeeded', intent);

  const answers = await Promise.all(Array.from({ length: 10 }, () => shop.sendWebhook(payload, signature)));
  assert.deepEqual(answers.map((a) => a.status), Array(10).fill(200));
  const paid = await shop.orderOf(order.id);
  assert.deepEqual([paid.status, paid.amount_paid], ['paid', 20]);
  assert.equal((await shop.eventsOf('order.paid')).length, 1);
  assert.equal((await shop.eventsOf('payment.captured')).length, 1);
  const history = await call(shop.app, 'GET', `/orders/track/${order.id}`, { token: shop.admin });
  assert.equal(history.body.history.filter((h: any) => h.status === 'paid').length, 1);
});

test('when a card is declined, then payment.failed, the order stays unpaid, and a new payment can be opened', async (t) => {
  const shop = await openPaymentShop(t);
  const order = await shop.placeOrder(1);
  const payment = await shop.opened(order.id, 'stripe');
  const intent = shop.stripe.decline(shop.intentOf(payment).id);

  assert.equal((await shop.webhook('payment_intent.payment_failed', intent)).status, 200);
  const [failed] = await shop.paymentsOf(order.id);
  assert.equal(failed.status, 'failed');
  assert.equal((await shop.eventsOf('payment.failed')).length, 1);
  assert.equal((await shop.orderOf(order.id)).payment_status, 'unpaid');
  const next = await shop.pay(order.id, 'stripe');
  assert.equal(next.status, 201);
  assert.notEqual(next.body.id, failed.id);
});

test('when Stripe captures manually, then an authorization shows, a partial capture leaves the rest outstanding, and a new payment is for the rest', async (t) => {
  const shop = await openPaymentShop(t, { capture: 'manual' });
  const order = await shop.placeOrder(2);
  const payment = await shop.opened(order.id, 'stripe');
  const intent = shop.stripe.confirm(shop.intentOf(payment).id);

  assert.equal((await shop.webhook('payment_intent.amount_capturable_updated', intent)).status, 200);
  const [authorized] = await shop.paymentsOf(order.id);
  assert.equal(authorized.status, 'authorized');
  assert.deepEqual([(await shop.orderOf(order.id)).status, (await shop.orderOf(order.id)).payment_status], ['pending', 'authorized']);

  assertProblem(await call(shop.app, 'POST', `/payments/${payment.id}/capture`, { token: shop.admin, body: { amount: 40.01 } }), 400);
  const captured = await call(shop.app, 'POST', `/payments/${payment.id}/capture`, { token: shop.admin, body: { amount: 25 } });
  assert.equal(captured.status, 200);
  assert.deepEqual([captured.body.status, captured.body.amount_captured], ['captured', 25]);
  assert.ok(shop.stripe.requests.some((r) => r.idempotencyKey === `payment-${payment.id}-capture-2500`));
  const partly = await shop.orderOf(order.id);
  assert.deepEqual([partly.status, partly.payment_status, partly.amount_paid], ['pending', 'unpaid', 25]);

  const rest = await shop.opened(order.id, 'stripe');
  assert.equal(rest.amount, 15);
  const restIntent = shop.stripe.confirm(shop.intentOf(rest).id);
  await shop.webhook('payment_intent.amount_capturable_updated', restIntent);
  assert.equal((await call(shop.app, 'POST', `/payments/${rest.id}/capture`, { token: shop.admin })).status, 200);
  const paid = await shop.orderOf(order.id);
  assert.deepEqual([paid.status, paid.payment_status, paid.amount_paid], ['paid', 'paid', 40]);
});

test('when 10 refunds of 30% each race, then three go through and the refunded amount stays at 90%', async (t) => {
  const shop = await openPaymentShop(t);
  const order = await shop.placeOrder(5);
  const payment = await shop.opened(order.id, 'stripe');
  await shop.webhook('payment_intent.succeeded', shop.stripe.confirm(shop.intentOf(payment).id));

  const answers = await Promise.all(
    Array.from({ length: 10 }, () => call(shop.app, 'POST', `/payments/${payment.id}/refunds`, { token: shop.admin, body: { amount: 30 } })),
  );
  assert.deepEqual(answers.map((a) => a.status).sort(), [201, 201, 201, 409, 409, 409, 409, 409, 409, 409]);
  for (const refused of answers.filter((a) => a.status === 409)) assertProblem(refused, 409, { code: 'REFUND_EXCEEDS_CAPTURED' });
  const after = await shop.orderOf(order.id);
  assert.deepEqual([after.payment_status, after.amount_paid, after.amount_refunded], ['partially_refunded', 100, 90]);
  assert.equal(shop.intentOf(payment).refunded, 9000, 'Stripe refunded 90% too');
  assert.equal((await shop.eventsOf('order.refunded')).length, 3);
});

test('when Stripe is down, then paying and refunding are 503 with Retry-After and nothing is half-recorded; an Idempotency-Key works after it', async (t) => {
  const shop = await openPaymentShop(t);
  const order = await shop.placeOrder(1);
  shop.stripe.setOutage(true);
  const down = await shop.pay(order.id, 'stripe', { key: 'pay-1' });
  assertProblem(down, 503);
  assert.ok(Number(down.headers['retry-after']) > 0);
  assert.doesNotMatch(JSON.stringify(down.body), new RegExp(FAKE_STRIPE_KEY));
  assert.deepEqual(await shop.paymentsOf(order.id), []);

  shop.stripe.setOutage(false);
  const up = await shop.pay(order.id, 'stripe', { key: 'pay-1' });
  assert.equal(up.status, 201);
  const replay = await shop.pay(order.id, 'stripe', { key: 'pay-1' });
  assert.deepEqual([replay.status, replay.headers['idempotent-replayed'], replay.body.id], [201, 'true', up.body.id]);
  await shop.webhook('payment_intent.succeeded', shop.stripe.confirm(shop.intentOf(up.body).id));

  shop.stripe.setOutage(true);
  assertProblem(await call(shop.app, 'POST', `/payments/${up.body.id}/refunds`, { token: shop.admin, body: {} }), 503);
  shop.stripe.setOutage(false);
  const [kept] = await shop.paymentsOf(order.id);
  assert.deepEqual([kept.amount_refunded, kept.refunds], [0, []]);
  assert.equal((await shop.orderOf(order.id)).payment_status, 'paid');
});

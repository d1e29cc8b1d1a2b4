import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { call } from '../helpers/app.js';
import { eventually, startReceiver } from '../helpers/receiver.js';
import { openWebhookShop } from './hooks.js';

const FAST_RETRIES = { webhookRetryScheduleSeconds: [0.05, 0.05, 0.05] };

test('when an order is placed, then a subscribed endpoint receives it signed as Standard Webhooks says, and others do not', async (t) => {
  const shop = await openWebhookShop(t);
  const receiver = await startReceiver(t);
  const other = await startReceiver(t);
  const endpoint = await shop.subscribe(receiver.url, ['order.placed']);
  await shop.subscribe(other.url, ['order.paid']);
  const order = await shop.placeOrder();

  const [delivery] = await receiver.waitFor(1);
  const payload = new Webhook(endpoint.secret).verify(delivery!.body, delivery!.headers as Record<string, string>) as any;
  assert.equal(payload.type, 'order.placed');
  assert.equal(payload.data.order.id, order.id);
  const [event] = (await call(shop.app, 'GET', '/events?type=order.placed', { token: shop.admin })).body.items;
  assert.equal(delivery!.headers['webhook-id'], event.id);
  assert.equal(payload.timestamp, event.created_at);
  assert.deepEqual(payload.data, event.data);
  assert.ok(Math.abs(Number(delivery!.headers['webhook-timestamp']) - Date.now() / 1000) < 10);

  const [recorded] = await eventually(() => shop.deliveries(endpoint.id), (items) => items[0]?.status === 'succeeded');
  assert.equal(recorded.attempts, 1);
  assert.equal(recorded.last_status_code, 200);
  assert.equal(recorded.event_id, event.id);
  assert.equal(other.received.length, 0);
});

test('when the endpoint answers 500, 500, then 200, then three attempts carry one webhook-id and the delivery succeeds', async (t) => {
  const shop = await openWebhookShop(t, FAST_RETRIES);
  const receiver = await startReceiver(t, [{ status: 500 }, { status: 500 }]);
  const endpoint = await shop.subscribe(receiver.url);
  await shop.placeOrder();
  const attempts = await receiver.waitFor(3);
  assert.equal(new Set(attempts.map((attempt) => attempt.headers['webhook-id'])).size, 1);
  const [delivery] = await eventually(() => shop.deliveries(endpoint.id), (items) => items[0]?.status === 'succeeded');
  assert.equal(delivery.attempts, 3);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(receiver.received.length, 3);
});

test('when every attempt fails, then the delivery ends failed after the schedule, and a redelivery makes exactly one more attempt', async (t) => {
  const shop = await openWebhookShop(t, { webhookRetryScheduleSeconds: [0.05] });
  const receiver = await startReceiver(t, [{ status: 500 }, { status: 502 }]);
  const endpoint = await shop.subscribe(receiver.url);
  await shop.placeOrder();
  const [failed] = await eventually(() => shop.deliveries(endpoint.id), (items) => items[0]?.status === 'failed');
  assert.deepEqual([failed.attempts, failed.last_status_code, failed.next_attempt_at], [2, 502, null]);
  assert.match(failed.last_error, /502/);

  const redeliver = await call(shop.app, 'POST', `/webhook-deliveries/${failed.id}/redeliver`, { token: shop.admin });
  assert.equal(redeliver.status, 202);
  const [done] = await eventually(() => shop.deliveries(endpoint.id), (items) => items[0]?.status === 'succeeded');
  assert.equal(done.attempts, 3);
  assert.equal(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size, 1);
  const unknown = await call(shop.app, 'POST', '/webhook-deliveries/999999/redeliver', { token: shop.admin });
  assert.equal(unknown.status, 404);
});

test('when the endpoint hangs, then the attempt fails by timeout and the next one is made', async (t) => {
  // The retry waits 200 ms after the timeout, so the second attempt comes at least 500 ms
  // after the first was started: 300 ms apart at the receiver even if the first took 200 ms
  // to arrive there (a loaded machine).
  const shop = await openWebhookShop(t, { webhookRetryScheduleSeconds: [0.2, 0.2], webhookTimeoutMs: 300 });
  const receiver = await startReceiver(t, ['hang']);
  const endpoint = await shop.subscribe(receiver.url);
  await shop.placeOrder();
  const [delivery] = await eventually(() => shop.deliveries(endpoint.id), (items) => items[0]?.status === 'succeeded');
  assert.equal(delivery.attempts, 2);
  assert.equal(receiver.received.length, 2);
  assert.ok(receiver.received[1]!.at - receiver.received[0]!.at >= 300, 'the second attempt came after the timeout');
});

test('when the endpoint redirects, then the redirect is not followed and the attempt failed', async (t) => {
  const shop = await openWebhookShop(t, { webhookRetryScheduleSeconds: [] });
  const target = await startReceiver(t);
  const receiver = await startReceiver(t, [{ status: 302, headers: { location: target.url } }]);
  const endpoint = await shop.subscribe(receiver.url);
  await shop.placeOrder();
  const [delivery] = await eventually(() => shop.deliveries(endpoint.id), (items) => items[0]?.status === 'failed');
  assert.equal(delivery.last_status_code, 302);
  assert.equal(target.received.length, 0);
});

test('when the endpoint answers 410, then it is disabled at once and receives nothing more until re-enabled', async (t) => {
  const shop = await openWebhookShop(t, FAST_RETRIES);
  const receiver = await startReceiver(t, [{ status: 410 }]);
  const endpoint = await shop.subscribe(receiver.url);
  await shop.placeOrder();
  await eventually(() => shop.deliveries(endpoint.id), (items) => items[0]?.status === 'failed');
  const disabled = await call(shop.app, 'GET', `/webhook-endpoints/${endpoint.id}`, { token: shop.admin });
  assert.equal(disabled.body.active, false);
  assert.match(disabled.body.disabled_reason, /410/);
  await shop.placeOrder();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(receiver.received.length, 1);

  const enabled = await call(shop.app, 'PUT', `/webhook-endpoints/${endpoint.id}`, { token: shop.admin, body: { active: true } });
  assert.deepEqual([enabled.body.active, enabled.body.disabled_reason], [true, null]);
  await shop.placeOrder();
  await receiver.waitFor(2);
});

test('when the endpoint answers 429 with Retry-After, then the next attempt waits that long rather than the schedule', async (t) => {
  const shop = await openWebhookShop(t, FAST_RETRIES);
  const receiver = await startReceiver(t, [{ status: 429, headers: { 'retry-after': '1' } }]);
  const endpoint = await shop.subscribe(receiver.url);
  await shop.placeOrder();
  const [first, second] = await receiver.waitFor(2, 5000);
  assert.ok(second!.at - first!.at >= 950, `waited ${second!.at - first!.at} ms`);
  await eventually(() => shop.deliveries(endpoint.id), (items) => items[0]?.status === 'succeeded');
});

test('when no attempt succeeds for WEBHOOK_DISABLE_AFTER_S, then the endpoint is disabled and says why', async (t) => {
  const shop = await openWebhookShop(t, { webhookRetryScheduleSeconds: [0.3, 0.3, 0.3, 0.3, 0.3], webhookDisableAfterSeconds: 1 });
  const receiver = await startReceiver(t, Array.from({ length: 10 }, () => ({ status: 500 })));
  const endpoint = await shop.subscribe(receiver.url);
  await shop.placeOrder();
  const disabled = await eventually(
    async () => (await call(shop.app, 'GET', `/webhook-endpoints/${endpoint.id}`, { token: shop.admin })).body,
    (body) => body.active === false,
  );
  assert.match(disabled.disabled_reason, /No attempt has succeeded/);
});

test('when a failing endpoint succeeds again, then its failing streak ends and a later failure starts a new one', async (t) => {
  const shop = await openWebhookShop(t, { webhookRetryScheduleSeconds: [0.05], webhookDisableAfterSeconds: 1 });
  const receiver = await startReceiver(t, [{ status: 500 }]);
  const endpoint = await shop.subscribe(receiver.url);
  await shop.placeOrder();
  await receiver.waitFor(2);
  // Longer than WEBHOOK_DISABLE_AFTER_S since the first failure: had the success not ended
  // that streak, the next failure would disable the endpoint.
  await new Promise((resolve) => setTimeout(resolve, 1200));
  receiver.answerNext({ status: 500 }, { status: 500 });
  await shop.placeOrder();
  await receiver.waitFor(3);
  const [latest] = await eventually(() => shop.deliveries(endpoint.id), (items) => items[0]?.attempts === 1 && items[0]?.status === 'pending');
  assert.equal(latest.last_status_code, 500);
  const shown = await call(shop.app, 'GET', `/webhook-endpoints/${endpoint.id}`, { token: shop.admin });
  assert.equal(shown.body.active, true);
  assert.equal(shown.body.disabled_reason, null);
});

test('when the secret is rotated, then deliveries carry a signature by each secret for the overlap, and each verifies alone', async (t) => {
  const shop = await openWebhookShop(t);
  const receiver = await startReceiver(t);
  const endpoint = await shop.subscribe(receiver.url, ['*']);
  const rotated = await call(shop.app, 'POST', `/webhook-endpoints/${endpoint.id}/rotate-secret`, { token: shop.admin });
  assert.equal(rotated.status, 200);
  assert.match(rotated.body.secret, /^whsec_/);
  assert.notEqual(rotated.body.secret, endpoint.secret);
  const ping = await call(shop.app, 'POST', `/webhook-endpoints/${endpoint.id}/test`, { token: shop.admin });
  assert.equal(ping.status, 202);
  const [delivery] = await receiver.waitFor(1);
  const headers = delivery!.headers as Record<string, string>;
  assert.equal(headers['webhook-signature']!.split(' ').length, 2);
  for (const secret of [endpoint.secret, rotated.body.secret]) {
    const payload = new Webhook(secret).verify(delivery!.body, headers) as any;
    assert.deepEqual([payload.type, payload.data], ['ping', {}]);
  }
  const deliveries = await shop.deliveries(endpoint.id);
  assert.equal(deliveries[0].id, ping.body.delivery_id);
});

test('when one endpoint hangs, then a healthy one still gets every event quickly', async (t) => {
  const shop = await openWebhookShop(t, { webhookTimeoutMs: 5000, webhookMaxInFlightPerEndpoint: 2 });
  const dead = await startReceiver(t, Array.from({ length: 10 }, () => 'hang' as const));
  const healthy = await startReceiver(t);
  await shop.subscribe(dead.url);
  await shop.subscribe(healthy.url);
  const started = Date.now();
  for (let i = 0; i < 8; i += 1) await shop.placeOrder();
  await healthy.waitFor(8, 4000);
  assert.ok(Date.now() - started < 4000, `the healthy endpoint waited ${Date.now() - started} ms`);
  assert.ok(dead.received.length <= 2, `at most 2 attempts in flight to the dead endpoint, saw ${dead.received.length}`);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { newWebhookSecret, signature, webhookHeaders } from '../../src/modules/webhooks/signing.js';

// Consumers verify deliveries with the Standard Webhooks library, not with code of ours, so
// every check here goes through that library: if it accepts, a consumer does.

const body = JSON.stringify({ type: 'order.placed', timestamp: '2026-12-02T10:00:00.000Z', data: { order: { id: 7, total: '12.50' } } });
const now = () => Math.floor(Date.now() / 1000);

test('when a secret is made, then it is whsec_ and the base64 of 32 random bytes, and no two are alike', () => {
  const secrets = Array.from({ length: 50 }, () => newWebhookSecret());
  for (const secret of secrets) {
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(Buffer.from(secret.slice('whsec_'.length), 'base64').length, 32);
  }
  assert.equal(new Set(secrets).size, secrets.length);
});

test('when the Standard Webhooks example is signed, then the signature is the one the specification publishes', () => {
  // The example of the specification's reference libraries: a fixed secret, id, time and body.
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  assert.equal(signature(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}'), 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
});

test('when a delivery is signed with one secret, then the standardwebhooks library verifies it and reads back the body', () => {
  const secret = newWebhookSecret();
  const headers = webhookHeaders([secret], 'evt_01', now(), body);
  assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
});

test('when a delivery is signed, then its headers are the JSON type, the event id, the time in seconds, one signature, and our user agent', () => {
  const secret = newWebhookSecret();
  const timestamp = now();
  const headers = webhookHeaders([secret], 'evt_02', timestamp, body);
  assert.deepEqual(Object.keys(headers).sort(), ['content-type', 'user-agent', 'webhook-id', 'webhook-signature', 'webhook-timestamp']);
  assert.equal(headers['content-type'], 'application/json');
  assert.equal(headers['webhook-id'], 'evt_02');
  assert.equal(headers['webhook-timestamp'], String(timestamp));
  assert.equal(headers['webhook-signature'], signature(secret, 'evt_02', timestamp, body));
  assert.match(headers['webhook-signature'] ?? '', /^v1,[A-Za-z0-9+/]{43}=$/);
  assert.match(headers['user-agent'] ?? '', /^ecommerce-api-webhooks\/\d+$/);
});

test('when a secret is being rotated, then the delivery carries two signatures and a consumer holding either secret accepts it', () => {
  const [current, previous, unrelated] = [newWebhookSecret(), newWebhookSecret(), newWebhookSecret()];
  const headers = webhookHeaders([current, previous], 'evt_03', now(), body);
  const signatures = (headers['webhook-signature'] ?? '').split(' ');
  assert.equal(signatures.length, 2, 'separated by one space');
  assert.ok(signatures.every((one) => one.startsWith('v1,')));
  assert.deepEqual(new Webhook(current).verify(body, headers), JSON.parse(body));
  assert.deepEqual(new Webhook(previous).verify(body, headers), JSON.parse(body));
  assert.throws(() => new Webhook(unrelated).verify(body, headers), /No matching signature/);
});

test('when the body, the timestamp or the id is changed after signing, then verification fails', () => {
  const secret = newWebhookSecret();
  const timestamp = now();
  const headers = webhookHeaders([secret], 'evt_04', timestamp, body);
  const verifier = new Webhook(secret);
  assert.throws(() => verifier.verify(body.replace('12.50', '0.01'), headers), /No matching signature/);
  assert.throws(() => verifier.verify(`${body} `, headers), /No matching signature/);
  assert.throws(() => verifier.verify(body, { ...headers, 'webhook-timestamp': String(timestamp - 1) }), /No matching signature/);
  assert.throws(() => verifier.verify(body, { ...headers, 'webhook-id': 'evt_05' }), /No matching signature/);
});

test('when a signed delivery is replayed long after it was signed, then verification fails on its old timestamp', () => {
  const secret = newWebhookSecret();
  const headers = webhookHeaders([secret], 'evt_06', now() - 3600, body);
  assert.throws(() => new Webhook(secret).verify(body, headers), /too old/);
});

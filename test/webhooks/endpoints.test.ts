import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminToken, buildTestApp, call, registerCustomer } from '../helpers/app.js';
import { assertProblem } from '../helpers/problem.js';
import { eventually } from '../helpers/receiver.js';
import { openWebhookShop } from './hooks.js';

const URL_OK = 'https://erp.example.com/hooks/shop';

test('when an endpoint is created, read, changed and deleted, then its secret shows only at creation and the rest as stored', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const created = await call(app, 'POST', '/webhook-endpoints', { token: admin, body: { url: URL_OK, events: ['order.placed', 'order.paid'], description: 'ERP' } });
  assert.equal(created.status, 201);
  assert.match(created.body.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.deepEqual(
    { ...created.body, secret: undefined, created_at: undefined, updated_at: undefined },
    { id: created.body.id, url: URL_OK, events: ['order.paid', 'order.placed'], description: 'ERP', active: true, disabled_reason: null, secret: undefined, created_at: undefined, updated_at: undefined },
  );
  const read = await call(app, 'GET', `/webhook-endpoints/${created.body.id}`, { token: admin });
  assert.equal(read.status, 200);
  assert.equal(read.body.secret, undefined);
  const list = await call(app, 'GET', '/webhook-endpoints', { token: admin });
  assert.deepEqual(list.body, [read.body]);

  const changed = await call(app, 'PUT', `/webhook-endpoints/${created.body.id}`, { token: admin, body: { events: ['*'], active: false, description: null } });
  assert.equal(changed.status, 200);
  assert.deepEqual([changed.body.events, changed.body.active, changed.body.description, changed.body.url], [['*'], false, null, URL_OK]);
  assert.equal(changed.body.secret, undefined);

  const deleted = await call(app, 'DELETE', `/webhook-endpoints/${created.body.id}`, { token: admin });
  assert.equal(deleted.status, 200);
  for (const [method, url] of [
    ['GET', `/webhook-endpoints/${created.body.id}`],
    ['PUT', `/webhook-endpoints/${created.body.id}`],
    ['DELETE', `/webhook-endpoints/${created.body.id}`],
    ['POST', `/webhook-endpoints/${created.body.id}/rotate-secret`],
    ['POST', `/webhook-endpoints/${created.body.id}/test`],
    ['GET', `/webhook-endpoints/${created.body.id}/deliveries`],
  ] as const) {
    assertProblem(await call(app, method, url, { token: admin, ...(method === 'PUT' ? { body: { active: true } } : {}) }), 404, { what: `${method} ${url}` });
  }
});

test('when an endpoint URL or event list is not allowed, then it is 400 and nothing is created', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const refused: [string, unknown][] = [
    ['relative', { url: '/hooks', events: ['order.placed'] }],
    ['not http', { url: 'ftp://erp.example.com/x', events: ['order.placed'] }],
    ['plain http', { url: 'http://erp.example.com/x', events: ['order.placed'] }],
    ['too long', { url: `https://erp.example.com/${'a'.repeat(2000)}`, events: ['order.placed'] }],
    ['loopback', { url: 'https://127.0.0.1/x', events: ['order.placed'] }],
    ['loopback v6', { url: 'https://[::1]/x', events: ['order.placed'] }],
    ['mapped loopback', { url: 'https://[::ffff:127.0.0.1]/x', events: ['order.placed'] }],
    ['private', { url: 'https://10.1.2.3/x', events: ['order.placed'] }],
    ['metadata', { url: 'https://169.254.169.254/latest', events: ['order.placed'] }],
    ['decimal loopback', { url: 'https://2130706433/x', events: ['order.placed'] }],
    ['localhost', { url: 'https://localhost:8443/x', events: ['order.placed'] }],
    ['credentials', { url: 'https://user:pw@erp.example.com/x', events: ['order.placed'] }],
    ['unknown type', { url: URL_OK, events: ['order.exploded'] }],
    ['star and more', { url: URL_OK, events: ['*', 'order.paid'] }],
    ['no events', { url: URL_OK, events: [] }],
    ['twice', { url: URL_OK, events: ['order.paid', 'order.paid'] }],
    ['unknown field', { url: URL_OK, events: ['order.paid'], retries: 3 }],
    ['wrong type', { url: URL_OK, events: ['order.paid'], active: 'yes' }],
  ];
  for (const [what, body] of refused) assertProblem(await call(app, 'POST', '/webhook-endpoints', { token: admin, body }), 400, { what, sent: JSON.stringify(body) });
  assert.deepEqual((await call(app, 'GET', '/webhook-endpoints', { token: admin })).body, []);
  const accepted = await call(app, 'POST', '/webhook-endpoints', { token: admin, body: { url: 'https://93.184.216.34/x', events: ['ping'] } });
  assert.equal(accepted.status, 201);
  const badChange = await call(app, 'PUT', `/webhook-endpoints/${accepted.body.id}`, { token: admin, body: { url: 'https://192.168.1.1/x' } });
  assertProblem(badChange, 400);
  assert.equal((await call(app, 'GET', `/webhook-endpoints/${accepted.body.id}`, { token: admin })).body.url, 'https://93.184.216.34/x');
});

test('when a customer or nobody calls the webhook routes, then 403 or 401', async (t) => {
  const app = await buildTestApp(t);
  const { token } = await registerCustomer(app);
  for (const [method, url] of [
    ['GET', '/webhook-endpoints'],
    ['POST', '/webhook-endpoints'],
    ['GET', '/webhook-endpoints/1'],
    ['POST', '/webhook-endpoints/1/test'],
    ['POST', '/webhook-deliveries/1/redeliver'],
  ] as const) {
    assertProblem(await call(app, method, url), 401, { what: `${method} ${url}` });
    assertProblem(await call(app, method, url, { token }), 403, { what: `${method} ${url}` });
  }
});

test('when an endpoint subscribes to "*", then it gets every type but the password reset, which only an endpoint naming it receives', async (t) => {
  const shop = await openWebhookShop(t);
  const all = await shop.subscribe('http://127.0.0.1:9/all', ['*']);
  const named = await shop.subscribe('http://127.0.0.1:9/named', ['customer.password_reset_requested']);
  // Deliveries are recorded when the events are dispatched; the endpoints are unreachable, which does not matter here.
  await shop.placeOrder();
  const { app, admin } = shop;
  const reset = await call(app, 'POST', '/customers/password-reset', { body: { email: shop.buyer.customer.email } });
  assert.equal(reset.status, 202);
  const types = async (id: number) => (await shop.deliveries(id)).map((delivery) => delivery.event_type).sort();
  await eventually(() => types(named.id), (list) => list.length === 1);
  assert.deepEqual(await types(named.id), ['customer.password_reset_requested']);
  assert.ok(!(await types(all.id)).includes('customer.password_reset_requested'));
  assert.ok((await types(all.id)).includes('order.placed'));
  void admin;
});

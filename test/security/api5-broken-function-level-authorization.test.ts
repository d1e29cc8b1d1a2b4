// OWASP API5:2023 Broken Function Level Authorization: an ordinary user calls an
// administrative function (edit the catalogue, list every customer, mark an order paid)
// because the route only checks that the caller is logged in.
// Defence: admin routes live in an adminOnly scope whose onRequest hooks authenticate and
// then require role 1, read from the live customer row (not the token); they run before
// the body is parsed, so a customer learns nothing about an admin route's input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HTTPMethods } from 'fastify';
import { customerFields } from '../auth/helpers.js';
import { TEST_SECRET, call } from '../helpers/app.js';
import { decodeJwt, signJwt } from '../helpers/tokens.js';
import { documentedOperations, openAttackShop, openapiDocument } from './attack-helpers.js';
import { assertProblem } from '../helpers/problem.js';

type Access = 'public' | 'customer' | 'admin';

/** Who may call each documented route (README, "The API"); admin-only ones are the attack surface here. */
const ACCESS: Record<string, Access> = {
  'GET /health': 'public',
  'GET /ready': 'public',
  'POST /customers/login': 'public',
  'POST /customers/register': 'public',
  'POST /customers/password-reset': 'public',
  'POST /customers/password-reset/confirm': 'public',
  'POST /customers/logout': 'customer',
  'GET /products': 'public',
  'GET /products/p': 'public',
  'GET /products/{id}': 'public',
  'GET /customers/me': 'customer',
  'GET /customers/{id}': 'customer',
  'PUT /customers/{id}': 'customer',
  'DELETE /customers/{id}': 'customer',
  'GET /customers/{id}/addresses': 'customer',
  'POST /customers/{id}/addresses': 'customer',
  'PUT /customers/{id}/addresses/{address_id}': 'customer',
  'DELETE /customers/{id}/addresses/{address_id}': 'customer',
  'POST /cart/add': 'customer',
  'POST /cart/remove': 'customer',
  'GET /cart/{customer_id}': 'customer',
  'DELETE /cart/{customer_id}': 'customer',
  'GET /shipping-rates': 'public',
  'GET /shipping-rates/{id}': 'public',
  'GET /tax-rates': 'public',
  'POST /carts': 'public',
  'GET /carts/{cart_id}': 'public',
  'POST /carts/{cart_id}/add': 'public',
  'POST /carts/{cart_id}/remove': 'public',
  'DELETE /carts/{cart_id}': 'public',
  'POST /carts/{cart_id}/checkout': 'public',
  'POST /carts/{cart_id}/checkout/quote': 'public',
  'POST /orders': 'customer',
  'POST /orders/from_cart': 'customer',
  'POST /orders/quote': 'customer',
  'POST /orders/from_cart/quote': 'customer',
  'GET /orders/p': 'customer',
  'GET /orders/{id}': 'customer',
  'GET /orders/track/{id}': 'customer',
  'POST /orders/{id}/cancel': 'customer',
  'POST /orders/{id}/payments': 'customer',
  'GET /orders/{id}/payments': 'customer',
  'POST /webhooks/stripe': 'public',
  'POST /payments/{id}/capture': 'admin',
  'POST /payments/{id}/cancel': 'admin',
  'POST /payments/{id}/refunds': 'admin',
  'GET /customers': 'admin',
  'GET /customers/p': 'admin',
  'GET /reports/summary': 'admin',
  'POST /customers': 'admin',
  'POST /products': 'admin',
  'PUT /products/{id}': 'admin',
  'DELETE /products/{id}': 'admin',
  'POST /orders/{id}/status': 'admin',
  'POST /shipping-rates': 'admin',
  'PUT /shipping-rates/{id}': 'admin',
  'DELETE /shipping-rates/{id}': 'admin',
  'POST /tax-rates': 'admin',
  'PUT /tax-rates/{id}': 'admin',
  'DELETE /tax-rates/{id}': 'admin',
  'GET /events': 'admin',
  'POST /webhook-endpoints': 'admin',
  'GET /webhook-endpoints': 'admin',
  'GET /webhook-endpoints/{id}': 'admin',
  'PUT /webhook-endpoints/{id}': 'admin',
  'DELETE /webhook-endpoints/{id}': 'admin',
  'POST /webhook-endpoints/{id}/rotate-secret': 'admin',
  'POST /webhook-endpoints/{id}/test': 'admin',
  'GET /webhook-endpoints/{id}/deliveries': 'admin',
  'POST /webhook-deliveries/{id}/redeliver': 'admin',
};

interface AdminCall {
  route: string;
  method: HTTPMethods;
  url: string;
  body?: unknown;
}

/** One valid call to every admin-only route, each of which would change or reveal something if it went through. */
function adminCalls(
  productId: number,
  orderId: number,
  rates: { shipping: number; tax: number },
  hooks: { endpoint: number; delivery: number },
  paymentId: number,
): AdminCall[] {
  const endpoint = `/webhook-endpoints/${hooks.endpoint}`;
  return [
    { route: 'POST /payments/{id}/capture', method: 'POST', url: `/payments/${paymentId}/capture`, body: {} },
    { route: 'POST /payments/{id}/cancel', method: 'POST', url: `/payments/${paymentId}/cancel` },
    { route: 'POST /payments/{id}/refunds', method: 'POST', url: `/payments/${paymentId}/refunds`, body: {} },
    { route: 'GET /events', method: 'GET', url: '/events' },
    { route: 'POST /webhook-endpoints', method: 'POST', url: '/webhook-endpoints', body: { url: 'https://mallory.example/h', events: ['*'] } },
    { route: 'GET /webhook-endpoints', method: 'GET', url: '/webhook-endpoints' },
    { route: 'GET /webhook-endpoints/{id}', method: 'GET', url: endpoint },
    { route: 'PUT /webhook-endpoints/{id}', method: 'PUT', url: endpoint, body: { url: 'https://mallory.example/h' } },
    { route: 'DELETE /webhook-endpoints/{id}', method: 'DELETE', url: endpoint },
    { route: 'POST /webhook-endpoints/{id}/rotate-secret', method: 'POST', url: `${endpoint}/rotate-secret` },
    { route: 'POST /webhook-endpoints/{id}/test', method: 'POST', url: `${endpoint}/test` },
    { route: 'GET /webhook-endpoints/{id}/deliveries', method: 'GET', url: `${endpoint}/deliveries` },
    { route: 'POST /webhook-deliveries/{id}/redeliver', method: 'POST', url: `/webhook-deliveries/${hooks.delivery}/redeliver` },
    { route: 'POST /shipping-rates', method: 'POST', url: '/shipping-rates', body: { name: 'Free', price: 0, countries: ['*'] } },
    { route: 'PUT /shipping-rates/{id}', method: 'PUT', url: `/shipping-rates/${rates.shipping}`, body: { price: 0 } },
    { route: 'DELETE /shipping-rates/{id}', method: 'DELETE', url: `/shipping-rates/${rates.shipping}` },
    { route: 'POST /tax-rates', method: 'POST', url: '/tax-rates', body: { name: 'None', country_code: 'FR', rate: 0 } },
    { route: 'PUT /tax-rates/{id}', method: 'PUT', url: `/tax-rates/${rates.tax}`, body: { rate: 0 } },
    { route: 'DELETE /tax-rates/{id}', method: 'DELETE', url: `/tax-rates/${rates.tax}` },
    { route: 'GET /customers', method: 'GET', url: '/customers' },
    { route: 'GET /customers/p', method: 'GET', url: '/customers/p' },
    { route: 'GET /reports/summary', method: 'GET', url: '/reports/summary' },
    { route: 'POST /customers', method: 'POST', url: '/customers', body: customerFields({ role_id: 1 }) },
    { route: 'POST /products', method: 'POST', url: '/products', body: { product_name: 'Planted', price: 0.01, stock: 5 } },
    { route: 'PUT /products/{id}', method: 'PUT', url: `/products/${productId}`, body: { price: 0.01, stock: 1_000_000 } },
    { route: 'DELETE /products/{id}', method: 'DELETE', url: `/products/${productId}` },
    { route: 'POST /orders/{id}/status', method: 'POST', url: `/orders/${orderId}/status`, body: { status: 'paid' } },
  ];
}

/** The shop, plus an order of Mallory's own that she would love to mark paid. */
async function openAdminTarget(t: Parameters<typeof openAttackShop>[0]) {
  const shop = await openAttackShop(t);
  const malloryOrder = await shop.placed(shop.mallory, [{ product_id: shop.mug.id, quantity: 1 }]);
  // Rates to tamper with: inactive, so the shop's orders still need no shipping.
  const rates = { shipping: await createdByAdmin(shop, '/shipping-rates', { name: 'Std', price: 5, countries: ['*'], active: false }), tax: await createdByAdmin(shop, '/tax-rates', { name: 'VAT', country_code: 'DE', rate: 19 }) };
  // An endpoint (never delivered to: test apps only record) and one delivery of a ping to it.
  const endpoint = await createdByAdmin(shop, '/webhook-endpoints', { url: 'https://erp.example.com/hooks', events: ['order.paid'] });
  const ping = await call(shop.app, 'POST', `/webhook-endpoints/${endpoint}/test`, { token: shop.admin.token });
  assert.equal(ping.status, 202);
  const hooks = { endpoint, delivery: ping.body.delivery_id as number };
  // A payment of Mallory's own, which she would love to mark received.
  const payment = await call(shop.app, 'POST', `/orders/${malloryOrder.id}/payments`, { token: shop.mallory.token, body: { provider: 'manual' } });
  assert.equal(payment.status, 201, `setup: a payment ${JSON.stringify(payment.body)}`);
  return { ...shop, malloryOrder, rates, hooks, calls: adminCalls(shop.mug.id, malloryOrder.id, rates, hooks, payment.body.id) };
}

async function createdByAdmin(shop: Awaited<ReturnType<typeof openAttackShop>>, url: string, body: Record<string, unknown>): Promise<number> {
  const response = await call(shop.app, 'POST', url, { token: shop.admin.token, body });
  assert.equal(response.status, 201, `setup: ${url} ${JSON.stringify(response.body)}`);
  return response.body.id;
}

test('when every documented route is listed, then each has an access level here and the admin-only ones are exactly those called below', async (t) => {
  const { app, calls } = await openAdminTarget(t);
  const operations = documentedOperations(await openapiDocument(app));

  // A new route fails this until someone decides who may call it.
  assert.deepEqual([...operations.keys()].sort(), Object.keys(ACCESS).sort());
  const adminRoutes = Object.entries(ACCESS).filter(([, access]) => access === 'admin').map(([route]) => route);
  assert.deepEqual(calls.map((c) => c.route).sort(), adminRoutes.sort());
  for (const route of adminRoutes) {
    const declared = Object.keys(operations.get(route)!.responses);
    assert.ok(declared.includes('401') && declared.includes('403'), `${route} does not document 401 and 403`);
  }
});

test('when a customer calls each admin-only function with a valid body, then 403 and nothing is revealed or changed', async (t) => {
  const { app, mallory, malloryOrder, calls, everything, orderOf } = await openAdminTarget(t);
  const before = await everything();

  for (const { route, method, url, body } of calls) {
    const response = await call(app, method, url, { token: mallory.token, ...(body === undefined ? {} : { body }) });
    assertProblem(response, 403, { code: 'FORBIDDEN', what: route });
    assert.doesNotMatch(JSON.stringify(response.body), /customer_name|email|product_name/, `${route} revealed data`);
  }

  assert.deepEqual(await everything(), before);
  assert.equal((await orderOf(malloryOrder.id)).status, 'pending');
});

test('when anyone calls each admin-only function without a token, or with HEAD instead of GET, then 401 and nothing changes', async (t) => {
  const { app, calls, everything } = await openAdminTarget(t);
  const before = await everything();

  for (const { route, method, url, body } of calls) {
    assertProblem(await call(app, method, url, body === undefined ? {} : { body }), 401, { code: 'UNAUTHORIZED', what: route });
  }
  const head = await app.inject({ method: 'HEAD', url: '/customers' });
  assert.equal(head.statusCode, 401, 'HEAD /customers without a token');
  assert.equal(head.body, '');

  assert.deepEqual(await everything(), before);
});

test('when a customer sends a malformed body to an admin-only route, then 403, not 400: the route is refused before its input is read', async (t) => {
  const { app, mallory, calls, everything } = await openAdminTarget(t);
  const before = await everything();

  for (const { route, method, url, body } of calls) {
    if (body === undefined) continue;
    for (const bad of [{ unexpected: true }, { price: 'free' }, []]) {
      assertProblem(await call(app, method, url, { token: mallory.token, body: bad }), 403, { code: 'FORBIDDEN', what: `${route} ${JSON.stringify(bad)}` });
    }
  }
  // The same through HEAD on the admin listing: refused, and no body to learn from.
  const head = await app.inject({ method: 'HEAD', url: '/customers', headers: { authorization: `Bearer ${mallory.token}` } });
  assert.equal(head.statusCode, 403);
  assert.equal(head.body, '');
  assert.deepEqual(await everything(), before);
});

test('when a customer token claims role 1 with a valid signature, then admin functions still answer 403: the role is read from the database', async (t) => {
  const { app, mallory, calls, everything } = await openAdminTarget(t);
  const { payload } = decodeJwt(mallory.token);
  // As if the signing key had leaked: the claim alone must not make an admin.
  const claimsAdmin = signJwt({ ...payload, role: 1 }, TEST_SECRET);
  const before = await everything();

  for (const { route, method, url, body } of calls) {
    const response = await call(app, method, url, { token: claimsAdmin, ...(body === undefined ? {} : { body }) });
    assertProblem(response, 403, { code: 'FORBIDDEN', what: route });
  }

  assert.deepEqual(await everything(), before);
});

test('when a customer disguises the method or path (override headers, case, doubled slashes), then no admin function runs', async (t) => {
  const { app, mallory, mug, everything, productOf } = await openAdminTarget(t);
  const before = await everything();
  const as = { token: mallory.token };

  for (const header of ['x-http-method-override', 'x-http-method', 'x-method-override']) {
    const deleting = await call(app, 'GET', `/products/${mug.id}`, { ...as, headers: { [header]: 'DELETE' } });
    assert.equal(deleting.status, 200, `${header}: DELETE is not applied, GET is`);
    assert.deepEqual(deleting.body, await productOf(mug.id));
    const listing = await call(app, 'POST', '/customers', { ...as, headers: { [header]: 'GET' }, body: customerFields() });
    assertProblem(listing, 403, { code: 'FORBIDDEN', what: `${header}: GET on POST /customers` });
  }
  for (const url of ['/CUSTOMERS', '/Customers', '//customers', '/customers/', '/customers%2f', '/customers;x', '/./customers', '/products/../customers']) {
    // Each is refused one way or another (404 no such route, 403 once normalized, 400 for "/customers/"), never served.
    assertProblem(await call(app, 'GET', url, as));
  }
  assertProblem(await call(app, 'PUT', `/PRODUCTS/${mug.id}`, { ...as, body: { price: 0.01 } }), 404, { code: 'NOT_FOUND', what: 'PUT /PRODUCTS' });
  assert.deepEqual(await everything(), before);
});

test('when a customer tries an admin-only move on its own order (cancel once paid), then 409 and the order stays paid with its stock taken', async (t) => {
  const { app, mallory, malloryOrder, mug, moveTo, orderOf, stockOf } = await openAdminTarget(t);
  await moveTo(malloryOrder.id, 'paid');
  const stock = await stockOf(mug.id);

  const cancel = await call(app, 'POST', `/orders/${malloryOrder.id}/cancel`, { token: mallory.token });

  assertProblem(cancel, 409, { code: 'ILLEGAL_STATUS_CHANGE', what: 'cancel a paid order' });
  assert.equal((await orderOf(malloryOrder.id)).status, 'paid');
  assert.equal(await stockOf(mug.id), stock);
});

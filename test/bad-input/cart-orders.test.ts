import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { adminToken, buildTestApp, call, createProduct, registerCustomer } from '../helpers/app.js';
import { label, sendRaw, wrongTypes } from '../helpers/bad-input.js';
import { assertProblem } from '../helpers/problem.js';

// Bad input thrown at every cart and order route, sent as the customer who owns the cart
// and orders (and as an admin where only an admin may call): every answer is a 4xx
// problem+json, and afterwards no stock, cart, order or order history has moved.

const KIB = 1024;

/** A customer with a cart and a pending order, a second customer with a cart, and a way to read all of it. */
async function filledShop(t: TestContext) {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const ann = await registerCustomer(app);
  const bob = await registerCustomer(app);
  const mug = await createProduct(app, admin, { product_name: 'Mug', price: 19.99, stock: 10 });
  const pen = await createProduct(app, admin, { product_name: 'Pen', price: 0.1 });
  const annId: number = ann.customer.id;
  const bobId: number = bob.customer.id;
  for (const [token, customerId, productId, quantity] of [
    [ann.token, annId, mug.id, 2],
    [ann.token, annId, pen.id, 5],
    [bob.token, bobId, mug.id, 1],
  ] as const) {
    const added = await call(app, 'POST', '/cart/add', { token, body: { customer_id: customerId, product_id: productId, quantity } });
    assert.equal(added.status, 200);
  }
  const order = await call(app, 'POST', '/orders', {
    token: ann.token,
    body: { customer_id: annId, items: [{ product_id: mug.id, quantity: 3 }] },
  });
  assert.equal(order.status, 201);
  return { app, admin, annToken: ann.token, annId, bobId, mug, pen, orderId: order.body.id as number };
}

/** Stock, both carts, every order and the history of each: all that a cart or order call could move. */
async function state(app: FastifyInstance, admin: string, customerIds: number[]) {
  const read = async (url: string) => {
    const response = await call(app, 'GET', url, { token: admin });
    assert.equal(response.status, 200, `reading ${url}: ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const orders = await read('/orders/p?per_page=100');
  const histories = [];
  for (const order of orders.items) histories.push(await read(`/orders/track/${order.id}`));
  const carts = [];
  for (const id of customerIds) carts.push(await read(`/cart/${id}`));
  return { products: await read('/products'), orders, histories, carts };
}

interface BodyCase {
  what: string;
  status: number;
  code?: string;
  payload: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

const json = (value: unknown) => JSON.stringify(value);

/** The cases every route with a JSON body gets, around a body it would accept. */
function bodyCases(valid: Record<string, unknown>, required: string[]): BodyCase[] {
  const cases: BodyCase[] = [
    { what: 'malformed JSON', status: 400, code: 'MALFORMED_JSON', payload: `${json(valid).slice(0, -1)},` },
    { what: 'JSON with single quotes', status: 400, code: 'MALFORMED_JSON', payload: json(valid).replaceAll('"', "'") },
    { what: 'a JSON array holding the valid body', status: 400, code: 'VALIDATION_FAILED', payload: json([valid]) },
    { what: 'an empty JSON array', status: 400, payload: '[]' },
    { what: 'JSON null', status: 400, payload: 'null' },
    { what: 'a bare JSON string', status: 400, payload: '"customer_id"' },
    { what: 'a bare JSON number', status: 400, payload: '7' },
    { what: 'an empty object', status: 400, code: 'VALIDATION_FAILED', payload: '{}' },
    { what: 'an empty body', status: 400, payload: '' },
    { what: 'an unknown field', status: 400, code: 'VALIDATION_FAILED', payload: json({ ...valid, discount: 100 }) },
    { what: 'a __proto__ key', status: 400, code: 'FORBIDDEN_KEY', payload: `{"__proto__":{"role_id":1},${json(valid).slice(1)}` },
    { what: 'the valid body as text/plain', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', payload: json(valid), contentType: 'text/plain' },
    { what: 'the valid body as a form', status: 415, payload: 'customer_id=1&quantity=1', contentType: 'application/x-www-form-urlencoded' },
    { what: 'the valid body with no content type', status: 415, payload: Buffer.from(json(valid)), contentType: '' },
    { what: 'a 200 KiB body', status: 413, code: 'BODY_TOO_LARGE', payload: json({ ...valid, padding: 'x'.repeat(200 * KIB) }) },
  ];
  for (const field of required) {
    const { [field]: _, ...rest } = valid;
    cases.push({ what: `no ${field}`, status: 400, code: 'VALIDATION_FAILED', payload: json(rest) });
  }
  for (const [field, value] of Object.entries(valid)) {
    for (const wrong of wrongTypes(value)) {
      cases.push({ what: `${field} = ${label(wrong)}`, status: 400, code: 'VALIDATION_FAILED', payload: json({ ...valid, [field]: wrong }) });
    }
    if (typeof value === 'number') {
      for (const wrong of [0, -1, 1.5, 2 ** 53, 1e300]) {
        cases.push({ what: `${field} = ${wrong}`, status: 400, code: 'VALIDATION_FAILED', payload: json({ ...valid, [field]: wrong }) });
      }
    }
  }
  return cases;
}

async function sweep(
  t: TestContext,
  shop: Awaited<ReturnType<typeof filledShop>>,
  route: { method: 'POST' | 'DELETE'; url: string; token: string },
  cases: BodyCase[],
) {
  const ids = [shop.annId, shop.bobId];
  const before = await state(shop.app, shop.admin, ids);
  for (const c of cases) {
    await t.test(`when ${route.method} ${route.url} gets ${c.what}, then ${c.status} problem+json and nothing changes`, async () => {
      const response = await sendRaw(shop.app, route.method, route.url, {
        token: route.token,
        payload: c.payload,
        contentType: c.contentType ?? 'application/json',
        headers: c.headers,
      });
      assertProblem(response, c.status, { sent: String(c.payload) });
      if (c.code) assert.equal((response.body as { code?: string }).code, c.code);
      assert.deepEqual(await state(shop.app, shop.admin, ids), before);
    });
  }
}

test('when POST /cart/add gets bad bodies, then each is a 4xx problem+json and no cart or stock changes', async (t) => {
  const shop = await filledShop(t);
  const valid = { customer_id: shop.annId, product_id: shop.pen.id, quantity: 1 };
  const cases = bodyCases(valid, ['customer_id', 'product_id', 'quantity']);
  cases.push(
    { what: 'quantity = 1001', status: 400, code: 'VALIDATION_FAILED', payload: json({ ...valid, quantity: 1001 }) },
    { what: 'a price of its own', status: 400, code: 'VALIDATION_FAILED', payload: json({ ...valid, price: 0.01 }) },
  );
  await sweep(t, shop, { method: 'POST', url: '/cart/add', token: shop.annToken }, cases);

  const control = await call(shop.app, 'POST', '/cart/add', { token: shop.annToken, body: valid });
  assert.equal(control.status, 200, 'the valid body is accepted, so each case failed for what it broke');
});

test('when POST /cart/remove gets bad bodies, then each is a 4xx problem+json and no cart changes', async (t) => {
  const shop = await filledShop(t);
  const valid = { customer_id: shop.annId, product_id: shop.pen.id, quantity: 1 };
  const cases = bodyCases(valid, ['customer_id', 'product_id']);
  cases.push({ what: 'quantity = 1001', status: 400, code: 'VALIDATION_FAILED', payload: json({ ...valid, quantity: 1001 }) });
  await sweep(t, shop, { method: 'POST', url: '/cart/remove', token: shop.annToken }, cases);

  const control = await call(shop.app, 'POST', '/cart/remove', { token: shop.annToken, body: valid });
  assert.equal(control.status, 200);
});

test('when POST /orders gets bad bodies, then each is a 4xx problem+json and no order, stock or cart changes', async (t) => {
  const shop = await filledShop(t);
  const line = { product_id: shop.mug.id, quantity: 1 };
  const valid = { customer_id: shop.annId, items: [line] };
  const cases = bodyCases(valid, ['customer_id', 'items']);
  const items = (value: unknown, what: string, status = 400): BodyCase => ({
    what: `items = ${what}`,
    status,
    code: status === 400 ? 'VALIDATION_FAILED' : undefined,
    payload: json({ ...valid, items: value }),
  });
  cases.push(
    items([], '[]'),
    items(Array.from({ length: 101 }, () => line), '101 lines'),
    items([null], '[null]'),
    items([1, 1], '[1, 1]'),
    items([[shop.mug.id, 1]], 'a line as an array'),
    items({ 0: line }, 'an object keyed 0'),
    items([{ product_id: String(shop.mug.id), quantity: 1 }], 'a product_id as a string'),
    items([{ product_id: shop.mug.id, quantity: '1' }], 'a quantity as a string'),
    items([{ product_id: shop.mug.id, quantity: null }], 'a null quantity'),
    items([{ product_id: shop.mug.id }], 'a line without quantity'),
    items([{ quantity: 1 }], 'a line without product_id'),
    items([{ product_id: 0, quantity: 1 }], 'product_id 0'),
    items([{ product_id: 1.5, quantity: 1 }], 'product_id 1.5'),
    items([{ product_id: shop.mug.id, quantity: 0 }], 'quantity 0'),
    items([{ product_id: shop.mug.id, quantity: 1001 }], 'quantity 1001'),
    items([{ product_id: shop.mug.id, quantity: 2.5 }], 'quantity 2.5'),
    items([{ ...line, unit_price: 0.01 }], 'a line with its own unit_price'),
    items([line, { ...line, product_name: 'Free' }], 'a second line with an unknown field'),
    { what: 'a status of its own', status: 400, code: 'VALIDATION_FAILED', payload: json({ ...valid, status: 'delivered' }) },
    { what: 'a total of its own', status: 400, code: 'VALIDATION_FAILED', payload: json({ ...valid, total: 0 }) },
    ...badIdempotencyKeys(valid),
  );
  await sweep(t, shop, { method: 'POST', url: '/orders', token: shop.annToken }, cases);

  const control = await call(shop.app, 'POST', '/orders', { token: shop.annToken, body: valid });
  assert.equal(control.status, 201);
});

test('when POST /orders/from_cart gets bad bodies, then each is a 4xx problem+json, the cart is kept and no order is placed', async (t) => {
  const shop = await filledShop(t);
  const valid = { customer_id: shop.annId };
  const cases = bodyCases(valid, ['customer_id']);
  cases.push(
    { what: 'items of its own', status: 400, code: 'VALIDATION_FAILED', payload: json({ ...valid, items: [{ product_id: shop.pen.id, quantity: 1 }] }) },
    ...badIdempotencyKeys(valid),
  );
  await sweep(t, shop, { method: 'POST', url: '/orders/from_cart', token: shop.annToken }, cases);

  const control = await call(shop.app, 'POST', '/orders/from_cart', { token: shop.annToken, body: valid });
  assert.equal(control.status, 201);
});

test('when POST /orders/{id}/status gets bad bodies, then each is a 4xx problem+json and the order and its history stay put', async (t) => {
  const shop = await filledShop(t);
  const valid = { status: 'paid', note: 'Paid by card' };
  const cases = bodyCases(valid, ['status']);
  const bad = (what: string, body: Record<string, unknown>, status = 400): BodyCase => ({ what, status, payload: json(body) });
  cases.push(
    bad('status = "PAID"', { status: 'PAID' }),
    bad('status = "teleported"', { status: 'teleported' }),
    bad('status = ""', { status: '' }),
    bad('an empty note', { status: 'paid', note: '' }),
    bad('a note of white space', { status: 'paid', note: '   ' }),
    bad('a 501-character note', { status: 'paid', note: 'n'.repeat(501) }),
    bad('a numeric tracking_number', { status: 'shipped', tracking_number: 12345 }),
    bad('an empty tracking_number', { status: 'shipped', tracking_number: '' }),
    bad('a 101-character tracking_number', { status: 'shipped', tracking_number: 't'.repeat(101) }),
    bad('a tracking_number with status paid', { status: 'paid', tracking_number: 'T-1' }),
    bad('a customer_id of its own', { status: 'paid', customer_id: shop.bobId }),
    bad('a total of its own', { status: 'paid', total: 0 }),
  );
  await sweep(t, shop, { method: 'POST', url: `/orders/${shop.orderId}/status`, token: shop.admin }, cases);

  const control = await call(shop.app, 'POST', `/orders/${shop.orderId}/status`, { token: shop.admin, body: valid });
  assert.equal(control.status, 200);
});

test('when the bodiless routes (cancel, empty a cart) get a body they cannot read, then 4xx problem+json and nothing changes', async (t) => {
  const shop = await filledShop(t);
  const cases: BodyCase[] = [
    { what: 'malformed JSON', status: 400, code: 'MALFORMED_JSON', payload: '{"reason": ' },
    { what: 'text/plain', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', payload: 'please cancel', contentType: 'text/plain' },
    { what: 'a 200 KiB body', status: 413, code: 'BODY_TOO_LARGE', payload: json({ padding: 'x'.repeat(200 * KIB) }) },
    { what: 'a 200 KiB text/plain body', status: 415, payload: 'x'.repeat(200 * KIB), contentType: 'text/plain' },
  ];
  await sweep(t, shop, { method: 'POST', url: `/orders/${shop.orderId}/cancel`, token: shop.annToken }, cases);
  await sweep(t, shop, { method: 'DELETE', url: `/cart/${shop.annId}`, token: shop.annToken }, cases);

  const control = await call(shop.app, 'POST', `/orders/${shop.orderId}/cancel`, { token: shop.annToken });
  assert.equal(control.status, 200);
});

test('when a cart or order path holds an id that is not a positive integer, then 400 problem+json on every route and nothing changes', async (t) => {
  const shop = await filledShop(t);
  const ids = [shop.annId, shop.bobId];
  const before = await state(shop.app, shop.admin, ids);
  const routes = [
    { method: 'GET', path: '/cart/:id', token: shop.annToken },
    { method: 'DELETE', path: '/cart/:id', token: shop.annToken },
    { method: 'GET', path: '/orders/:id', token: shop.annToken },
    { method: 'GET', path: '/orders/track/:id', token: shop.annToken },
    { method: 'POST', path: '/orders/:id/cancel', token: shop.annToken },
    { method: 'POST', path: '/orders/:id/status', token: shop.admin, body: { status: 'paid' } },
  ] as const;
  // Several of these would coerce to a real id (the order is 1, Ann is 2) under a loose parser.
  const badIds = ['abc', '0', '-1', '-2', '1.0', '2.0', '1e0', '0x1', '+2', '%202', '1%20', 'NaN', 'null', '99999999999', '2147483648'];

  for (const route of routes) {
    for (const id of badIds) {
      const url = route.path.replace(':id', id);
      await t.test(`when ${route.method} ${url} is asked for, then 400 problem+json`, async () => {
        const response = await call(shop.app, route.method, url, { token: route.token, ...('body' in route ? { body: route.body } : {}) });
        assertProblem(response, 400);
      });
    }
  }

  assert.deepEqual(await state(shop.app, shop.admin, ids), before);
  // The same routes with the real ids do reach the rows.
  assert.equal((await call(shop.app, 'GET', `/cart/${shop.annId}`, { token: shop.annToken })).status, 200);
  assert.equal((await call(shop.app, 'GET', `/orders/${shop.orderId}`, { token: shop.annToken })).status, 200);
});

test('when GET /orders/p gets a query that is not a positive integer where one goes, then 400 problem+json', async (t) => {
  const shop = await filledShop(t);
  for (const query of ['page=0', 'page=-1', 'page=1.5', 'page=abc', 'page=1e1', 'per_page=0', 'per_page=101', 'per_page=x', 'customer_id=0', 'customer_id=abc', 'customer_id=2.0']) {
    await t.test(`when GET /orders/p?${query} is asked for, then 400 problem+json`, async () => {
      assertProblem(await call(shop.app, 'GET', `/orders/p?${query}`, { token: shop.annToken }), 400);
      assertProblem(await call(shop.app, 'GET', `/orders/p?${query}`, { token: shop.admin }), 400);
    });
  }
});

/** A valid body sent with an Idempotency-Key the header schema refuses. */
function badIdempotencyKeys(valid: Record<string, unknown>): BodyCase[] {
  return [
    { what: 'an empty Idempotency-Key', status: 400, code: 'VALIDATION_FAILED', payload: json(valid), headers: { 'idempotency-key': '' } },
    { what: 'a 256-character Idempotency-Key', status: 400, code: 'VALIDATION_FAILED', payload: json(valid), headers: { 'idempotency-key': 'k'.repeat(256) } },
  ];
}

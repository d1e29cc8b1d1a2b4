// OWASP API3:2023 Broken Object Property Level Authorization: a client writes properties it
// must not set (mass assignment: its role, its id, a price, an order's status) or reads
// properties it must not see (a password hash, a token version, internal columns).
// Defence: every body schema is additionalProperties: false, so an unknown field is a 400
// and never reaches the database; role changes are checked apart (403 for a customer); and
// every response is serialized through a schema that lists the public fields only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HTTPMethods } from 'fastify';
import { allCustomers, attemptLogin, customerAsAdmin, customerFields } from '../auth/helpers.js';
import { type ApiResponse, call } from '../helpers/app.js';
import { decodeJwt } from '../helpers/tokens.js';
import { CUSTOMER_PASSWORD, openAttackShop } from './attack-helpers.js';
import { assertProblem } from '../helpers/problem.js';

/** Columns and privileges a client might try to set on a customer. */
const CUSTOMER_INTERNALS: Record<string, unknown> = {
  id: 1,
  password_hash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
  token_version: 99,
  created_at: '2000-01-01T00:00:00.000Z',
  updated_at: '2000-01-01T00:00:00.000Z',
  deleted_at: '2000-01-01T00:00:00.000Z',
  is_admin: true,
  role: 'admin',
};

/** Asserts a 400 whose validation errors name exactly this body field. */
function assertUnknownField(response: ApiResponse, field: string): void {
  assertProblem(response, 400, { code: 'VALIDATION_FAILED', what: field, sent: field });
  assert.deepEqual(response.body.errors.map((error: { path: string }) => error.path), [`/body/${field}`]);
}

test('when someone registers with role_id or an internal column in the body, then 400 naming it and no account is made', async (t) => {
  const { app, admin } = await openAttackShop(t);
  const before = await allCustomers(app, admin.token);

  for (const [field, value] of Object.entries({ role_id: 1, ...CUSTOMER_INTERNALS })) {
    const fields = customerFields({ [field]: value });
    assertUnknownField(await call(app, 'POST', '/customers/register', { body: fields }), field);
    assert.equal((await attemptLogin(app, fields.username, fields.password)).status, 401, `${field}: an account was made`);
  }

  assert.deepEqual(await allCustomers(app, admin.token), before);
});

test('when a customer updates itself with an internal column, then 400 naming it and its record, password and token are unchanged', async (t) => {
  const { app, admin, mallory } = await openAttackShop(t);
  const before = await customerAsAdmin(app, admin.token, mallory.id);

  for (const [field, value] of Object.entries(CUSTOMER_INTERNALS)) {
    // A legitimate change rides along, so a half-applied body would show.
    const response = await call(app, 'PUT', `/customers/${mallory.id}`, {
      token: mallory.token,
      body: { customer_name: 'Renamed', [field]: value },
    });
    assertUnknownField(response, field);
  }

  assert.deepEqual(await customerAsAdmin(app, admin.token, mallory.id), before);
  // Its token still works (token_version unchanged) and its password is what it was.
  assert.equal((await call(app, 'GET', '/customers/me', { token: mallory.token })).status, 200);
  assert.equal((await attemptLogin(app, before.username, CUSTOMER_PASSWORD)).status, 200);
});

test('when a customer sends role_id 1 in its own update, then 403, it stays role 2 and the rest of that body is not applied', async (t) => {
  const { app, admin, mallory } = await openAttackShop(t);
  const before = await customerAsAdmin(app, admin.token, mallory.id);

  const raise = await call(app, 'PUT', `/customers/${mallory.id}`, {
    token: mallory.token,
    body: { role_id: 1, customer_name: 'Now An Admin' },
  });

  assertProblem(raise, 403, { code: 'FORBIDDEN', what: 'role_id 1' });
  assert.deepEqual(await customerAsAdmin(app, admin.token, mallory.id), before);
  assertProblem(await call(app, 'GET', '/customers', { token: mallory.token }), 403, { code: 'FORBIDDEN', what: 'admin list after the attempt' });
});

test('when a customer sets its own price, total or status in a cart or order body, then 400 naming the field and no cart, order or stock changes', async (t) => {
  const { app, mallory, mug, everything } = await openAttackShop(t);
  const before = await everything();
  const line = { product_id: mug.id, quantity: 1 };

  const tampered: [HTTPMethods, string, object, string][] = [
    ['POST', '/cart/add', { customer_id: mallory.id, ...line, price: 0.01 }, 'price'],
    ['POST', '/cart/add', { customer_id: mallory.id, ...line, line_total: 0 }, 'line_total'],
    ['POST', '/cart/add', { customer_id: mallory.id, ...line, product_name: 'Free mug' }, 'product_name'],
    ['POST', '/orders', { customer_id: mallory.id, items: [line], total: 0.01 }, 'total'],
    ['POST', '/orders', { customer_id: mallory.id, items: [line], status: 'paid' }, 'status'],
    ['POST', '/orders', { customer_id: mallory.id, items: [line], id: 1 }, 'id'],
    ['POST', '/orders', { customer_id: mallory.id, items: [{ ...line, unit_price: 0.01 }] }, 'items/0/unit_price'],
    ['POST', '/orders', { customer_id: mallory.id, items: [{ ...line, price: 0.01 }] }, 'items/0/price'],
    ['POST', '/orders', { customer_id: mallory.id, items: [{ ...line, stock_taken: 0 }] }, 'items/0/stock_taken'],
    ['POST', '/orders/from_cart', { customer_id: mallory.id, total: 0.01 }, 'total'],
  ];
  for (const [method, url, body, field] of tampered) {
    assertUnknownField(await call(app, method, url, { token: mallory.token, body }), field);
  }

  assert.deepEqual(await everything(), before);
});

test('when an admin sends internal columns to product and order-status routes, then 400 naming them and nothing changes', async (t) => {
  const { app, admin, mug, victimOrder, everything } = await openAttackShop(t);
  const before = await everything();

  const tampered: [HTTPMethods, string, object, string][] = [
    ['POST', '/products', { product_name: 'Lamp', price: 5, id: mug.id }, 'id'],
    ['POST', '/products', { product_name: 'Lamp', price: 5, price_cents: 1 }, 'price_cents'],
    ['PUT', `/products/${mug.id}`, { created_at: '2000-01-01T00:00:00.000Z' }, 'created_at'],
    ['PUT', `/products/${mug.id}`, { deleted_at: '2000-01-01T00:00:00.000Z' }, 'deleted_at'],
    ['POST', `/orders/${victimOrder.id}/status`, { status: 'paid', total: 0 }, 'total'],
    ['POST', `/orders/${victimOrder.id}/status`, { status: 'paid', customer_id: admin.id }, 'customer_id'],
  ];
  for (const [method, url, body, field] of tampered) {
    assertUnknownField(await call(app, method, url, { token: admin.token, body }), field);
  }

  assert.deepEqual(await everything(), before);
});

// What each kind of answer may hold, as key paths ("items[].price" is a key of every item).
const CUSTOMER = ['created_at', 'customer_name', 'email', 'id', 'phone', 'role_id', 'username'];
const PRODUCT = ['created_at', 'description', 'id', 'price', 'product_name', 'requires_shipping', 'stock', 'updated_at'];
const CART_LINE = ['line_total', 'price', 'product_id', 'product_name', 'quantity'];
const ORDER_LINE = ['line_total', 'product_id', 'product_name', 'quantity', 'tax', 'unit_price'];
const under = (prefix: string, keys: string[]) => keys.map((key) => `${prefix}${key}`);
const CART = ['customer_id', 'items', 'total', ...under('items[].', CART_LINE)];
const EMPTY_CART = ['customer_id', 'items', 'total'];
// A shop without rates: the checkout fields are there, and empty (no address, shipping or tax).
const ORDER = [
  'amount_paid', 'amount_refunded', 'payment_status',
  'billing_address', 'created_at', 'currency', 'customer_id', 'email', 'id', 'items', 'note', 'prices_include_tax', 'shipping',
  'shipping_address', 'shipping_total', 'status', 'subtotal', 'tax', 'tax_total', 'total', 'updated_at', ...under('items[].', ORDER_LINE),
];
const REFUND = ['amount', 'created_at', 'id', 'reason'];
const PAYMENT = [
  'amount', 'amount_captured', 'amount_refunded', 'client_secret', 'created_at', 'currency', 'id', 'order_id', 'provider', 'refunds', 'status',
  'updated_at', ...under('refunds[].', REFUND),
];
const UNREFUNDED_PAYMENT = PAYMENT.filter((key) => !key.startsWith('refunds[].'));
const TRACKING = ['history', 'order_id', 'status', 'tracking_number', ...under('history[].', ['at', 'note', 'status'])];
const LOGIN = ['auth_token', 'message', 'status'];
const MESSAGE = ['message'];
const PROBLEM = ['code', 'detail', 'status', 'title', 'type'];
const VALIDATION_PROBLEM = [...PROBLEM, 'errors', 'errors[].message', 'errors[].path'];
const list = (item: string[]) => under('[].', item);
const page = (item: string[]) => ['items', 'page', 'pages', 'per_page', 'total', ...under('items[].', item)];

/** Every key path in a JSON value, each once, sorted: "[].id" for a list, "items[].price" inside one. */
function keyPaths(value: unknown): string[] {
  const paths = new Set<string>();
  const walk = (node: unknown, at: string) => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, `${at}[]`);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, inner] of Object.entries(node)) {
        const path = at === '' ? key : `${at}.${key}`;
        paths.add(path);
        walk(inner, path);
      }
    }
  };
  walk(value, '');
  return [...paths].sort();
}

test('when every route answers, then each body holds exactly its public fields: no password, hash, token version, cents or deletion column', async (t) => {
  const { app, admin, mallory, mug, pen } = await openAttackShop(t);
  const seen: [string, ApiResponse, string[]][] = [];
  const expect = async (label: string, response: Promise<ApiResponse>, shape: string[]) => {
    const answer = await response;
    seen.push([label, answer, shape]);
    return answer.body;
  };
  const as = (token: string, body?: unknown) => ({ token, ...(body === undefined ? {} : { body }) });

  const fields = customerFields();
  const registered = await expect('register', call(app, 'POST', '/customers/register', { body: fields }), CUSTOMER);
  const token = (await expect('login', call(app, 'POST', '/customers/login', { body: { username: fields.username, password: fields.password } }), LOGIN)).auth_token;
  await expect('me', call(app, 'GET', '/customers/me', as(token)), CUSTOMER);
  await expect('get customer', call(app, 'GET', `/customers/${registered.id}`, as(token)), CUSTOMER);
  await expect('update customer', call(app, 'PUT', `/customers/${registered.id}`, as(token, { phone: '+1 555 0111' })), CUSTOMER);
  await expect('list customers', call(app, 'GET', '/customers', as(admin.token)), list(CUSTOMER));
  const made = await expect('create customer', call(app, 'POST', '/customers', as(admin.token, customerFields({ role_id: 1 }))), CUSTOMER);

  const lamp = await expect('create product', call(app, 'POST', '/products', as(admin.token, { product_name: 'Lamp', price: 5, stock: 4 })), PRODUCT);
  await expect('update product', call(app, 'PUT', `/products/${lamp.id}`, as(admin.token, { description: 'Bright' })), PRODUCT);
  await expect('get product', call(app, 'GET', `/products/${lamp.id}`), PRODUCT);
  await expect('list products', call(app, 'GET', '/products'), list(PRODUCT));
  await expect('page products', call(app, 'GET', '/products/p'), [...page(PRODUCT), 'next']);

  const cartBody = (productId: number, quantity?: number) => ({ customer_id: mallory.id, product_id: productId, ...(quantity ? { quantity } : {}) });
  await expect('add to cart', call(app, 'POST', '/cart/add', as(mallory.token, cartBody(mug.id, 2))), CART);
  await expect('add more', call(app, 'POST', '/cart/add', as(mallory.token, cartBody(pen.id, 3))), CART);
  await expect('remove some', call(app, 'POST', '/cart/remove', as(mallory.token, cartBody(pen.id, 1))), CART);
  await expect('get cart', call(app, 'GET', `/cart/${mallory.id}`, as(mallory.token)), CART);
  const fromCart = await expect('checkout', call(app, 'POST', '/orders/from_cart', as(mallory.token, { customer_id: mallory.id })), ORDER);
  await expect('empty cart', call(app, 'DELETE', `/cart/${mallory.id}`, as(mallory.token)), EMPTY_CART);
  const placed = await expect(
    'place order',
    call(app, 'POST', '/orders', as(mallory.token, { customer_id: mallory.id, items: [{ product_id: lamp.id, quantity: 1 }] })),
    ORDER,
  );
  await expect('get order', call(app, 'GET', `/orders/${placed.id}`, as(mallory.token)), ORDER);
  await expect('page orders', call(app, 'GET', '/orders/p', as(mallory.token)), page(ORDER));
  await expect('cancel order', call(app, 'POST', `/orders/${placed.id}/cancel`, as(mallory.token)), ORDER);
  await expect('pay order', call(app, 'POST', `/orders/${fromCart.id}/status`, as(admin.token, { status: 'paid' })), ORDER);
  await expect('track order', call(app, 'GET', `/orders/track/${fromCart.id}`, as(mallory.token)), TRACKING);
  const manualPayment = (await call(app, 'GET', `/orders/${fromCart.id}/payments`, as(admin.token))).body[0];
  await expect('refund', call(app, 'POST', `/payments/${manualPayment.id}/refunds`, as(admin.token, { amount: 0.1 })), REFUND);
  await expect('list payments', call(app, 'GET', `/orders/${fromCart.id}/payments`, as(mallory.token)), list(PAYMENT));
  const unpaid = await expect('another order', call(app, 'POST', '/orders', as(mallory.token, { customer_id: mallory.id, items: [{ product_id: pen.id, quantity: 1 }] })), ORDER);
  await expect('open payment', call(app, 'POST', `/orders/${unpaid.id}/payments`, as(mallory.token, { provider: 'manual' })), UNREFUNDED_PAYMENT);
  await expect('delete product', call(app, 'DELETE', `/products/${lamp.id}`, as(admin.token)), MESSAGE);
  await expect('delete customer', call(app, 'DELETE', `/customers/${made.id}`, as(admin.token)), MESSAGE);

  await expect('403', call(app, 'GET', '/customers', as(token)), PROBLEM);
  await expect('404', call(app, 'GET', '/orders/424242', as(admin.token)), PROBLEM);
  await expect('409', call(app, 'POST', '/customers/register', { body: { ...customerFields(), username: fields.username } }), PROBLEM);
  await expect('400', call(app, 'PUT', `/customers/${registered.id}`, as(token, { password_hash: 'x' })), VALIDATION_PROBLEM);
  await expect('401', call(app, 'POST', '/customers/login', { body: { username: fields.username, password: 'wrong-password' } }), PROBLEM);

  for (const [label, answer, shape] of seen) {
    assert.ok(answer.status < 500, `${label}: ${answer.status}`);
    assert.deepEqual(keyPaths(answer.body), [...shape].sort(), `${label} (${answer.status}): ${JSON.stringify(answer.body)}`);
    const text = JSON.stringify(answer.body);
    assert.doesNotMatch(text, /\$argon2|\$scrypt|_cents|token_version|deleted_at|stock_taken/, label);
    assert.ok(!text.includes(fields.password), `${label} shows the password`);
  }
  // The token carries who and which version, nothing personal and no hash.
  assert.deepEqual(Object.keys(decodeJwt(token).payload).sort(), ['exp', 'iat', 'role', 'sub', 'ver']);
});

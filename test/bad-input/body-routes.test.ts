import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ADMIN, adminToken, buildTestApp, call, createProduct, registerCustomer } from '../helpers/app.js';
import { assertPrototypeClean, label, sendRaw, wrongTypes } from '../helpers/bad-input.js';
import { shopState } from '../helpers/snapshot.js';
import { assertProblem } from '../helpers/problem.js';

/** One route that takes a JSON body, with a body it would accept, so each case breaks exactly one thing. */
interface BodyRoute {
  method: 'POST' | 'PUT';
  url: string;
  token?: string;
  valid: Record<string, unknown>;
  /** Fields that must be present (missing one: 400). */
  required: string[];
  /** Fields for which null is a valid value. */
  nullable?: string[];
  /** A string one character over each field's limit. */
  tooLong: Record<string, string>;
  /** Fields a client must never set (mass assignment). */
  forbidden: Record<string, unknown>;
  /** Values that have the right JSON type but break a rule of the route. */
  invalid?: [field: string, value: unknown][];
}

interface Case {
  name: string;
  route: BodyRoute;
  status: number;
  /** The problem's code, where one particular code is promised. */
  code?: string;
  payload: string | Buffer | undefined;
  contentType?: string;
  headers?: Record<string, string>;
}

const KIB = 1024;

function json(value: unknown): string {
  return JSON.stringify(value);
}

/** The valid body's JSON with extra raw members in front (for keys JSON.stringify cannot write, like __proto__). */
function withRawMembers(valid: Record<string, unknown>, members: string): string {
  return `{${members},${json(valid).slice(1)}`;
}

function casesFor(route: BodyRoute): Case[] {
  const name = `${route.method} ${route.url}`;
  const cases: Case[] = [];
  const add = (what: string, status: number, payload: string | Buffer | undefined, contentType = 'application/json', code?: string) =>
    cases.push({ name: `when ${name} gets ${what}, then ${status} problem+json`, route, status, payload, contentType, code });

  // The body as a whole.
  add('malformed JSON', 400, '{"product_name": "x", ', 'application/json', 'MALFORMED_JSON');
  add('a truncated copy of a valid body', 400, json(route.valid).slice(0, -1));
  add('JSON with a trailing comma', 400, `${json(route.valid).slice(0, -1)},}`);
  add('a JSON array of a valid body', 400, json([route.valid]));
  add('an empty JSON array', 400, '[]');
  add('JSON null', 400, 'null');
  add('a JSON string', 400, '"just a string"');
  add('a JSON number', 400, '42');
  add('JSON true', 400, 'true');
  add('an empty body with content-type application/json', 400, '');
  add('only white space with content-type application/json', 400, '   ');
  add('a valid body as text/plain', 415, json(route.valid), 'text/plain');
  add('a form (application/x-www-form-urlencoded)', 415, 'username=admin&password=x', 'application/x-www-form-urlencoded');
  add('multipart/form-data', 415, '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--', 'multipart/form-data; boundary=b');
  add('application/xml', 415, '<product><price>1</price></product>', 'application/xml');
  add('a valid body with no content-type', 415, Buffer.from(json(route.valid)), '');
  add('a 200 KiB body', 413, json({ ...route.valid, padding: 'x'.repeat(200 * KIB) }));
  // The media type is refused before the body is read, so this one is a 415.
  add('a 200 KiB body as text/plain', 415, 'x'.repeat(200 * KIB), 'text/plain');
  add('a valid body in UTF-16', 400, Buffer.from(json(route.valid), 'utf16le'));

  // Each field on its own.
  for (const field of route.required) {
    const { [field]: _, ...rest } = route.valid;
    add(`no ${field}`, 400, json(rest));
  }
  for (const [field, value] of Object.entries(route.valid)) {
    for (const wrong of wrongTypes(value, { nullable: route.nullable?.includes(field) })) {
      add(`${field} = ${label(wrong)}`, 400, json({ ...route.valid, [field]: wrong }));
    }
  }
  for (const [field, text] of Object.entries(route.tooLong)) {
    add(`a ${text.length}-character ${field}`, 400, json({ ...route.valid, [field]: text }));
  }
  for (const [field, value] of route.invalid ?? []) {
    add(`${field} = ${label(value)}`, 400, json({ ...route.valid, [field]: value }));
  }

  // Fields the client does not own.
  add('an unknown field', 400, json({ ...route.valid, surprise: 1 }));
  for (const [field, value] of Object.entries(route.forbidden)) {
    add(`the forbidden field ${field}`, 400, json({ ...route.valid, [field]: value }));
  }

  // Prototype pollution: keys that would reach Object.prototype if the body were merged naively.
  const poison = (what: string, members: string) => add(what, 400, withRawMembers(route.valid, members));
  poison('a __proto__ key', '"__proto__":{"polluted":true,"role_id":1,"isAdmin":true}');
  poison('a nested __proto__ key', '"nested":{"__proto__":{"polluted":true}}');
  poison('a constructor.prototype key', '"constructor":{"prototype":{"polluted":true}}');
  add('a plain constructor key', 400, withRawMembers(route.valid, '"constructor":{"name":"Object"}'));
  add('a prototype key', 400, withRawMembers(route.valid, '"prototype":{"polluted":true}'));
  return cases;
}

/** The state behind every route in the sweep: customers, products, one customer's cart and every order. */
async function everything(app: FastifyInstance, admin: string, customerId: number) {
  const orders = await call(app, 'GET', '/orders/p?per_page=100', { token: admin });
  const cart = await call(app, 'GET', `/cart/${customerId}`, { token: admin });
  assert.equal(orders.status, 200);
  assert.equal(cart.status, 200);
  return { ...(await shopState(app, admin)), orders: orders.body, cart: cart.body };
}

test('when every route that takes a body gets bad input, then each answer is a 4xx problem+json and nothing changes', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { customer, token: customerToken } = await registerCustomer(app);
  const product = await createProduct(app, admin, { product_name: 'Sweep mug', price: 7.5, stock: 50 });
  const cartLine = await call(app, 'POST', '/cart/add', {
    token: customerToken,
    body: { customer_id: customer.id, product_id: product.id, quantity: 2 },
  });
  assert.equal(cartLine.status, 200);
  const order = await call(app, 'POST', '/orders', {
    token: customerToken,
    body: { customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] },
  });
  assert.equal(order.status, 201);

  const newCustomer = {
    customer_name: 'Sweep Person',
    email: 'sweep.person@example.com',
    phone: '+1 555 0199',
    username: 'sweep.person',
    password: 'sweep-password',
  };
  const customerInvalid: [string, unknown][] = [
    ['customer_name', ''],
    ['customer_name', '   '],
    ['email', 'not-an-email'],
    ['email', ''],
    ['username', 'ab'],
    ['username', 'has space'],
    ['username', 'semi;colon'],
    ['username', ''],
    ['password', 'seven77'],
    ['password', ''],
    ['phone', ''],
  ];
  const customerTooLong = {
    customer_name: 'c'.repeat(201),
    email: `${'e'.repeat(64)}@${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(63)}.com`,
    phone: '1'.repeat(31),
    username: 'u'.repeat(51),
    password: 'p'.repeat(129),
  };
  const customerForbidden = { id: 999, password_hash: 'x', token_version: 0, created_at: '2020-01-01T00:00:00.000Z', deleted_at: null };
  const productBody = { product_name: 'Swept', price: 3.25, description: 'Sweep', stock: 4 };
  const productInvalid: [string, unknown][] = [
    ['product_name', ''],
    ['product_name', '   '],
    ['price', 19.999],
    ['price', -1],
    ['price', 100000000],
    ['price', 1e-7],
    ['stock', -1],
    ['stock', 1.5],
    ['stock', 1_000_000_001],
  ];
  const productForbidden = { id: 999, price_cents: 1, deleted_at: null, created_at: '2020-01-01T00:00:00.000Z', updated_at: '2020-01-01T00:00:00.000Z' };

  const routes: BodyRoute[] = [
    {
      method: 'POST',
      url: '/customers/login',
      valid: { username: ADMIN.username, password: ADMIN.password },
      required: ['username', 'password'],
      tooLong: { username: 'u'.repeat(201), password: 'p'.repeat(129) },
      forbidden: { role_id: 1 },
      invalid: [
        ['username', ''],
        ['password', ''],
      ],
    },
    {
      method: 'POST',
      url: '/customers/register',
      valid: newCustomer,
      required: ['customer_name', 'email', 'username', 'password'],
      nullable: ['phone'],
      tooLong: customerTooLong,
      forbidden: { ...customerForbidden, role_id: 1 },
      invalid: customerInvalid,
    },
    {
      method: 'POST',
      url: '/customers',
      token: admin,
      valid: { ...newCustomer, role_id: 2 },
      required: ['customer_name', 'email', 'username', 'password'],
      nullable: ['phone'],
      tooLong: customerTooLong,
      forbidden: customerForbidden,
      invalid: [...customerInvalid, ['role_id', 0], ['role_id', 3], ['role_id', 1.5]],
    },
    {
      method: 'PUT',
      url: `/customers/${customer.id}`,
      token: admin,
      valid: { ...newCustomer, role_id: 2 },
      required: [],
      nullable: ['phone'],
      tooLong: customerTooLong,
      forbidden: customerForbidden,
      invalid: [...customerInvalid, ['role_id', 0], ['role_id', 3]],
    },
    {
      method: 'POST',
      url: '/products',
      token: admin,
      valid: productBody,
      required: ['product_name', 'price'],
      nullable: ['description', 'stock'],
      tooLong: { product_name: 'n'.repeat(201), description: 'd'.repeat(5001) },
      forbidden: productForbidden,
      invalid: productInvalid,
    },
    {
      method: 'PUT',
      url: `/products/${product.id}`,
      token: admin,
      valid: productBody,
      required: [],
      nullable: ['description', 'stock'],
      tooLong: { product_name: 'n'.repeat(201), description: 'd'.repeat(5001) },
      forbidden: productForbidden,
      invalid: productInvalid,
    },
    // The cart and order routes take bodies too, and get the same sweep.
    {
      method: 'POST',
      url: '/cart/add',
      token: admin,
      valid: { customer_id: customer.id, product_id: product.id, quantity: 1 },
      required: ['customer_id', 'product_id', 'quantity'],
      tooLong: {},
      forbidden: { price: 0.01 },
      invalid: [
        ['quantity', 0],
        ['quantity', 1001],
        ['quantity', -1],
        ['quantity', 1.5],
        ['customer_id', 0],
        ['product_id', -5],
        ['product_id', 99999999999],
      ],
    },
    {
      method: 'POST',
      url: '/cart/remove',
      token: admin,
      valid: { customer_id: customer.id, product_id: product.id, quantity: 1 },
      required: ['customer_id', 'product_id'],
      tooLong: {},
      forbidden: { all: true },
      invalid: [
        ['quantity', 0],
        ['quantity', 1001],
        ['customer_id', 1.5],
      ],
    },
    {
      method: 'POST',
      url: '/orders',
      token: admin,
      valid: { customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] },
      required: ['customer_id', 'items'],
      tooLong: {},
      forbidden: { status: 'paid', total: 0 },
      invalid: [
        ['items', []],
        ['items', Array.from({ length: 101 }, () => ({ product_id: product.id, quantity: 1 }))],
        ['items', [{ product_id: product.id }]],
        ['items', [{ product_id: product.id, quantity: 0 }]],
        ['items', [{ product_id: product.id, quantity: '1' }]],
        ['items', [{ product_id: product.id, quantity: 1, unit_price: 0.01 }]],
        ['items', [null]],
        ['items', [[product.id, 1]]],
      ],
    },
    {
      method: 'POST',
      url: '/orders/from_cart',
      token: admin,
      valid: { customer_id: customer.id },
      required: ['customer_id'],
      tooLong: {},
      forbidden: { items: [] },
      invalid: [['customer_id', 0]],
    },
    {
      method: 'POST',
      url: `/orders/${order.body.id}/status`,
      token: admin,
      valid: { status: 'paid', note: 'Paid by card' },
      required: ['status'],
      tooLong: { note: 'n'.repeat(501) },
      forbidden: { customer_id: customer.id },
      invalid: [
        ['status', 'teleported'],
        ['status', 'PAID'],
        ['status', ''],
        ['note', ''],
        ['tracking_number', ''],
        ['tracking_number', 't'.repeat(101)],
      ],
    },
  ];

  const cases = routes.flatMap(casesFor);
  // A too-long Idempotency-Key is bad input as well, though it comes in a header.
  for (const url of ['/orders', '/orders/from_cart']) {
    const route = routes.find((r) => r.url === url)!;
    cases.push({
      name: `when POST ${url} gets a 256-character Idempotency-Key, then 400 problem+json`,
      route,
      status: 400,
      payload: json(route.valid),
      contentType: 'application/json',
      headers: { 'idempotency-key': 'k'.repeat(256) },
    });
  }

  const before = await everything(app, admin, customer.id);
  for (const c of cases) {
    await t.test(c.name, async () => {
      const response = await sendRaw(app, c.route.method, c.route.url, {
        token: c.route.token,
        payload: c.payload,
        contentType: c.contentType,
        headers: c.headers,
      });
      assertProblem(response, c.status, { sent: String(c.payload ?? '') });
      if (c.code) assert.equal((response.body as { code?: string }).code, c.code);
      assertPrototypeClean();
    });
  }
  const after = await everything(app, admin, customer.id);

  assert.deepEqual(after, before);
  assertPrototypeClean();
  // The sweep's valid bodies really are valid, so each case failed for the one thing it broke.
  const control = await call(app, 'POST', '/customers/login', { body: routes[0]!.valid });
  assert.equal(control.status, 200);
  const created = await call(app, 'POST', '/products', { token: admin, body: productBody });
  assert.equal(created.status, 201);
});

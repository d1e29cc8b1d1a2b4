import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminToken, buildTestApp, call, registerCustomer } from '../helpers/app.js';
import { assertProblem } from '../helpers/problem.js';

const PRODUCT_KEYS = ['created_at', 'description', 'id', 'price', 'product_name', 'requires_shipping', 'stock', 'updated_at'];
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function allProducts(app: Parameters<typeof call>[0]) {
  const response = await call(app, 'GET', '/products');
  assert.equal(response.status, 200);
  return response.body as Record<string, unknown>[];
}

test('when an admin creates a product with every field, then 201 with exactly the product fields, and it reads back the same', async (t) => {
  const app = await buildTestApp(t);
  const token = await adminToken(app);
  const before = Date.now();

  const response = await call(app, 'POST', '/products', {
    token,
    body: { product_name: 'Espresso cup', price: 19.99, description: 'Porcelain, 80 ml', stock: 12 },
  });

  assert.equal(response.status, 201);
  assert.match(String(response.headers['content-type']), /^application\/json/);
  assert.deepEqual(Object.keys(response.body).sort(), PRODUCT_KEYS);
  const product = response.body;
  assert.ok(Number.isInteger(product.id) && product.id > 0);
  assert.equal(product.product_name, 'Espresso cup');
  assert.equal(product.price, 19.99);
  assert.equal(product.description, 'Porcelain, 80 ml');
  assert.equal(product.stock, 12);
  assert.match(product.created_at, ISO_UTC);
  assert.equal(product.updated_at, product.created_at);
  assert.ok(Date.parse(product.created_at) >= before - 1000 && Date.parse(product.created_at) <= Date.now() + 1000);

  assert.deepEqual((await call(app, 'GET', `/products/${product.id}`)).body, product);
  assert.deepEqual(await allProducts(app), [product]);
});

test('when a product is created without description and stock, then both are null and the product is not stock-tracked', async (t) => {
  const app = await buildTestApp(t);
  const token = await adminToken(app);

  const response = await call(app, 'POST', '/products', { token, body: { product_name: 'Gift card', price: 25 } });

  assert.equal(response.status, 201);
  assert.deepEqual(Object.keys(response.body).sort(), PRODUCT_KEYS);
  assert.equal(response.body.description, null);
  assert.equal(response.body.stock, null);
  const stored = await call(app, 'GET', `/products/${response.body.id}`);
  assert.equal(stored.body.description, null);
  assert.equal(stored.body.stock, null);
});

test('when stock is 0 or description and stock are sent as null, then they are stored as sent', async (t) => {
  const app = await buildTestApp(t);
  const token = await adminToken(app);

  const soldOut = await call(app, 'POST', '/products', { token, body: { product_name: 'Sold out', price: 1, stock: 0 } });
  const explicitNulls = await call(app, 'POST', '/products', {
    token,
    body: { product_name: 'Untracked', price: 1, description: null, stock: null },
  });

  assert.equal(soldOut.status, 201);
  assert.equal(soldOut.body.stock, 0, 'stock 0 is tracked and sold out, not untracked');
  assert.equal(explicitNulls.status, 201);
  assert.equal(explicitNulls.body.stock, null);
  assert.equal(explicitNulls.body.description, null);
  const stored = await allProducts(app);
  assert.deepEqual(
    stored.map((p) => p.stock),
    [0, null],
  );
});

test('when prices with up to two decimals are sent, then each comes back exactly, on create, read and list', async (t) => {
  const app = await buildTestApp(t);
  const token = await adminToken(app);
  const prices = [19.99, 0.1, 0.01, 0, 99999999.99, 1, 1234.5, 0.3, 0.07, 1.15];

  const created: { id: number; price: number }[] = [];
  for (const price of prices) {
    const response = await call(app, 'POST', '/products', { token, body: { product_name: `Priced ${price}`, price } });
    assert.equal(response.status, 201, `price ${price}: ${JSON.stringify(response.body)}`);
    assert.equal(response.body.price, price, `price ${price} came back as ${response.body.price}`);
    created.push(response.body);
  }

  for (const { id, price } of created) {
    assert.equal((await call(app, 'GET', `/products/${id}`)).body.price, price);
  }
  assert.deepEqual(
    (await allProducts(app)).map((p) => p.price),
    prices,
  );
  // The JSON text carries the short decimal form: 0.10 is "0.1", never "0.1000000000000000055".
  const raw = await app.inject({ method: 'GET', url: `/products/${created[1]?.id}` });
  assert.match(raw.body, /"price":0\.1[,}]/);
});

test('when a price has more than two decimals, is negative, too large or not a number, then 400 and nothing is created', async (t) => {
  const app = await buildTestApp(t);
  const token = await adminToken(app);
  const badPrices: unknown[] = [19.999, -1, -0.01, 100000000, 99999999.991, '19.99', 1e-7, 0.001, null, true, [19.99], { amount: 19.99 }];

  for (const price of badPrices) {
    const response = await call(app, 'POST', '/products', { token, body: { product_name: 'Bad price', price } });
    assertProblem(response, 400, { what: `price ${JSON.stringify(price)}: ${response.status} ${JSON.stringify(response.body)}` });
    assert.equal(response.body.code, 'VALIDATION_FAILED');
    assert.ok(response.body.errors.some((e: { path: string }) => e.path === '/body/price'), `price ${JSON.stringify(price)}: the error names /body/price: ${JSON.stringify(response.body.errors)}`);
  }

  assert.deepEqual(await allProducts(app), []);
});

test('when a required field is missing or the name is empty, blank or too long, then 400 and nothing is created', async (t) => {
  const app = await buildTestApp(t);
  const token = await adminToken(app);
  const bodies: [string, Record<string, unknown>][] = [
    ['no name', { price: 1 }],
    ['no price', { product_name: 'No price' }],
    ['an empty name', { product_name: '', price: 1 }],
    ['a blank name', { product_name: '   ', price: 1 }],
    ['a 201-character name', { product_name: 'n'.repeat(201), price: 1 }],
    ['a 5001-character description', { product_name: 'Long', price: 1, description: 'd'.repeat(5001) }],
    ['negative stock', { product_name: 'Stock', price: 1, stock: -1 }],
    ['fractional stock', { product_name: 'Stock', price: 1, stock: 1.5 }],
    ['stock as a string', { product_name: 'Stock', price: 1, stock: '5' }],
    ['stock over a billion', { product_name: 'Stock', price: 1, stock: 1_000_000_001 }],
    ['an id', { product_name: 'Mass assignment', price: 1, id: 999 }],
    ['a deleted_at', { product_name: 'Mass assignment', price: 1, deleted_at: null }],
    ['price_cents', { product_name: 'Mass assignment', price: 1, price_cents: 1 }],
  ];

  for (const [what, body] of bodies) {
    const response = await call(app, 'POST', '/products', { token, body });
    assertProblem(response, 400, { what: `${what}: ${response.status} ${JSON.stringify(response.body)}` });
  }

  assert.deepEqual(await allProducts(app), []);
});

test('when the name is 200 characters with quotes, SQL and emoji, then it is stored exactly as sent', async (t) => {
  const app = await buildTestApp(t);
  const token = await adminToken(app);
  const names = ['n'.repeat(200), "Robert'); DROP TABLE products;--", 'Café ☕ 日本 "quoted" \\ back', '  padded  '];

  for (const product_name of names) {
    const response = await call(app, 'POST', '/products', { token, body: { product_name, price: 2, description: '' } });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    assert.equal(response.body.product_name, product_name);
    assert.equal(response.body.description, '');
  }

  assert.deepEqual(
    (await allProducts(app)).map((p) => p.product_name),
    names,
  );
});

test('when stock is null, then the product never runs out; when it is 0, then it cannot be ordered', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { customer, token } = await registerCustomer(app);
  const untracked = await call(app, 'POST', '/products', { token: admin, body: { product_name: 'E-book', price: 5 } });
  const soldOut = await call(app, 'POST', '/products', { token: admin, body: { product_name: 'Poster', price: 5, stock: 0 } });

  const big = await call(app, 'POST', '/orders', {
    token,
    body: { customer_id: customer.id, items: [{ product_id: untracked.body.id, quantity: 1000 }] },
  });
  const none = await call(app, 'POST', '/orders', {
    token,
    body: { customer_id: customer.id, items: [{ product_id: soldOut.body.id, quantity: 1 }] },
  });

  assert.equal(big.status, 201, JSON.stringify(big.body));
  assertProblem(none, 409, { what: `${none.status} ${JSON.stringify(none.body)}` });
  assert.equal((await call(app, 'GET', `/products/${untracked.body.id}`)).body.stock, null);
  assert.equal((await call(app, 'GET', `/products/${soldOut.body.id}`)).body.stock, 0);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { adminToken, buildTestApp, buildUpgradedApp, call, createProduct } from '../helpers/app.js';
import { onPostgres } from '../helpers/database.js';
import { assertProblem } from '../helpers/problem.js';

/** requires_shipping of one product as every read of the catalogue answers it. */
async function everyAnswerOf(app: Parameters<typeof call>[0], id: number) {
  const one = await call(app, 'GET', `/products/${id}`);
  const list = await call(app, 'GET', '/products?sort=-price');
  const page = await call(app, 'GET', '/products/p?per_page=100&sort=product_name');
  assert.equal(one.status, 200);
  assert.equal(list.status, 200);
  assert.equal(page.status, 200);
  const find = (products: { id: number; requires_shipping: boolean }[]) => products.find((product) => product.id === id)?.requires_shipping;
  return { one: one.body.requires_shipping, list: find(list.body), page: find(page.body.items) };
}

test('when a product is created without requires_shipping, then it requires shipping, in the answer and in every read', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);

  const created = await call(app, 'POST', '/products', { token: admin, body: { product_name: 'Mug', price: 12.5 } });

  assert.equal(created.status, 201);
  assert.equal(created.body.requires_shipping, true);
  assert.deepEqual(await everyAnswerOf(app, created.body.id), { one: true, list: true, page: true });
});

test('when a product is created with requires_shipping false, then every read says false, and a change of other fields keeps it', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);

  const created = await call(app, 'POST', '/products', { token: admin, body: { product_name: 'E-book', price: 9, requires_shipping: false } });
  const renamed = await call(app, 'PUT', `/products/${created.body.id}`, { token: admin, body: { product_name: 'E-book, 2nd edition', price: 11 } });

  assert.equal(created.status, 201);
  assert.equal(created.body.requires_shipping, false);
  assert.equal(renamed.status, 200);
  assert.equal(renamed.body.requires_shipping, false);
  assert.deepEqual(await everyAnswerOf(app, created.body.id), { one: false, list: false, page: false });
});

test('when requires_shipping is changed, then the answer and every read show the change, both ways', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const product = await createProduct(app, admin, { product_name: 'Gift card' });

  const off = await call(app, 'PUT', `/products/${product.id}`, { token: admin, body: { requires_shipping: false } });
  assert.equal(off.status, 200);
  assert.deepEqual(off.body, { ...product, requires_shipping: false, updated_at: off.body.updated_at });
  assert.deepEqual(await everyAnswerOf(app, product.id), { one: false, list: false, page: false });

  const on = await call(app, 'PUT', `/products/${product.id}`, { token: admin, body: { requires_shipping: true } });
  assert.equal(on.status, 200);
  assert.equal(on.body.requires_shipping, true);
  assert.deepEqual(await everyAnswerOf(app, product.id), { one: true, list: true, page: true });
});

test('when requires_shipping is not a boolean, then 400 naming it, on create and update, and nothing changes', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const product = await createProduct(app, admin, { requires_shipping: false });
  const before = (await call(app, 'GET', '/products')).body;

  for (const value of ['true', 'false', 1, 0, null, [], {}]) {
    const what = `requires_shipping = ${JSON.stringify(value)}`;
    const created = await call(app, 'POST', '/products', { token: admin, body: { product_name: 'Bad', price: 1, requires_shipping: value } });
    assertProblem(created, 400, { code: 'VALIDATION_FAILED', what: `POST ${what}` });
    assert.ok(created.body.errors.some((e: { path: string }) => e.path === '/body/requires_shipping'), `POST ${what}: ${JSON.stringify(created.body)}`);
    const changed = await call(app, 'PUT', `/products/${product.id}`, { token: admin, body: { requires_shipping: value } });
    assertProblem(changed, 400, { code: 'VALIDATION_FAILED', what: `PUT ${what}` });
  }

  assert.deepEqual((await call(app, 'GET', '/products')).body, before);
});

test('when the catalogue is paged deep, by number past a checkpoint and after a cursor, then every product carries requires_shipping', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  for (let i = 1; i <= 215; i += 1) await createProduct(app, admin, { product_name: `Item ${i}`, price: i, requires_shipping: i % 2 === 0 });

  const deep = await call(app, 'GET', '/products/p?page=22&per_page=10&sort=price');
  const first = await call(app, 'GET', '/products/p?page=21&per_page=10&sort=price');
  const after = await call(app, 'GET', `/products/p?per_page=10&sort=price&after=${first.body.next}`);

  assert.equal(deep.status, 200);
  assert.deepEqual(
    deep.body.items.map((p: { price: number; requires_shipping: boolean }) => [p.price, p.requires_shipping]),
    [211, 212, 213, 214, 215].map((price) => [price, price % 2 === 0]),
  );
  assert.equal(deep.body.next, null);
  assert.equal(after.status, 200);
  assert.deepEqual(after.body.items, deep.body.items);
});

test(`when the migration meets products made before it on ${onPostgres ? 'PostgreSQL' : 'SQLite'}, then each of them requires shipping`, async (t) => {
  const app = await buildUpgradedApp(t, '0007_customer_addresses', async (db) => {
    const now = new Date().toISOString();
    await sql`insert into products (product_name, price_cents, created_at, updated_at) values ('Old mug', 1250, ${now}, ${now})`.execute(db);
  });

  const products = await call(app, 'GET', '/products');
  assert.equal(products.status, 200);
  assert.deepEqual(
    products.body.map((p: { product_name: string; requires_shipping: boolean }) => [p.product_name, p.requires_shipping]),
    [['Old mug', true]],
  );
});

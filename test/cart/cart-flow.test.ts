import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminToken, buildTestApp, call, createProduct, isProblem, registerCustomer } from '../helpers/app.js';

async function shop(t: import('node:test').TestContext) {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const mug = await createProduct(app, admin, { product_name: 'Mug', price: 19.99, stock: 5 });
  const pen = await createProduct(app, admin, { product_name: 'Pen', price: 0.1 });
  const ann = await registerCustomer(app);
  const cart = (token = ann.token, id = ann.customer.id) => call(app, 'GET', `/cart/${id}`, { token });
  const add = (product_id: number, quantity: number, token = ann.token, customer_id = ann.customer.id) =>
    call(app, 'POST', '/cart/add', { token, body: { customer_id, product_id, quantity } });
  return { app, admin, mug, pen, ann, cart, add };
}

test('when products are added, then quantities add up and totals are exact', async (t) => {
  const { mug, pen, ann, cart, add } = await shop(t);
  assert.deepEqual((await cart()).body, { customer_id: ann.customer.id, items: [], total: 0 });
  assert.equal((await add(mug.id, 2)).status, 200);
  const after = await add(mug.id, 1);
  assert.deepEqual(after.body.items, [{ product_id: mug.id, product_name: 'Mug', price: 19.99, quantity: 3, line_total: 59.97 }]);
  await add(pen.id, 10);
  const full = await cart();
  assert.equal(full.body.items[1].line_total, 1);
  assert.equal(full.body.total, 60.97);
});

test('when a product is unknown, deleted, short of stock, or the line passes 1,000, then the cart is unchanged', async (t) => {
  const { app, admin, mug, pen, cart, add } = await shop(t);
  await add(mug.id, 4);
  const before = (await cart()).body;
  assert.ok(isProblem(await add(999, 1), 404));
  const short = await add(mug.id, 2);
  assert.ok(isProblem(short, 409));
  assert.equal(short.body.code, 'INSUFFICIENT_STOCK');
  assert.match(short.body.detail, /Mug/);
  await add(pen.id, 1000);
  const limit = await add(pen.id, 1);
  assert.ok(isProblem(limit, 409));
  assert.equal(limit.body.code, 'LINE_LIMIT');
  const gone = await createProduct(app, admin);
  await call(app, 'DELETE', `/products/${gone.id}`, { token: admin });
  assert.ok(isProblem(await add(gone.id, 1), 404));
  for (const quantity of [0, 1001, 1.5, '2', -1]) assert.ok(isProblem(await add(pen.id, quantity as number), 400), String(quantity));
  assert.deepEqual((await cart()).body.items, [...before.items, { product_id: pen.id, product_name: 'Pen', price: 0.1, quantity: 1000, line_total: 100 }]);
});

test('when products are removed, then a quantity comes off, no quantity takes the line, and a missing line is 404', async (t) => {
  const { mug, pen, ann, cart, add, app } = await shop(t);
  await add(mug.id, 3);
  await add(pen.id, 2);
  const remove = (body: object) => call(app, 'POST', '/cart/remove', { token: ann.token, body: { customer_id: ann.customer.id, ...body } });
  assert.equal((await remove({ product_id: mug.id, quantity: 2 })).body.items[0].quantity, 1);
  assert.deepEqual((await remove({ product_id: pen.id })).body.items.map((i: any) => i.product_id), [mug.id]);
  assert.deepEqual((await remove({ product_id: mug.id, quantity: 5 })).body.items, []);
  assert.ok(isProblem(await remove({ product_id: mug.id }), 404));
  await add(pen.id, 1);
  const cleared = await call(app, 'DELETE', `/cart/${ann.customer.id}`, { token: ann.token });
  assert.deepEqual(cleared.body, { customer_id: ann.customer.id, items: [], total: 0 });
  assert.deepEqual((await cart()).body.items, []);
});

test('when a customer names another customer on any cart route, then 403 and that cart is unchanged; an admin may', async (t) => {
  const { app, admin, mug, ann, cart, add } = await shop(t);
  const eve = await registerCustomer(app);
  await add(mug.id, 1);
  const before = (await cart()).body;
  const id = ann.customer.id;
  for (const response of [
    await call(app, 'GET', `/cart/${id}`, { token: eve.token }),
    await call(app, 'DELETE', `/cart/${id}`, { token: eve.token }),
    await add(mug.id, 1, eve.token, id),
    await call(app, 'POST', '/cart/remove', { token: eve.token, body: { customer_id: id, product_id: mug.id } }),
  ]) {
    assert.ok(isProblem(response, 403));
  }
  assert.deepEqual((await cart()).body, before);
  assert.ok(isProblem(await call(app, 'GET', `/cart/${id}`), 401));
  assert.equal((await add(mug.id, 1, admin, id)).body.items[0].quantity, 2);
  assert.deepEqual((await cart(admin)).body.items[0].quantity, 2);
  assert.ok(isProblem(await call(app, 'GET', '/cart/424242', { token: admin }), 404));
  assert.ok(isProblem(await add(mug.id, 1, admin, 424242), 404));
});

test('when a product is deleted, then it leaves every cart; when a customer is deleted, then its cart is emptied', async (t) => {
  const { app, admin, mug, pen, ann, add } = await shop(t);
  const bob = await registerCustomer(app);
  await add(mug.id, 1);
  await add(pen.id, 1);
  await add(mug.id, 2, bob.token, bob.customer.id);
  await call(app, 'DELETE', `/products/${mug.id}`, { token: admin });
  const lines = () => app.db.selectFrom('cart_items').select(['customer_id', 'product_id']).orderBy('customer_id').execute();
  assert.deepEqual(await lines(), [{ customer_id: ann.customer.id, product_id: pen.id }]);
  assert.deepEqual((await call(app, 'GET', `/cart/${bob.customer.id}`, { token: bob.token })).body.items, []);
  await call(app, 'DELETE', `/customers/${ann.customer.id}`, { token: admin });
  assert.deepEqual(await lines(), []);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call } from '../helpers/app.js';
import { line, openShop } from './shop.js';
import { assertProblem } from '../helpers/problem.js';

// Whose cart a caller may touch, and what deleting a product or a customer does to carts.

/** Ann's and Bob's carts, each with lines, and a check that neither has moved. */
async function twoCarts(t: import('node:test').TestContext) {
  const shop = await openShop(t);
  const bob = await shop.newCustomer();
  await shop.fill(shop.ann, [[shop.mug, 2], [shop.pen, 1]]);
  await shop.fill(bob, [[shop.pen, 3]]);
  const annsCart = await shop.cartOf(shop.ann.id);
  const bobsCart = await shop.cartOf(bob.id);
  const assertUnchanged = async (what: string) => {
    assert.deepEqual(await shop.cartOf(shop.ann.id), annsCart, `Ann's cart after ${what}`);
    assert.deepEqual(await shop.cartOf(bob.id), bobsCart, `Bob's cart after ${what}`);
  };
  return { ...shop, bob, assertUnchanged };
}

test("when a customer names another customer on any of the four cart routes, by path or by body, then 403 and both carts are unchanged", async (t) => {
  const { ann, bob, mug, pen, add, remove, getCart, clearCart, assertUnchanged } = await twoCarts(t);

  const read = await getCart(bob, ann.id);
  assertProblem(read, 403, { code: 'FORBIDDEN' });
  assert.doesNotMatch(JSON.stringify(read.body), /Mug|19\.99/, 'nothing of the cart is shown');
  await assertUnchanged('reading');

  assertProblem(await clearCart(bob, ann.id), 403, { code: 'FORBIDDEN' });
  await assertUnchanged('emptying');

  assertProblem(await add(bob, mug.id, 1, ann.id), 403, { code: 'FORBIDDEN' });
  await assertUnchanged('adding');

  assertProblem(await remove(bob, mug.id, undefined, ann.id), 403, { code: 'FORBIDDEN' });
  assertProblem(await remove(bob, pen.id, 1, ann.id), 403, { code: 'FORBIDDEN' });
  await assertUnchanged('removing');
});

test('when a customer names a customer id that does not exist, then 403 on every cart route, the same as for a real one', async (t) => {
  const { bob, mug, add, remove, getCart, clearCart, cartRows, assertUnchanged } = await twoCarts(t);
  const nobody = 424242;

  for (const response of [
    await getCart(bob, nobody),
    await clearCart(bob, nobody),
    await add(bob, mug.id, 1, nobody),
    await remove(bob, mug.id, undefined, nobody),
  ]) {
    assertProblem(response, 403, { code: 'FORBIDDEN' });
  }

  await assertUnchanged('naming nobody');
  assert.deepEqual((await cartRows()).filter((row) => row.customer_id === nobody), []);
});

test("when an admin adds to, removes from, reads and empties a customer's cart, then each acts on that customer's cart only", async (t) => {
  const { admin, ann, bob, mug, pen, add, remove, getCart, clearCart, cartOf } = await twoCarts(t);
  const bobsCart = await cartOf(bob.id);

  const added = await add(admin, mug.id, 1, ann.id);
  assert.equal(added.status, 200);
  assert.deepEqual(added.body, { customer_id: ann.id, items: [line(mug, 3, 59.97), line(pen, 1, 0.1)], total: 60.07 });

  const removed = await remove(admin, pen.id, undefined, ann.id);
  assert.equal(removed.status, 200);
  assert.deepEqual(removed.body.items, [line(mug, 3, 59.97)]);

  const read = await getCart(admin, ann.id);
  assert.equal(read.status, 200);
  assert.deepEqual(read.body, { customer_id: ann.id, items: [line(mug, 3, 59.97)], total: 59.97 });

  const cleared = await clearCart(admin, ann.id);
  assert.equal(cleared.status, 200);
  assert.deepEqual(cleared.body, { customer_id: ann.id, items: [], total: 0 });

  assert.deepEqual((await cartOf(ann.id)).items, []);
  assert.deepEqual(await cartOf(bob.id), bobsCart, "the admin's calls touched only Ann's cart");
  assert.deepEqual((await cartOf(admin.id)).items, [], 'nor its own');
});

test('when an admin names an unknown or a deleted customer on any cart route, then 404 and no line is written for it', async (t) => {
  const { app, admin, mug, newCustomer, add, remove, getCart, clearCart, cartRows, assertUnchanged } = await twoCarts(t);
  const leaver = await newCustomer();
  assert.equal((await call(app, 'DELETE', `/customers/${leaver.id}`, { token: admin.token })).status, 200);

  for (const customerId of [424242, leaver.id]) {
    for (const response of [
      await getCart(admin, customerId),
      await clearCart(admin, customerId),
      await add(admin, mug.id, 1, customerId),
      await remove(admin, mug.id, undefined, customerId),
    ]) {
      assertProblem(response, 404, { code: 'NOT_FOUND' });
    }
    assert.deepEqual((await cartRows()).filter((row) => row.customer_id === customerId), []);
  }
  await assertUnchanged('naming unknown customers');
});

test('when no token or a broken token is sent, then every cart route answers 401 and the cart is unchanged', async (t) => {
  const { app, ann, mug, assertUnchanged } = await twoCarts(t);
  const requests = [
    { method: 'GET', url: `/cart/${ann.id}` },
    { method: 'DELETE', url: `/cart/${ann.id}` },
    { method: 'POST', url: '/cart/add', body: { customer_id: ann.id, product_id: mug.id, quantity: 1 } },
    { method: 'POST', url: '/cart/remove', body: { customer_id: ann.id, product_id: mug.id } },
  ] as const;

  for (const request of requests) {
    const options = 'body' in request ? { body: request.body } : {};
    assertProblem(await call(app, request.method, request.url, options), 401, { code: 'UNAUTHORIZED' });
    assertProblem(await call(app, request.method, request.url, { ...options, token: `${ann.token}x` }), 401, { code: 'UNAUTHORIZED' });
  }

  await assertUnchanged('calls without a valid token');
});

// Deleting products and customers.

test('when a product is deleted, then it leaves every cart that held it, the other lines stay, and removing it is 404', async (t) => {
  const { ann, mug, pen, fill, remove, cartOf, deleteProduct, newCustomer } = await openShop(t);
  const bob = await newCustomer();
  await fill(ann, [[mug, 2], [pen, 1]]);
  await fill(bob, [[mug, 5]]);

  await deleteProduct(mug.id);

  assert.deepEqual(await cartOf(ann.id), { customer_id: ann.id, items: [line(pen, 1, 0.1)], total: 0.1 });
  assert.deepEqual(await cartOf(bob.id), { customer_id: bob.id, items: [], total: 0 });
  assertProblem(await remove(ann, mug.id), 404, { code: 'NOT_FOUND' });
  assert.deepEqual((await cartOf(ann.id)).items, [line(pen, 1, 0.1)]);
});

test('when a customer is deleted, by itself or by an admin, then its cart is emptied, other carts stay, and its old token no longer reaches it', async (t) => {
  const { app, admin, ann, mug, pen, newCustomer, fill, getCart, cartOf, cartRows } = await openShop(t);
  const bob = await newCustomer();
  const carl = await newCustomer();
  await fill(ann, [[mug, 2], [pen, 1]]);
  await fill(carl, [[mug, 3]]);
  await fill(bob, [[mug, 1]]);

  assert.equal((await call(app, 'DELETE', `/customers/${ann.id}`, { token: ann.token })).status, 200);
  assert.equal((await call(app, 'DELETE', `/customers/${carl.id}`, { token: admin.token })).status, 200);

  // Ann and Carl no longer exist for the API, so their cart lines are read from the table.
  assert.deepEqual(await cartRows(), [{ customer_id: bob.id, product_id: mug.id, quantity: 1 }]);
  assert.deepEqual((await cartOf(bob.id)).items, [line(mug, 1, 19.99)]);
  assertProblem(await getCart(ann), 401);
  assertProblem(await getCart(admin, carl.id), 404, { code: 'NOT_FOUND' });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call } from '../helpers/app.js';
import { openOrderShop } from './shop.js';
import { assertProblem } from '../helpers/problem.js';

// Sequential repeats only; repeats that race each other are in test/concurrency.

test('when an order is repeated with the same Idempotency-Key and body, then 201 with the first order, marked replayed, and nothing new is placed', async (t) => {
  const { ann, mug, place, stockOf, orderCount } = await openOrderShop(t);
  const items = [{ product_id: mug.id, quantity: 2 }];

  const first = await place(ann, items, { key: 'order-7' });
  const again = await place(ann, items, { key: 'order-7' });

  assert.equal(first.status, 201);
  assert.equal(first.headers['idempotent-replayed'], undefined);
  assert.equal(again.status, 201);
  assert.equal(again.headers['idempotent-replayed'], 'true');
  assert.equal(again.body.id, first.body.id);
  assert.deepEqual(again.body, first.body);
  assert.equal(await orderCount(), 1);
  assert.equal(await stockOf(mug.id), 8);
});

test('when the repeated body has its fields in another order, then it is the same request and is replayed', async (t) => {
  const { app, ann, mug, place, orderCount } = await openOrderShop(t);
  const first = await place(ann, [{ product_id: mug.id, quantity: 1 }], { key: 'k-order' });

  const again = await call(app, 'POST', '/orders', {
    token: ann.token,
    headers: { 'idempotency-key': 'k-order' },
    body: { items: [{ quantity: 1, product_id: mug.id }], customer_id: ann.id },
  });

  assert.equal(again.status, 201);
  assert.equal(again.headers['idempotent-replayed'], 'true');
  assert.equal(again.body.id, first.body.id);
  assert.equal(await orderCount(), 1);
});

test('when the order has moved on since, then a replay still answers the first response and changes nothing', async (t) => {
  const { ann, mug, place, moveTo, orderOf, orderCount } = await openOrderShop(t);
  const items = [{ product_id: mug.id, quantity: 1 }];
  const first = await place(ann, items, { key: 'then-paid' });
  await moveTo(first.body.id, 'paid');

  const again = await place(ann, items, { key: 'then-paid' });

  assert.equal(again.status, 201);
  assert.deepEqual(again.body, first.body);
  assert.equal((await orderOf(first.body.id)).status, 'paid');
  assert.equal(await orderCount(), 1);
});

test('when the same Idempotency-Key comes with another body, then 409 IDEMPOTENCY_KEY_REUSED and nothing is placed', async (t) => {
  const { ann, mug, pen, place, snapshot } = await openOrderShop(t);
  await place(ann, [{ product_id: mug.id, quantity: 2 }], { key: 'order-7' });
  const before = await snapshot();

  for (const items of [
    [{ product_id: pen.id, quantity: 1 }],
    [{ product_id: mug.id, quantity: 3 }],
    [{ product_id: mug.id, quantity: 1 }, { product_id: mug.id, quantity: 1 }],
  ]) {
    const refused = await place(ann, items, { key: 'order-7' });
    assertProblem(refused, 409, { code: 'IDEMPOTENCY_KEY_REUSED' });
  }

  assert.deepEqual(await snapshot(), before);
});

test('when the same Idempotency-Key is used on the other order route, then 409 and nothing is placed', async (t) => {
  const { ann, mug, fill, place, checkout, snapshot } = await openOrderShop(t);
  await place(ann, [{ product_id: mug.id, quantity: 1 }], { key: 'one-key' });
  await fill(ann, [[mug, 1]]);
  const before = await snapshot();

  assertProblem(await checkout(ann, { key: 'one-key' }), 409, { code: 'IDEMPOTENCY_KEY_REUSED' });

  assert.deepEqual(await snapshot(), before);
});

test('when another customer uses the same Idempotency-Key, then it is its own key and places its own order', async (t) => {
  const { ann, mug, place, stockOf, orderCount, newCustomer } = await openOrderShop(t);
  const bob = await newCustomer();
  const items = [{ product_id: mug.id, quantity: 2 }];
  const anns = await place(ann, items, { key: 'shared-key' });

  const bobs = await place(bob, items, { key: 'shared-key' });

  assert.equal(bobs.status, 201);
  assert.equal(bobs.headers['idempotent-replayed'], undefined);
  assert.notEqual(bobs.body.id, anns.body.id);
  assert.equal(bobs.body.customer_id, bob.id);
  assert.equal(await orderCount(), 2);
  assert.equal(await stockOf(mug.id), 6);
  // And Ann's key still replays Ann's order.
  assert.equal((await place(ann, items, { key: 'shared-key' })).body.id, anns.body.id);
});

test('when a first attempt failed (short stock, unknown product), then no key was kept, and the retry with the same key places the order', async (t) => {
  const { ann, mug, place, updateProduct, stockOf, orderCount } = await openOrderShop(t);
  const items = [{ product_id: mug.id, quantity: 12 }];

  assertProblem(await place(ann, items, { key: 'retry-me' }), 409, { code: 'INSUFFICIENT_STOCK' });
  assert.equal(await orderCount(), 0);
  await updateProduct(mug.id, { stock: 20 });

  const retry = await place(ann, items, { key: 'retry-me' });
  assert.equal(retry.status, 201);
  assert.equal(retry.headers['idempotent-replayed'], undefined);
  assert.equal(await stockOf(mug.id), 8);

  const replay = await place(ann, items, { key: 'retry-me' });
  assert.equal(replay.headers['idempotent-replayed'], 'true');
  assert.equal(replay.body.id, retry.body.id);
  assert.equal(await orderCount(), 1);
  assert.equal(await stockOf(mug.id), 8);

  // A typo in the first attempt: the corrected body may use the same key.
  assertProblem(await place(ann, [{ product_id: 987654, quantity: 1 }], { key: 'typo' }), 404, { code: 'NOT_FOUND' });
  const fixed = await place(ann, [{ product_id: mug.id, quantity: 1 }], { key: 'typo' });
  assert.equal(fixed.status, 201);
  assert.equal(fixed.headers['idempotent-replayed'], undefined);
  assert.equal(await orderCount(), 2);
});

test('when a checkout is repeated with the same key, then the first order comes back even though the cart is now empty', async (t) => {
  const { ann, mug, pen, fill, checkout, cartOf, stockOf, orderCount } = await openOrderShop(t);
  await fill(ann, [[mug, 2], [pen, 1]]);

  const first = await checkout(ann, { key: 'checkout-1' });
  const again = await checkout(ann, { key: 'checkout-1' });

  assert.equal(first.status, 201);
  assert.equal(again.status, 201);
  assert.equal(again.headers['idempotent-replayed'], 'true');
  assert.deepEqual(again.body, first.body);
  assert.equal(await orderCount(), 1);
  assert.equal(await stockOf(mug.id), 8);
  assert.deepEqual((await cartOf(ann.id)).items, []);
});

test('when a checkout failed for an empty cart, then the same key works once the cart is filled', async (t) => {
  const { ann, mug, fill, checkout, orderCount } = await openOrderShop(t);
  assertProblem(await checkout(ann, { key: 'early' }), 409, { code: 'EMPTY_CART' });
  await fill(ann, [[mug, 1]]);

  const placed = await checkout(ann, { key: 'early' });

  assert.equal(placed.status, 201);
  assert.equal(placed.headers['idempotent-replayed'], undefined);
  assert.equal(await orderCount(), 1);
});

test('when no key is sent, then two identical requests place two orders', async (t) => {
  const { ann, mug, place, stockOf, orderCount } = await openOrderShop(t);
  const items = [{ product_id: mug.id, quantity: 1 }];

  const first = await place(ann, items);
  const second = await place(ann, items);

  assert.equal(second.status, 201);
  assert.notEqual(second.body.id, first.body.id);
  assert.equal(await orderCount(), 2);
  assert.equal(await stockOf(mug.id), 8);
});

test('when the Idempotency-Key is empty or 256 characters long, then 400 on both order routes and nothing is placed; 255 characters are accepted', async (t) => {
  const { ann, mug, fill, place, checkout, snapshot, orderCount } = await openOrderShop(t);
  await fill(ann, [[mug, 1]]);
  const before = await snapshot();
  const items = [{ product_id: mug.id, quantity: 1 }];

  for (const key of ['', 'k'.repeat(256)]) {
    assertProblem(await place(ann, items, { key }), 400, { code: 'VALIDATION_FAILED' });
    assertProblem(await checkout(ann, { key }), 400, { code: 'VALIDATION_FAILED' });
  }
  assert.deepEqual(await snapshot(), before);

  const longest = 'k'.repeat(255);
  assert.equal((await place(ann, items, { key: longest })).status, 201);
  assert.equal((await place(ann, items, { key: longest })).headers['idempotent-replayed'], 'true');
  assert.equal(await orderCount(), 1);
});

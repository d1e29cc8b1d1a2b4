import assert from 'node:assert/strict';
import { test } from 'node:test';
import { line, openShop } from './shop.js';
import { assertProblem } from '../helpers/problem.js';

// What a cart holds: adding (quantities add up, stock and line limits, exact totals),
// removing, reading and emptying.

test('when a customer adds a product to an empty cart, then 200 with one line priced from the catalogue, and the cart keeps it', async (t) => {
  const { ann, mug, add, getCart } = await openShop(t);

  const added = await add(ann, mug.id, 2);

  assert.equal(added.status, 200);
  const expected = { customer_id: ann.id, items: [line(mug, 2, 39.98)], total: 39.98 };
  assert.deepEqual(added.body, expected);
  assert.deepEqual((await getCart(ann)).body, expected);
});

test('when a product already in the cart is added again, then its quantity grows and no second line appears', async (t) => {
  const { ann, mug, add, fill, cartOf } = await openShop(t);
  await fill(ann, [[mug, 2]]);

  const again = await add(ann, mug.id, 1);

  assert.equal(again.status, 200);
  assert.deepEqual(again.body.items, [line(mug, 3, 59.97)]);
  assert.equal(again.body.total, 59.97);
  assert.deepEqual((await cartOf(ann.id)).items, [line(mug, 3, 59.97)]);
});

test('when lines are priced 19.99, 0.10 and 0.01, then every line total and the total are exact to the cent', async (t) => {
  const { ann, mug, pen, product, fill, getCart } = await openShop(t);
  const stamp = await product({ product_name: 'Stamp', price: 0.01 });
  const chip = await product({ product_name: 'Chip', price: 0.07 });

  await fill(ann, [[chip, 3], [stamp, 7], [pen, 10], [mug, 3]]);

  const cart = await getCart(ann);
  assert.equal(cart.status, 200);
  // Lines come in product-id order, each priced in cents: 3 x 1999, 10 x 10, 7 x 1, 3 x 7.
  assert.deepEqual(cart.body.items, [line(mug, 3, 59.97), line(pen, 10, 1), line(stamp, 7, 0.07), line(chip, 3, 0.21)]);
  assert.equal(cart.body.total, (5997 + 100 + 7 + 21) / 100);
  assert.equal(cart.body.total, 61.25);
});

test('when line totals are 0.70 and 0.10, then the cart total is 0.8, not the float sum 0.7999999999999999', async (t) => {
  const { ann, product, fill, getCart } = await openShop(t);
  const seventy = await product({ product_name: 'Seventy', price: 0.7 });
  const ten = await product({ product_name: 'Ten', price: 0.1 });
  assert.notEqual(0.7 + 0.1, 0.8);

  await fill(ann, [[seventy, 1], [ten, 1]]);

  const cart = await getCart(ann);
  assert.deepEqual(cart.body.items, [line(seventy, 1, 0.7), line(ten, 1, 0.1)]);
  assert.equal(cart.body.total, 0.8);
});

test('when an add is refused, then the answer says why and the cart is exactly as it was', async (t) => {
  const { ann, pen, product, add, fill, cartOf, stockOf, deleteProduct } = await openShop(t);
  await fill(ann, [[pen, 2]]);
  /** One refused add: the status and code asked for, and the cart unmoved. */
  const refused = async (productId: number, quantity: number, status: number, code: string) => {
    const before = await cartOf(ann.id);
    const response = await add(ann, productId, quantity);
    assertProblem(response, status, { code });
    assert.deepEqual(await cartOf(ann.id), before);
    return response;
  };
  const lineOf = async (productId: number) =>
    (await cartOf(ann.id)).items.find((item: { product_id: number }) => item.product_id === productId);

  await t.test('when the product is unknown, then 404', async () => {
    await refused(987654, 1, 404, 'NOT_FOUND');
  });

  await t.test('when the product was deleted, then 404', async () => {
    const gone = await product({ product_name: 'Gone', price: 1, stock: 5 });
    await deleteProduct(gone.id);
    await refused(gone.id, 1, 404, 'NOT_FOUND');
  });

  await t.test('when more than a tracked stock is asked for at once, then 409 INSUFFICIENT_STOCK naming the product', async () => {
    const vase = await product({ product_name: 'Vase', price: 40, stock: 5 });
    const response = await refused(vase.id, 6, 409, 'INSUFFICIENT_STOCK');
    assert.match(response.body.detail, new RegExp(`product ${vase.id} \\("Vase"\\): 5 left, 6 wanted`));
  });

  await t.test('when the quantity in the cart plus the quantity added passes a tracked stock, then 409; exactly the stock is accepted', async () => {
    const lamp = await product({ product_name: 'Lamp', price: 40, stock: 5 });
    await fill(ann, [[lamp, 4]]);
    await refused(lamp.id, 2, 409, 'INSUFFICIENT_STOCK');
    const toTheLastUnit = await add(ann, lamp.id, 1);
    assert.equal(toTheLastUnit.status, 200);
    assert.deepEqual(await lineOf(lamp.id), line(lamp, 5, 200));
    assert.equal(await stockOf(lamp.id), 5, 'a cart reserves nothing');
  });

  await t.test('when a tracked product is out of stock, then even one unit is 409', async () => {
    const soldOut = await product({ product_name: 'Sold out', price: 5, stock: 0 });
    await refused(soldOut.id, 1, 409, 'INSUFFICIENT_STOCK');
  });

  await t.test('when a line would hold more than 1,000 units, then 409 LINE_LIMIT; exactly 1,000 is accepted', async () => {
    await refused(pen.id, 999, 409, 'LINE_LIMIT'); // 2 + 999
    assert.equal((await add(ann, pen.id, 998)).status, 200);
    assert.deepEqual(await lineOf(pen.id), line(pen, 1000, 100));
    await refused(pen.id, 1, 409, 'LINE_LIMIT');
  });
});

test('when a product is not stock-tracked, then 1,000 units may be added and its stock stays null', async (t) => {
  const { ann, pen, add, stockOf } = await openShop(t);

  const added = await add(ann, pen.id, 1000);

  assert.equal(added.status, 200);
  assert.deepEqual(added.body.items, [line(pen, 1000, 100)]);
  assert.equal(added.body.total, 100);
  assert.equal(await stockOf(pen.id), null);
});

test('when two customers each put the whole stock in their carts, then both may, and no stock is taken', async (t) => {
  const { ann, mug, add, cartOf, stockOf, newCustomer } = await openShop(t);
  const bob = await newCustomer();

  assert.equal((await add(ann, mug.id, 10)).status, 200);
  assert.equal((await add(bob, mug.id, 10)).status, 200);

  assert.equal(await stockOf(mug.id), 10);
  assert.deepEqual((await cartOf(ann.id)).items, [line(mug, 10, 199.9)]);
  assert.deepEqual((await cartOf(bob.id)).items, [line(mug, 10, 199.9)]);
});

test('when the quantity is 0, 1001, 1.5, "2", -1, null or missing, then 400 naming the quantity, and the cart is unchanged', async (t) => {
  const { ann, mug, pen, add, fill, cartOf, stockOf } = await openShop(t);
  await fill(ann, [[mug, 1]]);
  const before = await cartOf(ann.id);

  for (const quantity of [0, 1001, 1.5, '2', -1, null, undefined]) {
    const response = await add(ann, pen.id, quantity);
    assertProblem(response, 400, { code: 'VALIDATION_FAILED' });
    assert.ok(
      response.body.errors.some((error: { path: string }) => error.path === '/body/quantity'),
      `quantity ${String(quantity)}: ${JSON.stringify(response.body.errors)}`,
    );
  }

  assert.deepEqual(await cartOf(ann.id), before);
  assert.equal(await stockOf(mug.id), 10);
  // The same request with a valid quantity does go through, so each refusal was about the quantity.
  const control = await add(ann, pen.id, 2);
  assert.equal(control.status, 200);
});

// Removing, reading and emptying.

test('when a customer has never added anything, then its cart is empty: items [] and total 0', async (t) => {
  const { ann, getCart } = await openShop(t);

  const cart = await getCart(ann);

  assert.equal(cart.status, 200);
  assert.match(String(cart.headers['content-type']), /^application\/json/);
  assert.deepEqual(cart.body, { customer_id: ann.id, items: [], total: 0 });
});

test('when a line is removed without a quantity, then the whole line goes and the others stay; removing the last leaves an empty cart', async (t) => {
  const { ann, mug, pen, remove, fill, cartOf } = await openShop(t);
  await fill(ann, [[mug, 3], [pen, 2]]);

  const removed = await remove(ann, mug.id);

  assert.equal(removed.status, 200);
  const expected = { customer_id: ann.id, items: [line(pen, 2, 0.2)], total: 0.2 };
  assert.deepEqual(removed.body, expected);
  assert.deepEqual(await cartOf(ann.id), expected);

  const last = await remove(ann, pen.id);
  assert.equal(last.status, 200);
  assert.deepEqual(last.body, { customer_id: ann.id, items: [], total: 0 });
  assert.deepEqual(await cartOf(ann.id), { customer_id: ann.id, items: [], total: 0 });
});

test('when a quantity is removed, then that many come off and the line total and total follow', async (t) => {
  const { ann, mug, pen, remove, fill, cartOf } = await openShop(t);
  await fill(ann, [[mug, 5], [pen, 1]]);

  const removed = await remove(ann, mug.id, 2);

  assert.equal(removed.status, 200);
  const expected = { customer_id: ann.id, items: [line(mug, 3, 59.97), line(pen, 1, 0.1)], total: 60.07 };
  assert.deepEqual(removed.body, expected);
  assert.deepEqual(await cartOf(ann.id), expected);
});

test('when the quantity removed equals or passes what the line holds, then the line goes rather than going to zero or below', async (t) => {
  const { ann, mug, pen, remove, fill, cartOf } = await openShop(t);
  await fill(ann, [[mug, 3], [pen, 2]]);

  const exactly = await remove(ann, mug.id, 3);
  assert.equal(exactly.status, 200);
  assert.deepEqual(exactly.body.items, [line(pen, 2, 0.2)]);

  const beyond = await remove(ann, pen.id, 1000);
  assert.equal(beyond.status, 200);
  assert.deepEqual(beyond.body.items, []);
  assert.deepEqual((await cartOf(ann.id)).items, []);

  // Adding again starts new lines from nothing, so no zero or negative quantity was left behind.
  await fill(ann, [[mug, 1], [pen, 1]]);
  assert.deepEqual((await cartOf(ann.id)).items, [line(mug, 1, 19.99), line(pen, 1, 0.1)]);
});

test('when the product is not in the cart, then 404 with or without a quantity, and the cart is unchanged', async (t) => {
  const { ann, mug, pen, remove, fill, cartOf, newCustomer } = await openShop(t);
  const bob = await newCustomer();
  await fill(ann, [[mug, 2]]);
  await fill(bob, [[pen, 4]]);
  const before = await cartOf(ann.id);

  assertProblem(await remove(ann, pen.id), 404, { code: 'NOT_FOUND' }); // in Bob's cart, not in Ann's
  assertProblem(await remove(ann, pen.id, 1), 404, { code: 'NOT_FOUND' });
  assertProblem(await remove(ann, 987654), 404, { code: 'NOT_FOUND' }); // no such product at all

  assert.deepEqual(await cartOf(ann.id), before);
  assert.deepEqual((await cartOf(bob.id)).items, [line(pen, 4, 0.4)]);
});

test('when the quantity to remove is 0, 1001, 1.5, -2, "1" or null, then 400 and the cart is unchanged', async (t) => {
  const { ann, mug, remove, fill, cartOf } = await openShop(t);
  await fill(ann, [[mug, 3]]);
  const before = await cartOf(ann.id);

  for (const quantity of [0, 1001, 1.5, -2, '1', null]) {
    const response = await remove(ann, mug.id, quantity);
    assertProblem(response, 400, { code: 'VALIDATION_FAILED' });
    assert.ok(
      response.body.errors.some((error: { path: string }) => error.path === '/body/quantity'),
      `quantity ${String(quantity)}: ${JSON.stringify(response.body.errors)}`,
    );
  }

  assert.deepEqual(await cartOf(ann.id), before);
  assert.equal((await remove(ann, mug.id, 1)).status, 200, 'a valid quantity goes through');
});

test('when a cart is emptied with DELETE, then the answer and later reads are the empty cart, no stock moves, and emptying it again is the same', async (t) => {
  const { ann, mug, pen, clearCart, fill, cartOf, stockOf } = await openShop(t);
  await fill(ann, [[mug, 4], [pen, 2]]);
  const empty = { customer_id: ann.id, items: [], total: 0 };

  const cleared = await clearCart(ann);

  assert.equal(cleared.status, 200);
  assert.deepEqual(cleared.body, empty);
  assert.deepEqual(await cartOf(ann.id), empty);
  assert.equal(await stockOf(mug.id), 10);

  const again = await clearCart(ann);
  assert.equal(again.status, 200);
  assert.deepEqual(again.body, empty);
});

test('when two customers fill their carts, then each cart holds only its own lines, and emptying one leaves the other', async (t) => {
  const { ann, mug, pen, fill, clearCart, cartOf, newCustomer } = await openShop(t);
  const bob = await newCustomer();
  await fill(ann, [[mug, 1]]);
  await fill(bob, [[pen, 5], [mug, 2]]);

  assert.deepEqual(await cartOf(ann.id), { customer_id: ann.id, items: [line(mug, 1, 19.99)], total: 19.99 });
  const bobsCart = { customer_id: bob.id, items: [line(mug, 2, 39.98), line(pen, 5, 0.5)], total: 40.48 };
  assert.deepEqual(await cartOf(bob.id), bobsCart);

  assert.equal((await clearCart(ann)).status, 200);
  assert.deepEqual((await cartOf(ann.id)).items, []);
  assert.deepEqual(await cartOf(bob.id), bobsCart);
});

test('when a product in a cart changes price and name, then the cart shows the current price, name and totals', async (t) => {
  const { ann, mug, pen, fill, getCart, updateProduct } = await openShop(t);
  await fill(ann, [[mug, 2], [pen, 3]]);

  await updateProduct(mug.id, { product_name: 'Big mug', price: 25.5 });

  const cart = await getCart(ann);
  assert.equal(cart.status, 200);
  assert.deepEqual(cart.body.items, [
    { product_id: mug.id, product_name: 'Big mug', price: 25.5, quantity: 2, line_total: 51 },
    line(pen, 3, 0.3),
  ]);
  assert.equal(cart.body.total, 51.3);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { line } from '../cart/shop.js';
import { call, registerCustomer } from '../helpers/app.js';
import { type Caller, ISO_UTC, openOrderShop, orderLine } from './shop.js';
import { assertProblem } from '../helpers/problem.js';

// POST /orders and POST /orders/from_cart: what an order holds, what stock it takes, and
// that a refused order changes nothing at all. Money is checked in integer cents.

test('when a customer places an order, then 201 with a pending order whose lines copy name and price, and it can be read back', async (t) => {
  const { app, ann, mug, pen, place, orderOf } = await openOrderShop(t);

  const response = await place(ann, [
    { product_id: mug.id, quantity: 2 },
    { product_id: pen.id, quantity: 3 },
  ]);

  assert.equal(response.status, 201);
  // The answer is the text its order.placed event was serialized to, sent as JSON.
  assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
  const order = response.body;
  // Part one's fields, part two's checkout fields (which a shop with no rates leaves empty) and its payment fields.
  assert.deepEqual(Object.keys(order).sort(), [
    'amount_paid', 'amount_refunded', 'billing_address', 'created_at', 'currency', 'customer_id', 'email', 'id', 'items', 'note', 'payment_status',
    'prices_include_tax', 'shipping', 'shipping_address', 'shipping_total', 'status', 'subtotal', 'tax', 'tax_total', 'total', 'updated_at',
  ]);
  assert.deepEqual([order.payment_status, order.amount_paid, order.amount_refunded], ['unpaid', 0, 0]);
  assert.deepEqual(
    [order.currency, order.email, order.subtotal, order.shipping_total, order.tax_total, order.shipping, order.tax, order.shipping_address],
    ['USD', (await call(app, 'GET', `/customers/${ann.id}`, { token: ann.token })).body.email, 40.28, 0, 0, null, null, null],
  );
  assert.ok(Number.isInteger(order.id) && order.id > 0);
  assert.equal(order.customer_id, ann.id);
  assert.equal(order.status, 'pending');
  assert.match(order.created_at, ISO_UTC);
  assert.equal(order.updated_at, order.created_at);
  assert.deepEqual(order.items, [orderLine(mug, 2, 39.98), orderLine(pen, 3, 0.3)]);
  assert.equal(order.total, 40.28);
  assert.deepEqual(await orderOf(order.id), order);
  const own = await call(app, 'GET', `/orders/${order.id}`, { token: ann.token });
  assert.deepEqual(own.body, order);
});

test('when the same product appears on several lines, then they are merged into one line in product-id order, up to 100 lines', async (t) => {
  const { ann, mug, pen, place, orderOf, stockOf } = await openOrderShop(t);

  const response = await place(ann, [
    { product_id: pen.id, quantity: 3 },
    { product_id: mug.id, quantity: 2 },
    { product_id: pen.id, quantity: 7 },
    { product_id: mug.id, quantity: 1 },
  ]);

  assert.equal(response.status, 201);
  assert.deepEqual(response.body.items, [orderLine(mug, 3, 59.97), orderLine(pen, 10, 1)]);
  assert.equal(response.body.total, 60.97);
  assert.deepEqual((await orderOf(response.body.id)).items, response.body.items);
  assert.equal(await stockOf(mug.id), 7, 'the merged quantity is taken once');

  const hundred = await place(ann, Array.from({ length: 100 }, () => ({ product_id: pen.id, quantity: 1 })));
  assert.equal(hundred.status, 201, 'the most lines an order may have');
  assert.deepEqual(hundred.body.items, [orderLine(pen, 100, 10)]);
});

test('when an order is placed, then tracked stock goes down by what was ordered and untracked stock stays null', async (t) => {
  const { ann, mug, pen, product, placed, stockOf } = await openOrderShop(t);
  const vase = await product({ product_name: 'Vase', price: 40, stock: 3 });

  await placed(ann, [
    { product_id: mug.id, quantity: 4 },
    { product_id: pen.id, quantity: 500 },
    { product_id: vase.id, quantity: 1 },
  ]);

  assert.equal(await stockOf(mug.id), 6);
  assert.equal(await stockOf(vase.id), 2);
  assert.equal(await stockOf(pen.id), null);
});

test('when an order takes exactly the stock left, then 201 and stock 0; the next unit is then refused', async (t) => {
  const { ann, mug, place, placed, stockOf, orderCount, newCustomer } = await openOrderShop(t);
  const bob = await newCustomer();
  await placed(ann, [{ product_id: mug.id, quantity: 7 }]);

  const last = await place(bob, [{ product_id: mug.id, quantity: 3 }]);
  assert.equal(last.status, 201);
  assert.equal(await stockOf(mug.id), 0);

  const refused = await place(ann, [{ product_id: mug.id, quantity: 1 }]);
  assertProblem(refused, 409, { code: 'INSUFFICIENT_STOCK' });
  assert.match(refused.body.detail, /0 left, 1 wanted/);
  assert.equal(await stockOf(mug.id), 0);
  assert.equal(await orderCount(), 2);
});

test('when an order is refused, then the answer names the reason and nothing changes: no order, no history, every stock and cart as it was', async (t) => {
  const { app, admin, ann, pen, product, place, fill, snapshot, newCustomer, deleteProduct } = await openOrderShop(t);
  const bob = await newCustomer();
  await fill(ann, [[pen, 2]]);
  /** Places an order that must be refused with this status and code, and checks that nothing moved. */
  const refused = async (who: Caller, items: unknown, status: number, code: string, options: { customerId?: number } = {}) => {
    const before = await snapshot();
    const response = await place(who, items, options);
    assertProblem(response, status, { code });
    assert.deepEqual(await snapshot(), before);
    return response;
  };

  await t.test('when the last of several lines is short of stock, then 409 naming that product', async () => {
    const plate = await product({ product_name: 'Plate', price: 8, stock: 10 });
    const cup = await product({ product_name: 'Cup', price: 3, stock: 1 });
    const response = await refused(ann, [
      { product_id: plate.id, quantity: 2 },
      { product_id: pen.id, quantity: 5 },
      { product_id: cup.id, quantity: 2 },
    ], 409, 'INSUFFICIENT_STOCK');
    assert.match(response.body.detail, new RegExp(`product ${cup.id} \\("Cup"\\): 1 left, 2 wanted`));
    assert.doesNotMatch(response.body.detail, /Plate/);
  });

  await t.test('when the first line whose stock is taken is short, then 409 and the later lines take nothing either', async () => {
    // Stock is taken in product-id order: Low (the lower id) is short, High after it is not.
    const low = await product({ product_name: 'Low', price: 1, stock: 1 });
    const high = await product({ product_name: 'High', price: 1, stock: 5 });
    const response = await refused(ann, [
      { product_id: high.id, quantity: 2 },
      { product_id: low.id, quantity: 2 },
    ], 409, 'INSUFFICIENT_STOCK');
    assert.match(response.body.detail, new RegExp(`product ${low.id} \\("Low"\\): 1 left, 2 wanted`));
  });

  await t.test('when merged lines together pass a tracked stock that each line alone fits, then 409', async () => {
    const bowl = await product({ product_name: 'Bowl', price: 6, stock: 10 });
    const response = await refused(ann, [
      { product_id: bowl.id, quantity: 6 },
      { product_id: bowl.id, quantity: 6 },
    ], 409, 'INSUFFICIENT_STOCK');
    assert.match(response.body.detail, /10 left, 12 wanted/);
  });

  await t.test('when repeats of one product add up to more than 1,000 units, then 400 naming it; 1,000 exactly is placed', async () => {
    const response = await refused(ann, [
      { product_id: pen.id, quantity: 600 },
      { product_id: pen.id, quantity: 401 },
    ], 400, 'VALIDATION_FAILED');
    assert.deepEqual(response.body.errors, [
      { path: '/body/items', message: `orders product ${pen.id} 1001 times over its lines; one order holds at most 1000 of a product` },
    ]);
    const atLimit = await place(bob, [
      { product_id: pen.id, quantity: 600 },
      { product_id: pen.id, quantity: 400 },
    ]);
    assert.equal(atLimit.status, 201);
    assert.deepEqual(atLimit.body.items.map((line: { quantity: number }) => line.quantity), [1000]);
  });

  await t.test('when a line names an unknown product, then 404 naming it, and the lines that were fine take nothing', async () => {
    const bowl = await product({ product_name: 'Bowl', price: 6, stock: 10 });
    const response = await refused(ann, [
      { product_id: bowl.id, quantity: 1 },
      { product_id: 987654, quantity: 1 },
    ], 404, 'NOT_FOUND');
    assert.match(response.body.detail, /987654/);
  });

  await t.test('when a line names a deleted product, then 404', async () => {
    const gone = await product({ product_name: 'Gone', price: 2, stock: 5 });
    await deleteProduct(gone.id);
    await refused(ann, [{ product_id: pen.id, quantity: 1 }, { product_id: gone.id, quantity: 1 }], 404, 'NOT_FOUND');
  });

  await t.test('when an order has no lines or 101 lines, then 400', async () => {
    await refused(ann, [], 400, 'VALIDATION_FAILED');
    await refused(ann, Array.from({ length: 101 }, () => ({ product_id: pen.id, quantity: 1 })), 400, 'VALIDATION_FAILED');
  });

  await t.test('when a line quantity is 0, 1001, 1.5, -1 or "1", then 400 naming that quantity', async () => {
    for (const quantity of [0, 1001, 1.5, -1, '1']) {
      const response = await refused(ann, [{ product_id: pen.id, quantity }], 400, 'VALIDATION_FAILED');
      assert.ok(
        response.body.errors.some((error: { path: string }) => error.path === '/body/items/0/quantity'),
        `quantity ${String(quantity)}: ${JSON.stringify(response.body.errors)}`,
      );
    }
  });

  await t.test('when a customer places an order for another customer, then 403', async () => {
    await refused(bob, [{ product_id: pen.id, quantity: 1 }], 403, 'FORBIDDEN', { customerId: ann.id });
  });

  await t.test('when an admin places an order for an unknown or a deleted customer, then 404', async () => {
    // Registered outside the shop's list of customers, whose carts the snapshot reads.
    const leaver = (await registerCustomer(app)).customer;
    assert.equal((await call(app, 'DELETE', `/customers/${leaver.id}`, { token: admin.token })).status, 200);
    await refused(admin, [{ product_id: pen.id, quantity: 1 }], 404, 'NOT_FOUND', { customerId: 424242 });
    await refused(admin, [{ product_id: pen.id, quantity: 1 }], 404, 'NOT_FOUND', { customerId: leaver.id });
  });
});

test('when an admin places an order for a customer, then 201 and the order belongs to that customer and shows in its list', async (t) => {
  const { app, admin, ann, mug, place, stockOf } = await openOrderShop(t);

  const response = await place(admin, [{ product_id: mug.id, quantity: 2 }], { customerId: ann.id });

  assert.equal(response.status, 201);
  assert.equal(response.body.customer_id, ann.id);
  const annsOrders = await call(app, 'GET', '/orders/p', { token: ann.token });
  assert.deepEqual(annsOrders.body.items, [response.body]);
  assert.equal(await stockOf(mug.id), 8);
});

test('when an order is placed directly, then the cart is left as it was', async (t) => {
  const { ann, mug, pen, fill, placed, cartOf } = await openOrderShop(t);
  await fill(ann, [[pen, 2]]);
  const cartBefore = await cartOf(ann.id);

  await placed(ann, [{ product_id: mug.id, quantity: 1 }]);

  assert.deepEqual(await cartOf(ann.id), cartBefore);
});

test('when a product is renamed, repriced and then deleted after an order, then the order keeps the name and price it was placed with', async (t) => {
  const { app, ann, mug, pen, placed, orderOf, allOrders, updateProduct, deleteProduct } = await openOrderShop(t);
  const order = await placed(ann, [
    { product_id: mug.id, quantity: 2 },
    { product_id: pen.id, quantity: 10 },
  ]);

  await updateProduct(mug.id, { product_name: 'Big mug', price: 25 });
  await updateProduct(pen.id, { price: 0.5 });
  assert.deepEqual(await orderOf(order.id), order);

  await deleteProduct(mug.id);
  await deleteProduct(pen.id);
  assert.deepEqual(await orderOf(order.id), order);
  assert.deepEqual((await allOrders()).items, [order]);
  assert.deepEqual(order.items, [orderLine(mug, 2, 39.98), orderLine(pen, 10, 1)]);
  const own = await call(app, 'GET', `/orders/${order.id}`, { token: ann.token });
  assert.deepEqual(own.body, order);
});

// Checking out a cart.

test('when a cart is checked out, then 201 with its lines and total, the cart is empty, and tracked stock is taken', async (t) => {
  const { ann, mug, pen, fill, checkout, cartOf, orderOf, stockOf, orderCount } = await openOrderShop(t);
  await fill(ann, [[mug, 3], [pen, 10]]);
  const cart = await cartOf(ann.id);

  const response = await checkout(ann);

  assert.equal(response.status, 201);
  assert.equal(response.body.customer_id, ann.id);
  assert.equal(response.body.status, 'pending');
  assert.deepEqual(response.body.items, [orderLine(mug, 3, 59.97), orderLine(pen, 10, 1)]);
  assert.equal(response.body.total, cart.total);
  assert.equal(response.body.total, 60.97);
  assert.deepEqual(await orderOf(response.body.id), response.body);
  assert.deepEqual(await cartOf(ann.id), { customer_id: ann.id, items: [], total: 0 });
  assert.equal(await stockOf(mug.id), 7);
  assert.equal(await stockOf(pen.id), null);
  assert.equal(await orderCount(), 1);
});

test('when the cart is empty, or was emptied by a checkout, then 409 EMPTY_CART and no order is placed', async (t) => {
  const { ann, mug, fill, checkout, snapshot, orderCount, stockOf } = await openOrderShop(t);
  const before = await snapshot();

  assertProblem(await checkout(ann), 409, { code: 'EMPTY_CART' });
  assert.deepEqual(await snapshot(), before);

  await fill(ann, [[mug, 2]]);
  assert.equal((await checkout(ann)).status, 201);
  assertProblem(await checkout(ann), 409, { code: 'EMPTY_CART' });
  assert.equal(await orderCount(), 1);
  assert.equal(await stockOf(mug.id), 8);
});

test('when a cart line is short of stock at checkout, then 409 naming the product, the cart is kept and nothing changes; once the line is fixed, the same cart checks out', async (t) => {
  const { ann, mug, pen, fill, remove, checkout, updateProduct, cartOf, stockOf, snapshot } = await openOrderShop(t);
  await fill(ann, [[mug, 10], [pen, 1]]);
  await updateProduct(mug.id, { stock: 9 }); // someone else bought one meanwhile
  const before = await snapshot();

  const refused = await checkout(ann);

  assertProblem(refused, 409, { code: 'INSUFFICIENT_STOCK' });
  assert.match(refused.body.detail, new RegExp(`product ${mug.id} \\("Mug"\\): 9 left, 10 wanted`));
  assert.deepEqual(await snapshot(), before);
  assert.deepEqual((await cartOf(ann.id)).items, [line(mug, 10, 199.9), line(pen, 1, 0.1)]);

  assert.equal((await remove(ann, mug.id, 1)).status, 200);
  const placed = await checkout(ann);
  assert.equal(placed.status, 201);
  assert.equal(placed.body.total, 180.01); // 9 x 19.99 + 0.10
  assert.equal(await stockOf(mug.id), 0);
  assert.deepEqual((await cartOf(ann.id)).items, []);
});

test('when a product in the cart was repriced before checkout, then the order is priced as the product is when it is placed', async (t) => {
  const { ann, mug, fill, checkout, updateProduct } = await openOrderShop(t);
  await fill(ann, [[mug, 2]]);
  await updateProduct(mug.id, { product_name: 'Mug, new', price: 21.5 });

  const response = await checkout(ann);

  assert.equal(response.status, 201);
  assert.deepEqual(response.body.items, [
    { product_id: mug.id, product_name: 'Mug, new', unit_price: 21.5, quantity: 2, line_total: 43, tax: 0 },
  ]);
  assert.equal(response.body.total, 43);
});

test('when a product in the cart was deleted before checkout, then the order holds only the other lines', async (t) => {
  const { ann, mug, pen, fill, checkout, deleteProduct, cartOf } = await openOrderShop(t);
  await fill(ann, [[mug, 2], [pen, 4]]);
  await deleteProduct(mug.id);

  const response = await checkout(ann);

  assert.equal(response.status, 201);
  assert.deepEqual(response.body.items, [orderLine(pen, 4, 0.4)]);
  assert.equal(response.body.total, 0.4);
  assert.deepEqual((await cartOf(ann.id)).items, []);
});

test("when a customer checks out another customer's cart, then 403 and that cart and the stock are unchanged", async (t) => {
  const { ann, mug, fill, checkout, snapshot, newCustomer } = await openOrderShop(t);
  const bob = await newCustomer();
  await fill(ann, [[mug, 2]]);
  await fill(bob, [[mug, 1]]);
  const before = await snapshot();

  assertProblem(await checkout(bob, { customerId: ann.id }), 403, { code: 'FORBIDDEN' });

  assert.deepEqual(await snapshot(), before);
});

test("when an admin checks out a customer's cart, then the order is that customer's and only that cart is emptied", async (t) => {
  const { admin, ann, mug, pen, fill, checkout, cartOf, newCustomer } = await openOrderShop(t);
  const bob = await newCustomer();
  await fill(ann, [[mug, 2]]);
  await fill(bob, [[pen, 3]]);
  await fill(admin, [[pen, 1]]);

  const response = await checkout(admin, { customerId: ann.id });

  assert.equal(response.status, 201);
  assert.equal(response.body.customer_id, ann.id);
  assert.deepEqual(response.body.items, [orderLine(mug, 2, 39.98)]);
  assert.deepEqual((await cartOf(ann.id)).items, []);
  assert.deepEqual((await cartOf(bob.id)).items, [line(pen, 3, 0.3)]);
  assert.deepEqual((await cartOf(admin.id)).items, [line(pen, 1, 0.1)]);
});

test('when an admin checks out the cart of an unknown customer, then 404 and no order is placed', async (t) => {
  const { admin, checkout, snapshot } = await openOrderShop(t);
  const before = await snapshot();

  assertProblem(await checkout(admin, { customerId: 424242 }), 404, { code: 'NOT_FOUND' });

  assert.deepEqual(await snapshot(), before);
});

// Money: expected amounts are worked out in integer cents, never by adding floats.

/** Prices in cents: the ones floats get wrong (0.10, 0.07, 4.35, 1.15, 0.30 ...) and the highest price allowed. */
const PRICES_IN_CENTS = [1999, 10, 1, 9_999_999_999, 7, 110, 267, 3333, 20, 30, 435, 115, 820, 1005, 99, 4999];

test('when an order holds many lines with awkward prices, then each line total and the total are exactly the sums in cents', async (t) => {
  const { ann, product, place, orderOf, allOrders } = await openOrderShop(t);
  const products = [];
  for (const [i, cents] of PRICES_IN_CENTS.entries()) {
    products.push(await product({ product_name: `Priced ${i}`, price: cents / 100 }));
  }
  const quantities = PRICES_IN_CENTS.map((_, i) => [1, 3, 7, 1000, 13, 999, 2, 17, 1, 1, 3, 7, 11, 6, 100, 9][i]!);
  const items = products.map((p, i) => ({ product_id: p.id, quantity: quantities[i]! }));

  const response = await place(ann, items);

  assert.equal(response.status, 201);
  const order = response.body;
  let totalCents = 0;
  for (const [i, orderLine] of order.items.entries()) {
    const lineCents = PRICES_IN_CENTS[i]! * quantities[i]!;
    totalCents += lineCents;
    assert.equal(orderLine.product_id, products[i]!.id);
    assert.equal(orderLine.unit_price, PRICES_IN_CENTS[i]! / 100);
    assert.equal(orderLine.line_total, lineCents / 100, `line ${i}: ${PRICES_IN_CENTS[i]} cents x ${quantities[i]}`);
    assert.equal(Math.round(orderLine.line_total * 100), lineCents);
  }
  assert.equal(order.items.length, PRICES_IN_CENTS.length);
  assert.ok(Number.isSafeInteger(totalCents));
  assert.equal(order.total, totalCents / 100);
  assert.equal(Math.round(order.total * 100), totalCents);
  // The same amounts when the order is read back, alone or in a list.
  assert.deepEqual(await orderOf(order.id), order);
  assert.deepEqual((await allOrders()).items[0], order);
});

test('when line totals are amounts floats cannot add (0.70 + 0.10, 0.10 + 0.20, 1.10 + 2.20), then each order total is exact', async (t) => {
  const { ann, product, placed, orderOf } = await openOrderShop(t);
  for (const [a, b] of [[70, 10], [10, 20], [110, 220]] as const) {
    assert.notEqual(a / 100 + b / 100, (a + b) / 100, 'the float sum really is off, so the check below means something');
    const first = await product({ price: a / 100 });
    const second = await product({ price: b / 100 });

    const order = await placed(ann, [
      { product_id: first.id, quantity: 1 },
      { product_id: second.id, quantity: 1 },
    ]);

    assert.equal(order.total, (a + b) / 100);
    assert.equal((await orderOf(order.id)).total, (a + b) / 100);
  }
});

test('when the highest price is ordered 1,000 times on each of several lines, then the totals are exact and nothing overflows', async (t) => {
  const { ann, product, placed, orderOf } = await openOrderShop(t);
  const dear = [];
  for (let i = 0; i < 5; i += 1) dear.push(await product({ price: 99_999_999.99 }));

  const order = await placed(ann, dear.map((p) => ({ product_id: p.id, quantity: 1000 })));

  const lineCents = 9_999_999_999 * 1000;
  for (const orderLine of order.items) assert.equal(orderLine.line_total, lineCents / 100);
  assert.equal(order.total, (lineCents * 5) / 100);
  assert.equal(order.total, 499_999_999_950);
  assert.deepEqual(await orderOf(order.id), order);
});

test('when a cart with awkward prices is checked out, then the cart total, the order total and the sum in cents agree exactly', async (t) => {
  const { ann, product, fill, checkout, cartOf } = await openOrderShop(t);
  const lines: [Awaited<ReturnType<typeof product>>, number][] = [];
  let totalCents = 0;
  for (const [cents, quantity] of [[435, 3], [115, 7], [1, 999], [1999, 3], [7, 11]] as const) {
    lines.push([await product({ price: cents / 100 }), quantity]);
    totalCents += cents * quantity;
  }
  await fill(ann, lines);

  const cart = await cartOf(ann.id);
  assert.equal(cart.total, totalCents / 100);
  const order = await checkout(ann);

  assert.equal(order.status, 201);
  assert.equal(order.body.total, totalCents / 100);
  assert.deepEqual(
    order.body.items.map((l: { line_total: number }) => l.line_total),
    cart.items.map((l: { line_total: number }) => l.line_total),
  );
});

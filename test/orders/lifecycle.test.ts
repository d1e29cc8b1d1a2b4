import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call } from '../helpers/app.js';
import { type Caller, ISO_UTC, openOrderShop } from './shop.js';
import { assertProblem } from '../helpers/problem.js';

// POST /orders/{id}/status (admin) and POST /orders/{id}/cancel: the order lifecycle, its
// history, and the stock a cancel puts back.

async function pendingOrder(t: import('node:test').TestContext) {
  const shop = await openOrderShop(t);
  const order = await shop.placed(shop.ann, [{ product_id: shop.mug.id, quantity: 3 }]);
  return { ...shop, order };
}

test('when an admin moves an order pending → paid → shipped → delivered, then each step answers the order in its new status and tracking shows the number and four history lines', async (t) => {
  const { app, ann, order, setStatus, orderOf, trackOf } = await pendingOrder(t);

  const paid = await setStatus(order.id, { status: 'paid', note: 'Card captured' });
  assert.equal(paid.status, 200);
  // Marking it paid records a captured manual payment for the whole total.
  assert.deepEqual(
    { ...paid.body, updated_at: undefined },
    { ...order, status: 'paid', payment_status: 'paid', amount_paid: order.total, updated_at: undefined },
  );
  assert.match(paid.body.updated_at, ISO_UTC);
  assert.ok(paid.body.updated_at >= order.created_at);
  assert.deepEqual(await orderOf(order.id), paid.body);

  const shipped = await setStatus(order.id, { status: 'shipped', tracking_number: '1Z999AA10123456784' });
  assert.equal(shipped.status, 200);
  assert.equal(shipped.body.status, 'shipped');
  assert.equal((await trackOf(order.id)).tracking_number, '1Z999AA10123456784');

  const delivered = await setStatus(order.id, { status: 'delivered', note: 'Left with a neighbour' });
  assert.equal(delivered.status, 200);
  assert.equal(delivered.body.status, 'delivered');
  assert.deepEqual(delivered.body.items, order.items);
  assert.equal(delivered.body.total, order.total);

  const tracked = await call(app, 'GET', `/orders/track/${order.id}`, { token: ann.token });
  assert.equal(tracked.status, 200);
  assert.equal(tracked.body.order_id, order.id);
  assert.equal(tracked.body.status, 'delivered');
  assert.equal(tracked.body.tracking_number, '1Z999AA10123456784');
  assert.deepEqual(
    tracked.body.history.map((h: { status: string; note: string | null }) => [h.status, h.note]),
    [
      ['pending', 'Order placed'],
      ['paid', 'Card captured'],
      ['shipped', null],
      ['delivered', 'Left with a neighbour'],
    ],
  );
  const times = tracked.body.history.map((h: { at: string }) => h.at);
  for (const at of times) assert.match(at, ISO_UTC);
  assert.deepEqual([...times].sort(), times, 'history lines are in time order');
  assert.equal(times[3], delivered.body.updated_at);
});

test('when an order is shipped without a tracking number, then 200 and tracking shows null', async (t) => {
  const { order, setStatus, moveTo, trackOf } = await pendingOrder(t);
  await moveTo(order.id, 'paid');

  const shipped = await setStatus(order.id, { status: 'shipped' });

  assert.equal(shipped.status, 200);
  const tracked = await trackOf(order.id);
  assert.equal(tracked.status, 'shipped');
  assert.equal(tracked.tracking_number, null);
});

/** Each illegal change, after the legal steps that reach its starting state. */
const ILLEGAL: [from: string[], to: string][] = [
  [[], 'shipped'], // pending → shipped skips paid
  [[], 'delivered'],
  [[], 'pending'], // the same status
  [['paid'], 'paid'],
  [['paid'], 'pending'],
  [['paid'], 'delivered'],
  [['paid', 'shipped'], 'cancelled'],
  [['paid', 'shipped'], 'paid'],
  [['paid', 'shipped'], 'shipped'],
  [['paid', 'shipped', 'delivered'], 'cancelled'],
  [['paid', 'shipped', 'delivered'], 'shipped'],
  [['cancelled'], 'paid'],
  [['cancelled'], 'pending'],
  [['cancelled'], 'cancelled'],
];

test('when a status change is refused, then the answer says why and the order, its history and the stock stay as they were', async (t) => {
  const { ann, product, placed, setStatus, moveTo, orderOf, trackOf, stockOf } = await openOrderShop(t);
  const crate = await product({ product_name: 'Crate', price: 5, stock: 100 });
  /** A fresh order of one crate, moved along `path` by an admin. */
  const orderAt = async (path: string[]) => {
    const order = await placed(ann, [{ product_id: crate.id, quantity: 1 }]);
    await moveTo(order.id, ...path);
    return order.id as number;
  };
  const state = async (id: number) => ({ order: await orderOf(id), track: await trackOf(id), stock: await stockOf(crate.id) });

  for (const [path, to] of ILLEGAL) {
    const from = path.at(-1) ?? 'pending';
    await t.test(`when an admin moves a ${from} order to ${to}, then 409 ILLEGAL_STATUS_CHANGE`, async () => {
      const id = await orderAt(path);
      const before = await state(id);
      const refused = await setStatus(id, to === 'shipped' ? { status: to, tracking_number: 'X1' } : { status: to });
      assertProblem(refused, 409, { code: 'ILLEGAL_STATUS_CHANGE' });
      assert.match(refused.body.detail, new RegExp(`${from}.*${to}`));
      assert.deepEqual(await state(id), before);
    });
  }

  for (const [path, status] of [[[], 'paid'], [[], 'cancelled'], [['paid', 'shipped'], 'delivered']] as [string[], string][]) {
    await t.test(`when a tracking number comes with status ${status}, then 400`, async () => {
      const id = await orderAt(path);
      const before = await state(id);
      assertProblem(await setStatus(id, { status, tracking_number: 'T-1' }), 400, { code: 'VALIDATION_FAILED' });
      assert.deepEqual(await state(id), before);
    });
  }

  await t.test('when a customer changes the status of its own order, then 403', async () => {
    const id = await orderAt([]);
    const before = await state(id);
    for (const status of ['paid', 'cancelled', 'delivered']) {
      assertProblem(await setStatus(id, { status }, ann), 403, { code: 'FORBIDDEN' });
    }
    assert.deepEqual(await state(id), before);
  });

  await t.test('when the status is not one of the five, then 400; when the order is unknown, then 404', async () => {
    const id = await orderAt([]);
    const before = await state(id);
    for (const status of ['lost', 'PAID', '', 'Paid ']) {
      assertProblem(await setStatus(id, { status }), 400, { code: 'VALIDATION_FAILED' });
    }
    assertProblem(await setStatus(999999, { status: 'paid' }), 404, { code: 'NOT_FOUND' });
    assert.deepEqual(await state(id), before);
  });
});

test('when an admin cancels through the status route, then 200, the history says cancelled and the stock comes back', async (t) => {
  const { mug, order, setStatus, moveTo, trackOf, stockOf } = await pendingOrder(t);
  await moveTo(order.id, 'paid');
  assert.equal(await stockOf(mug.id), 7);

  const cancelled = await setStatus(order.id, { status: 'cancelled', note: 'Out of the country' });

  assert.equal(cancelled.status, 200);
  assert.equal(cancelled.body.status, 'cancelled');
  assert.equal(await stockOf(mug.id), 10);
  assert.deepEqual(
    (await trackOf(order.id)).history.map((h: { status: string; note: string | null }) => [h.status, h.note]),
    [
      ['pending', 'Order placed'],
      ['paid', null],
      ['cancelled', 'Out of the country'],
    ],
  );
});

// Cancelling.

/** Ann's pending order of 3 Mugs (tracked, 10 → 7) and 5 Pens (untracked). */
async function pendingOrderWithPens(t: import('node:test').TestContext) {
  const shop = await openOrderShop(t);
  const order = await shop.placed(shop.ann, [
    { product_id: shop.mug.id, quantity: 3 },
    { product_id: shop.pen.id, quantity: 5 },
  ]);
  assert.equal(await shop.stockOf(shop.mug.id), 7);
  return { ...shop, order };
}

test('when the owner cancels a pending order, then 200 cancelled, the tracked stock comes back, the untracked stays null, and the history says who', async (t) => {
  const { ann, mug, pen, order, cancel, orderOf, trackOf, stockOf } = await pendingOrderWithPens(t);

  const cancelled = await cancel(order.id, ann);

  assert.equal(cancelled.status, 200);
  assert.deepEqual({ ...cancelled.body, updated_at: undefined }, { ...order, status: 'cancelled', updated_at: undefined });
  assert.deepEqual(await orderOf(order.id), cancelled.body);
  assert.equal(await stockOf(mug.id), 10);
  assert.equal(await stockOf(pen.id), null);
  const tracked = await trackOf(order.id);
  assert.equal(tracked.status, 'cancelled');
  assert.deepEqual(
    tracked.history.map((h: { status: string; note: string | null }) => [h.status, h.note]),
    [
      ['pending', 'Order placed'],
      ['cancelled', 'Cancelled by the customer'],
    ],
  );
});

test('when an admin cancels a pending or a paid order, then 200 cancelled and the stock comes back each time', async (t) => {
  const { admin, ann, mug, order, cancel, moveTo, placed, trackOf, stockOf } = await pendingOrderWithPens(t);
  const paid = await placed(ann, [{ product_id: mug.id, quantity: 2 }]);
  await moveTo(paid.id, 'paid');
  assert.equal(await stockOf(mug.id), 5);

  const first = await cancel(order.id, admin);
  assert.equal(first.status, 200);
  assert.equal(first.body.status, 'cancelled');
  assert.equal(await stockOf(mug.id), 8);

  const second = await cancel(paid.id, admin);
  assert.equal(second.status, 200);
  assert.equal(second.body.status, 'cancelled');
  assert.equal(await stockOf(mug.id), 10);
  assert.equal((await trackOf(paid.id)).history.at(-1).note, 'Cancelled by an admin');
});

test('when an order is cancelled twice, then the second is 409 and the stock was returned only once, even after it sold again', async (t) => {
  const { admin, ann, mug, order, cancel, placed, trackOf, stockOf, newCustomer } = await pendingOrderWithPens(t);
  const bob = await newCustomer();
  assert.equal((await cancel(order.id, ann)).status, 200);
  assert.equal(await stockOf(mug.id), 10);

  assertProblem(await cancel(order.id, ann), 409, { code: 'ILLEGAL_STATUS_CHANGE' });
  assertProblem(await cancel(order.id, admin), 409, { code: 'ILLEGAL_STATUS_CHANGE' });
  assert.equal(await stockOf(mug.id), 10);
  assert.equal((await trackOf(order.id)).history.length, 2);

  await placed(bob, [{ product_id: mug.id, quantity: 10 }]);
  assertProblem(await cancel(order.id, admin), 409, { code: 'ILLEGAL_STATUS_CHANGE' });
  assert.equal(await stockOf(mug.id), 0);
});

test('when a cancel is refused, then the answer says why and the order, its history and the stock stay as they were', async (t) => {
  const { admin, ann, product, placed, cancel, moveTo, orderOf, trackOf, stockOf, newCustomer } = await openOrderShop(t);
  const bob = await newCustomer();
  const crate = await product({ product_name: 'Crate', price: 5, stock: 100 });
  const orderAt = async (path: string[]) => {
    const order = await placed(ann, [{ product_id: crate.id, quantity: 3 }]);
    await moveTo(order.id, ...path);
    return order.id as number;
  };
  const state = async (id: number) => ({ order: await orderOf(id), track: await trackOf(id), stock: await stockOf(crate.id) });
  const refused = async (id: number, who: Caller, status: number, code: string) => {
    const before = await state(id);
    assertProblem(await cancel(id, who), status, { code });
    assert.deepEqual(await state(id), before);
  };

  await t.test('when the owner cancels a paid order, then 409 and it stays paid with its stock still taken', async () => {
    const id = await orderAt(['paid']);
    await refused(id, ann, 409, 'ILLEGAL_STATUS_CHANGE');
    assert.equal((await orderOf(id)).status, 'paid');
  });

  await t.test("when a customer cancels another customer's order, then 403", async () => {
    await refused(await orderAt([]), bob, 403, 'FORBIDDEN');
  });

  await t.test('when a shipped or a delivered order is cancelled, by an admin or its owner, then 409', async () => {
    const shipped = await orderAt(['paid', 'shipped']);
    const delivered = await orderAt(['paid', 'shipped', 'delivered']);
    await refused(shipped, admin, 409, 'ILLEGAL_STATUS_CHANGE');
    await refused(delivered, admin, 409, 'ILLEGAL_STATUS_CHANGE');
    await refused(delivered, ann, 409, 'ILLEGAL_STATUS_CHANGE');
  });
});

test('when the ordered product was deleted, then cancelling still works and the order keeps its lines', async (t) => {
  const { admin, mug, order, cancel, deleteProduct, orderOf } = await pendingOrderWithPens(t);
  await deleteProduct(mug.id);

  const cancelled = await cancel(order.id, admin);

  assert.equal(cancelled.status, 200);
  assert.deepEqual((await orderOf(order.id)).items, order.items);
});

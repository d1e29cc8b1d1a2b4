import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call } from '../helpers/app.js';
import { assertProblem } from '../helpers/problem.js';
import { openOrderShop } from '../orders/shop.js';

// GET /reports/summary: the admin dashboard's home figures.

test('when orders are placed, paid and cancelled, then the summary counts them today and over 7 days, with the revenue of those not cancelled, and what waits', async (t) => {
  const { app, admin, ann, mug, placed, moveTo, cancel, product } = await openOrderShop(t);
  const lamp = await product({ product_name: 'Lamp', price: 30, stock: 3 });
  await product({ product_name: 'Untracked', price: 1 });
  await placed(ann, [{ product_id: mug.id, quantity: 2 }]); // 39.98, pending
  const paid = await placed(ann, [{ product_id: lamp.id, quantity: 1 }]); // 30, paid
  await moveTo(paid.id, 'paid');
  const cancelled = await placed(ann, [{ product_id: mug.id, quantity: 1 }]); // 19.99, cancelled
  assert.equal((await cancel(cancelled.id, admin)).status, 200);

  const summary = await call(app, 'GET', '/reports/summary', { token: admin.token });
  assert.equal(summary.status, 200);
  const midnight = `${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`;
  assert.deepEqual(summary.body.today, { since: midnight, orders: 3, revenue: 69.98 });
  assert.deepEqual(summary.body.last_7_days, { since: new Date(Date.parse(midnight) - 6 * 86_400_000).toISOString(), orders: 3, revenue: 69.98 });
  assert.deepEqual([summary.body.awaiting_payment, summary.body.awaiting_shipment, summary.body.currency], [1, 1, 'USD']);
  // Lamp has 2 left, Mug 8 (10 - 2; the cancelled one came back); the untracked one never runs low.
  assert.deepEqual(summary.body.low_stock, [{ id: lamp.id, product_name: 'Lamp', stock: 2 }]);
  assert.equal(summary.body.low_stock_threshold, 5);
  const wider = await call(app, 'GET', '/reports/summary?low_stock=8', { token: admin.token });
  assert.deepEqual(wider.body.low_stock.map((p: { product_name: string }) => p.product_name), ['Lamp', 'Mug']);
});

test("when the caller's day starts later than the orders, then today counts none of them and the 7 days still do", async (t) => {
  const { app, admin, ann, mug, placed } = await openOrderShop(t);
  await placed(ann, [{ product_id: mug.id, quantity: 1 }]);
  const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
  const summary = await call(app, 'GET', `/reports/summary?day_start=${encodeURIComponent(inAnHour)}`, { token: admin.token });
  assert.equal(summary.status, 200);
  assert.deepEqual([summary.body.today.orders, summary.body.today.revenue, summary.body.last_7_days.orders], [0, 0, 1]);
});

test('when a customer, nobody, or a bad query asks for the summary, then 403, 401 or 400', async (t) => {
  const { app, admin, ann } = await openOrderShop(t);
  assertProblem(await call(app, 'GET', '/reports/summary', { token: ann.token }), 403, { code: 'FORBIDDEN' });
  assertProblem(await call(app, 'GET', '/reports/summary'), 401);
  for (const query of ['day_start=yesterday', 'low_stock=-1', 'low_stock=1.5', 'extra=1']) {
    const response = await call(app, 'GET', `/reports/summary?${query}`, { token: admin.token });
    if (query === 'extra=1') assert.equal(response.status, 200, 'an unknown query parameter is ignored, as on every route');
    else assertProblem(response, 400, { code: 'VALIDATION_FAILED', what: query });
  }
});

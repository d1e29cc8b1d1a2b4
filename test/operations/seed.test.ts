import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoShop } from '../../scripts/demo-shop.js';
import { adminToken, buildTestApp, call } from '../helpers/app.js';

// `npm run seed` fills a shop through the API's own routes; a newcomer then sees a living
// dashboard: products (some low on stock), rates, customers, and orders in every state.

test('when a small demo shop is seeded, then the API lists its products, rates, customers and orders in every state, guests\' too', async (t) => {
  const app = await buildTestApp(t);
  const token = await adminToken(app);
  for (const step of demoShop(app, token).steps({ products: 8, customers: 3, orders: 20 })) await step();

  const get = async (url: string) => {
    const response = await call(app, 'GET', url, { token });
    assert.equal(response.status, 200, url);
    return response.body;
  };
  assert.equal((await get('/products/p')).total, 8);
  assert.equal((await get('/customers/p')).total, 1 + 3, 'the admin and three customers');
  assert.equal((await get('/shipping-rates')).length, 2);
  assert.deepEqual((await get('/tax-rates')).map((rate: { name: string }) => rate.name).sort(), ['California', 'France VAT', 'Germany VAT']);
  for (const status of ['pending', 'paid', 'shipped', 'delivered', 'cancelled']) {
    assert.ok((await get(`/orders/p?status=${status}`)).total >= 1, `an order ${status}`);
  }
  assert.ok((await get('/orders/p?guest=true')).total >= 1, 'a guest order');
  assert.ok((await get('/orders/p?payment_status=partially_refunded')).total >= 1, 'an order partly refunded');
  const summary = await get('/reports/summary');
  assert.ok(summary.today.orders >= 10 && summary.today.revenue > 0);
  assert.ok(summary.low_stock.length >= 1, 'a product low on stock');

  // A second run adds to the shop instead of failing on names the first one took.
  for (const step of demoShop(app, token).steps({ products: 1, customers: 1, orders: 1 })) await step();
  assert.equal((await get('/products/p')).total, 9);
});

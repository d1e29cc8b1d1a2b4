import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call } from '../helpers/app.js';
import { assertProblem } from '../helpers/problem.js';
import { shopState } from '../helpers/snapshot.js';
import { BAVARIA, CALIFORNIA, answered, cents, moneyFieldsOf, openCheckoutShop } from './shop.js';

test('when a shop has no shipping or tax rate, then an order sells exactly as in part one: total is the sum of the lines', async (t) => {
  const shop = await openCheckoutShop(t);
  const mug = await shop.product({ price: 19.99 });

  const placed = await shop.place({ items: [{ product_id: mug.id, quantity: 3 }] });

  assert.equal(placed.status, 201);
  assert.equal(placed.body.total, 59.97);
  assert.deepEqual(
    [placed.body.subtotal, placed.body.shipping_total, placed.body.tax_total, placed.body.shipping, placed.body.tax, placed.body.shipping_address],
    [59.97, 0, 0, null, null, null],
  );
  assert.equal(placed.body.currency, 'USD');
  assert.equal(placed.body.email, shop.buyer.email, "the customer's email by default");
  assert.equal(placed.body.items[0].tax, 0);
});

test('when an order needs shipping, then the address and the rate are required (400 SHIPPING_REQUIRED naming the field) and nothing is placed', async (t) => {
  const shop = await openCheckoutShop(t);
  const mug = await shop.product({ stock: 5 });
  const rate = await shop.shippingRate();
  const before = await shopState(shop.app, shop.admin);
  const items = [{ product_id: mug.id, quantity: 1 }];

  const noAddress = await shop.place({ items, shipping_rate_id: rate.id });
  assertProblem(noAddress, 400, { code: 'SHIPPING_REQUIRED' });
  assert.deepEqual(noAddress.body.errors.map((e: { path: string }) => e.path), ['/body/shipping_address']);
  const noRate = await shop.place({ items, shipping_address: CALIFORNIA });
  assertProblem(noRate, 400, { code: 'SHIPPING_REQUIRED' });
  assert.deepEqual(noRate.body.errors.map((e: { path: string }) => e.path), ['/body/shipping_rate_id']);
  const both = await shop.place({ items, shipping_address: CALIFORNIA, shipping_address_id: 1, shipping_rate_id: rate.id });
  assertProblem(both, 400, { code: 'VALIDATION_FAILED' });

  assert.deepEqual(await shopState(shop.app, shop.admin), before, 'nothing placed, no stock taken');
});

test('when every line needs no shipping, then no rate is asked for, and naming one is 400', async (t) => {
  const shop = await openCheckoutShop(t);
  const ebook = await shop.product({ price: 5, requires_shipping: false });
  const rate = await shop.shippingRate();

  const placed = await shop.place({ items: [{ product_id: ebook.id, quantity: 1 }] });
  assert.equal(placed.status, 201);
  assert.equal(placed.body.shipping, null);
  assert.equal(placed.body.total, 5);

  const needless = await shop.place({ items: [{ product_id: ebook.id, quantity: 1 }], shipping_address: CALIFORNIA, shipping_rate_id: rate.id });
  assertProblem(needless, 400, { code: 'VALIDATION_FAILED' });
  assert.deepEqual(needless.body.errors.map((e: { path: string }) => e.path), ['/body/shipping_rate_id']);
});

test('when a rate has subtotal bounds, then it is eligible exactly from min to max inclusive, and otherwise 409 SHIPPING_RATE_UNAVAILABLE', async (t) => {
  const shop = await openCheckoutShop(t);
  const cent = await shop.product({ price: 0.01 });
  const rate = await shop.shippingRate({ price: 0, min_subtotal: 5, max_subtotal: 10 });
  const body = (units: number) => ({ items: [{ product_id: cent.id, quantity: units }], shipping_address: CALIFORNIA, shipping_rate_id: rate.id });

  for (const [units, eligible] of [[499, false], [500, true], [1000, true]] as const) {
    const quote = await shop.quote(body(units));
    assert.equal(quote.status, eligible ? 200 : 409, `subtotal ${units / 100}`);
    const placed = await shop.place(body(units));
    if (eligible) {
      assert.equal(placed.status, 201, `subtotal ${units / 100}`);
      assert.deepEqual(quote.body.shipping_options, [{ id: rate.id, name: 'Standard', price: 0 }]);
    } else {
      assertProblem(placed, 409, { code: 'SHIPPING_RATE_UNAVAILABLE', what: `subtotal ${units / 100}` });
    }
  }
  // 10.01: one product at 0.01 × 1,000 is 10.00, so add a second line of one cent.
  const other = await shop.product({ price: 0.01 });
  const over = await shop.place({ ...body(1000), items: [{ product_id: cent.id, quantity: 1000 }, { product_id: other.id, quantity: 1 }] });
  assertProblem(over, 409, { code: 'SHIPPING_RATE_UNAVAILABLE' });
});

test('when a rate does not list the country, is inactive or unknown, then 409 SHIPPING_RATE_UNAVAILABLE', async (t) => {
  const shop = await openCheckoutShop(t);
  const mug = await shop.product();
  const germanOnly = await shop.shippingRate({ countries: ['DE'] });
  const inactive = await shop.shippingRate({ active: false });
  const items = [{ product_id: mug.id, quantity: 1 }];

  for (const rateId of [germanOnly.id, inactive.id, 999_999]) {
    assertProblem(await shop.place({ items, shipping_address: CALIFORNIA, shipping_rate_id: rateId }), 409, { code: 'SHIPPING_RATE_UNAVAILABLE' });
  }
  assert.equal((await shop.place({ items, shipping_address: BAVARIA, shipping_rate_id: germanOnly.id })).status, 201);
});

test('when the tax rate is picked, then it is the region\'s, else the country\'s, from the shipping address, else the billing address, else SHOP_COUNTRY', async (t) => {
  const shop = await openCheckoutShop(t, { shopCountry: 'DE' });
  const mug = await shop.product({ price: 100 });
  const ebook = await shop.product({ price: 100, requires_shipping: false });
  const rate = await shop.shippingRate({ price: 0 });
  await shop.taxRate({ name: 'US', country_code: 'US', rate: 5 });
  await shop.taxRate({ name: 'California', country_code: 'US', region_code: 'CA', rate: 7.25 });
  await shop.taxRate({ name: 'Germany', country_code: 'DE', rate: 19 });
  const taxOf = async (body: Record<string, unknown>) => {
    const response = await shop.place(body);
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body.tax;
  };

  const shipped = { items: [{ product_id: mug.id, quantity: 1 }], shipping_rate_id: rate.id };
  assert.deepEqual(await taxOf({ ...shipped, shipping_address: CALIFORNIA }), { name: 'California', rate: 7.25 });
  assert.deepEqual(await taxOf({ ...shipped, shipping_address: { ...CALIFORNIA, region_code: 'NY' } }), { name: 'US', rate: 5 });
  const { region_code: _, ...noRegion } = CALIFORNIA;
  assert.deepEqual(await taxOf({ ...shipped, shipping_address: noRegion }), { name: 'US', rate: 5 });
  const digital = { items: [{ product_id: ebook.id, quantity: 1 }] };
  assert.deepEqual(await taxOf({ ...digital, billing_address: CALIFORNIA }), { name: 'California', rate: 7.25 }, 'the billing address');
  assert.deepEqual(await taxOf(digital), { name: 'Germany', rate: 19 }, 'SHOP_COUNTRY');
  assert.deepEqual(await taxOf({ ...digital, billing_address: { ...BAVARIA, country_code: 'FR' } }), null, 'a country without a rate');
});

test('when no address is given and SHOP_COUNTRY is unset, then there is no tax', async (t) => {
  const shop = await openCheckoutShop(t);
  const ebook = await shop.product({ price: 10, requires_shipping: false });
  await shop.taxRate({ country_code: 'DE', rate: 19 });

  const placed = await shop.place({ items: [{ product_id: ebook.id, quantity: 1 }] });
  assert.equal(placed.status, 201);
  assert.deepEqual([placed.body.tax, placed.body.tax_total, placed.body.total], [null, 0, 10]);
});

test('when an order is placed, then the billing address defaults to the shipping one, and email and note are kept', async (t) => {
  const shop = await openCheckoutShop(t);
  const mug = await shop.product();
  const rate = await shop.shippingRate();

  const placed = await shop.place({
    items: [{ product_id: mug.id, quantity: 1 }],
    shipping_address: CALIFORNIA,
    shipping_rate_id: rate.id,
    email: 'gift@example.com',
    note: 'Leave it at the door',
  });

  assert.equal(placed.status, 201);
  assert.deepEqual(placed.body.shipping_address, answered(CALIFORNIA));
  assert.deepEqual(placed.body.billing_address, answered(CALIFORNIA));
  assert.equal(placed.body.email, 'gift@example.com');
  assert.equal(placed.body.note, 'Leave it at the door');
  assert.deepEqual(placed.body.shipping, { rate_id: rate.id, name: 'Standard', price: 4.99, tax: 0 });
});

test("when an order names an address of the customer's book, then it is copied; another customer's address is 404", async (t) => {
  const shop = await openCheckoutShop(t);
  const mug = await shop.product();
  const rate = await shop.shippingRate();
  const saved = await call(shop.app, 'POST', `/customers/${shop.buyer.id}/addresses`, { token: shop.buyer.token, body: BAVARIA });
  assert.equal(saved.status, 201);
  const items = [{ product_id: mug.id, quantity: 1 }];

  const placed = await shop.place({ items, shipping_address_id: saved.body.id, shipping_rate_id: rate.id });
  assert.equal(placed.status, 201);
  assert.deepEqual(placed.body.shipping_address, answered(BAVARIA));

  const admin = await call(shop.app, 'GET', '/customers', { token: shop.admin });
  const adminId = admin.body.find((c: { username: string }) => c.username === 'admin').id;
  const foreign = await call(shop.app, 'POST', `/customers/${adminId}/addresses`, { token: shop.admin, body: CALIFORNIA });
  assertProblem(await shop.place({ items, shipping_address_id: foreign.body.id, shipping_rate_id: rate.id }), 404);
  assertProblem(await shop.place({ items, shipping_address: CALIFORNIA, billing_address_id: foreign.body.id, shipping_rate_id: rate.id }), 404);
});

test('when products, rates and the address book change after an order, then the placed order keeps its copy', async (t) => {
  const shop = await openCheckoutShop(t);
  const mug = await shop.product({ price: 19.99 });
  const rate = await shop.shippingRate({ price: 4.99 });
  const tax = await shop.taxRate({ country_code: 'DE', rate: 19 });
  const saved = await call(shop.app, 'POST', `/customers/${shop.buyer.id}/addresses`, { token: shop.buyer.token, body: BAVARIA });
  const placed = await shop.place({ items: [{ product_id: mug.id, quantity: 2 }], shipping_address_id: saved.body.id, shipping_rate_id: rate.id });
  assert.equal(placed.status, 201);

  await shop.updated(`/products/${mug.id}`, { product_name: 'Renamed', price: 1 });
  await shop.updated(`/shipping-rates/${rate.id}`, { name: 'Express', price: 20 });
  await shop.updated(`/tax-rates/${tax.id}`, { name: 'Changed', rate: 7 });
  const edited = await call(shop.app, 'PUT', `/customers/${shop.buyer.id}/addresses/${saved.body.id}`, { token: shop.buyer.token, body: { city: 'Berlin' } });
  assert.equal(edited.status, 200);
  assert.deepEqual(await shop.orderOf(placed.body.id), placed.body);

  assert.equal((await call(shop.app, 'DELETE', `/shipping-rates/${rate.id}`, { token: shop.admin })).status, 200);
  assert.equal((await call(shop.app, 'DELETE', `/tax-rates/${tax.id}`, { token: shop.admin })).status, 200);
  assert.equal((await call(shop.app, 'DELETE', `/customers/${shop.buyer.id}/addresses/${saved.body.id}`, { token: shop.buyer.token })).status, 200);
  assert.equal((await call(shop.app, 'DELETE', `/products/${mug.id}`, { token: shop.admin })).status, 200);
  assert.deepEqual(await shop.orderOf(placed.body.id), placed.body);
  const page = await call(shop.app, 'GET', '/orders/p', { token: shop.buyer.token });
  assert.deepEqual(page.body.items, [placed.body]);
});

test('when a quote is asked, then it answers what placing would charge, places nothing, and may leave shipping open', async (t) => {
  const shop = await openCheckoutShop(t);
  const mug = await shop.product({ price: 19.99, stock: 3 });
  const rate = await shop.shippingRate({ price: 4.99, countries: ['US'] });
  await shop.taxRate({ country_code: 'US', rate: 8.875 });
  const before = await shopState(shop.app, shop.admin);
  const items = [{ product_id: mug.id, quantity: 2 }];

  const open = await shop.quote({ items });
  assert.equal(open.status, 200);
  assert.deepEqual([open.body.shipping, open.body.shipping_options, open.body.subtotal, open.body.tax], [null, [], 39.98, null]);
  const withAddress = await shop.quote({ items, shipping_address: CALIFORNIA });
  assert.deepEqual(withAddress.body.shipping_options, [{ id: rate.id, name: 'Standard', price: 4.99 }]);
  assert.equal(withAddress.body.shipping, null);
  assert.equal(cents(withAddress.body.tax_total), 355, '8.875 % of 39.98 is 3.548 (no shipping chosen yet)');
  assertProblem(await shop.quote({ items: [{ product_id: mug.id, quantity: 4 }] }), 409, { code: 'INSUFFICIENT_STOCK' });
  assert.deepEqual(await shopState(shop.app, shop.admin), before, 'a quote places nothing');

  const full = { items, shipping_address: CALIFORNIA, shipping_rate_id: rate.id };
  const quote = await shop.quote(full);
  const placed = await shop.place(full);
  assert.equal(placed.status, 201);
  assert.deepEqual(moneyFieldsOf(quote.body), moneyFieldsOf(placed.body));
  assert.equal(cents(placed.body.total), 3998 + 499 + 355 + 44);
});

test('when a cart is quoted and checked out with checkout fields, then the quote equals the order and the cart stays until checkout', async (t) => {
  const shop = await openCheckoutShop(t);
  const mug = await shop.product({ price: 19.99 });
  const rate = await shop.shippingRate();
  await shop.taxRate({ country_code: 'DE', rate: 19, applies_to_shipping: false });
  assert.equal((await call(shop.app, 'POST', '/cart/add', { token: shop.buyer.token, body: { customer_id: shop.buyer.id, product_id: mug.id, quantity: 3 } })).status, 200);
  const body = { customer_id: shop.buyer.id, shipping_address: BAVARIA, shipping_rate_id: rate.id };

  const quote = await call(shop.app, 'POST', '/orders/from_cart/quote', { token: shop.buyer.token, body });
  assert.equal(quote.status, 200);
  assert.equal((await call(shop.app, 'GET', `/cart/${shop.buyer.id}`, { token: shop.buyer.token })).body.items.length, 1);
  const placed = await call(shop.app, 'POST', '/orders/from_cart', { token: shop.buyer.token, body });
  assert.equal(placed.status, 201);
  assert.deepEqual(moneyFieldsOf(quote.body), moneyFieldsOf(placed.body));
  assert.equal(cents(placed.body.tax_total), 1139);
  assertProblem(await call(shop.app, 'POST', '/orders/from_cart/quote', { token: shop.buyer.token, body }), 409, { code: 'EMPTY_CART' });
});

test('when SHOP_CURRENCY is EUR, then orders and quotes carry it', async (t) => {
  const shop = await openCheckoutShop(t, { shopCurrency: 'EUR' });
  const mug = await shop.product();
  const items = [{ product_id: mug.id, quantity: 1 }];
  assert.equal((await shop.quote({ items })).body.currency, 'EUR');
  assert.equal((await shop.place({ items })).body.currency, 'EUR');
});

test('when a placing body is malformed, then 400 with errors[] and nothing changes', async (t) => {
  const shop = await openCheckoutShop(t);
  const mug = await shop.product();
  const items = [{ product_id: mug.id, quantity: 1 }];
  const before = await shopState(shop.app, shop.admin);
  const bad: [string, Record<string, unknown>][] = [
    ['an unknown field', { items, coupon: 'FREE' }],
    ['an unknown address field', { items, shipping_address: { ...CALIFORNIA, planet: 'Earth' } }],
    ['a lower-case country', { items, shipping_address: { ...CALIFORNIA, country_code: 'us' } }],
    ['an unassigned country', { items, shipping_address: { ...CALIFORNIA, country_code: 'ZZ' } }],
    ['a long region', { items, shipping_address: { ...CALIFORNIA, region_code: 'CALI' } }],
    ['an empty first name', { items, shipping_address: { ...CALIFORNIA, first_name: '' } }],
    ['a long city', { items, shipping_address: { ...CALIFORNIA, city: 'x'.repeat(101) } }],
    ['a long note', { items, note: 'x'.repeat(1001) }],
    ['a bad email', { items, email: 'not-an-email' }],
    ['a rate id of the wrong type', { items, shipping_rate_id: '1' }],
  ];
  for (const [what, body] of bad) {
    for (const url of ['/orders', '/orders/quote']) {
      const response = await call(shop.app, 'POST', url, { token: shop.buyer.token, body: { customer_id: shop.buyer.id, ...body } });
      assertProblem(response, 400, { code: 'VALIDATION_FAILED', what: `${url}: ${what}`, sent: JSON.stringify(body) });
      assert.ok(response.body.errors.length > 0, `${url}: ${what}: errors[]`);
    }
  }
  assert.deepEqual(await shopState(shop.app, shop.admin), before);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminToken, buildTestApp, call, registerCustomer } from '../helpers/app.js';
import { countByStatus, listen } from '../helpers/http.js';
import { assertProblem } from '../helpers/problem.js';
import { allShippingRates, createShippingRate } from './helpers.js';

const RATE_KEYS = ['active', 'countries', 'created_at', 'id', 'max_subtotal', 'min_subtotal', 'name', 'price', 'updated_at'];

test('when an admin creates a shipping rate with every field, then 201 with exactly the rate fields, and it reads back the same', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);

  const response = await call(app, 'POST', '/shipping-rates', {
    token: admin,
    body: { name: 'Express', price: 12.99, countries: ['DE', 'AT'], min_subtotal: 10, max_subtotal: 500.5, active: true },
  });

  assert.equal(response.status, 201);
  assert.deepEqual(Object.keys(response.body).sort(), RATE_KEYS);
  const rate = response.body;
  assert.ok(Number.isInteger(rate.id) && rate.id > 0);
  assert.deepEqual(
    { name: rate.name, price: rate.price, countries: rate.countries, min: rate.min_subtotal, max: rate.max_subtotal, active: rate.active },
    { name: 'Express', price: 12.99, countries: ['DE', 'AT'], min: 10, max: 500.5, active: true },
  );
  assert.equal(rate.updated_at, rate.created_at);
  assert.deepEqual((await call(app, 'GET', `/shipping-rates/${rate.id}`)).body, rate);
  assert.deepEqual((await call(app, 'GET', '/shipping-rates')).body, [rate]);
});

test('when a rate is created with only name, price and countries, then its bounds are null (open) and it is active', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);

  const rate = await createShippingRate(app, admin, { name: 'Everywhere', price: 0, countries: ['*'] });

  assert.deepEqual(
    { countries: rate.countries, min: rate.min_subtotal, max: rate.max_subtotal, active: rate.active, price: rate.price },
    { countries: ['*'], min: null, max: null, active: true, price: 0 },
  );
});

test('when rates are listed, then anyone and customers see the active ones by id, and an admin sees every one', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { token: customer } = await registerCustomer(app);
  const first = await createShippingRate(app, admin, { name: 'First' });
  const hidden = await createShippingRate(app, admin, { name: 'Hidden', active: false });
  const third = await createShippingRate(app, admin, { name: 'Third', countries: ['*'] });

  const anonymous = await call(app, 'GET', '/shipping-rates');
  const asCustomer = await call(app, 'GET', '/shipping-rates', { token: customer });
  const asAdmin = await call(app, 'GET', '/shipping-rates', { token: admin });

  assert.equal(anonymous.status, 200);
  assert.deepEqual(anonymous.body, [first, third]);
  assert.equal(asCustomer.status, 200);
  assert.deepEqual(asCustomer.body, [first, third]);
  assert.equal(asAdmin.status, 200);
  assert.deepEqual(asAdmin.body, [first, hidden, third]);
});

test('when an inactive rate is read by id, then it is 404 for anyone and for customers, and 200 for an admin', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { token: customer } = await registerCustomer(app);
  const hidden = await createShippingRate(app, admin, { active: false });

  assertProblem(await call(app, 'GET', `/shipping-rates/${hidden.id}`), 404, { code: 'NOT_FOUND' });
  assertProblem(await call(app, 'GET', `/shipping-rates/${hidden.id}`, { token: customer }), 404, { code: 'NOT_FOUND' });
  const asAdmin = await call(app, 'GET', `/shipping-rates/${hidden.id}`, { token: admin });
  assert.equal(asAdmin.status, 200);
  assert.deepEqual(asAdmin.body, hidden);
  assertProblem(await call(app, 'GET', '/shipping-rates/999999', { token: admin }), 404, { code: 'NOT_FOUND' });
});

test('when a read of the rates sends a bad token, then 401 rather than the public list (an admin would take inactive rates for gone)', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const rate = await createShippingRate(app, admin);

  for (const url of ['/shipping-rates', `/shipping-rates/${rate.id}`]) {
    assertProblem(await call(app, 'GET', url, { headers: { authorization: 'Bearer not-a-token' } }), 401, { code: 'UNAUTHORIZED' });
  }
});

test('when an admin updates a subset of a rate, then only those fields change, and a rate made inactive leaves the public list', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const rate = await createShippingRate(app, admin, { name: 'Standard', price: 4.9, countries: ['DE'], min_subtotal: 5 });

  const renamed = await call(app, 'PUT', `/shipping-rates/${rate.id}`, { token: admin, body: { name: 'Parcel', countries: ['DE', 'FR'] } });
  assert.equal(renamed.status, 200);
  assert.deepEqual({ ...renamed.body, updated_at: rate.updated_at }, { ...rate, name: 'Parcel', countries: ['DE', 'FR'] });
  assert.ok(renamed.body.updated_at >= rate.updated_at);

  const opened = await call(app, 'PUT', `/shipping-rates/${rate.id}`, { token: admin, body: { min_subtotal: null, max_subtotal: 80, active: false } });
  assert.equal(opened.status, 200);
  assert.deepEqual([opened.body.min_subtotal, opened.body.max_subtotal, opened.body.active], [null, 80, false]);

  assert.deepEqual((await call(app, 'GET', '/shipping-rates')).body, []);
  assert.deepEqual((await call(app, 'GET', `/shipping-rates/${rate.id}`, { token: admin })).body, opened.body);
  assertProblem(await call(app, 'PUT', '/shipping-rates/999999', { token: admin, body: { name: 'Nobody' } }), 404, { code: 'NOT_FOUND' });
});

test('when a PUT changes one bound past the stored other one, then 400 naming the field sent, and the rate is unchanged', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const rate = await createShippingRate(app, admin, { min_subtotal: 20, max_subtotal: 100 });

  const minAbove = await call(app, 'PUT', `/shipping-rates/${rate.id}`, { token: admin, body: { min_subtotal: 100.01 } });
  assertProblem(minAbove, 400, { code: 'VALIDATION_FAILED' });
  assert.deepEqual(minAbove.body.errors, [{ path: '/body/min_subtotal', message: 'must not be greater than max_subtotal' }]);
  const maxBelow = await call(app, 'PUT', `/shipping-rates/${rate.id}`, { token: admin, body: { max_subtotal: 19.99 } });
  assertProblem(maxBelow, 400, { code: 'VALIDATION_FAILED' });
  assert.deepEqual(maxBelow.body.errors, [{ path: '/body/max_subtotal', message: 'must not be less than min_subtotal' }]);
  const both = await call(app, 'PUT', `/shipping-rates/${rate.id}`, { token: admin, body: { min_subtotal: 50, max_subtotal: 40, name: 'X' } });
  assertProblem(both, 400, { code: 'VALIDATION_FAILED' });
  assert.deepEqual(await allShippingRates(app, admin), [rate]);

  // Equal bounds are fine (both inclusive), and so is a bound moved within the other.
  const equal = await call(app, 'PUT', `/shipping-rates/${rate.id}`, { token: admin, body: { min_subtotal: 100 } });
  assert.equal(equal.status, 200);
  assert.deepEqual([equal.body.min_subtotal, equal.body.max_subtotal], [100, 100]);
});

test('when an admin deletes a rate, then 200 with a message, it is gone for everyone, and a second delete is 404', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const gone = await createShippingRate(app, admin, { name: 'Gone' });
  const kept = await createShippingRate(app, admin, { name: 'Kept' });

  const response = await call(app, 'DELETE', `/shipping-rates/${gone.id}`, { token: admin });

  assert.equal(response.status, 200);
  assert.deepEqual(response.body, { message: 'Shipping rate deleted.' });
  assertProblem(await call(app, 'GET', `/shipping-rates/${gone.id}`, { token: admin }), 404, { code: 'NOT_FOUND' });
  assert.deepEqual(await allShippingRates(app, admin), [kept]);
  assertProblem(await call(app, 'DELETE', `/shipping-rates/${gone.id}`, { token: admin }), 404, { code: 'NOT_FOUND' });
});

test('when a customer writes shipping rates, then 403; without a token, 401; and the rates are unchanged', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { token: customer } = await registerCustomer(app);
  const rate = await createShippingRate(app, admin);
  const writes = [
    { method: 'POST' as const, url: '/shipping-rates', body: { name: 'Sneaked in', price: 0, countries: ['*'] } },
    { method: 'PUT' as const, url: `/shipping-rates/${rate.id}`, body: { price: 0 } },
    { method: 'DELETE' as const, url: `/shipping-rates/${rate.id}`, body: undefined },
  ];

  for (const write of writes) {
    assertProblem(await call(app, write.method, write.url, { token: customer, body: write.body }), 403, { code: 'FORBIDDEN', what: `${write.method} ${write.url}` });
    assertProblem(await call(app, write.method, write.url, { body: write.body }), 401, { code: 'UNAUTHORIZED', what: `${write.method} ${write.url}` });
  }

  assert.deepEqual(await allShippingRates(app, admin), [rate]);
});

test('when one PUT raises the minimum and another lowers the maximum past it at the same moment, then one is 200, the other 400, and min stays <= max', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const http = await listen(t, app);
  for (let round = 0; round < 5; round += 1) {
    const rate = await createShippingRate(app, admin, { min_subtotal: 0, max_subtotal: 100 });

    const results = await Promise.all([
      http('PUT', `/shipping-rates/${rate.id}`, { token: admin, body: { min_subtotal: 80 } }),
      http('PUT', `/shipping-rates/${rate.id}`, { token: admin, body: { max_subtotal: 50 } }),
    ]);

    assert.deepEqual(countByStatus(results), { 200: 1, 400: 1 });
    const after = (await call(app, 'GET', `/shipping-rates/${rate.id}`, { token: admin })).body;
    assert.ok(after.min_subtotal <= after.max_subtotal, JSON.stringify(after));
  }
});

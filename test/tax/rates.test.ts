import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminToken, buildTestApp, call, registerCustomer } from '../helpers/app.js';
import { countByStatus, listen } from '../helpers/http.js';
import { assertProblem } from '../helpers/problem.js';
import { allTaxRates, createTaxRate } from './helpers.js';

const RATE_KEYS = ['applies_to_shipping', 'country_code', 'created_at', 'id', 'name', 'rate', 'region_code', 'updated_at'];

test('when an admin creates a tax rate with every field, then 201 with exactly the rate fields, and anyone reads it back', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);

  const response = await call(app, 'POST', '/tax-rates', {
    token: admin,
    body: { name: 'New York City', country_code: 'US', region_code: 'NY', rate: 8.875, applies_to_shipping: false },
  });

  assert.equal(response.status, 201);
  assert.deepEqual(Object.keys(response.body).sort(), RATE_KEYS);
  const rate = response.body;
  assert.deepEqual(
    [rate.name, rate.country_code, rate.region_code, rate.rate, rate.applies_to_shipping],
    ['New York City', 'US', 'NY', 8.875, false],
  );
  assert.equal(rate.updated_at, rate.created_at);
  assert.deepEqual(await allTaxRates(app), [rate]);
});

test('when a tax rate is created without region_code and applies_to_shipping, then it is for the whole country and taxes shipping', async (t) => {
  const app = await buildTestApp(t);

  const rate = await createTaxRate(app, await adminToken(app), { country_code: 'DE', rate: 19 });

  assert.equal(rate.region_code, null);
  assert.equal(rate.applies_to_shipping, true);
  assert.equal(rate.rate, 19);
});

test('when tax rates are listed, then anyone, customers and admins get all of them by id', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { token: customer } = await registerCustomer(app);
  const rates = [
    await createTaxRate(app, admin, { country_code: 'US', region_code: 'CA', rate: 7.25 }),
    await createTaxRate(app, admin, { country_code: 'DE', rate: 19 }),
    await createTaxRate(app, admin, { country_code: 'US', rate: 0 }),
  ];

  for (const token of [undefined, customer, admin]) {
    const response = await call(app, 'GET', '/tax-rates', { token });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, rates);
  }
});

test('when a second rate is created for the same country and region, then 409 DUPLICATE, also for the whole country; another region is fine', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const country = await createTaxRate(app, admin, { country_code: 'US', rate: 0 });
  const california = await createTaxRate(app, admin, { country_code: 'US', region_code: 'CA', rate: 7.25 });

  const again = [
    { name: 'Again', country_code: 'US', rate: 1 },
    { name: 'Again, null', country_code: 'US', region_code: null, rate: 1 },
    { name: 'Again, CA', country_code: 'US', region_code: 'CA', rate: 1 },
  ];
  for (const body of again) {
    const response = await call(app, 'POST', '/tax-rates', { token: admin, body });
    assertProblem(response, 409, { code: 'DUPLICATE', what: JSON.stringify(body) });
  }
  assert.deepEqual(await allTaxRates(app), [country, california]);

  const texas = await createTaxRate(app, admin, { country_code: 'US', region_code: 'TX', rate: 6.25 });
  const canada = await createTaxRate(app, admin, { country_code: 'CA', rate: 5 });
  assert.deepEqual(await allTaxRates(app), [country, california, texas, canada]);
});

test('when two creates of one country and region arrive at once, then one is 201 and the other 409, never a 500', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const http = await listen(t, app);

  for (const region of [null, 'BY']) {
    const body = { name: 'Race', country_code: 'DE', region_code: region, rate: 19 };
    const results = await Promise.all([0, 1].map(() => http('POST', '/tax-rates', { token: admin, body })));

    assert.deepEqual(countByStatus(results), { 201: 1, 409: 1 });
    assert.equal(results.find((r) => r.status === 409)!.body.code, 'DUPLICATE');
  }
  const places = (await allTaxRates(app)).map((rate) => [rate.country_code, rate.region_code]);
  assert.deepEqual(places, [['DE', null], ['DE', 'BY']]);
});

test('when an admin updates a subset of a tax rate, then only those fields change; moving it onto a taken place is 409', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const country = await createTaxRate(app, admin, { country_code: 'US', rate: 0 });
  const california = await createTaxRate(app, admin, { name: 'California', country_code: 'US', region_code: 'CA', rate: 7.25 });

  const raised = await call(app, 'PUT', `/tax-rates/${california.id}`, { token: admin, body: { rate: 7.5, applies_to_shipping: false } });
  assert.equal(raised.status, 200);
  assert.deepEqual({ ...raised.body, updated_at: california.updated_at }, { ...california, rate: 7.5, applies_to_shipping: false });

  assertProblem(await call(app, 'PUT', `/tax-rates/${california.id}`, { token: admin, body: { region_code: null } }), 409, { code: 'DUPLICATE' });
  assertProblem(await call(app, 'PUT', `/tax-rates/${country.id}`, { token: admin, body: { region_code: 'CA' } }), 409, { code: 'DUPLICATE' });
  assert.deepEqual(await allTaxRates(app), [country, raised.body]);

  const moved = await call(app, 'PUT', `/tax-rates/${california.id}`, { token: admin, body: { region_code: 'NV', name: 'Nevada' } });
  assert.equal(moved.status, 200);
  assert.deepEqual([moved.body.country_code, moved.body.region_code, moved.body.name, moved.body.rate], ['US', 'NV', 'Nevada', 7.5]);
  assertProblem(await call(app, 'PUT', '/tax-rates/999999', { token: admin, body: { rate: 1 } }), 404, { code: 'NOT_FOUND' });
});

test('when an admin deletes a tax rate, then 200 with a message and it is gone; a second delete is 404', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const gone = await createTaxRate(app, admin, { country_code: 'FR', rate: 20 });
  const kept = await createTaxRate(app, admin, { country_code: 'DE', rate: 19 });

  const response = await call(app, 'DELETE', `/tax-rates/${gone.id}`, { token: admin });

  assert.equal(response.status, 200);
  assert.deepEqual(response.body, { message: 'Tax rate deleted.' });
  assert.deepEqual(await allTaxRates(app), [kept]);
  assertProblem(await call(app, 'DELETE', `/tax-rates/${gone.id}`, { token: admin }), 404, { code: 'NOT_FOUND' });
  // The place is free again.
  await createTaxRate(app, admin, { country_code: 'FR', rate: 5.5 });
});

test('when a customer writes tax rates, then 403; without a token, 401; and the rates are unchanged', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { token: customer } = await registerCustomer(app);
  const rate = await createTaxRate(app, admin);
  const writes = [
    { method: 'POST' as const, url: '/tax-rates', body: { name: 'Sneaked in', country_code: 'FR', rate: 0 } },
    { method: 'PUT' as const, url: `/tax-rates/${rate.id}`, body: { rate: 0 } },
    { method: 'DELETE' as const, url: `/tax-rates/${rate.id}`, body: undefined },
  ];

  for (const write of writes) {
    assertProblem(await call(app, write.method, write.url, { token: customer, body: write.body }), 403, { code: 'FORBIDDEN', what: `${write.method} ${write.url}` });
    assertProblem(await call(app, write.method, write.url, { body: write.body }), 401, { code: 'UNAUTHORIZED', what: `${write.method} ${write.url}` });
  }

  assert.deepEqual(await allTaxRates(app), [rate]);
});

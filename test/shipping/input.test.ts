import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COUNTRY_CODES } from '../../src/shared/countries.js';
import { adminToken, buildTestApp, call } from '../helpers/app.js';
import { sendRaw } from '../helpers/bad-input.js';
import { type BodyRoute, fieldCases } from '../helpers/body-sweep.js';
import { assertProblem } from '../helpers/problem.js';
import { allShippingRates, createShippingRate } from './helpers.js';

const valid = { name: 'Swept', price: 4.9, countries: ['DE', 'AT'], min_subtotal: 10, max_subtotal: 100, active: true };

const invalid: [string, unknown][] = [
  ['name', ''],
  ['name', '   '],
  ['price', 4.999],
  ['price', -0.01],
  ['price', 100_000_000],
  ['price', 1e-7],
  ['min_subtotal', 10.001],
  ['min_subtotal', -1],
  ['max_subtotal', 0.1 + 0.2],
  ['max_subtotal', 100_000_000],
  ['min_subtotal', 100.01], // above max_subtotal (100)
  ['countries', []],
  ['countries', ['de']],
  ['countries', ['ZZ']],
  ['countries', ['XK']],
  ['countries', ['DEU']],
  ['countries', ['DE', 'DE']],
  ['countries', ['*', 'DE']],
  ['countries', ['DE', '*']],
  ['countries', ['*', '*']],
  ['countries', ['']],
  ['countries', [1]],
  ['countries', 'DE'],
  ['countries', '*'],
  ['active', 1],
  ['active', 'true'],
];

const tooLong = {
  name: 'n'.repeat(101),
  countries: [...COUNTRY_CODES, COUNTRY_CODES[0]],
};

test('when the shipping rate bodies get bad input, then each answer is 400 with errors[] and the rates are unchanged', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const rate = await createShippingRate(app, admin);
  const forbidden = { id: 999, price_cents: 1, countries_json: '[]', created_at: '2020-01-01T00:00:00.000Z', updated_at: '2020-01-01T00:00:00.000Z' };
  const routes: BodyRoute[] = [
    { method: 'POST', url: '/shipping-rates', token: admin, valid, required: ['name', 'price', 'countries'], nullable: ['min_subtotal', 'max_subtotal'], tooLong, forbidden, invalid },
    { method: 'PUT', url: `/shipping-rates/${rate.id}`, token: admin, valid, required: [], nullable: ['min_subtotal', 'max_subtotal'], tooLong, forbidden, invalid },
  ];
  const before = await allShippingRates(app, admin);

  for (const c of routes.flatMap(fieldCases)) {
    await t.test(c.name, async () => {
      const response = await sendRaw(app, c.route.method, c.route.url, { token: c.route.token, payload: c.payload, contentType: 'application/json' });
      assertProblem(response, 400, { code: 'VALIDATION_FAILED', sent: c.payload });
      const errors = (response.body as { errors?: { path: string }[] }).errors ?? [];
      assert.ok(errors.length > 0 && errors.every((error) => error.path.startsWith('/body')), JSON.stringify(response.body));
    });
  }

  assert.deepEqual(await allShippingRates(app, admin), before);
  // The sweep's valid body really is valid, so each case failed for the one thing it broke.
  for (const route of routes) assert.equal((await call(app, route.method, route.url, { token: admin, body: valid })).status, route.method === 'POST' ? 201 : 200);
});

test('when countries lists every assigned code once, then the rate is accepted (the 250 limit is above the 249 codes)', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);

  const rate = await createShippingRate(app, admin, { countries: [...COUNTRY_CODES] });

  assert.equal(rate.countries.length, COUNTRY_CODES.length);
  assert.deepEqual(rate.countries, COUNTRY_CODES);
});

test('when min_subtotal is above max_subtotal on create, then 400 on min_subtotal; equal bounds are one exact subtotal', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);

  const refused = await call(app, 'POST', '/shipping-rates', { token: admin, body: { ...valid, min_subtotal: 50, max_subtotal: 49.99 } });
  assertProblem(refused, 400, { code: 'VALIDATION_FAILED' });
  assert.deepEqual(refused.body.errors, [{ path: '/body/min_subtotal', message: 'must not be greater than max_subtotal' }]);
  assert.deepEqual(await allShippingRates(app, admin), []);

  const exact = await createShippingRate(app, admin, { min_subtotal: 50, max_subtotal: 50 });
  assert.deepEqual([exact.min_subtotal, exact.max_subtotal], [50, 50]);
});

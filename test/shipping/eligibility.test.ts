import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  activeShippingRateExists,
  eligibleShippingRates,
  findShippingRate,
  isEligible,
} from '../../src/modules/shipping/shipping.service.js';
import { adminToken, buildTestApp, call } from '../helpers/app.js';
import { createShippingRate } from './helpers.js';

// What the orders module asks of shipping rates, asked of the service on the app's own
// database, with rates made through the API.

test('when a rate has both bounds, then a subtotal equal to either is eligible and one cent outside either is not', async (t) => {
  const app = await buildTestApp(t);
  const rate = await createShippingRate(app, await adminToken(app), { countries: ['DE'], min_subtotal: 20, max_subtotal: 99.99 });

  const eligibleAt = async (cents: number) => (await eligibleShippingRates(app.db, 'DE', cents)).map((r) => r.id);

  assert.deepEqual(await eligibleAt(2000), [rate.id], 'subtotal = min');
  assert.deepEqual(await eligibleAt(9999), [rate.id], 'subtotal = max');
  assert.deepEqual(await eligibleAt(5000), [rate.id], 'in between');
  assert.deepEqual(await eligibleAt(1999), [], 'min - 1 cent');
  assert.deepEqual(await eligibleAt(10000), [], 'max + 1 cent');
});

test('when a bound is null, then that side is open: "free over 50" applies from 50.00 up, however large', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const free = await createShippingRate(app, admin, { name: 'Free over 50', price: 0, countries: ['*'], min_subtotal: 50 });
  const small = await createShippingRate(app, admin, { name: 'Small orders', price: 4.9, countries: ['*'], max_subtotal: 49.99 });

  const ids = async (cents: number) => (await eligibleShippingRates(app.db, 'US', cents)).map((r) => r.id);

  assert.deepEqual(await ids(0), [small.id]);
  assert.deepEqual(await ids(4999), [small.id]);
  assert.deepEqual(await ids(5000), [free.id]);
  assert.deepEqual(await ids(9_999_999_999), [free.id]);
});

test('when rates list countries or "*", then a listed country and any country for "*" are eligible, others not, by id', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const dach = await createShippingRate(app, admin, { name: 'DACH', countries: ['DE', 'AT', 'CH'] });
  const world = await createShippingRate(app, admin, { name: 'World', countries: ['*'] });
  const france = await createShippingRate(app, admin, { name: 'France', countries: ['FR'] });

  const ids = async (country: string) => (await eligibleShippingRates(app.db, country, 1000)).map((r) => r.id);

  assert.deepEqual(await ids('AT'), [dach.id, world.id]);
  assert.deepEqual(await ids('FR'), [world.id, france.id]);
  assert.deepEqual(await ids('JP'), [world.id]);
});

test('when a rate is inactive, then it is never eligible, and the shop has an active rate only while one is active', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  assert.equal(await activeShippingRateExists(app.db), false, 'no rates at all');
  const rate = await createShippingRate(app, admin, { countries: ['*'], active: false });

  assert.deepEqual(await eligibleShippingRates(app.db, 'DE', 1000), []);
  assert.equal(await activeShippingRateExists(app.db), false);

  await call(app, 'PUT', `/shipping-rates/${rate.id}`, { token: admin, body: { active: true } });
  assert.deepEqual((await eligibleShippingRates(app.db, 'DE', 1000)).map((r) => r.id), [rate.id]);
  assert.equal(await activeShippingRateExists(app.db), true);
});

test('when a rate is found by id, then it comes in cents, active or not, and an unknown id is undefined', async (t) => {
  const app = await buildTestApp(t);
  const rate = await createShippingRate(app, await adminToken(app), {
    name: 'Pallet',
    price: 199.99,
    countries: ['DE', 'PL'],
    min_subtotal: 0.01,
    active: false,
  });

  assert.deepEqual(await findShippingRate(app.db, rate.id), {
    id: rate.id,
    name: 'Pallet',
    priceCents: 19999,
    countries: ['DE', 'PL'],
    minSubtotalCents: 1,
    maxSubtotalCents: null,
    active: false,
  });
  assert.equal(await findShippingRate(app.db, rate.id + 1), undefined);
});

test('when isEligible is asked directly, then it states the same rule: active, the country or "*", both bounds inclusive', () => {
  const rate = { id: 1, name: 'R', priceCents: 490, countries: ['DE'], minSubtotalCents: 1000, maxSubtotalCents: 2000, active: true };

  assert.equal(isEligible(rate, 'DE', 1000), true);
  assert.equal(isEligible(rate, 'DE', 2000), true);
  assert.equal(isEligible(rate, 'DE', 999), false);
  assert.equal(isEligible(rate, 'DE', 2001), false);
  assert.equal(isEligible(rate, 'AT', 1500), false);
  assert.equal(isEligible({ ...rate, countries: ['*'] }, 'AT', 1500), true);
  assert.equal(isEligible({ ...rate, active: false }, 'DE', 1500), false);
  assert.equal(isEligible({ ...rate, minSubtotalCents: null, maxSubtotalCents: null }, 'DE', 0), true);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findTaxRateFor } from '../../src/modules/tax/tax.service.js';
import { adminToken, buildTestApp, call } from '../helpers/app.js';
import { createTaxRate } from './helpers.js';

// Which rate the orders module taxes with, asked of the service on the app's own database,
// with rates made through the API.

test('when a region has its own rate, then it is the one; a region without one, or no region, falls back to the country', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const country = await createTaxRate(app, admin, { name: 'US', country_code: 'US', rate: 0 });
  const california = await createTaxRate(app, admin, { name: 'CA', country_code: 'US', region_code: 'CA', rate: 7.25, applies_to_shipping: false });

  assert.deepEqual(await findTaxRateFor(app.db, 'US', 'CA'), {
    id: california.id,
    name: 'CA',
    countryCode: 'US',
    regionCode: 'CA',
    rateThousandths: 7250,
    appliesToShipping: false,
  });
  assert.deepEqual(await findTaxRateFor(app.db, 'US', 'TX'), {
    id: country.id,
    name: 'US',
    countryCode: 'US',
    regionCode: null,
    rateThousandths: 0,
    appliesToShipping: true,
  });
  assert.equal((await findTaxRateFor(app.db, 'US', null))?.id, country.id);
});

test('when a country has only regional rates, then its other regions and no region have no rate; another country has none', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const bavaria = await createTaxRate(app, admin, { country_code: 'DE', region_code: 'BY', rate: 19 });
  await createTaxRate(app, admin, { country_code: 'AT', rate: 20 });

  assert.equal((await findTaxRateFor(app.db, 'DE', 'BY'))?.id, bavaria.id);
  assert.equal(await findTaxRateFor(app.db, 'DE', 'BE'), undefined);
  assert.equal(await findTaxRateFor(app.db, 'DE', null), undefined);
  assert.equal(await findTaxRateFor(app.db, 'FR', 'BY'), undefined, "another country's region of the same name is not it");
});

test('when the country rate is added after the regional one, then the region still wins and the rest fall back to it', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const newYork = await createTaxRate(app, admin, { country_code: 'US', region_code: 'NY', rate: 8.875 });
  const country = await createTaxRate(app, admin, { country_code: 'US', rate: 1 });

  assert.equal((await findTaxRateFor(app.db, 'US', 'NY'))?.rateThousandths, 8875);
  assert.equal((await findTaxRateFor(app.db, 'US', 'NJ'))?.id, country.id);

  await call(app, 'DELETE', `/tax-rates/${newYork.id}`, { token: admin });
  assert.equal((await findTaxRateFor(app.db, 'US', 'NY'))?.id, country.id, 'with the region gone, the country');
});

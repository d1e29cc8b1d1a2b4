import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { findTaxRateFor } from '../../src/modules/tax/tax.service.js';
import { fromScaledInteger, hasAtMostDecimals, toScaledInteger } from '../../src/shared/decimals.js';
import { MULTIPLE_OF_PRECISION } from '../../src/shared/schemas.js';
import { adminToken, buildTestApp, call } from '../helpers/app.js';
import { sendRaw } from '../helpers/bad-input.js';
import { type BodyRoute, fieldCases } from '../helpers/body-sweep.js';
import { assertProblem } from '../helpers/problem.js';
import { allTaxRates, createTaxRate } from './helpers.js';

test('when a rate has up to three decimals from 0 to 100, then it is stored as exact thousandths and answered as sent', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const cases: [rate: number, thousandths: number][] = [
    [0, 0],
    [0.001, 1],
    [7.25, 7250],
    [8.875, 8875],
    [19, 19000],
    [99.999, 99999],
    [100, 100000],
  ];

  for (const [index, [rate, thousandths]] of cases.entries()) {
    const country = ['DE', 'FR', 'US', 'AT', 'NL', 'BE', 'IT'][index]!;
    const created = await createTaxRate(app, admin, { country_code: country, rate });
    assert.equal(created.rate, rate, `${rate} is answered as sent`);
    assert.equal(JSON.stringify(created.rate), String(rate));
    assert.equal((await findTaxRateFor(app.db, country, null))?.rateThousandths, thousandths, `${rate} is ${thousandths} thousandths`);
  }
  assert.deepEqual((await allTaxRates(app)).map((rate) => rate.rate), cases.map(([rate]) => rate));
});

test('when a rate is above 100, negative, or has a fourth decimal, then 400 on /body/rate and nothing is stored', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const existing = await createTaxRate(app, admin, { country_code: 'DE', rate: 19 });

  for (const rate of [100.001, 8.8751, -1, -0.001, 0.0001, 1e-7, 8.875000000000002, 101, 1e21]) {
    const created = await call(app, 'POST', '/tax-rates', { token: admin, body: { name: 'Bad', country_code: 'FR', rate } });
    assertProblem(created, 400, { code: 'VALIDATION_FAILED', what: `POST rate ${rate}` });
    assert.deepEqual(created.body.errors.map((error: { path: string }) => error.path), ['/body/rate'], `POST rate ${rate}`);
    const updated = await call(app, 'PUT', `/tax-rates/${existing.id}`, { token: admin, body: { rate } });
    assertProblem(updated, 400, { code: 'VALIDATION_FAILED', what: `PUT rate ${rate}` });
  }

  assert.deepEqual(await allTaxRates(app), [existing]);
});

test('when the tax rate bodies get bad input, then each answer is 400 with errors[] and the rates are unchanged', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const rate = await createTaxRate(app, admin, { country_code: 'DE', rate: 19 });
  const valid = { name: 'Swept', country_code: 'FR', region_code: 'IDF', rate: 20, applies_to_shipping: true };
  const invalid: [string, unknown][] = [
    ['name', ''],
    ['name', '   '],
    ['country_code', 'fr'],
    ['country_code', 'ZZ'],
    ['country_code', 'FRA'],
    ['country_code', ''],
    ['country_code', '*'],
    ['region_code', ''],
    ['region_code', 'ca'],
    ['region_code', 'ABCD'],
    ['region_code', 'C-A'],
    ['rate', 100.001],
    ['rate', 8.8751],
    ['rate', -1],
    ['applies_to_shipping', 0],
  ];
  const tooLong = { name: 'n'.repeat(101), region_code: 'ABCD' };
  const forbidden = { id: 999, rate_thousandths: 1, created_at: '2020-01-01T00:00:00.000Z', updated_at: '2020-01-01T00:00:00.000Z' };
  const routes: BodyRoute[] = [
    { method: 'POST', url: '/tax-rates', token: admin, valid, required: ['name', 'country_code', 'rate'], nullable: ['region_code'], tooLong, forbidden, invalid },
    { method: 'PUT', url: `/tax-rates/${rate.id}`, token: admin, valid, required: [], nullable: ['region_code'], tooLong, forbidden, invalid },
  ];
  const before = await allTaxRates(app);

  for (const c of routes.flatMap(fieldCases)) {
    await t.test(c.name, async () => {
      const response = await sendRaw(app, c.route.method, c.route.url, { token: c.route.token, payload: c.payload, contentType: 'application/json' });
      assertProblem(response, 400, { code: 'VALIDATION_FAILED', sent: c.payload });
      const errors = (response.body as { errors?: { path: string }[] }).errors ?? [];
      assert.ok(errors.length > 0 && errors.every((error) => error.path.startsWith('/body')), JSON.stringify(response.body));
    });
  }

  assert.deepEqual(await allTaxRates(app), before);
  // The sweep's valid body really is valid, so each case failed for the one thing it broke.
  assert.equal((await call(app, 'POST', '/tax-rates', { token: admin, body: valid })).status, 201);
  assert.equal((await call(app, 'PUT', `/tax-rates/${rate.id}`, { token: admin, body: { ...valid, region_code: 'ARA' } })).status, 200);
});

test('when every rate from 0 to 100 in steps of 0.001 is converted, then each is its exact thousandths and back, read off its text', () => {
  const wrong: string[] = [];
  for (let thousandths = 0; thousandths <= 100_000; thousandths += 1) {
    const rate = thousandths / 1000; // the double JSON.parse gives for the text, as in a request
    if (!hasAtMostDecimals(rate, 3) || toScaledInteger(rate, 3) !== thousandths || fromScaledInteger(thousandths, 3) !== rate) {
      wrong.push(String(rate));
    }
  }
  assert.deepEqual(wrong, []);
  assert.equal(toScaledInteger(8.875, 3), 8875);
  assert.equal(toScaledInteger(7.25, 3), 7250);
  assert.equal(toScaledInteger(0.001, 3), 1);
  assert.equal(toScaledInteger(99.999, 3), 99999);
  assert.equal(toScaledInteger(100, 3), 100000);
  for (const refused of [8.8751, 0.1 + 0.2, 1e-7, -1, 1e21]) assert.equal(hasAtMostDecimals(refused, 3), false, String(refused));
});

test('when a document-driven validator checks rates with the document rule (multipleOf 0.001), then it accepts and refuses exactly what the server does', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const document = (await call(app, 'GET', '/openapi.json')).body;
  const rate = document.components.schemas.CreateTaxRateBody.properties.rate;
  assert.equal(rate.multipleOf, 0.001, 'the rule is in the document as standard JSON Schema');
  const validate = new Ajv2020({ strict: false, multipleOfPrecision: MULTIPLE_OF_PRECISION }).compile({ ...rate, 'x-decimals': undefined });
  const existing = await createTaxRate(app, admin, { country_code: 'DE', rate: 19 });

  const rates = [
    ...[0, 0.001, 0.01, 0.1, 1, 7.25, 8.875, 19, 33.333, 99.999, 100],
    ...[0.0001, 0.0005, 8.8751, 12.3456, 1e-7, 99.9995, 100.001, 101, -0.001],
    ...Array.from({ length: 40 }, (_, i) => ((i * 7_919) % 100_001) / 1000),
    ...Array.from({ length: 40 }, (_, i) => (((i * 104_729) % 100_000) * 10 + 1 + (i % 9)) / 10_000),
  ];
  const disagreements: string[] = [];
  for (const value of rates) {
    const server = await call(app, 'PUT', `/tax-rates/${existing.id}`, { token: admin, body: { rate: value } });
    if ((server.status === 200) !== validate(value)) disagreements.push(`${value}: server ${server.status}, document ${validate(value)}`);
  }
  assert.deepEqual(disagreements, []);
});

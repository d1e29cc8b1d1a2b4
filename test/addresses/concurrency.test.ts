import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminToken, buildTestApp, registerCustomer } from '../helpers/app.js';
import { onPostgres } from '../helpers/database.js';
import { countByStatus, listen } from '../helpers/http.js';
import { ADA, bookOf, defaultsOf, saveAddress } from './book.js';

// Changes to one address book sent at the same moment, over real HTTP, on SQLite and on
// PostgreSQL (where READ COMMITTED would let a count-then-insert pass the cap, and two
// "make default" calls both clear the old default and then both set their own).

const where = onPostgres ? 'PostgreSQL' : 'SQLite';

const atOnce = <T>(count: number, send: (i: number) => Promise<T>) => Promise.all(Array.from({ length: count }, (_, i) => send(i)));

async function shopWithCustomer(t: Parameters<typeof buildTestApp>[0]) {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const ann = await registerCustomer(app);
  const http = await listen(t, app);
  return { app, admin, ann, annId: ann.customer.id as number, http };
}

test(`when 25 addresses are saved at once to an empty book on ${where}, then exactly 20 are saved and 5 are 409 ADDRESS_LIMIT`, async (t) => {
  const { app, ann, annId, http } = await shopWithCustomer(t);

  const results = await atOnce(25, (i) =>
    http('POST', `/customers/${annId}/addresses`, { token: ann.token, body: { ...ADA, line1: `${i + 1} Market Street` } }),
  );

  assert.deepEqual(countByStatus(results), { 201: 20, 409: 5 });
  for (const refused of results.filter((r) => r.status === 409)) assert.equal(refused.body.code, 'ADDRESS_LIMIT');
  const book = await bookOf(app, ann.token, annId);
  assert.deepEqual(
    book.map((entry) => entry.id),
    results
      .filter((r) => r.status === 201)
      .map((r) => r.body.id)
      .sort((a, b) => a - b),
  );
});

test(`when 10 different addresses are made the default at once on ${where}, then every call is 200 and exactly one address is the default`, async (t) => {
  const { app, ann, annId, http } = await shopWithCustomer(t);
  const first = await saveAddress(app, ann.token, annId, { is_default: true });
  const others: Record<string, any>[] = [];
  for (let i = 0; i < 9; i += 1) others.push(await saveAddress(app, ann.token, annId, { line1: `${i + 2} Market Street` }));
  const ids = [first.id, ...others.map((entry) => entry.id)];

  const results = await atOnce(10, (i) =>
    http('PUT', `/customers/${annId}/addresses/${ids[(i + 1) % ids.length]}`, { token: ann.token, body: { is_default: true } }),
  );

  assert.deepEqual(countByStatus(results), { 200: 10 });
  const defaults = defaultsOf(await bookOf(app, ann.token, annId));
  assert.equal(defaults.length, 1, `defaults: ${JSON.stringify(defaults)}`);
  assert.ok(ids.includes(defaults[0]!));
});

test(`when new default addresses are saved while others are made the default, all at once on ${where}, then none fails and exactly one is the default`, async (t) => {
  const { app, ann, annId, http } = await shopWithCustomer(t);
  const existing: Record<string, any>[] = [];
  for (let i = 0; i < 5; i += 1) existing.push(await saveAddress(app, ann.token, annId, { line1: `${i + 1} Old Street`, is_default: i === 0 }));

  const results = await atOnce(10, (i) =>
    i % 2 === 0
      ? http('POST', `/customers/${annId}/addresses`, { token: ann.token, body: { ...ADA, line1: `${i} New Street`, is_default: true } })
      : http('PUT', `/customers/${annId}/addresses/${existing[(i - 1) / 2]!.id}`, { token: ann.token, body: { is_default: true } }),
  );

  assert.deepEqual(countByStatus(results), { 200: 5, 201: 5 });
  const book = await bookOf(app, ann.token, annId);
  assert.equal(book.length, 10);
  assert.equal(defaultsOf(book).length, 1, `defaults: ${JSON.stringify(defaultsOf(book))}`);
});

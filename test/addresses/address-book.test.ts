import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminToken, buildTestApp, call, registerCustomer } from '../helpers/app.js';
import { assertProblem } from '../helpers/problem.js';
import { ADA, ENTRY_KEYS, FULL, bookOf, defaultsOf, saveAddress } from './book.js';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function shopWithCustomer(t: Parameters<typeof buildTestApp>[0]) {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const ann = await registerCustomer(app);
  return { app, admin, ann, annId: ann.customer.id as number };
}

/** The field errors' paths of a validation problem. */
function errorPaths(response: { body: { errors?: { path: string }[] } }): string[] {
  return (response.body.errors ?? []).map((error) => error.path);
}

test('when a customer saves addresses, then each is 201 with exactly the entry fields, optional ones null, and the book lists them oldest first', async (t) => {
  const { app, ann, annId } = await shopWithCustomer(t);

  const first = await call(app, 'POST', `/customers/${annId}/addresses`, { token: ann.token, body: ADA });
  const second = await call(app, 'POST', `/customers/${annId}/addresses`, { token: ann.token, body: FULL });

  assert.equal(first.status, 201);
  assert.deepEqual(Object.keys(first.body).sort(), ENTRY_KEYS);
  assert.deepEqual(first.body, {
    id: first.body.id,
    ...ADA,
    company: null,
    line2: null,
    region_code: null,
    postal_code: null,
    phone: null,
    is_default: false,
    created_at: first.body.created_at,
  });
  assert.match(first.body.created_at, ISO_UTC);
  assert.equal(second.status, 201);
  assert.deepEqual(second.body, { id: second.body.id, ...FULL, is_default: false, created_at: second.body.created_at });
  assert.ok(second.body.id > first.body.id);
  assert.deepEqual(await bookOf(app, ann.token, annId), [first.body, second.body]);
});

test('when a customer has no addresses, then its book is an empty array', async (t) => {
  const { app, ann, annId } = await shopWithCustomer(t);

  assert.deepEqual(await bookOf(app, ann.token, annId), []);
});

test('when an address is saved or changed as the default, then the one that was stops being it, and there is never more than one', async (t) => {
  const { app, ann, annId } = await shopWithCustomer(t);
  const home = await saveAddress(app, ann.token, annId, { is_default: true });
  const work = await saveAddress(app, ann.token, annId, { city: 'Oakland' });
  assert.equal(home.is_default, true);
  assert.equal(work.is_default, false);

  const office = await saveAddress(app, ann.token, annId, { city: 'Berkeley', is_default: true });
  assert.equal(office.is_default, true);
  assert.deepEqual(defaultsOf(await bookOf(app, ann.token, annId)), [office.id]);

  const madeDefault = await call(app, 'PUT', `/customers/${annId}/addresses/${work.id}`, { token: ann.token, body: { is_default: true } });
  assert.equal(madeDefault.status, 200);
  assert.equal(madeDefault.body.is_default, true);
  assert.deepEqual(defaultsOf(await bookOf(app, ann.token, annId)), [work.id]);

  // Making the default default again changes nothing.
  const again = await call(app, 'PUT', `/customers/${annId}/addresses/${work.id}`, { token: ann.token, body: { is_default: true } });
  assert.equal(again.status, 200);
  assert.deepEqual(defaultsOf(await bookOf(app, ann.token, annId)), [work.id]);

  const unmade = await call(app, 'PUT', `/customers/${annId}/addresses/${work.id}`, { token: ann.token, body: { is_default: false } });
  assert.equal(unmade.status, 200);
  assert.equal(unmade.body.is_default, false);
  assert.deepEqual(defaultsOf(await bookOf(app, ann.token, annId)), []);
});

test('when the default address is deleted, then the customer has no default and no other address is promoted', async (t) => {
  const { app, ann, annId } = await shopWithCustomer(t);
  const home = await saveAddress(app, ann.token, annId, { is_default: true });
  const work = await saveAddress(app, ann.token, annId);

  const deleted = await call(app, 'DELETE', `/customers/${annId}/addresses/${home.id}`, { token: ann.token });

  assert.equal(deleted.status, 200);
  assert.deepEqual(deleted.body, { message: 'Address deleted.' });
  assert.deepEqual(await bookOf(app, ann.token, annId), [work]);
});

test('when some fields of an address are changed, then only those change; an empty string clears an optional field and null clears region_code', async (t) => {
  const { app, ann, annId } = await shopWithCustomer(t);
  const saved = await saveAddress(app, ann.token, annId, FULL);

  const changed = await call(app, 'PUT', `/customers/${annId}/addresses/${saved.id}`, {
    token: ann.token,
    body: { line1: 'Marienplatz 8', company: '', line2: '', postal_code: '', phone: '', region_code: null },
  });

  assert.equal(changed.status, 200);
  assert.deepEqual(changed.body, {
    ...saved,
    line1: 'Marienplatz 8',
    company: null,
    line2: null,
    postal_code: null,
    phone: null,
    region_code: null,
  });
  assert.deepEqual(await bookOf(app, ann.token, annId), [changed.body]);

  const moved = await call(app, 'PUT', `/customers/${annId}/addresses/${saved.id}`, {
    token: ann.token,
    body: { country_code: 'US', region_code: 'CA', city: 'San Francisco' },
  });
  assert.equal(moved.status, 200);
  assert.deepEqual(moved.body, { ...changed.body, country_code: 'US', region_code: 'CA', city: 'San Francisco' });
});

test('when an address is saved with empty optional fields, then they are stored as null', async (t) => {
  const { app, ann, annId } = await shopWithCustomer(t);

  const saved = await saveAddress(app, ann.token, annId, { company: '', line2: '', postal_code: '', phone: '', region_code: null });

  for (const field of ['company', 'line2', 'postal_code', 'phone', 'region_code']) assert.equal(saved[field], null, field);
  assert.deepEqual(await bookOf(app, ann.token, annId), [saved]);
});

test('when an address is updated with an empty object, then 200 with the address as it was', async (t) => {
  const { app, ann, annId } = await shopWithCustomer(t);
  const saved = await saveAddress(app, ann.token, annId, { is_default: true });

  const response = await call(app, 'PUT', `/customers/${annId}/addresses/${saved.id}`, { token: ann.token, body: {} });

  assert.equal(response.status, 200);
  assert.deepEqual(response.body, saved);
  assert.deepEqual(await bookOf(app, ann.token, annId), [saved]);
});

test('when an address is deleted, then it leaves the book, and deleting or changing it again is 404', async (t) => {
  const { app, ann, annId } = await shopWithCustomer(t);
  const gone = await saveAddress(app, ann.token, annId);
  const kept = await saveAddress(app, ann.token, annId, { city: 'Oakland' });
  const url = `/customers/${annId}/addresses/${gone.id}`;

  assert.equal((await call(app, 'DELETE', url, { token: ann.token })).status, 200);

  assert.deepEqual(await bookOf(app, ann.token, annId), [kept]);
  assertProblem(await call(app, 'DELETE', url, { token: ann.token }), 404, { code: 'NOT_FOUND' });
  assertProblem(await call(app, 'PUT', url, { token: ann.token, body: { city: 'Nowhere' } }), 404, { code: 'NOT_FOUND' });
  assert.deepEqual(await bookOf(app, ann.token, annId), [kept]);
});

test('when a customer holds 20 addresses, then the 21st is 409 ADDRESS_LIMIT and changes nothing; after one is deleted, another fits', async (t) => {
  const { app, ann, annId } = await shopWithCustomer(t);
  for (let i = 1; i <= 20; i += 1) await saveAddress(app, ann.token, annId, { line1: `${i} Market Street` });
  const full = await bookOf(app, ann.token, annId);
  assert.equal(full.length, 20);

  const refused = await call(app, 'POST', `/customers/${annId}/addresses`, { token: ann.token, body: { ...ADA, is_default: true } });

  assertProblem(refused, 409, { code: 'ADDRESS_LIMIT' });
  assert.deepEqual(await bookOf(app, ann.token, annId), full);
  assert.equal((await call(app, 'DELETE', `/customers/${annId}/addresses/${full[0]!.id}`, { token: ann.token })).status, 200);
  await saveAddress(app, ann.token, annId, { line1: '21 Market Street' });
  assert.equal((await bookOf(app, ann.token, annId)).length, 20);
});

test("when a customer reads or changes another customer's address book, then 403 and the other book is unchanged", async (t) => {
  const { app, admin, annId } = await shopWithCustomer(t);
  const mallory = await registerCustomer(app);
  const saved = await saveAddress(app, admin, annId, { is_default: true });
  const before = await bookOf(app, admin, annId);
  const book = `/customers/${annId}/addresses`;

  const attempts = [
    await call(app, 'GET', book, { token: mallory.token }),
    await call(app, 'POST', book, { token: mallory.token, body: ADA }),
    await call(app, 'PUT', `${book}/${saved.id}`, { token: mallory.token, body: { city: 'Mallorytown' } }),
    await call(app, 'DELETE', `${book}/${saved.id}`, { token: mallory.token }),
  ];

  for (const response of attempts) assertProblem(response, 403, { code: 'FORBIDDEN' });
  assert.deepEqual(await bookOf(app, admin, annId), before);
  assert.deepEqual(await bookOf(app, mallory.token, mallory.customer.id), []);
});

test('when an admin keeps a customer\'s address book, then it reads, adds, changes and deletes as the customer would', async (t) => {
  const { app, admin, ann, annId } = await shopWithCustomer(t);
  const byAnn = await saveAddress(app, ann.token, annId);

  const byAdmin = await saveAddress(app, admin, annId, { city: 'Oakland', is_default: true });
  const changed = await call(app, 'PUT', `/customers/${annId}/addresses/${byAnn.id}`, { token: admin, body: { city: 'Berkeley' } });
  assert.equal(changed.status, 200);
  assert.equal((await call(app, 'DELETE', `/customers/${annId}/addresses/${byAdmin.id}`, { token: admin })).status, 200);

  assert.deepEqual(await bookOf(app, ann.token, annId), [{ ...byAnn, city: 'Berkeley' }]);
  assert.deepEqual(await bookOf(app, admin, annId), [{ ...byAnn, city: 'Berkeley' }]);
});

test('when an address id is unknown or belongs to another customer, then changing or deleting it is 404 and neither book changes', async (t) => {
  const { app, admin, ann, annId } = await shopWithCustomer(t);
  const bob = await registerCustomer(app);
  const bobs = await saveAddress(app, bob.token, bob.customer.id, { is_default: true });
  const anns = await saveAddress(app, ann.token, annId);
  const bobBefore = await bookOf(app, admin, bob.customer.id);

  const attempts = [
    // Ann names her own book and Bob's address.
    await call(app, 'PUT', `/customers/${annId}/addresses/${bobs.id}`, { token: ann.token, body: { city: 'Annville', is_default: true } }),
    await call(app, 'DELETE', `/customers/${annId}/addresses/${bobs.id}`, { token: ann.token }),
    // An admin naming Ann's book and Bob's address is no different.
    await call(app, 'PUT', `/customers/${annId}/addresses/${bobs.id}`, { token: admin, body: { is_default: true } }),
    await call(app, 'DELETE', `/customers/${annId}/addresses/${bobs.id}`, { token: admin }),
    await call(app, 'PUT', `/customers/${annId}/addresses/${bobs.id + 1000}`, { token: ann.token, body: { is_default: true } }),
    await call(app, 'DELETE', `/customers/${annId}/addresses/${bobs.id + 1000}`, { token: ann.token }),
  ];

  for (const response of attempts) assertProblem(response, 404, { code: 'NOT_FOUND' });
  assert.deepEqual(await bookOf(app, admin, bob.customer.id), bobBefore);
  assert.deepEqual(await bookOf(app, ann.token, annId), [anns]);
});

test('when an admin names an unknown customer, then every address book route is 404', async (t) => {
  const { app, admin } = await shopWithCustomer(t);
  const book = '/customers/999999/addresses';

  assertProblem(await call(app, 'GET', book, { token: admin }), 404, { code: 'NOT_FOUND' });
  assertProblem(await call(app, 'POST', book, { token: admin, body: ADA }), 404, { code: 'NOT_FOUND' });
  assertProblem(await call(app, 'PUT', `${book}/1`, { token: admin, body: { city: 'X' } }), 404, { code: 'NOT_FOUND' });
  assertProblem(await call(app, 'DELETE', `${book}/1`, { token: admin }), 404, { code: 'NOT_FOUND' });
});

test('when a customer is deleted, then its address book goes with it: 404 to an admin, 401 with its old token', async (t) => {
  const { app, admin, ann, annId } = await shopWithCustomer(t);
  const saved = await saveAddress(app, ann.token, annId, { is_default: true });
  const book = `/customers/${annId}/addresses`;

  assert.equal((await call(app, 'DELETE', `/customers/${annId}`, { token: admin })).status, 200);

  assertProblem(await call(app, 'GET', book, { token: admin }), 404, { code: 'NOT_FOUND' });
  assertProblem(await call(app, 'POST', book, { token: admin, body: ADA }), 404, { code: 'NOT_FOUND' });
  assertProblem(await call(app, 'PUT', `${book}/${saved.id}`, { token: admin, body: { city: 'X' } }), 404, { code: 'NOT_FOUND' });
  assertProblem(await call(app, 'DELETE', `${book}/${saved.id}`, { token: admin }), 404, { code: 'NOT_FOUND' });
  assertProblem(await call(app, 'GET', book, { token: ann.token }), 401);
});

test('when an address book route is called without a token, then 401', async (t) => {
  const { app, annId } = await shopWithCustomer(t);

  assertProblem(await call(app, 'GET', `/customers/${annId}/addresses`), 401);
  assertProblem(await call(app, 'POST', `/customers/${annId}/addresses`, { body: ADA }), 401);
  assertProblem(await call(app, 'PUT', `/customers/${annId}/addresses/1`, { body: {} }), 401);
  assertProblem(await call(app, 'DELETE', `/customers/${annId}/addresses/1`), 401);
});

test('when country_code is not an assigned ISO 3166-1 alpha-2 code in capitals, or region_code not 1 to 3 capitals or digits, then 400 naming it and nothing is saved', async (t) => {
  const { app, ann, annId } = await shopWithCustomer(t);
  const saved = await saveAddress(app, ann.token, annId);
  const before = await bookOf(app, ann.token, annId);
  const bad: [field: string, value: unknown][] = [
    ['country_code', 'ZZ'],
    ['country_code', 'de'],
    ['country_code', 'XK'],
    ['country_code', 'USA'],
    ['country_code', ''],
    ['country_code', null],
    ['region_code', 'ca'],
    ['region_code', 'CALI'],
    ['region_code', ''],
    ['region_code', 'C-A'],
  ];

  for (const [field, value] of bad) {
    const what = `${field} = ${JSON.stringify(value)}`;
    const created = await call(app, 'POST', `/customers/${annId}/addresses`, { token: ann.token, body: { ...ADA, [field]: value } });
    assertProblem(created, 400, { code: 'VALIDATION_FAILED', what: `POST ${what}` });
    assert.ok(errorPaths(created).includes(`/body/${field}`), `POST ${what}: ${JSON.stringify(created.body)}`);
    const changed = await call(app, 'PUT', `/customers/${annId}/addresses/${saved.id}`, { token: ann.token, body: { [field]: value } });
    assertProblem(changed, 400, { code: 'VALIDATION_FAILED', what: `PUT ${what}` });
    assert.ok(errorPaths(changed).includes(`/body/${field}`), `PUT ${what}: ${JSON.stringify(changed.body)}`);
  }
  assert.deepEqual(await bookOf(app, ann.token, annId), before);

  for (const [country, region] of [['DE', 'BY'], ['GB', 'ENG'], ['FR', '75'], ['JP', '13']]) {
    const fine = await saveAddress(app, ann.token, annId, { country_code: country, region_code: region });
    assert.equal(fine.country_code, country);
    assert.equal(fine.region_code, region);
  }
});

test('when each text field is at its longest it is saved, and one character longer, or an empty required one, is 400 naming it', async (t) => {
  const { app, ann, annId } = await shopWithCustomer(t);
  const saved = await saveAddress(app, ann.token, annId);
  const limits: [field: string, max: number, required: boolean][] = [
    ['first_name', 100, true],
    ['last_name', 100, true],
    ['company', 200, false],
    ['line1', 200, true],
    ['line2', 200, false],
    ['city', 100, true],
    ['postal_code', 20, false],
    ['phone', 30, false],
  ];

  for (const [field, max, required] of limits) {
    const longest = await call(app, 'POST', `/customers/${annId}/addresses`, { token: ann.token, body: { ...ADA, [field]: 'x'.repeat(max) } });
    assert.equal(longest.status, 201, `${field} of ${max}: ${JSON.stringify(longest.body)}`);
    assert.equal(longest.body[field], 'x'.repeat(max));
    assert.equal((await call(app, 'DELETE', `/customers/${annId}/addresses/${longest.body.id}`, { token: ann.token })).status, 200);
    const changed = await call(app, 'PUT', `/customers/${annId}/addresses/${saved.id}`, { token: ann.token, body: { [field]: 'y'.repeat(max) } });
    assert.equal(changed.status, 200, `PUT ${field} of ${max}: ${JSON.stringify(changed.body)}`);
    assert.equal(changed.body[field], 'y'.repeat(max));

    const before = await bookOf(app, ann.token, annId);
    const refused: unknown[] = ['x'.repeat(max + 1), ...(required ? ['', '   '] : [])];
    for (const value of refused) {
      const what = `${field} of ${String(value).length} characters`;
      const created = await call(app, 'POST', `/customers/${annId}/addresses`, { token: ann.token, body: { ...ADA, [field]: value } });
      assertProblem(created, 400, { code: 'VALIDATION_FAILED', what: `POST ${what}` });
      assert.ok(errorPaths(created).includes(`/body/${field}`), `POST ${what}: ${JSON.stringify(created.body)}`);
      const update = await call(app, 'PUT', `/customers/${annId}/addresses/${saved.id}`, { token: ann.token, body: { [field]: value } });
      assertProblem(update, 400, { code: 'VALIDATION_FAILED', what: `PUT ${what}` });
      assert.ok(errorPaths(update).includes(`/body/${field}`), `PUT ${what}: ${JSON.stringify(update.body)}`);
    }
    assert.deepEqual(await bookOf(app, ann.token, annId), before, field);
  }
});

test('when an address is sent without a required field, with an unknown field, or with a field a client does not own, then 400 and nothing changes', async (t) => {
  const { app, ann, annId } = await shopWithCustomer(t);
  const saved = await saveAddress(app, ann.token, annId);
  const before = await bookOf(app, ann.token, annId);

  for (const field of ['first_name', 'last_name', 'line1', 'city', 'country_code']) {
    const { [field as keyof typeof ADA]: _, ...rest } = ADA;
    const response = await call(app, 'POST', `/customers/${annId}/addresses`, { token: ann.token, body: rest });
    assertProblem(response, 400, { code: 'VALIDATION_FAILED', what: `without ${field}` });
    assert.ok(errorPaths(response).includes(`/body/${field}`), `without ${field}: ${JSON.stringify(response.body)}`);
  }
  const foreign = { id: 999, customer_id: 1, created_at: '2020-01-01T00:00:00.000Z', updated_at: '2020-01-01T00:00:00.000Z', surprise: 1 };
  for (const [field, value] of Object.entries(foreign)) {
    const created = await call(app, 'POST', `/customers/${annId}/addresses`, { token: ann.token, body: { ...ADA, [field]: value } });
    assertProblem(created, 400, { code: 'VALIDATION_FAILED', sent: field, what: `POST with ${field}` });
    const changed = await call(app, 'PUT', `/customers/${annId}/addresses/${saved.id}`, { token: ann.token, body: { [field]: value } });
    assertProblem(changed, 400, { code: 'VALIDATION_FAILED', sent: field, what: `PUT with ${field}` });
  }
  for (const value of ['true', 1, null]) {
    const created = await call(app, 'POST', `/customers/${annId}/addresses`, { token: ann.token, body: { ...ADA, is_default: value } });
    assertProblem(created, 400, { code: 'VALIDATION_FAILED', what: `is_default = ${JSON.stringify(value)}` });
  }

  assert.deepEqual(await bookOf(app, ann.token, annId), before);
});

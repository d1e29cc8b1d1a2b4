// OWASP API2:2023 Broken Authentication: forged or stale tokens accepted, logins that tell
// an attacker which usernames exist, unlimited password guessing, passwords leaking back.
// Defence: HS256 tokens verified with one algorithm and checked against the live customer
// row (token version, deletion) on every request; one 401 for every failed login; failed
// logins throttled per username and per address (429 + Retry-After); passwords stored only
// as argon2id hashes and never serialized (response schemas list the public fields).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { allCustomers, assertThrottled, attemptLogin, customerAsAdmin, customerFields, postFrom } from '../auth/helpers.js';
import { ADMIN, TEST_SECRET, adminToken, buildTestApp, call, createProduct, registerCustomer } from '../helpers/app.js';
import { decodeJwt, signJwt } from '../helpers/tokens.js';
import { assertProblem } from '../helpers/problem.js';

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An admin, one customer (whose token the attacker starts from) and one product; `state()` reads all of it. */
async function openTarget(t: Parameters<typeof buildTestApp>[0], overrides: Parameters<typeof buildTestApp>[1] = {}) {
  const app = await buildTestApp(t, overrides);
  const admin = await adminToken(app);
  const adminId: number = (await call(app, 'GET', '/customers/me', { token: admin })).body.id;
  const customer = await registerCustomer(app);
  const product = await createProduct(app, admin, { stock: 5 });
  const state = async () => ({
    customers: await allCustomers(app, admin),
    products: (await call(app, 'GET', '/products')).body,
    cart: (await call(app, 'GET', `/cart/${customer.customer.id}`, { token: admin })).body,
  });
  return { app, admin, adminId, customer, product, state };
}

test('when an attacker forges a token (expired, tampered, alg none, wrong secret, another algorithm), then reads and writes answer 401 and nothing changes', async (t) => {
  const { app, adminId, customer, product, state } = await openTarget(t);
  const { payload } = decodeJwt(customer.token);
  const [header, , signature] = customer.token.split('.') as [string, string, string];
  const now = Math.floor(Date.now() / 1000);
  const asAdmin = { ...payload, sub: String(adminId), role: 1 };
  const forged: Record<string, string> = {
    'expired, properly signed': signJwt({ ...payload, iat: now - 7200, exp: now - 1 }, TEST_SECRET),
    'claims raised to the admin, original signature': `${header}.${base64url(asAdmin)}.${signature}`,
    'expiry pushed back, original signature': `${header}.${base64url({ ...payload, exp: now + 86_400 })}.${signature}`,
    'alg none, no signature': `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(asAdmin)}.`,
    'alg None (mixed case), no signature': `${base64url({ alg: 'None', typ: 'JWT' })}.${base64url(asAdmin)}.`,
    'signed with a guessed secret': signJwt(asAdmin, 'secret'),
    'signed with the right secret as HS384': signJwt(asAdmin, TEST_SECRET, { alg: 'HS384', typ: 'JWT' }),
    'no expiry at all, wrong secret': signJwt({ sub: String(adminId), role: 1, ver: 0 }, 'changeme-changeme-changeme-changeme'),
  };
  const before = await state();

  for (const [name, token] of Object.entries(forged)) {
    const attempts = [
      await call(app, 'GET', '/customers', { token }),
      await call(app, 'PUT', `/customers/${customer.customer.id}`, { token, body: { role_id: 1 } }),
      await call(app, 'POST', '/products', { token, body: { product_name: 'Planted', price: 0.01 } }),
      await call(app, 'DELETE', `/products/${product.id}`, { token }),
      await call(app, 'POST', '/cart/add', { token, body: { customer_id: customer.customer.id, product_id: product.id, quantity: 5 } }),
    ];
    for (const response of attempts) assertProblem(response, 401, { code: 'UNAUTHORIZED', what: name });
  }

  assert.deepEqual(await state(), before);
  // The genuine token still works, so the refusals were about the forgeries.
  assert.equal((await call(app, 'GET', '/customers/me', { token: customer.token })).status, 200);
});

test('when a stolen token is replayed after its owner changed the password, then 401 and the thief cannot write', async (t) => {
  const { app, customer, product, state } = await openTarget(t);
  const stolen = customer.token;
  const changed = await call(app, 'PUT', `/customers/${customer.customer.id}`, {
    token: customer.token,
    body: { password: 'a-fresh-password-1', current_password: customer.password },
  });
  assert.equal(changed.status, 200);
  const before = await state();

  assertProblem(await call(app, 'GET', '/customers/me', { token: stolen }), 401, { code: 'UNAUTHORIZED', what: 'read' });
  assertProblem(await call(app, 'PUT', `/customers/${customer.customer.id}`, { token: stolen, body: { password: 'thief-password-1' } }), 401, { code: 'UNAUTHORIZED', what: 'set the password back' });
  assertProblem(await call(app, 'POST', '/cart/add', { token: stolen, body: { customer_id: customer.customer.id, product_id: product.id, quantity: 1 } }), 401, { code: 'UNAUTHORIZED', what: 'fill the cart' });

  assert.deepEqual(await state(), before);
  assert.equal((await attemptLogin(app, customer.customer.username, 'thief-password-1')).status, 401);
  assert.equal((await attemptLogin(app, customer.customer.username, 'a-fresh-password-1')).status, 200);
});

test("when a deleted customer's token is replayed, then 401 everywhere and the account stays deleted", async (t) => {
  const { app, admin, customer, product } = await openTarget(t);
  assert.equal((await call(app, 'DELETE', `/customers/${customer.customer.id}`, { token: admin })).status, 200);

  for (const [method, url, body] of [
    ['GET', '/customers/me'],
    ['GET', `/customers/${customer.customer.id}`],
    ['PUT', `/customers/${customer.customer.id}`, { customer_name: 'Back from the dead' }],
    ['POST', '/cart/add', { customer_id: customer.customer.id, product_id: product.id, quantity: 1 }],
    ['POST', '/orders', { customer_id: customer.customer.id, items: [{ product_id: product.id, quantity: 1 }] }],
  ] as const) {
    assertProblem(await call(app, method, url, { token: customer.token, ...(body ? { body } : {}) }), 401, { code: 'UNAUTHORIZED', what: `${method} ${url}` });
  }

  assert.equal(await customerAsAdmin(app, admin, customer.customer.id), 404);
  assert.equal((await attemptLogin(app, customer.customer.username, customer.password)).status, 401);
  assert.equal((await call(app, 'GET', '/orders/p', { token: admin })).body.total, 0);
  assert.equal((await call(app, 'GET', `/products/${product.id}`)).body.stock, 5);
});

test('when the token is sent anywhere but the Authorization header (query string, cookie, body), then 401', async (t) => {
  const { app, admin } = await openTarget(t);
  for (const [name, options] of [
    ['?token=', { url: `/customers?token=${admin}` }],
    ['?access_token=', { url: `/customers?access_token=${admin}` }],
    ['?auth_token=', { url: `/customers?auth_token=${admin}` }],
    ['cookie', { url: '/customers', headers: { cookie: `token=${admin}; auth_token=${admin}` } }],
    ['x-access-token', { url: '/customers', headers: { 'x-access-token': admin } }],
  ] as const) {
    const response = await call(app, 'GET', options.url, 'headers' in options ? { headers: options.headers } : {});
    assertProblem(response, 401, { code: 'UNAUTHORIZED', what: name });
  }
  // Nor is a token in the body: without the header the request is refused before its body is read.
  const inBody = await call(app, 'POST', '/cart/add', { body: { auth_token: admin, customer_id: 1, product_id: 1, quantity: 1 } });
  assertProblem(inBody, 401, { code: 'UNAUTHORIZED', what: 'token in the body' });
});

test('when an attacker probes logins with an unknown username, a wrong password or a deleted account, then every answer is the same', async (t) => {
  const { app, admin, customer } = await openTarget(t);
  const gone = await registerCustomer(app);
  assert.equal((await call(app, 'DELETE', `/customers/${gone.customer.id}`, { token: admin })).status, 200);

  const answers = {
    'unknown username': await attemptLogin(app, 'no-such-user-anywhere', 'some-password-1'),
    'known username, wrong password': await attemptLogin(app, customer.customer.username, 'some-password-1'),
    'admin, wrong password': await attemptLogin(app, ADMIN.username, 'some-password-1'),
    'deleted account, its old password': await attemptLogin(app, gone.customer.username, gone.password),
    'malformed username': await attemptLogin(app, '<script>', 'some-password-1'),
  };

  const first = Object.values(answers)[0]!;
  const headerNames = (headers: object) => Object.keys(headers).filter((name) => !['date', 'x-request-id'].includes(name)).sort();
  for (const [what, answer] of Object.entries(answers)) {
    assertProblem(answer, 401, { code: 'UNAUTHORIZED', what });
    assert.deepEqual(answer.body, first.body, what);
    assert.deepEqual(headerNames(answer.headers), headerNames(first.headers), what);
    assert.equal(answer.headers['content-length'], first.headers['content-length'], what);
  }
  assert.match(first.body.detail, /username or password/i, 'the one message blames neither part');
  assert.doesNotMatch(first.body.detail, /exist|unknown|no such|deleted|wrong password/i, 'the message names a reason');
  assert.equal((await attemptLogin(app, customer.customer.username, customer.password)).status, 200);
});

test('when an attacker keeps guessing one password, then after loginMaxFailures tries even the right password gets 429 with Retry-After, and the owner gets in once the window ends', async (t) => {
  const { app, customer } = await openTarget(t, { loginMaxFailures: 3, loginWindowSeconds: 1 });
  const username = customer.customer.username;
  for (let i = 0; i < 3; i += 1) assert.equal((await attemptLogin(app, username, `guess-${i}-password`)).status, 401);

  const lucky = await attemptLogin(app, username, customer.password);
  const unknown = await attemptLogin(app, 'no-such-user', 'x'.repeat(8));

  assertThrottled(lucky, 1);
  assert.equal(lucky.body.code, 'TOO_MANY_REQUESTS');
  assert.equal(lucky.body.auth_token, undefined, 'a throttled login hands out no token');
  assert.equal(unknown.status, 401, 'another username is not throttled by these failures');
  await sleep(1100);
  const owner = await attemptLogin(app, username, customer.password);
  assert.equal(owner.status, 200);
  assert.equal(typeof owner.body.auth_token, 'string');
});

test('when one address sprays one password over many usernames, then it is throttled with 429 and Retry-After, while another address still logs in', async (t) => {
  const { app, customer } = await openTarget(t, { loginMaxFailuresPerAddress: 4 });
  for (let i = 0; i < 4; i += 1) assert.equal((await attemptLogin(app, `sprayed-${i}`, 'Summer2026!')).status, 401);

  assertThrottled(await attemptLogin(app, customer.customer.username, customer.password), 900);
  assertThrottled(await attemptLogin(app, ADMIN.username, ADMIN.password), 900);

  const elsewhere = await postFrom(app, '203.0.113.9', '/customers/login', { username: customer.customer.username, password: customer.password });
  assert.equal(elsewhere.status, 200);
});

test('when a password is set (register, admin create, update), then no answer contains it or its hash, and only a slow hash (argon2id) is stored', async (t) => {
  const { app, admin } = await openTarget(t);
  const fields = customerFields({ password: 'register-secret-1' });
  const made = customerFields({ password: 'admin-made-secret-1' });

  const answers = [
    await call(app, 'POST', '/customers/register', { body: fields }),
    await call(app, 'POST', '/customers', { token: admin, body: made }),
    await call(app, 'POST', '/customers/login', { body: { username: fields.username, password: fields.password } }),
  ];
  const registered = answers[0]!.body;
  answers.push(await call(app, 'PUT', `/customers/${registered.id}`, { token: admin, body: { password: 'updated-secret-1' } }));
  answers.push(await call(app, 'GET', `/customers/${registered.id}`, { token: admin }));
  answers.push(await call(app, 'GET', '/customers', { token: admin }));

  for (const answer of answers) {
    assert.ok(answer.status === 200 || answer.status === 201, JSON.stringify(answer.body));
    const text = JSON.stringify(answer.body);
    assert.doesNotMatch(text, /register-secret-1|admin-made-secret-1|updated-secret-1/);
    assert.doesNotMatch(text, /password|\$argon2|\$scrypt|token_version/);
  }
  const stored = await app.db.selectFrom('customers').select(['username', 'password_hash']).execute();
  for (const row of stored) {
    assert.match(row.password_hash, /^\$(argon2id|scrypt)\$/, `${row.username}'s password is not stored as an argon2id or scrypt hash`);
    assert.doesNotMatch(row.password_hash, /secret|password/);
  }
});

test('when a token signed with the right secret has no expiry, or a subject that is not a plain positive integer, then 401 and nothing changes', async (t) => {
  const { app, customer, state } = await openTarget(t);
  const { payload } = decodeJwt(customer.token);
  const id = String(customer.customer.id);
  const { exp: _exp, ...withoutExpiry } = payload;
  const forged: Record<string, string> = {
    'no exp': signJwt(withoutExpiry, TEST_SECRET),
    'exp as text': signJwt({ ...payload, exp: String(payload.exp) }, TEST_SECRET),
    'sub "2.0"': signJwt({ ...payload, sub: `${id}.0` }, TEST_SECRET),
    'sub with a leading zero': signJwt({ ...payload, sub: `0${id}` }, TEST_SECRET),
    'sub with a space': signJwt({ ...payload, sub: ` ${id}` }, TEST_SECRET),
    'sub as a number': signJwt({ ...payload, sub: Number(id) }, TEST_SECRET),
    'no sub': signJwt({ ...payload, sub: undefined }, TEST_SECRET),
  };
  const before = await state();
  for (const [name, token] of Object.entries(forged)) {
    assertProblem(await call(app, 'GET', '/customers/me', { token }), 401, { code: 'UNAUTHORIZED', what: name });
    assertProblem(await call(app, 'PUT', `/customers/${id}`, { token, body: { customer_name: 'Forged' } }), 401, { code: 'UNAUTHORIZED', what: name });
  }
  assert.deepEqual(await state(), before);
  assert.equal((await call(app, 'GET', '/customers/me', { token: signJwt(payload, TEST_SECRET) })).status, 200, 'the same claims, well formed, pass');
});

test('when a stolen token changes the password, email or username, then 400 without current_password and 403 with a wrong one (a failed login), and nothing changes', async (t) => {
  const { app, customer, state } = await openTarget(t, { loginMaxFailures: 3 });
  const url = `/customers/${customer.customer.id}`;
  const takeovers = [{ password: 'thief-password-1' }, { email: 'thief@example.com' }, { username: 'thief' }];
  const before = await state();

  for (const takeover of takeovers) {
    const response = await call(app, 'PUT', url, { token: customer.token, body: takeover });
    assertProblem(response, 400, { code: 'VALIDATION_FAILED', what: JSON.stringify(takeover) });
    assert.deepEqual(response.body.errors, [{ path: '/body/current_password', message: 'is required to change your own password, email or username' }]);
  }
  for (const takeover of takeovers) {
    const wrong = await call(app, 'PUT', url, { token: customer.token, body: { ...takeover, current_password: 'a-guess-1' } });
    assertProblem(wrong, 403, { code: 'CURRENT_PASSWORD_WRONG', what: JSON.stringify(takeover) });
  }
  // Three wrong current passwords are three failed logins for this username from this address.
  assertThrottled(await attemptLogin(app, customer.customer.username, customer.password), 900);
  assertThrottled(await call(app, 'PUT', url, { token: customer.token, body: { password: 'thief-password-1', current_password: customer.password } }), 900);
  assert.deepEqual(await state(), before);
});

test('when the owner changes its password with the right current_password, then it works, and changing only its name needs none', async (t) => {
  const { app, customer } = await openTarget(t);
  const url = `/customers/${customer.customer.id}`;
  assert.equal((await call(app, 'PUT', url, { token: customer.token, body: { customer_name: 'Just A Name' } })).status, 200);
  const changed = await call(app, 'PUT', url, { token: customer.token, body: { password: 'owner-new-password', current_password: customer.password } });
  assert.equal(changed.status, 200);
  assert.equal((await attemptLogin(app, customer.customer.username, 'owner-new-password')).status, 200);
});

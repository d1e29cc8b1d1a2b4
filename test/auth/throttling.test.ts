import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ADMIN, adminToken, buildTestApp, call, registerCustomer } from '../helpers/app.js';
import { allCustomers, assertThrottled, attemptLogin, customerFields, postFrom } from './helpers.js';
import { assertProblem } from '../helpers/problem.js';

const LOGIN_WINDOW_S = 900;

test('when one username fails 3 times with loginMaxFailures 3, then the 4th attempt is 429 even with the right password, and others still log in', async (t) => {
  const app = await buildTestApp(t, { loginMaxFailures: 3 });
  const { customer, password } = await registerCustomer(app);
  for (let i = 0; i < 3; i += 1) {
    assert.equal((await attemptLogin(app, ADMIN.username, `wrong-password-${i}`)).status, 401, `failure ${i + 1}`);
  }

  assertThrottled(await attemptLogin(app, ADMIN.username, ADMIN.password), LOGIN_WINDOW_S);
  // The count is per username whatever its case.
  assertThrottled(await attemptLogin(app, ADMIN.username.toUpperCase(), ADMIN.password), LOGIN_WINDOW_S);

  const other = await attemptLogin(app, customer.username, password);
  assert.equal(other.status, 200);
  assert.equal(other.body.status, 'success');
});

test('when an unknown username fails as often as a known one, then it is throttled with the same answer', async (t) => {
  const app = await buildTestApp(t, { loginMaxFailures: 2 });
  for (let i = 0; i < 2; i += 1) {
    assert.equal((await attemptLogin(app, ADMIN.username, 'wrong-password')).status, 401);
    assert.equal((await attemptLogin(app, 'nobody-here', 'wrong-password')).status, 401);
  }
  const known = await attemptLogin(app, ADMIN.username, 'wrong-password');
  const unknown = await attemptLogin(app, 'nobody-here', 'wrong-password');
  assertThrottled(known, LOGIN_WINDOW_S);
  assertThrottled(unknown, LOGIN_WINDOW_S);
  assert.deepEqual(unknown.body, known.body);
});

test('when the failure window has passed, then the throttled username may log in again', async (t) => {
  const app = await buildTestApp(t, { loginMaxFailures: 2, loginWindowSeconds: 1 });
  for (let i = 0; i < 2; i += 1) assert.equal((await attemptLogin(app, ADMIN.username, 'wrong-password')).status, 401);
  assertThrottled(await attemptLogin(app, ADMIN.username, ADMIN.password), 1);
  await sleep(1100);
  assert.equal((await attemptLogin(app, ADMIN.username, ADMIN.password)).status, 200);
});

test('when failures over many usernames come from one address, then that address gets 429 even with the right password, and another address does not', async (t) => {
  const app = await buildTestApp(t, { loginMaxFailuresPerAddress: 4 });
  const { customer, password } = await registerCustomer(app);
  for (let i = 0; i < 4; i += 1) {
    assert.equal((await attemptLogin(app, `guess-${i}`, 'wrong-password')).status, 401, `failure ${i + 1}`);
  }

  assertThrottled(await attemptLogin(app, ADMIN.username, ADMIN.password), LOGIN_WINDOW_S);
  assertThrottled(await attemptLogin(app, customer.username, password), LOGIN_WINDOW_S);

  const elsewhere = await postFrom(app, '192.0.2.7', '/customers/login', { username: customer.username, password });
  assert.equal(elsewhere.status, 200);
});

test('when the app does not trust a proxy, then changing X-Forwarded-For does not escape the address limit', async (t) => {
  const app = await buildTestApp(t, { loginMaxFailuresPerAddress: 3 });
  for (let i = 0; i < 3; i += 1) {
    const failed = await attemptLogin(app, `guess-${i}`, 'wrong-password', { 'x-forwarded-for': `198.51.100.${i}` });
    assert.equal(failed.status, 401);
  }
  assertThrottled(await attemptLogin(app, ADMIN.username, ADMIN.password, { 'x-forwarded-for': '198.51.100.99' }), LOGIN_WINDOW_S);
});

test('when the app trusts a proxy, then X-Forwarded-For names the client: the failing one gets 429, another still logs in', async (t) => {
  const app = await buildTestApp(t, { trustProxy: ['127.0.0.1'], loginMaxFailuresPerAddress: 3 });
  const from = (address: string) => ({ 'x-forwarded-for': address });
  for (let i = 0; i < 3; i += 1) {
    assert.equal((await attemptLogin(app, `guess-${i}`, 'wrong-password', from('198.51.100.1'))).status, 401);
  }
  assertThrottled(await attemptLogin(app, ADMIN.username, ADMIN.password, from('198.51.100.1')), LOGIN_WINDOW_S);
  assert.equal((await attemptLogin(app, ADMIN.username, ADMIN.password, from('198.51.100.2'))).status, 200);
});

test('when logins succeed again and again under low limits, then none is throttled and they do not count toward the limits', async (t) => {
  const app = await buildTestApp(t, { loginMaxFailures: 2, loginMaxFailuresPerAddress: 2 });
  assert.equal((await attemptLogin(app, 'nobody-here', 'wrong-password')).status, 401);
  for (let i = 0; i < 8; i += 1) {
    const response = await attemptLogin(app, ADMIN.username, ADMIN.password);
    assert.equal(response.status, 200, `success ${i + 1}`);
  }
  // One failure so far from this address, so one more is still a plain 401; the next is over the limit.
  assert.equal((await attemptLogin(app, 'nobody-else', 'wrong-password')).status, 401);
  assertThrottled(await attemptLogin(app, ADMIN.username, ADMIN.password), LOGIN_WINDOW_S);
});

test('when the database is down, then a login answers 503 and does not count as a failed login', async (t) => {
  const app = await buildTestApp(t, { loginMaxFailures: 1, loginMaxFailuresPerAddress: 1 });
  await app.db.destroy();
  for (let i = 0; i < 3; i += 1) {
    const response = await attemptLogin(app, ADMIN.username, ADMIN.password);
    assertProblem(response, 503);
    assert.equal(response.body.code, 'UNAVAILABLE', `attempt ${i + 1}`);
  }
});

test('when many wrong passwords for one username arrive at once, then no more than loginMaxFailures of them are checked', async (t) => {
  const app = await buildTestApp(t, { loginMaxFailures: 3 });
  const guesses = Array.from({ length: 12 }, (_, i) => attemptLogin(app, ADMIN.username, `guess-number-${i}`));
  const statuses = (await Promise.all(guesses)).map((response) => response.status);
  assert.equal(statuses.filter((status) => status === 401).length, 3, `statuses: ${statuses.join(',')}`);
  assert.equal(statuses.filter((status) => status === 429).length, 9, `statuses: ${statuses.join(',')}`);
  assertThrottled(await attemptLogin(app, ADMIN.username, ADMIN.password), LOGIN_WINDOW_S);
});

test('when one address registers more than registerMaxPerAddress times, then 429 with Retry-After, no account is made, and another address may register', async (t) => {
  const app = await buildTestApp(t, { registerMaxPerAddress: 2 });
  const admin = await adminToken(app);
  for (let i = 0; i < 2; i += 1) {
    assert.equal((await call(app, 'POST', '/customers/register', { body: customerFields() })).status, 201);
  }
  const late = customerFields();

  const blocked = await call(app, 'POST', '/customers/register', { body: late });

  assertThrottled(blocked, 3600);
  assert.equal(blocked.body.code, 'TOO_MANY_REQUESTS');
  assert.equal((await allCustomers(app, admin)).length, 3);
  assert.equal((await attemptLogin(app, late.username, late.password)).status, 401);
  // Logging in is not registering: the registered customers still log in from the same address.
  assert.equal((await attemptLogin(app, ADMIN.username, ADMIN.password)).status, 200);
  const elsewhere = await postFrom(app, '192.0.2.8', '/customers/register', late);
  assert.equal(elsewhere.status, 201);
  assert.equal(elsewhere.body.username, late.username);
  assert.equal((await attemptLogin(app, late.username, late.password)).status, 200);
});

test('when a stranger at one address fails five times for the admin, then only that address is held back: the admin logs in from its own', async (t) => {
  const app = await buildTestApp(t, { loginMaxFailures: 5, loginMaxFailuresPerAddress: 50, loginMaxFailuresPerUsername: 100 });
  for (let i = 0; i < 5; i += 1) {
    assert.equal((await postFrom(app, '203.0.113.66', '/customers/login', { username: ADMIN.username, password: `guess-${i}-x` })).status, 401);
  }
  assertThrottled(await postFrom(app, '203.0.113.66', '/customers/login', ADMIN), LOGIN_WINDOW_S);
  // Five more every 15 minutes from that address keep only that address out.
  assertThrottled(await postFrom(app, '203.0.113.66', '/customers/login', { username: ADMIN.username, password: 'guess-6-x' }), LOGIN_WINDOW_S);
  assert.equal((await postFrom(app, '192.0.2.10', '/customers/login', ADMIN)).status, 200);
});

test('when guesses for one username come from many addresses, then past LOGIN_MAX_FAILURES_PER_USERNAME it is held back everywhere', async (t) => {
  const app = await buildTestApp(t, { loginMaxFailures: 5, loginMaxFailuresPerAddress: 50, loginMaxFailuresPerUsername: 6 });
  for (let i = 0; i < 6; i += 1) {
    assert.equal((await postFrom(app, `198.51.100.${i}`, '/customers/login', { username: ADMIN.username, password: 'wrong-guess-x' })).status, 401);
  }
  assertThrottled(await postFrom(app, '192.0.2.10', '/customers/login', ADMIN), LOGIN_WINDOW_S);
  // Refused attempts count nothing: another username from those addresses is untouched.
  assert.equal((await postFrom(app, '198.51.100.0', '/customers/login', { username: 'someone-else', password: 'wrong-guess-x' })).status, 401);
});

test('when 40 wrong guesses for one username arrive at once, then exactly as many are checked as the limit allows: counting and comparing are one step', async (t) => {
  const statuses = (answers: { status: number }[]) => {
    const counts: Record<number, number> = {};
    for (const answer of answers) counts[answer.status] = (counts[answer.status] ?? 0) + 1;
    return counts;
  };
  // From one address (the limit stays under the four password checks one client may run at once).
  const oneAddress = await buildTestApp(t, { loginMaxFailures: 3 });
  const fromOne = await Promise.all(Array.from({ length: 40 }, (_, i) => attemptLogin(oneAddress, ADMIN.username, `concurrent-guess-${i}`)));
  assert.deepEqual(statuses(fromOne), { 401: 3, 429: 37 });
  // From 40 addresses, against the limit per username.
  const manyAddresses = await buildTestApp(t, { loginMaxFailuresPerUsername: 5 });
  const fromMany = await Promise.all(
    Array.from({ length: 40 }, (_, i) => postFrom(manyAddresses, `198.51.100.${i}`, '/customers/login', { username: ADMIN.username, password: 'guess-x' })),
  );
  assert.deepEqual(statuses(fromMany), { 401: 5, 429: 35 });
});

test('when the proxies in front are given by count, then the client address is the one the last proxy saw; a client cannot write its own', async (t) => {
  const app = await buildTestApp(t, { trustProxy: 1, loginMaxFailuresPerAddress: 3 });
  // One proxy: it appends the address it saw (203.0.113.5) to whatever the client wrote.
  const throughProxy = (spoof: string) => ({ 'x-forwarded-for': `${spoof}, 203.0.113.5` });
  for (let i = 0; i < 3; i += 1) {
    assert.equal((await attemptLogin(app, `guess-${i}`, 'wrong-password', throughProxy(`10.0.0.${i}`))).status, 401);
  }
  assertThrottled(await attemptLogin(app, ADMIN.username, ADMIN.password, throughProxy('10.9.9.9')), LOGIN_WINDOW_S);
  assert.equal((await attemptLogin(app, ADMIN.username, ADMIN.password, { 'x-forwarded-for': '203.0.113.6' })).status, 200);
});

test('when the proxies are given by address, then the client address is the first one from the right that is not a proxy', async (t) => {
  const app = await buildTestApp(t, { trustProxy: ['127.0.0.1', '10.0.0.0/8'], loginMaxFailuresPerAddress: 2 });
  const chain = (spoof: string) => ({ 'x-forwarded-for': `${spoof}, 203.0.113.7, 10.1.2.3` });
  for (let i = 0; i < 2; i += 1) assert.equal((await attemptLogin(app, `guess-${i}`, 'wrong-password', chain(`192.0.2.${i}`))).status, 401);
  assertThrottled(await attemptLogin(app, ADMIN.username, ADMIN.password, chain('192.0.2.99')), LOGIN_WINDOW_S);
});

test('when a customer keeps changing its username or email (each answer tells whether another holds it), then past the hourly limit it gets 429', async (t) => {
  const app = await buildTestApp(t, { identityChecksMaxPerHour: 3 });
  const { customer, token, password } = await registerCustomer(app);
  const url = `/customers/${customer.id}`;
  for (const email of ['probe-1@example.com', 'admin@localhost.invalid', 'probe-3@example.com']) {
    const answer = await call(app, 'PUT', url, { token, body: { email, current_password: password } });
    assert.ok([200, 409].includes(answer.status), `${email}: ${answer.status}`);
  }
  assertThrottled(await call(app, 'PUT', url, { token, body: { username: 'probe-4', current_password: password } }), 3600);
  // A change of anything else is not a probe.
  assert.equal((await call(app, 'PUT', url, { token, body: { customer_name: 'Still Me' } })).status, 200);
});

test('when failed logins come from many IPv6 addresses of one /64 (one host commonly holds them all), then they count as one address', async (t) => {
  const app = await buildTestApp(t, { loginMaxFailuresPerAddress: 3 });
  for (let i = 1; i <= 3; i += 1) {
    assert.equal((await postFrom(app, `2001:db8:aa:bb::${i}`, '/customers/login', { username: `guess-${i}`, password: 'wrong-password' })).status, 401);
  }
  assertThrottled(await postFrom(app, '2001:db8:aa:bb:ffff::9', '/customers/login', ADMIN), LOGIN_WINDOW_S);
  assert.equal((await postFrom(app, '2001:db8:aa:cc::1', '/customers/login', ADMIN)).status, 200, 'the next /64 is another client');
});

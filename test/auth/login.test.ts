import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN, buildTestApp, call, isProblem, registerCustomer } from '../helpers/app.js';
import { decodeJwt } from '../helpers/tokens.js';

test('when the credentials are right, then login answers success with an HS256 token for one hour', async (t) => {
  const app = await buildTestApp(t);
  const { customer, password } = await registerCustomer(app);
  const response = await call(app, 'POST', '/customers/login', { body: { username: customer.username, password } });
  assert.equal(response.status, 200);
  assert.equal(response.body.status, 'success');
  assert.equal(typeof response.body.message, 'string');
  const { header, payload } = decodeJwt(response.body.auth_token);
  assert.equal(header.alg, 'HS256');
  assert.equal(payload.sub, String(customer.id));
  assert.equal(payload.role, 2);
  assert.equal(payload.exp - payload.iat, 3600);
  const me = await call(app, 'GET', '/customers/me', { token: response.body.auth_token });
  assert.equal(me.body.id, customer.id);
});

test('when JWT_EXPIRES_IN is set, then tokens live that long', async (t) => {
  const app = await buildTestApp(t, { jwtExpiresInSeconds: 60 });
  const response = await call(app, 'POST', '/customers/login', { body: ADMIN });
  const { payload } = decodeJwt(response.body.auth_token);
  assert.equal(payload.exp - payload.iat, 60);
});

test('when the username is typed in another case, then login still works', async (t) => {
  const app = await buildTestApp(t);
  const response = await call(app, 'POST', '/customers/login', { body: { username: 'ADMIN', password: ADMIN.password } });
  assert.equal(response.status, 200);
});

test('when the username is unknown or the password wrong, then both get the same 401 in about the same time', async (t) => {
  const app = await buildTestApp(t);
  const timed = async (body: object) => {
    const start = process.hrtime.bigint();
    const response = await call(app, 'POST', '/customers/login', { body });
    return { response, ms: Number(process.hrtime.bigint() - start) / 1e6 };
  };
  const unknown = [];
  const wrong = [];
  for (let i = 0; i < 5; i += 1) {
    unknown.push(await timed({ username: `nobody${i}`, password: 'whatever-password' }));
    wrong.push(await timed({ username: ADMIN.username, password: `wrong-password-${i}` }));
  }
  for (const { response } of [...unknown, ...wrong]) {
    assert.ok(isProblem(response, 401));
    assert.deepEqual(response.body, unknown[0]!.response.body);
  }
  const median = (xs: { ms: number }[]) => xs.map((x) => x.ms).sort((a, b) => a - b)[2]!;
  const ratio = median(unknown) / median(wrong);
  assert.ok(ratio > 1 / 3 && ratio < 3, `median times ${median(unknown)} ms vs ${median(wrong)} ms`);
});

test('when a username fails too often, then even the right password gets 429 with Retry-After, and others are unaffected', async (t) => {
  const app = await buildTestApp(t, { loginMaxFailures: 3 });
  const { customer, password } = await registerCustomer(app);
  for (let i = 0; i < 3; i += 1) {
    const failed = await call(app, 'POST', '/customers/login', { body: { username: ADMIN.username, password: 'bad-password' } });
    assert.equal(failed.status, 401);
  }
  const blocked = await call(app, 'POST', '/customers/login', { body: ADMIN });
  assert.ok(isProblem(blocked, 429));
  assert.match(String(blocked.headers['retry-after']), /^[1-9]\d*$/);
  assert.ok(Number(blocked.headers['retry-after']) <= 900);
  const other = await call(app, 'POST', '/customers/login', { body: { username: customer.username, password } });
  assert.equal(other.status, 200);
});

test('when failures come from one address over many usernames, then that address gets 429', async (t) => {
  const app = await buildTestApp(t, { loginMaxFailuresPerAddress: 4 });
  for (let i = 0; i < 4; i += 1) {
    const failed = await call(app, 'POST', '/customers/login', { body: { username: `guess${i}`, password: 'bad-password' } });
    assert.equal(failed.status, 401);
  }
  const blocked = await call(app, 'POST', '/customers/login', { body: ADMIN });
  assert.ok(isProblem(blocked, 429));
  assert.ok(Number(blocked.headers['retry-after']) > 0);
});

test('when logins succeed many times, then they are never throttled', async (t) => {
  const app = await buildTestApp(t, { loginMaxFailures: 2, loginMaxFailuresPerAddress: 2 });
  for (let i = 0; i < 10; i += 1) {
    assert.equal((await call(app, 'POST', '/customers/login', { body: ADMIN })).status, 200);
  }
});

test('when one address registers too often, then it gets 429 with Retry-After and no account is made', async (t) => {
  const app = await buildTestApp(t, { registerMaxPerAddress: 2 });
  await registerCustomer(app);
  await registerCustomer(app);
  const fields = { customer_name: 'Late', email: 'late@example.com', username: 'late', password: 'late-password' };
  const blocked = await call(app, 'POST', '/customers/register', { body: fields });
  assert.ok(isProblem(blocked, 429));
  assert.ok(Number(blocked.headers['retry-after']) > 0);
  assert.equal((await call(app, 'POST', '/customers/login', { body: { username: 'late', password: 'late-password' } })).status, 401);
});

test('when the login body is malformed, then it is a 400 and not a login attempt', async (t) => {
  const app = await buildTestApp(t);
  for (const body of [{}, { username: 'admin' }, { username: '', password: 'x' }, { username: 'admin', password: 5 }, { ...ADMIN, extra: 1 }]) {
    const response = await call(app, 'POST', '/customers/login', { body });
    assert.ok(isProblem(response, 400), JSON.stringify(body));
    assert.ok(Array.isArray(response.body.errors));
  }
});

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { ADMIN, adminToken, buildTestApp, call, registerCustomer, TEST_SECRET } from '../helpers/app.js';
import { decodeJwt } from '../helpers/tokens.js';
import { attemptLogin, median } from './helpers.js';
import { assertProblem } from '../helpers/problem.js';

/** True when the token's signature is HMAC-SHA256 over header.payload with the bytes of the secret. */
function signedWith(token: string, secret: string): boolean {
  const [header, payload, signature] = token.split('.');
  return createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url') === signature;
}

test('when a customer logs in with the right password, then it gets success and an HS256 token for its id, role 2 and one hour', async (t) => {
  const app = await buildTestApp(t);
  const { customer, password } = await registerCustomer(app);
  const before = Math.floor(Date.now() / 1000);

  const response = await attemptLogin(app, customer.username, password);

  assert.equal(response.status, 200);
  assert.deepEqual(Object.keys(response.body).sort(), ['auth_token', 'message', 'status']);
  assert.equal(response.body.status, 'success');
  assert.equal(typeof response.body.message, 'string');
  assert.ok(response.body.message.length > 0);
  const token: string = response.body.auth_token;
  const { header, payload } = decodeJwt(token);
  assert.equal(header.alg, 'HS256');
  assert.ok(signedWith(token, TEST_SECRET), 'not signed with the bytes of JWT_SECRET');
  assert.equal(payload.sub, String(customer.id));
  assert.equal(payload.role, 2);
  assert.equal(payload.exp - payload.iat, 3600);
  assert.ok(Math.abs(payload.iat - before) <= 5, `iat ${payload.iat} is not now (${before})`);
  // The token is what the rest of the API accepts, for this customer.
  const me = await call(app, 'GET', '/customers/me', { token });
  assert.equal(me.status, 200);
  assert.equal(me.body.id, customer.id);
});

test('when the admin logs in, then its token carries role 1 and opens admin routes', async (t) => {
  const app = await buildTestApp(t);
  const response = await attemptLogin(app, ADMIN.username, ADMIN.password);
  assert.equal(response.status, 200);
  const { payload } = decodeJwt(response.body.auth_token);
  assert.equal(payload.role, 1);
  const me = await call(app, 'GET', '/customers/me', { token: response.body.auth_token });
  assert.equal(payload.sub, String(me.body.id));
  assert.equal((await call(app, 'GET', '/customers', { token: response.body.auth_token })).status, 200);
});

test('when jwtExpiresInSeconds is 60, then tokens live 60 seconds and still work', async (t) => {
  const app = await buildTestApp(t, { jwtExpiresInSeconds: 60 });
  const response = await attemptLogin(app, ADMIN.username, ADMIN.password);
  assert.equal(response.status, 200);
  const { payload } = decodeJwt(response.body.auth_token);
  assert.equal(payload.exp - payload.iat, 60);
  assert.equal((await call(app, 'GET', '/customers/me', { token: response.body.auth_token })).status, 200);
});

test('when the username is typed in another case, then the same customer is logged in', async (t) => {
  const app = await buildTestApp(t);
  const { customer, password } = await registerCustomer(app, { username: 'MixedCase.Name' });
  for (const typed of ['mixedcase.name', 'MIXEDCASE.NAME']) {
    const response = await attemptLogin(app, typed, password);
    assert.equal(response.status, 200, typed);
    assert.equal(decodeJwt(response.body.auth_token).payload.sub, String(customer.id));
  }
});

test('when the username is unknown, deleted, or the password wrong, then every answer is the same 401 body and no token', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { customer, password } = await registerCustomer(app);
  const gone = await registerCustomer(app);
  assert.equal((await call(app, 'DELETE', `/customers/${gone.customer.id}`, { token: admin })).status, 200);

  const answers = [
    await attemptLogin(app, 'nobody-by-this-name', password),
    await attemptLogin(app, customer.username, 'not-the-password'),
    await attemptLogin(app, customer.username.toUpperCase(), 'not-the-password'),
    await attemptLogin(app, customer.username, password.toUpperCase()),
    await attemptLogin(app, gone.customer.username, gone.password),
    await attemptLogin(app, ADMIN.username, `${ADMIN.password}x`),
  ];

  for (const answer of answers) {
    assertProblem(answer, 401);
    assert.deepEqual(answer.body, answers[0]!.body);
    assert.deepEqual(Object.keys(answer.body).sort(), Object.keys(answers[0]!.body).sort());
    assert.equal(answer.headers['retry-after'], undefined);
  }
  assert.equal(answers[0]!.body.code, 'UNAUTHORIZED');
  assert.doesNotMatch(JSON.stringify(answers[0]!.body), /auth_token|nobody-by-this-name/);
  // The failures changed nothing: the right password still works.
  assert.equal((await attemptLogin(app, customer.username, password)).status, 200);
});

test('when the username is unknown or the password wrong, then the answers take about the same time', async (t) => {
  const app = await buildTestApp(t);
  const { customer } = await registerCustomer(app);
  const timed = async (username: string, password: string) => {
    const start = process.hrtime.bigint();
    const response = await attemptLogin(app, username, password);
    assert.equal(response.status, 401);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const unknown: number[] = [];
  const wrong: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    unknown.push(await timed(`nobody-${i}`, `a-wrong-password-${i}`));
    wrong.push(await timed(customer.username, `a-wrong-password-${i}`));
  }
  const ratio = median(unknown) / median(wrong);
  assert.ok(ratio > 1 / 3 && ratio < 3, `median ${median(unknown).toFixed(1)} ms (unknown) vs ${median(wrong).toFixed(1)} ms (wrong password)`);
});

test('when the login body is malformed, then 400 with errors, and it does not count as a failed login', async (t) => {
  const app = await buildTestApp(t, { loginMaxFailures: 1, loginMaxFailuresPerAddress: 1 });
  const bodies = [
    {},
    { username: ADMIN.username },
    { password: ADMIN.password },
    { username: '', password: 'x' },
    { username: ADMIN.username, password: '' },
    { username: ADMIN.username, password: 12345678 },
    { username: ['admin'], password: ADMIN.password },
    { ...ADMIN, role: 1 },
  ];
  for (const body of bodies) {
    const response = await call(app, 'POST', '/customers/login', { body });
    assertProblem(response, 400);
    assert.ok(Array.isArray(response.body.errors) && response.body.errors.length > 0, JSON.stringify(body));
    for (const error of response.body.errors) {
      assert.equal(typeof error.path, 'string');
      assert.equal(typeof error.message, 'string');
    }
  }
  assert.equal((await attemptLogin(app, ADMIN.username, ADMIN.password)).status, 200);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HTTPMethods } from 'fastify';
import { adminToken, buildTestApp, call, login, registerCustomer, TEST_SECRET } from '../helpers/app.js';
import { decodeJwt, signJwt } from '../helpers/tokens.js';
import { allCustomers, assertTokenRefused, attemptLogin, customerFields } from './helpers.js';
import { assertProblem } from '../helpers/problem.js';

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

test('when the Authorization header is missing or not "Bearer <token>", then every customer route answers 401 and changes nothing', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { customer } = await registerCustomer(app);
  const headers = ['', 'Bearer', 'Bearer ', `Token ${admin}`, `Token x`, admin, `Bearer ${admin} extra`, `Basic ${admin}`, `Bearer  ${admin}`];
  const routes: [HTTPMethods, string, object?][] = [
    ['GET', '/customers/me'],
    ['GET', '/customers'],
    ['POST', '/customers', customerFields()],
    ['GET', `/customers/${customer.id}`],
    ['PUT', `/customers/${customer.id}`, { customer_name: 'Changed' }],
    ['DELETE', `/customers/${customer.id}`],
  ];
  const before = await allCustomers(app, admin);
  for (const authorization of headers) {
    for (const [method, url, body] of routes) {
      const response = await call(app, method, url, {
        headers: authorization ? { authorization } : {},
        ...(body ? { body } : {}),
      });
      assertProblem(response, 401);
      assert.equal(response.body.code, 'UNAUTHORIZED', `${method} ${url} with "${authorization}"`);
    }
  }
  assert.deepEqual(await allCustomers(app, admin), before);
  // The same token, sent properly, is accepted.
  assert.equal((await call(app, 'GET', '/customers/me', { headers: { authorization: `Bearer ${admin}` } })).status, 200);
});

test('when a token is tampered with, signed with another secret or algorithm, says alg none, is expired or garbage, then 401', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const adminId = String((await call(app, 'GET', '/customers/me', { token: admin })).body.id);
  const { token } = await registerCustomer(app);
  const { payload } = decodeJwt(token);
  const [header, body, signature] = token.split('.') as [string, string, string];
  const now = Math.floor(Date.now() / 1000);
  const raised = { ...payload, sub: adminId, role: 1 };
  const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');

  const refused: Record<string, string> = {
    'payload raised to the admin, old signature': `${header}.${base64url(raised)}.${signature}`,
    'payload with a longer life, old signature': `${header}.${base64url({ ...payload, exp: payload.exp + 86_400 })}.${signature}`,
    'signature changed': `${header}.${body}.${flipped}`,
    'signature removed': `${header}.${body}.`,
    'another secret': signJwt(raised, 'another-secret-that-is-at-least-32-bytes'),
    'alg none, no signature': `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(raised)}.`,
    'alg none, old signature': `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(raised)}.${signature}`,
    'alg HS512 with the right secret': signJwt(payload, TEST_SECRET, { alg: 'HS512', typ: 'JWT' }),
    'expired an hour ago': signJwt({ ...payload, iat: now - 7200, exp: now - 3600 }, TEST_SECRET),
    'expired a few seconds ago': signJwt({ ...payload, iat: now - 3605, exp: now - 5 }, TEST_SECRET),
    'not a JWT': 'not.a.token',
    'two parts': `${header}.${body}`,
  };
  for (const [name, bad] of Object.entries(refused)) await assertTokenRefused(app, bad, name);

  // The same claims with a valid signature and a future expiry are accepted, so the refusals above are about the token.
  const resigned = signJwt({ ...payload, iat: now, exp: now + 60 }, TEST_SECRET);
  assert.equal((await call(app, 'GET', '/customers/me', { token: resigned })).body.id, Number(payload.sub));
});

test('when a well-signed token lacks its claims or names no customer, then 401', async (t) => {
  const app = await buildTestApp(t);
  const { token } = await registerCustomer(app);
  const { payload } = decodeJwt(token);
  const { sub: _sub, ...noSub } = payload;
  const { ver: _ver, ...noVer } = payload;
  const cases: Record<string, object> = {
    'no sub': noSub,
    'sub as a number': { ...payload, sub: Number(payload.sub) },
    'sub not a number': { ...payload, sub: 'abc' },
    'sub of nobody': { ...payload, sub: '424242' },
    'no ver': noVer,
    'ver as a string': { ...payload, ver: String(payload.ver) },
    'ver from the future': { ...payload, ver: payload.ver + 1 },
  };
  for (const [name, claims] of Object.entries(cases)) await assertTokenRefused(app, signJwt(claims, TEST_SECRET), name);
});

test('when a customer deletes itself or is deleted by an admin, then its tokens stop working', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const self = await registerCustomer(app);
  const other = await registerCustomer(app);
  assert.equal((await call(app, 'GET', '/customers/me', { token: self.token })).status, 200);

  assert.equal((await call(app, 'DELETE', `/customers/${self.customer.id}`, { token: self.token })).status, 200);
  assert.equal((await call(app, 'DELETE', `/customers/${other.customer.id}`, { token: admin })).status, 200);

  await assertTokenRefused(app, self.token, 'deleted itself');
  await assertTokenRefused(app, other.token, 'deleted by the admin');
  assertProblem(await call(app, 'DELETE', `/customers/${self.customer.id}`, { token: self.token }), 401);
  assert.deepEqual((await allCustomers(app, admin)).map((c) => c.username), ['admin']);
});

test('when a customer changes its own password, then tokens issued before stop working, and a token from the new password works', async (t) => {
  const app = await buildTestApp(t);
  const { customer, token, password } = await registerCustomer(app);
  const second = await login(app, customer.username, password);

  const changed = await call(app, 'PUT', `/customers/${customer.id}`, {
    token,
    body: { password: 'a-brand-new-password', current_password: password },
  });

  assert.equal(changed.status, 200);
  await assertTokenRefused(app, token, 'the token that made the change');
  await assertTokenRefused(app, second, 'another token issued before');
  assert.equal((await attemptLogin(app, customer.username, password)).status, 401);
  const fresh = await login(app, customer.username, 'a-brand-new-password');
  assert.equal((await call(app, 'GET', '/customers/me', { token: fresh })).body.id, customer.id);
});

test('when an admin sets a customer password, then the customer tokens stop working but the admin token does not', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { customer, token } = await registerCustomer(app);
  const changed = await call(app, 'PUT', `/customers/${customer.id}`, { token: admin, body: { password: 'set-by-the-admin' } });
  assert.equal(changed.status, 200);
  await assertTokenRefused(app, token);
  assert.equal((await call(app, 'GET', '/customers', { token: admin })).status, 200);
  assert.equal((await attemptLogin(app, customer.username, 'set-by-the-admin')).status, 200);
});

test('when a customer changes anything but its password, then its token keeps working', async (t) => {
  const app = await buildTestApp(t);
  const { customer, token, password } = await registerCustomer(app);
  const changed = await call(app, 'PUT', `/customers/${customer.id}`, {
    token,
    body: { customer_name: 'New Name', email: 'new-address@example.com', username: 'new-username', phone: null, current_password: password },
  });
  assert.equal(changed.status, 200);
  const me = await call(app, 'GET', '/customers/me', { token });
  assert.equal(me.status, 200);
  assert.equal(me.body.username, 'new-username');
});

test('when a role changes, then the next request uses the new role, not the role in the old token', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { customer, token, password } = await registerCustomer(app);
  assertProblem(await call(app, 'GET', '/customers', { token }), 403);

  assert.equal((await call(app, 'PUT', `/customers/${customer.id}`, { token: admin, body: { role_id: 1 } })).status, 200);
  assert.equal((await call(app, 'GET', '/customers', { token })).status, 200);

  // Demoted again by the first admin: the token still says role 1, but the customer is not an admin any more.
  assert.equal((await call(app, 'PUT', `/customers/${customer.id}`, { token: admin, body: { role_id: 2 } })).status, 200);
  assertProblem(await call(app, 'GET', '/customers', { token }), 403);
  assert.equal(decodeJwt(await login(app, customer.username, password)).payload.role, 2);
});

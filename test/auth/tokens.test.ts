import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminToken, buildTestApp, call, isProblem, registerCustomer, TEST_SECRET } from '../helpers/app.js';
import { decodeJwt, signJwt } from '../helpers/tokens.js';

async function expectRefused(app: Awaited<ReturnType<typeof buildTestApp>>, headers: Record<string, string>) {
  const response = await call(app, 'GET', '/customers/me', { headers });
  assert.ok(isProblem(response, 401), `${JSON.stringify(headers)} → ${response.status}`);
  assert.equal(response.body.code, 'UNAUTHORIZED');
}

test('when the Authorization header is missing or malformed, then 401', async (t) => {
  const app = await buildTestApp(t);
  const token = await adminToken(app);
  for (const authorization of ['', 'Bearer', 'Bearer ', `Token ${token}`, token, `Bearer ${token} extra`]) {
    await expectRefused(app, authorization ? { authorization } : {});
  }
});

test('when a token is tampered with, signed with another secret, alg none, or expired, then 401', async (t) => {
  const app = await buildTestApp(t);
  const token = await adminToken(app);
  const { payload } = decodeJwt(token);
  const [header, , signature] = token.split('.');
  const raised = Buffer.from(JSON.stringify({ ...payload, sub: '2' })).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const cases = {
    tampered: `${header}.${raised}.${signature}`,
    wrongSecret: signJwt(payload, 'another-secret-that-is-long-enough-1234'),
    algNone: `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`,
    hs512: signJwt(payload, TEST_SECRET, { alg: 'HS512', typ: 'JWT' }),
    expired: signJwt({ ...payload, iat: now - 7200, exp: now - 3600 }, TEST_SECRET),
    garbage: 'not.a.token',
  };
  for (const [name, bad] of Object.entries(cases)) {
    await t.test(name, () => expectRefused(app, { authorization: `Bearer ${bad}` }));
  }
  // The same claims, properly signed, are accepted: the refusals above are about the token, not the claims.
  assert.equal((await call(app, 'GET', '/customers/me', { token: signJwt(payload, TEST_SECRET) })).status, 200);
});

test('when the customer is deleted, then its token stops working', async (t) => {
  const app = await buildTestApp(t);
  const { customer, token } = await registerCustomer(app);
  assert.equal((await call(app, 'GET', '/customers/me', { token })).status, 200);
  assert.equal((await call(app, 'DELETE', `/customers/${customer.id}`, { token })).status, 200);
  await expectRefused(app, { authorization: `Bearer ${token}` });
});

test('when the customer changes its password, then tokens issued before stop working and a new login works', async (t) => {
  const app = await buildTestApp(t);
  const { customer, token, password } = await registerCustomer(app);
  const changed = await call(app, 'PUT', `/customers/${customer.id}`, { token, body: { password: 'a-brand-new-password' } });
  assert.equal(changed.status, 200);
  await expectRefused(app, { authorization: `Bearer ${token}` });
  const old = await call(app, 'POST', '/customers/login', { body: { username: customer.username, password } });
  assert.equal(old.status, 401);
  const fresh = await call(app, 'POST', '/customers/login', { body: { username: customer.username, password: 'a-brand-new-password' } });
  assert.equal(fresh.status, 200);
  assert.equal((await call(app, 'GET', '/customers/me', { token: fresh.body.auth_token })).status, 200);
});

test('when a customer is promoted, then its role comes from the database, not from its old token', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { customer, token } = await registerCustomer(app);
  assert.equal((await call(app, 'GET', '/customers', { token })).status, 403);
  assert.equal((await call(app, 'PUT', `/customers/${customer.id}`, { token: admin, body: { role_id: 1 } })).status, 200);
  assert.equal((await call(app, 'GET', '/customers', { token })).status, 200);
});

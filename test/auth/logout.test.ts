import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { ADMIN, adminToken, buildTestApp, call, login, registerCustomer, testConfig } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import { assertProblem } from '../helpers/problem.js';
import { assertTokenRefused, attemptLogin } from './helpers.js';

function logout(app: FastifyInstance, token?: string, headers?: Record<string, string>) {
  return call(app, 'POST', '/customers/logout', { ...(token ? { token } : {}), ...(headers ? { headers } : {}) });
}

async function tokenVersion(app: FastifyInstance, id: number): Promise<number> {
  const row = await app.db.selectFrom('customers').select('token_version').where('id', '=', id).executeTakeFirstOrThrow();
  return Number(row.token_version);
}

async function assertTokenWorks(app: FastifyInstance, token: string, id: number, why = ''): Promise<void> {
  const me = await call(app, 'GET', '/customers/me', { token });
  assert.equal(me.status, 200, why);
  assert.equal(me.body.id, id, why);
}

test('when a customer signs out, then every token it was issued until now is 401, and a new login works', async (t) => {
  const app = await buildTestApp(t);
  const { customer, token, password } = await registerCustomer(app);
  const another = await login(app, customer.username, password);
  const other = await registerCustomer(app);
  const before = await tokenVersion(app, customer.id);

  const response = await logout(app, token);

  assert.equal(response.status, 200);
  assert.deepEqual(Object.keys(response.body), ['message']);
  await assertTokenRefused(app, token, 'the token it signed out with');
  await assertTokenRefused(app, another, 'its other token, from another login');
  assert.equal(await tokenVersion(app, customer.id), before + 1);
  await assertTokenWorks(app, other.token, other.customer.id, "another customer's token is untouched");
  const fresh = await attemptLogin(app, customer.username, password);
  assert.equal(fresh.status, 200, 'signing out is not locking out');
  await assertTokenWorks(app, fresh.body.auth_token, customer.id, 'a token issued after the sign-out');
});

test('when an admin signs out, then its tokens stop working, the customers\' do not, and it may log in again', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { customer, token } = await registerCustomer(app);

  assert.equal((await logout(app, admin)).status, 200);

  await assertTokenRefused(app, admin);
  assertProblem(await call(app, 'GET', '/customers', { token: admin }), 401);
  await assertTokenWorks(app, token, customer.id);
  const again = await adminToken(app);
  assert.equal((await call(app, 'GET', '/customers', { token: again })).status, 200);
});

test('when the sign-out has no token, a bad one or one already ended, then 401 and no token version changes', async (t) => {
  const app = await buildTestApp(t);
  const { customer, token } = await registerCustomer(app);
  const [header, payload] = token.split('.');
  const before = await tokenVersion(app, customer.id);

  for (const [why, response] of [
    ['no token', await logout(app)],
    ['not a bearer header', await logout(app, undefined, { authorization: `Basic ${token}` })],
    ['a forged signature', await logout(app, `${header}.${payload}.forged`)],
  ] as const) {
    assertProblem(response, 401, { code: 'UNAUTHORIZED', what: why });
  }
  assert.equal(await tokenVersion(app, customer.id), before);

  assert.equal((await logout(app, token)).status, 200);
  assertProblem(await logout(app, token), 401, { code: 'UNAUTHORIZED', what: 'signing out again with the ended token' });
  assert.equal(await tokenVersion(app, customer.id), before + 1);
});

test('when several sign-outs with one token arrive at once, then each that is let in raises the version once: no raise is lost', async (t) => {
  const app = await buildTestApp(t);
  const { customer, token } = await registerCustomer(app);
  const before = await tokenVersion(app, customer.id);

  const answers = await Promise.all(Array.from({ length: 6 }, () => logout(app, token)));

  const statuses = answers.map((answer) => answer.status);
  assert.ok(statuses.every((status) => status === 200 || status === 401), statuses.join(','));
  const signedOut = statuses.filter((status) => status === 200).length;
  assert.ok(signedOut >= 1, statuses.join(','));
  assert.equal(await tokenVersion(app, customer.id), before + signedOut);
  await assertTokenRefused(app, token);
});

test('when two apps share a database, as two server processes do, and a customer signs out on one, then its token is refused on the other', async (t) => {
  const database = await createTestDatabase({ shared: true });
  const apps: FastifyInstance[] = [];
  t.after(async () => {
    for (const app of apps) await app.close();
    await database.drop();
  });
  // One after the other: the first migrates and creates the admin.
  for (let i = 0; i < 2; i += 1) apps.push(await buildApp(testConfig({ databaseUrl: database.url })));
  const [a, b] = apps as [FastifyInstance, FastifyInstance];
  const { customer, token } = await registerCustomer(a);
  await assertTokenWorks(b, token, customer.id, 'the other process accepts the token (and has verified it once)');
  const admin = await login(b, ADMIN.username, ADMIN.password);

  assert.equal((await logout(a, token)).status, 200);

  await assertTokenRefused(b, token, 'the other process');
  await assertTokenRefused(a, token, 'the process it signed out on');
  await assertTokenWorks(a, admin, (await call(b, 'GET', '/customers/me', { token: admin })).body.id, 'the admin is still signed in');
});

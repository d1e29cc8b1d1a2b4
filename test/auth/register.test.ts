import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminToken, buildTestApp, call } from '../helpers/app.js';
import { decodeJwt } from '../helpers/tokens.js';
import { allCustomers, assertPublicCustomer, attemptLogin, customerFields } from './helpers.js';
import { assertProblem } from '../helpers/problem.js';

test('when someone registers, then 201 with the public fields and role 2, and the new customer can log in and read itself', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const fields = customerFields();

  const response = await call(app, 'POST', '/customers/register', { body: fields });

  assert.equal(response.status, 201);
  assertPublicCustomer(response.body);
  const { password: _password, ...shown } = fields;
  assert.deepEqual({ ...response.body, id: 0, created_at: '' }, { ...shown, id: 0, role_id: 2, created_at: '' });
  assert.ok(Number.isInteger(response.body.id) && response.body.id > 0);
  assert.match(response.body.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(Math.abs(Date.parse(response.body.created_at) - Date.now()) < 60_000);

  const loggedIn = await attemptLogin(app, fields.username, fields.password);
  assert.equal(loggedIn.status, 200);
  assert.equal(decodeJwt(loggedIn.body.auth_token).payload.role, 2);
  assert.deepEqual((await call(app, 'GET', '/customers/me', { token: loggedIn.body.auth_token })).body, response.body);
  assert.deepEqual((await allCustomers(app, admin)).at(-1), response.body);
});

test('when someone registers without a phone or with a null phone, then the phone is null', async (t) => {
  const app = await buildTestApp(t);
  const { phone: _phone, ...withoutPhone } = customerFields();
  const omitted = await call(app, 'POST', '/customers/register', { body: withoutPhone });
  const nulled = await call(app, 'POST', '/customers/register', { body: customerFields({ phone: null }) });
  assert.equal(omitted.status, 201);
  assert.equal(omitted.body.phone, null);
  assert.equal(nulled.status, 201);
  assert.equal(nulled.body.phone, null);
});

test('when registration sends role_id or another field it may not set, then 400 naming the field and nothing is created', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const forbidden: Record<string, unknown> = {
    role_id: 1,
    id: 99,
    password_hash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    token_version: 5,
    created_at: '2020-01-01T00:00:00.000Z',
    deleted_at: null,
  };
  for (const [field, value] of Object.entries(forbidden)) {
    const fields = customerFields({ [field]: value });
    const response = await call(app, 'POST', '/customers/register', { body: fields });
    assertProblem(response, 400, { sent: JSON.stringify(fields) });
    assert.deepEqual(response.body.errors.map((error: { path: string }) => error.path), [`/body/${field}`]);
    assert.equal((await attemptLogin(app, fields.username, fields.password)).status, 401);
  }
  // Even role 2, the role it would get anyway, is refused: the field is not part of registration.
  assertProblem(await call(app, 'POST', '/customers/register', { body: customerFields({ role_id: 2 }) }), 400);
  assert.deepEqual((await allCustomers(app, admin)).map((customer) => customer.username), ['admin']);
});

test('when an admin uses the registration route, then the new account is still a plain customer', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const response = await call(app, 'POST', '/customers/register', { token: admin, body: customerFields() });
  assert.equal(response.status, 201);
  assert.equal(response.body.role_id, 2);
  assert.equal((await allCustomers(app, admin)).find((customer) => customer.id === response.body.id)?.role_id, 2);
});

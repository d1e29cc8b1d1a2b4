import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { adminToken, buildTestApp, call, registerCustomer, type ApiResponse } from '../helpers/app.js';
import { allCustomers, attemptLogin, customerAsAdmin, customerFields } from '../auth/helpers.js';
import { assertProblem } from '../helpers/problem.js';

// Invalid fields

/** One broken field: the body change, and the path the 400 must name. */
type BadField = [path: string, change: Record<string, unknown>];

/** Bad values for fields every customer body may carry. */
const BAD_VALUES: BadField[] = [
  ['/body/email', { email: 'not-an-email' }],
  ['/body/email', { email: 'two@@example.com' }],
  ['/body/email', { email: 'with space@example.com' }],
  ['/body/email', { email: '' }],
  ['/body/username', { username: 'ab' }],
  ['/body/username', { username: 'a'.repeat(51) }],
  ['/body/username', { username: 'bad name' }],
  ['/body/username', { username: 'semi;colon' }],
  ['/body/username', { username: 'ünïcode' }],
  ['/body/username', { username: 'line\nbreak' }],
  ['/body/username', { username: 12345 }],
  ['/body/password', { password: 'x'.repeat(7) }],
  ['/body/password', { password: 'x'.repeat(129) }],
  ['/body/password', { password: 12345678 }],
  ['/body/customer_name', { customer_name: '' }],
  ['/body/customer_name', { customer_name: '   ' }],
  ['/body/customer_name', { customer_name: '\t\n' }],
  ['/body/customer_name', { customer_name: 'n'.repeat(201) }],
  ['/body/customer_name', { customer_name: null }],
  ['/body/phone', { phone: '1'.repeat(31) }],
  ['/body/phone', { phone: 5550100 }],
  ['/body/is_admin', { is_admin: true }],
  ['/body/token_version', { token_version: 0 }],
  ['/body/password_hash', { password_hash: 'x' }],
];

/** Bad values for role_id, which only the admin routes take. */
const BAD_ROLES: BadField[] = [
  ['/body/role_id', { role_id: '1' }],
  ['/body/role_id', { role_id: '2' }],
  ['/body/role_id', { role_id: 3 }],
  ['/body/role_id', { role_id: 0 }],
  ['/body/role_id', { role_id: 1.5 }],
  ['/body/role_id', { role_id: null }],
];

const REQUIRED = ['customer_name', 'email', 'username', 'password'];

function assertValidationProblem(response: ApiResponse, path: string, sent: object) {
  const what = `${JSON.stringify(sent)} → ${response.status} ${JSON.stringify(response.body)}`;
  assertProblem(response, 400, { sent: JSON.stringify(sent) });
  assert.equal(response.body.code, 'VALIDATION_FAILED', what);
  assert.ok(Array.isArray(response.body.errors) && response.body.errors.length > 0, what);
  for (const error of response.body.errors) {
    assert.deepEqual(Object.keys(error).sort(), ['message', 'path'], what);
    assert.equal(typeof error.message, 'string', what);
  }
  assert.ok(response.body.errors.some((error: { path: string }) => error.path === path), `expected ${path}: ${what}`);
}

/** Each required field left out of a full body. */
function missingEach(): BadField[] {
  return REQUIRED.map((field) => [`/body/${field}`, { [field]: undefined }]);
}

test('when a registration has a bad or missing field, then 400 naming it, and nobody is created', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const before = await allCustomers(app, admin);
  for (const [path, change] of [...BAD_VALUES, ...missingEach(), ['/body/role_id', { role_id: 2 }] as BadField]) {
    const body = customerFields(change);
    assertValidationProblem(await call(app, 'POST', '/customers/register', { body }), path, body);
  }
  assert.deepEqual(await allCustomers(app, admin), before);
});

test('when an admin adds a customer with a bad or missing field, then 400 naming it, and nobody is created', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const before = await allCustomers(app, admin);
  for (const [path, change] of [...BAD_VALUES, ...BAD_ROLES, ...missingEach()]) {
    const body = customerFields(change);
    assertValidationProblem(await call(app, 'POST', '/customers', { token: admin, body }), path, body);
  }
  assert.deepEqual(await allCustomers(app, admin), before);
});

test('when a customer or an admin updates with a bad field, then 400 naming it, and the customer is unchanged', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { customer, token, password } = await registerCustomer(app);
  const before = await allCustomers(app, admin);
  for (const [path, change] of [...BAD_VALUES, ...BAD_ROLES]) {
    for (const caller of [token, admin]) {
      assertValidationProblem(await call(app, 'PUT', `/customers/${customer.id}`, { token: caller, body: change }), path, change);
    }
  }
  assert.deepEqual(await allCustomers(app, admin), before);
  assert.equal((await attemptLogin(app, customer.username, password)).status, 200);
  assert.equal((await call(app, 'GET', '/customers/me', { token })).status, 200);
});

test('when fields are right at their limits, then they are accepted and stored as sent', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const edges = [
    customerFields({ username: 'a_b', password: 'x'.repeat(8), customer_name: 'N', phone: '1'.repeat(30) }),
    customerFields({ username: 'U'.repeat(50), password: 'p'.repeat(128), customer_name: 'n'.repeat(200) }),
    customerFields({ username: 'dots.and-dashes_09', customer_name: '  Padded Name  ', phone: null }),
  ];
  for (const fields of edges) {
    const response = await call(app, 'POST', '/customers/register', { body: fields });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    const { password: _password, ...shown } = fields;
    assert.deepEqual({ ...response.body, id: 0, created_at: '' }, { ...shown, id: 0, role_id: 2, created_at: '' });
    assert.equal((await attemptLogin(app, fields.username, fields.password)).status, 200);
  }
  assert.equal((await allCustomers(app, admin)).length, 1 + edges.length);
});

// Unique usernames and emails

/** A customer "ann" (ann@example.com) and a customer "bob", with the admin's token. */
async function annAndBob(app: FastifyInstance) {
  const admin = await adminToken(app);
  const ann = await registerCustomer(app, { username: 'ann', email: 'ann@example.com' });
  const bob = await registerCustomer(app, { username: 'bob', email: 'bob@example.com' });
  return { admin, ann, bob };
}

function assertDuplicate(response: ApiResponse, field: 'username' | 'email') {
  assertProblem(response, 409);
  assert.equal(response.body.code, 'DUPLICATE');
  assert.match(response.body.detail, new RegExp(field));
}

const TAKEN: [string, 'username' | 'email', Record<string, string>][] = [
  ['the same username', 'username', { username: 'ann' }],
  ['the username in another case', 'username', { username: 'ANN' }],
  ['the same email', 'email', { email: 'ann@example.com' }],
  ['the email in another case', 'email', { email: 'Ann@EXAMPLE.com' }],
];

test('when someone registers a taken username or email, in any case, then 409 and nothing is created', async (t) => {
  const app = await buildTestApp(t);
  const { admin, ann } = await annAndBob(app);
  const before = await allCustomers(app, admin);
  for (const [what, field, taken] of TAKEN) {
    const fields = customerFields(taken);
    const response = await call(app, 'POST', '/customers/register', { body: fields });
    assertDuplicate(response, field);
    assert.deepEqual(await allCustomers(app, admin), before, what);
  }
  assert.equal((await attemptLogin(app, 'ann', ann.password)).status, 200);
});

test('when an admin adds a customer with a taken username or email, in any case, then 409 and nothing is created', async (t) => {
  const app = await buildTestApp(t);
  const { admin } = await annAndBob(app);
  const before = await allCustomers(app, admin);
  for (const [what, field, taken] of TAKEN) {
    assertDuplicate(await call(app, 'POST', '/customers', { token: admin, body: customerFields(taken) }), field);
    assert.deepEqual(await allCustomers(app, admin), before, what);
  }
});

test('when a customer takes over another one\'s username or email, in any case, then 409 and it is unchanged', async (t) => {
  const app = await buildTestApp(t);
  const { admin, ann, bob } = await annAndBob(app);
  for (const [what, field, taken] of TAKEN) {
    for (const token of [bob.token, admin]) {
      const body = { ...taken, customer_name: 'Bob Two', ...(token === admin ? {} : { current_password: bob.password }) };
      const response = await call(app, 'PUT', `/customers/${bob.customer.id}`, { token, body });
      assertDuplicate(response, field);
      assert.deepEqual(await customerAsAdmin(app, admin, bob.customer.id), bob.customer, what);
    }
  }
  assert.deepEqual(await customerAsAdmin(app, admin, ann.customer.id), ann.customer);
  assert.equal((await attemptLogin(app, 'bob', bob.password)).status, 200);
});

test('when a customer sends its own username and email, or changes only their case, then 200', async (t) => {
  const app = await buildTestApp(t);
  const { admin, ann } = await annAndBob(app);
  const url = `/customers/${ann.customer.id}`;
  const proof = { current_password: ann.password };
  assert.equal((await call(app, 'PUT', url, { token: ann.token, body: { username: 'ann', email: 'ann@example.com', ...proof } })).status, 200);
  const recased = await call(app, 'PUT', url, { token: ann.token, body: { username: 'Ann', email: 'ANN@example.com', ...proof } });
  assert.equal(recased.status, 200);
  assert.equal(recased.body.username, 'Ann');
  assert.deepEqual(await customerAsAdmin(app, admin, ann.customer.id), recased.body);
  assert.equal((await attemptLogin(app, 'ann', ann.password)).status, 200);
});

test('when a customer is deleted, then its username and email can be registered again, by a new customer', async (t) => {
  const app = await buildTestApp(t);
  const { admin, ann } = await annAndBob(app);
  assert.equal((await call(app, 'DELETE', `/customers/${ann.customer.id}`, { token: admin })).status, 200);

  const again = await call(app, 'POST', '/customers/register', {
    body: customerFields({ username: 'ANN', email: 'ann@example.com', password: 'the-new-ann-password' }),
  });

  assert.equal(again.status, 201);
  assert.notEqual(again.body.id, ann.customer.id);
  assert.equal(again.body.username, 'ANN');
  assert.equal((await attemptLogin(app, 'ann', ann.password)).status, 401);
  const loggedIn = await attemptLogin(app, 'ann', 'the-new-ann-password');
  assert.equal(loggedIn.status, 200);
  assert.equal((await call(app, 'GET', '/customers/me', { token: loggedIn.body.auth_token })).body.id, again.body.id);
  assert.equal(await customerAsAdmin(app, admin, ann.customer.id), 404);
  // The new holder is now the one that blocks the name.
  assertProblem(await call(app, 'POST', '/customers/register', { body: customerFields({ username: 'ann' }) }), 409);
});

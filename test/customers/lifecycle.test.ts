import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ADMIN, adminToken, buildTestApp, call, createProduct, login, registerCustomer, type ApiResponse } from '../helpers/app.js';
import { decodeJwt } from '../helpers/tokens.js';
import { allCustomers, assertPublicCustomer, attemptLogin, customerAsAdmin, customerFields } from '../auth/helpers.js';
import { assertProblem } from '../helpers/problem.js';

// Adding customers (admin)

test('when an admin adds a customer without role_id, then 201 with role 2 and the fields given, listed, and it logs in as a customer', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { phone: _phone, ...fields } = customerFields();

  const response = await call(app, 'POST', '/customers', { token: admin, body: fields });

  assert.equal(response.status, 201);
  assertPublicCustomer(response.body);
  assert.equal(response.body.role_id, 2);
  assert.equal(response.body.phone, null);
  assert.equal(response.body.username, fields.username);
  assert.equal(response.body.email, fields.email);
  assert.equal(response.body.customer_name, fields.customer_name);
  assert.deepEqual(await customerAsAdmin(app, admin, response.body.id), response.body);
  assert.deepEqual((await allCustomers(app, admin)).map((customer) => customer.id), [1, response.body.id]);

  const token = await login(app, fields.username, fields.password);
  assert.equal(decodeJwt(token).payload.role, 2);
  assert.equal((await call(app, 'GET', '/customers', { token })).status, 403);
});

test('when an admin adds a customer with role_id 1, then the new admin logs in and acts as an admin', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const fields = customerFields({ role_id: 1 });

  const response = await call(app, 'POST', '/customers', { token: admin, body: fields });

  assert.equal(response.status, 201);
  assert.equal(response.body.role_id, 1);
  const token = await login(app, fields.username, fields.password);
  assert.equal(decodeJwt(token).payload.role, 1);
  assert.equal((await call(app, 'GET', '/customers', { token })).status, 200);
  const added = await call(app, 'POST', '/customers', { token, body: customerFields() });
  assert.equal(added.status, 201);
  const { customer } = await registerCustomer(app);
  assert.equal((await call(app, 'PUT', `/customers/${customer.id}`, { token, body: { customer_name: 'Set by the new admin' } })).status, 200);
  assert.equal((await call(app, 'DELETE', `/customers/${added.body.id}`, { token })).status, 200);
  assert.deepEqual(
    (await allCustomers(app, admin)).map((c) => [c.username, c.role_id, c.customer_name]),
    [
      ['admin', 1, 'Administrator'],
      [fields.username, 1, fields.customer_name],
      [customer.username, 2, 'Set by the new admin'],
    ],
  );
});

test('when an admin adds a customer with role_id 2 explicitly, then it is a plain customer', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const fields = customerFields({ role_id: 2 });
  const response = await call(app, 'POST', '/customers', { token: admin, body: fields });
  assert.equal(response.status, 201);
  assert.equal(response.body.role_id, 2);
  assert.equal((await call(app, 'GET', '/customers', { token: await login(app, fields.username, fields.password) })).status, 403);
});

// Updating

test('when a customer updates all its fields, then the answer and every later read show the change, and id and created_at stay', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { customer, token, password } = await registerCustomer(app);
  const changes = { customer_name: 'Ann Other', email: 'ann.other@example.com', phone: '0044 20 7946 0000', username: 'ann.other' };

  const updated = await call(app, 'PUT', `/customers/${customer.id}`, { token, body: { ...changes, current_password: password } });

  assert.equal(updated.status, 200);
  assert.deepEqual(updated.body, { ...customer, ...changes });
  assert.deepEqual((await call(app, 'GET', `/customers/${customer.id}`, { token })).body, updated.body);
  assert.deepEqual((await call(app, 'GET', '/customers/me', { token })).body, updated.body);
  assert.deepEqual(await customerAsAdmin(app, admin, customer.id), updated.body);
});

test('when a customer updates one field, then only that field changes', async (t) => {
  const app = await buildTestApp(t);
  const { customer, token, password } = await registerCustomer(app);
  for (const [field, value] of [
    ['phone', null],
    ['phone', '+1 555 0142'],
    ['customer_name', 'Only The Name'],
    ['email', 'only-the-email@example.com'],
  ] as const) {
    const before = (await call(app, 'GET', '/customers/me', { token })).body;
    const proof = field === 'email' ? { current_password: password } : {};
    const updated = await call(app, 'PUT', `/customers/${customer.id}`, { token, body: { [field]: value, ...proof } });
    assert.equal(updated.status, 200);
    assert.deepEqual(updated.body, { ...before, [field]: value });
    assert.deepEqual((await call(app, 'GET', '/customers/me', { token })).body, updated.body);
  }
});

test('when a customer sends an empty update, then 200 with the record unchanged', async (t) => {
  const app = await buildTestApp(t);
  const { customer, token, password } = await registerCustomer(app);
  const response = await call(app, 'PUT', `/customers/${customer.id}`, { token, body: {} });
  assert.equal(response.status, 200);
  assert.deepEqual(response.body, customer);
  assert.deepEqual((await call(app, 'GET', '/customers/me', { token })).body, customer);
  assert.equal((await attemptLogin(app, customer.username, password)).status, 200);
});

test('when a customer changes its password and username together, then only the new pair logs in', async (t) => {
  const app = await buildTestApp(t);
  const { customer, token, password } = await registerCustomer(app);
  const response = await call(app, 'PUT', `/customers/${customer.id}`, {
    token,
    body: { username: 'renamed-user', password: 'renamed-password', current_password: password },
  });
  assert.equal(response.status, 200);
  assert.equal(response.body.username, 'renamed-user');
  assert.equal((await attemptLogin(app, customer.username, password)).status, 401);
  assert.equal((await attemptLogin(app, 'renamed-user', password)).status, 401);
  assert.equal((await attemptLogin(app, customer.username, 'renamed-password')).status, 401);
  assert.equal((await attemptLogin(app, 'renamed-user', 'renamed-password')).status, 200);
});

// Deleting, and the last admin

/** Adds an admin through the API and returns its id and token. */
async function addAdmin(app: FastifyInstance, token: string) {
  const fields = customerFields({ role_id: 1 });
  const response = await call(app, 'POST', '/customers', { token, body: fields });
  assert.equal(response.status, 201);
  return { id: response.body.id as number, token: await login(app, fields.username, fields.password) };
}

async function adminIds(app: FastifyInstance, token: string): Promise<number[]> {
  return (await allCustomers(app, token)).filter((customer) => customer.role_id === 1).map((customer) => customer.id);
}

function assertLastAdmin(response: ApiResponse) {
  assertProblem(response, 409);
  assert.equal(response.body.code, 'LAST_ADMIN');
}

test('when an admin deletes a customer, then 200 with a message, it cannot log in, reads as 404 and leaves the list', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { customer, password } = await registerCustomer(app);
  const kept = await registerCustomer(app);
  const url = `/customers/${customer.id}`;

  const deleted = await call(app, 'DELETE', url, { token: admin });

  assert.equal(deleted.status, 200);
  assert.deepEqual(Object.keys(deleted.body), ['message']);
  assert.equal(typeof deleted.body.message, 'string');
  const refused = await attemptLogin(app, customer.username, password);
  assertProblem(refused, 401);
  assert.deepEqual(refused.body, (await attemptLogin(app, 'never-existed', password)).body);
  assertProblem(await call(app, 'GET', url, { token: admin }), 404);
  assertProblem(await call(app, 'PUT', url, { token: admin, body: { customer_name: 'Back' } }), 404);
  assertProblem(await call(app, 'DELETE', url, { token: admin }), 404);
  assert.deepEqual((await allCustomers(app, admin)).map((c) => c.id), [1, kept.customer.id]);
  assert.equal((await attemptLogin(app, kept.customer.username, kept.password)).status, 200);
});

test('when a customer deletes itself, then 200, it cannot log in, and it is gone for the admin', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { customer, token, password } = await registerCustomer(app);

  const deleted = await call(app, 'DELETE', `/customers/${customer.id}`, { token });

  assert.equal(deleted.status, 200);
  assert.equal(typeof deleted.body.message, 'string');
  assert.equal((await attemptLogin(app, customer.username, password)).status, 401);
  assert.equal(await customerAsAdmin(app, admin, customer.id), 404);
  assert.deepEqual((await allCustomers(app, admin)).map((c) => c.username), ['admin']);
});

test('when a customer with an order and a cart is deleted, then admins can still read and list its order', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { customer, token } = await registerCustomer(app);
  const product = await createProduct(app, admin, { price: 12.5 });
  const placed = await call(app, 'POST', '/orders', {
    token,
    body: { customer_id: customer.id, items: [{ product_id: product.id, quantity: 2 }] },
  });
  assert.equal(placed.status, 201);
  const cart = await call(app, 'POST', '/cart/add', { token, body: { customer_id: customer.id, product_id: product.id, quantity: 1 } });
  assert.equal(cart.status, 200);

  assert.equal((await call(app, 'DELETE', `/customers/${customer.id}`, { token: admin })).status, 200);

  const order = await call(app, 'GET', `/orders/${placed.body.id}`, { token: admin });
  assert.equal(order.status, 200);
  assert.deepEqual(order.body, placed.body);
  const listed = await call(app, 'GET', `/orders/p?customer_id=${customer.id}`, { token: admin });
  assert.equal(listed.status, 200);
  assert.deepEqual(listed.body.items.map((o: { id: number }) => o.id), [placed.body.id]);
});

test('when the only admin would be deleted or demoted, then 409 LAST_ADMIN and it stays an admin who can log in', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const id = (await call(app, 'GET', '/customers/me', { token: admin })).body.id;

  assertLastAdmin(await call(app, 'DELETE', `/customers/${id}`, { token: admin }));
  assertLastAdmin(await call(app, 'PUT', `/customers/${id}`, { token: admin, body: { role_id: 2 } }));
  assertLastAdmin(await call(app, 'PUT', `/customers/${id}`, { token: admin, body: { role_id: 2, customer_name: 'Stepping Down' } }));

  const after = await call(app, 'GET', '/customers/me', { token: admin });
  assert.equal(after.body.role_id, 1);
  assert.equal(after.body.customer_name, 'Administrator');
  assert.equal((await attemptLogin(app, ADMIN.username, ADMIN.password)).status, 200);
  // Sending its own role unchanged is not a demotion.
  assert.equal((await call(app, 'PUT', `/customers/${id}`, { token: admin, body: { role_id: 1 } })).status, 200);
});

test('when there is a second admin, then the first may step down or leave, and the second is then the last', async (t) => {
  const app = await buildTestApp(t);
  const first = await adminToken(app);
  const firstId = (await call(app, 'GET', '/customers/me', { token: first })).body.id;
  const second = await addAdmin(app, first);

  const demoted = await call(app, 'PUT', `/customers/${firstId}`, { token: first, body: { role_id: 2 } });
  assert.equal(demoted.status, 200);
  assert.equal(demoted.body.role_id, 2);
  assert.deepEqual(await adminIds(app, second.token), [second.id]);
  assertLastAdmin(await call(app, 'DELETE', `/customers/${second.id}`, { token: second.token }));

  const third = await addAdmin(app, second.token);
  assert.equal((await call(app, 'DELETE', `/customers/${second.id}`, { token: second.token })).status, 200);
  assert.deepEqual(await adminIds(app, third.token), [third.id]);
  assertLastAdmin(await call(app, 'PUT', `/customers/${third.id}`, { token: third.token, body: { role_id: 2 } }));
});

/** The live admins as seen with the first of these tokens that may still list customers, or none. */
async function liveAdmins(app: FastifyInstance, tokens: string[]): Promise<number[]> {
  for (const token of tokens) {
    const list = await call(app, 'GET', '/customers', { token });
    if (list.status === 200) return list.body.filter((customer: { role_id: number }) => customer.role_id === 1).map((c: { id: number }) => c.id);
  }
  return [];
}

/** Four admins each remove themselves at the same moment; whatever the order, one must stay. */
async function everyAdminRemovesItself(t: TestContext, remove: (app: FastifyInstance, token: string, id: number) => Promise<ApiResponse>) {
  const app = await buildTestApp(t);
  const first = await adminToken(app);
  const admins = [{ id: (await call(app, 'GET', '/customers/me', { token: first })).body.id as number, token: first }];
  for (let i = 0; i < 3; i += 1) admins.push(await addAdmin(app, first));

  const answers = await Promise.all(admins.map((admin) => remove(app, admin.token, admin.id)));

  const statuses = answers.map((answer) => answer.status);
  const left = await liveAdmins(app, admins.map((admin) => admin.token));
  assert.equal(left.length, 1, `admins left: ${left.length}; statuses: ${statuses.join(',')}`);
  assert.deepEqual([...statuses].sort(), [200, 200, 200, 409]);
  assert.equal(answers.find((answer) => answer.status === 409)?.body.code, 'LAST_ADMIN');
}

test('when every admin deletes itself at the same moment, then exactly one admin is left', async (t) => {
  await everyAdminRemovesItself(t, (app, token, id) => call(app, 'DELETE', `/customers/${id}`, { token }));
});

test('when every admin demotes itself at the same moment, then exactly one admin is left', async (t) => {
  await everyAdminRemovesItself(t, (app, token, id) => call(app, 'PUT', `/customers/${id}`, { token, body: { role_id: 2 } }));
});

// What an answer shows

/** Nothing secret in the raw answer: no hash, no token version, no password field, not the password itself. */
function assertNoSecrets(response: ApiResponse, password: string, where: string) {
  const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  assert.doesNotMatch(text, /password_hash|token_version|"password"|\$argon2|\$scrypt/, where);
  assert.ok(!text.includes(password), `${where} shows the password`);
}

test('when any customer route answers, then it shows exactly the public fields and never a password, hash or token version', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const fields = customerFields();
  const added = customerFields({ role_id: 2 });
  const seen: [string, ApiResponse, string][] = [];

  const registered = await call(app, 'POST', '/customers/register', { body: fields });
  seen.push(['POST /customers/register', registered, fields.password]);
  const loggedIn = await call(app, 'POST', '/customers/login', { body: { username: fields.username, password: fields.password } });
  seen.push(['POST /customers/login', loggedIn, fields.password]);
  const token: string = loggedIn.body.auth_token;
  const id: number = registered.body.id;
  const created = await call(app, 'POST', '/customers', { token: admin, body: added });
  seen.push(['POST /customers', created, added.password]);

  const customers = [
    registered,
    created,
    await call(app, 'GET', `/customers/${id}`, { token }),
    await call(app, 'GET', `/customers/${id}`, { token: admin }),
    await call(app, 'GET', '/customers/me', { token }),
    await call(app, 'PUT', `/customers/${id}`, { token: admin, body: { customer_name: 'Changed' } }),
    await call(app, 'PUT', `/customers/${id}`, { token, body: { password: 'a-changed-password', current_password: fields.password } }),
  ];
  const list = await call(app, 'GET', '/customers', { token: admin });
  assert.equal(list.status, 200);
  assert.equal(list.body.length, 3);

  for (const response of customers) {
    assert.ok(response.status === 200 || response.status === 201, `${response.status} ${JSON.stringify(response.body)}`);
    assertPublicCustomer(response.body);
    seen.push([`customer ${response.body.id}`, response, fields.password]);
  }
  for (const customer of list.body) assertPublicCustomer(customer);
  seen.push(['GET /customers', list, fields.password], ['GET /customers', list, added.password]);
  const deleted = await call(app, 'DELETE', `/customers/${created.body.id}`, { token: admin });
  assert.deepEqual(Object.keys(deleted.body), ['message']);
  seen.push(['DELETE /customers/{id}', deleted, added.password]);

  for (const [where, response, password] of seen) assertNoSecrets(response, password, where);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HTTPMethods } from 'fastify';
import { adminToken, buildTestApp, call, login, registerCustomer } from '../helpers/app.js';
import { allCustomers, attemptLogin, customerAsAdmin, customerFields } from '../auth/helpers.js';
import { assertProblem } from '../helpers/problem.js';

// Who may do what

test('when a customer reads, updates or deletes another customer, then 403 and the other customer is unchanged', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const mallory = await registerCustomer(app);
  const victim = await registerCustomer(app);
  const before = await customerAsAdmin(app, admin, victim.customer.id);
  const url = `/customers/${victim.customer.id}`;

  const attempts = [
    await call(app, 'GET', url, { token: mallory.token }),
    await call(app, 'PUT', url, { token: mallory.token, body: { email: 'taken-over@example.com' } }),
    await call(app, 'PUT', url, { token: mallory.token, body: { password: 'mallory-chose-this' } }),
    await call(app, 'PUT', url, { token: mallory.token, body: { role_id: 2 } }),
    await call(app, 'DELETE', url, { token: mallory.token }),
  ];

  for (const response of attempts) {
    assertProblem(response, 403);
    assert.equal(response.body.code, 'FORBIDDEN');
  }
  assert.deepEqual(await customerAsAdmin(app, admin, victim.customer.id), before);
  assert.equal((await attemptLogin(app, victim.customer.username, 'mallory-chose-this')).status, 401);
  assert.equal((await attemptLogin(app, victim.customer.username, victim.password)).status, 200);
  assert.equal((await call(app, 'GET', '/customers/me', { token: victim.token })).status, 200);
});

test('when a customer lists customers or adds one, then 403 and nothing is created', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { token } = await registerCustomer(app);
  const before = await allCustomers(app, admin);
  const plain = customerFields();
  const boss = customerFields({ role_id: 1 });

  assertProblem(await call(app, 'GET', '/customers', { token }), 403);
  assertProblem(await call(app, 'POST', '/customers', { token, body: plain }), 403);
  assertProblem(await call(app, 'POST', '/customers', { token, body: boss }), 403);

  assert.deepEqual(await allCustomers(app, admin), before);
  assert.equal((await attemptLogin(app, plain.username, plain.password)).status, 401);
  assert.equal((await attemptLogin(app, boss.username, boss.password)).status, 401);
});

test('when a customer tries to raise its own role, then 403, its role stays 2 and no other field of that request is applied', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { customer, token } = await registerCustomer(app);

  const raise = await call(app, 'PUT', `/customers/${customer.id}`, { token, body: { role_id: 1, customer_name: 'The Boss' } });

  assertProblem(raise, 403);
  assert.deepEqual(await customerAsAdmin(app, admin, customer.id), customer);
  assertProblem(await call(app, 'GET', '/customers', { token }), 403);
});

test('when a customer sends its own role unchanged with other fields, then 200 and the other fields change', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { customer, token } = await registerCustomer(app);

  const same = await call(app, 'PUT', `/customers/${customer.id}`, { token, body: { role_id: 2, customer_name: 'Renamed' } });

  assert.equal(same.status, 200);
  assert.deepEqual(same.body, { ...customer, customer_name: 'Renamed' });
  assert.deepEqual(await customerAsAdmin(app, admin, customer.id), same.body);
});

test('when an admin reads, updates, promotes and deletes another customer, then each succeeds and sticks', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { customer, password } = await registerCustomer(app);
  const url = `/customers/${customer.id}`;

  const read = await call(app, 'GET', url, { token: admin });
  assert.equal(read.status, 200);
  assert.deepEqual(read.body, customer);

  const changes = { customer_name: 'Edited By Admin', email: 'edited@example.com', phone: '+1 555 0199', username: 'edited-by-admin' };
  const updated = await call(app, 'PUT', url, { token: admin, body: changes });
  assert.equal(updated.status, 200);
  assert.deepEqual(updated.body, { ...customer, ...changes });
  assert.deepEqual(await customerAsAdmin(app, admin, customer.id), updated.body);

  const promoted = await call(app, 'PUT', url, { token: admin, body: { role_id: 1 } });
  assert.equal(promoted.status, 200);
  assert.equal(promoted.body.role_id, 1);
  const promotedToken = await login(app, 'edited-by-admin', password);
  assert.equal((await call(app, 'GET', '/customers', { token: promotedToken })).status, 200);

  const deleted = await call(app, 'DELETE', url, { token: admin });
  assert.equal(deleted.status, 200);
  assert.equal(await customerAsAdmin(app, admin, customer.id), 404);
});

test('when a customer or an admin asks for /customers/me, then each gets its own record', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const first = await registerCustomer(app);
  const second = await registerCustomer(app);

  for (const { customer, token } of [first, second]) {
    const me = await call(app, 'GET', '/customers/me', { token });
    assert.equal(me.status, 200);
    assert.deepEqual(me.body, customer);
  }
  const adminMe = await call(app, 'GET', '/customers/me', { token: admin });
  assert.equal(adminMe.status, 200);
  assert.equal(adminMe.body.username, 'admin');
  assert.equal(adminMe.body.role_id, 1);
  assert.deepEqual(adminMe.body, await customerAsAdmin(app, admin, adminMe.body.id));
});

// Ids in the path

const ROUTES: [HTTPMethods, object?][] = [['GET'], ['PUT', { customer_name: 'Changed' }], ['DELETE']];

test('when the id in the path is not a positive integer, then 400 on GET, PUT and DELETE, for an admin and a customer alike', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { token } = await registerCustomer(app);
  const before = await allCustomers(app, admin);
  for (const id of ['abc', '0', '-1', '1.5', '99999999999', '2147483648', '1e3', '0x10', ' 1', '1abc']) {
    for (const [method, body] of ROUTES) {
      for (const caller of [admin, token]) {
        const response = await call(app, method, `/customers/${encodeURIComponent(id)}`, { token: caller, ...(body ? { body } : {}) });
        assertProblem(response, 400);
        assert.ok(response.body.errors.some((error: { path: string }) => error.path === '/params/id'), `${method} ${id}: ${JSON.stringify(response.body)}`);
      }
    }
  }
  assert.deepEqual(await allCustomers(app, admin), before);
});

test('when an admin names an id nobody has, then 404 on GET, PUT and DELETE, up to the largest id', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  for (const id of ['424242', '2147483647']) {
    for (const [method, body] of ROUTES) {
      const response = await call(app, method, `/customers/${id}`, { token: admin, ...(body ? { body } : {}) });
      assertProblem(response, 404);
      assert.equal(response.body.code, 'NOT_FOUND', `${method} ${id}`);
    }
  }
});

test('when a customer names an id nobody has, then 403 like any other customer, not 404', async (t) => {
  const app = await buildTestApp(t);
  const { token } = await registerCustomer(app);
  for (const [method, body] of ROUTES) {
    const response = await call(app, method, '/customers/424242', { token, ...(body ? { body } : {}) });
    assertProblem(response, 403);
    assert.equal(response.body.code, 'FORBIDDEN', method);
  }
});

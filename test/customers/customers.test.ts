import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminToken, buildTestApp, call, isProblem, registerCustomer } from '../helpers/app.js';

const CUSTOMER_FIELDS = ['created_at', 'customer_name', 'email', 'id', 'phone', 'role_id', 'username'];

function assertCustomerShape(body: any) {
  assert.deepEqual(Object.keys(body).sort(), CUSTOMER_FIELDS);
}

test('when a customer registers, then it gets role 2 and exactly the public fields', async (t) => {
  const app = await buildTestApp(t);
  const response = await call(app, 'POST', '/customers/register', {
    body: { customer_name: 'Ann', email: 'ann@example.com', phone: '+1 555', username: 'ann', password: 'ann-password' },
  });
  assert.equal(response.status, 201);
  assertCustomerShape(response.body);
  assert.equal(response.body.role_id, 2);
  assert.match(response.body.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(!JSON.stringify(response.body).includes('ann-password'));
});

test('when registration names a role, then it is refused as an unknown field', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const response = await call(app, 'POST', '/customers/register', {
    body: { customer_name: 'Eve', email: 'eve@example.com', username: 'eve', password: 'eve-password', role_id: 1 },
  });
  assert.ok(isProblem(response, 400));
  assert.deepEqual(response.body.errors.map((e: any) => e.path), ['/body/role_id']);
  assert.equal((await call(app, 'GET', '/customers', { token: admin })).body.length, 1);
});

test('when an admin adds customers, then role_id defaults to 2 and a new admin can act as admin', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const plain = await call(app, 'POST', '/customers', {
    token: admin,
    body: { customer_name: 'Bo', email: 'bo@example.com', username: 'boo', password: 'bo-password' },
  });
  assert.equal(plain.status, 201);
  assert.equal(plain.body.role_id, 2);
  assert.equal(plain.body.phone, null);
  const second = await call(app, 'POST', '/customers', {
    token: admin,
    body: { customer_name: 'Cy', email: 'cy@example.com', username: 'cyd', password: 'cy-password', role_id: 1 },
  });
  assert.equal(second.body.role_id, 1);
  const cy = await call(app, 'POST', '/customers/login', { body: { username: 'cyd', password: 'cy-password' } });
  const list = await call(app, 'GET', '/customers', { token: cy.body.auth_token });
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.map((c: any) => c.username), ['admin', 'boo', 'cyd']);
  for (const customer of list.body) assertCustomerShape(customer);
});

test('when a customer touches another customer, then 403 and the other is unchanged', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const mallory = await registerCustomer(app);
  const victim = await registerCustomer(app);
  const before = (await call(app, 'GET', `/customers/${victim.customer.id}`, { token: admin })).body;
  const attempts = [
    call(app, 'GET', `/customers/${victim.customer.id}`, { token: mallory.token }),
    call(app, 'PUT', `/customers/${victim.customer.id}`, { token: mallory.token, body: { email: 'owned@example.com' } }),
    call(app, 'DELETE', `/customers/${victim.customer.id}`, { token: mallory.token }),
    call(app, 'GET', '/customers', { token: mallory.token }),
    call(app, 'POST', '/customers', {
      token: mallory.token,
      body: { customer_name: 'X', email: 'x@example.com', username: 'xx1', password: 'x-password' },
    }),
    call(app, 'GET', '/customers/999999', { token: mallory.token }),
  ];
  for (const response of await Promise.all(attempts)) assert.ok(isProblem(response, 403), String(response.status));
  assert.deepEqual((await call(app, 'GET', `/customers/${victim.customer.id}`, { token: admin })).body, before);
  assert.equal((await call(app, 'GET', '/customers', { token: admin })).body.length, 3);
});

test('when a customer tries to raise its own role, then 403 and its role stays 2; its own role unchanged is fine', async (t) => {
  const app = await buildTestApp(t);
  const { customer, token } = await registerCustomer(app);
  const raise = await call(app, 'PUT', `/customers/${customer.id}`, { token, body: { role_id: 1 } });
  assert.ok(isProblem(raise, 403));
  assert.equal((await call(app, 'GET', '/customers/me', { token })).body.role_id, 2);
  const same = await call(app, 'PUT', `/customers/${customer.id}`, { token, body: { role_id: 2, customer_name: 'Renamed' } });
  assert.equal(same.status, 200);
  assert.equal(same.body.customer_name, 'Renamed');
});

test('when a customer reads and updates itself, then it sees the change, and an empty update changes nothing', async (t) => {
  const app = await buildTestApp(t);
  const { customer, token } = await registerCustomer(app);
  const updated = await call(app, 'PUT', `/customers/${customer.id}`, { token, body: { phone: null, email: 'new@example.com' } });
  assert.equal(updated.status, 200);
  assert.equal(updated.body.phone, null);
  assert.equal(updated.body.email, 'new@example.com');
  assert.deepEqual((await call(app, 'GET', `/customers/${customer.id}`, { token })).body, updated.body);
  assert.deepEqual((await call(app, 'PUT', `/customers/${customer.id}`, { token, body: {} })).body, updated.body);
  assert.deepEqual((await call(app, 'GET', '/customers/me', { token })).body, updated.body);
});

test('when a username or email is taken, in any case, then 409 on register, create and update', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const ann = await registerCustomer(app, { username: 'ann', email: 'ann@example.com' });
  const bob = await registerCustomer(app, { username: 'bob', email: 'bob@example.com' });
  const fields = { customer_name: 'Copy', password: 'copy-password' };
  const conflicts = [
    call(app, 'POST', '/customers/register', { body: { ...fields, username: 'ANN', email: 'other@example.com' } }),
    call(app, 'POST', '/customers/register', { body: { ...fields, username: 'other', email: 'Ann@Example.com' } }),
    call(app, 'POST', '/customers', { token: admin, body: { ...fields, username: 'ann', email: 'x@example.com' } }),
    call(app, 'PUT', `/customers/${bob.customer.id}`, { token: bob.token, body: { username: 'Ann' } }),
    call(app, 'PUT', `/customers/${bob.customer.id}`, { token: bob.token, body: { email: 'ANN@example.com' } }),
  ];
  const answers = await Promise.all(conflicts);
  for (const response of answers) {
    assert.ok(isProblem(response, 409));
    assert.equal(response.body.code, 'DUPLICATE');
  }
  assert.match(answers[0]!.body.detail, /username/);
  assert.match(answers[1]!.body.detail, /email/);
  assert.equal((await call(app, 'GET', '/customers', { token: admin })).body.length, 3);
  assert.equal((await call(app, 'GET', '/customers/me', { token: bob.token })).body.username, 'bob');
  // A customer may keep its own username in an update.
  assert.equal((await call(app, 'PUT', `/customers/${ann.customer.id}`, { token: ann.token, body: { username: 'ann' } })).status, 200);
});

test('when a customer is deleted, then it cannot log in, disappears, and frees its username', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { customer, password } = await registerCustomer(app, { username: 'gone' });
  const deleted = await call(app, 'DELETE', `/customers/${customer.id}`, { token: admin });
  assert.equal(deleted.status, 200);
  assert.equal(typeof deleted.body.message, 'string');
  assert.equal((await call(app, 'POST', '/customers/login', { body: { username: 'gone', password } })).status, 401);
  assert.ok(isProblem(await call(app, 'GET', `/customers/${customer.id}`, { token: admin }), 404));
  assert.ok(isProblem(await call(app, 'DELETE', `/customers/${customer.id}`, { token: admin }), 404));
  assert.ok(isProblem(await call(app, 'PUT', `/customers/${customer.id}`, { token: admin, body: { customer_name: 'Z' } }), 404));
  assert.deepEqual((await call(app, 'GET', '/customers', { token: admin })).body.map((c: any) => c.username), ['admin']);
  const again = await registerCustomer(app, { username: 'gone' });
  assert.notEqual(again.customer.id, customer.id);
});

test('when the last admin would be deleted or demoted, then 409 and it stays an admin', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const me = (await call(app, 'GET', '/customers/me', { token: admin })).body;
  for (const response of [
    await call(app, 'DELETE', `/customers/${me.id}`, { token: admin }),
    await call(app, 'PUT', `/customers/${me.id}`, { token: admin, body: { role_id: 2 } }),
  ]) {
    assert.ok(isProblem(response, 409));
    assert.equal(response.body.code, 'LAST_ADMIN');
  }
  assert.equal((await call(app, 'GET', '/customers/me', { token: admin })).body.role_id, 1);
  // With a second admin, the first may step down.
  await call(app, 'POST', '/customers', {
    token: admin,
    body: { customer_name: 'Two', email: 'two@example.com', username: 'two', password: 'two-password', role_id: 1 },
  });
  assert.equal((await call(app, 'PUT', `/customers/${me.id}`, { token: admin, body: { role_id: 2 } })).status, 200);
});

test('when customer fields are invalid, then 400 with the failing path and nothing is created', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const valid = { customer_name: 'Val', email: 'val@example.com', username: 'val', password: 'val-password' };
  const cases: [string, object][] = [
    ['/body/email', { email: 'not-an-email' }],
    ['/body/username', { username: 'ab' }],
    ['/body/username', { username: 'a'.repeat(51) }],
    ['/body/username', { username: 'bad name!' }],
    ['/body/password', { password: 'x'.repeat(7) }],
    ['/body/password', { password: 'x'.repeat(129) }],
    ['/body/customer_name', { customer_name: '' }],
    ['/body/customer_name', { customer_name: '   ' }],
    ['/body/customer_name', { customer_name: 'n'.repeat(201) }],
    ['/body/phone', { phone: '1'.repeat(31) }],
    ['/body/phone', { phone: 5550100 }],
    ['/body/username', { username: 12345 }],
    ['/body/is_admin', { is_admin: true }],
  ];
  for (const [path, change] of cases) {
    const response = await call(app, 'POST', '/customers/register', { body: { ...valid, ...change } });
    assert.ok(isProblem(response, 400), `${JSON.stringify(change)} → ${response.status}`);
    assert.equal(response.body.code, 'VALIDATION_FAILED');
    assert.ok(response.body.errors.some((e: any) => e.path.startsWith(path) && typeof e.message === 'string'), `${path}: ${JSON.stringify(response.body.errors)}`);
  }
  assert.equal((await call(app, 'GET', '/customers', { token: admin })).body.length, 1);
  const password = 'x'.repeat(128);
  assert.equal((await call(app, 'POST', '/customers/register', { body: { ...valid, password } })).status, 201);
});

test('when an id in the path is not a positive integer, then 400; an unknown id is 404 for an admin', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  for (const id of ['abc', '0', '-1', '1.5', '99999999999', '1e3', '0x10', '%207', '%E0%A4%A']) {
    assert.ok(isProblem(await call(app, 'GET', `/customers/${id}`, { token: admin }), 400), id);
  }
  assert.ok(isProblem(await call(app, 'GET', `/customers/${'1'.repeat(400)}`, { token: admin }), 414));
  assert.ok(isProblem(await call(app, 'GET', '/customers/424242', { token: admin }), 404));
});

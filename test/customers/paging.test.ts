import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminToken, buildTestApp, call, registerCustomer } from '../helpers/app.js';
import { assertProblem } from '../helpers/problem.js';

// GET /customers/p: the admin's paged, searchable list of live customers.

test('when the admin pages through customers, then they come by id with the counts, and a search finds a piece of the name, username or email in any case', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const zoe = await registerCustomer(app, { customer_name: 'Zoë Quinn', username: 'zq_1', email: 'Zoe.Q@Example.org' });
  const max = await registerCustomer(app, { customer_name: 'Max Power', username: 'maxp', email: 'max@example.com' });
  const page = async (query: string) => {
    const response = await call(app, 'GET', `/customers/p?${query}`, { token: admin });
    assert.equal(response.status, 200, `${query}: ${JSON.stringify(response.body)}`);
    return response.body;
  };

  const first = await page('per_page=2');
  assert.deepEqual([first.total, first.pages, first.page, first.per_page], [3, 2, 1, 2]);
  assert.deepEqual(first.items.map((c: { username: string }) => c.username), ['admin', 'zq_1']);
  assert.deepEqual((await page('per_page=2&page=2')).items.map((c: { id: number }) => c.id), [max.customer.id]);
  assert.equal(first.items[1].password, undefined, 'no password or hash in a listing');

  const found = async (q: string) => (await page(`q=${encodeURIComponent(q)}`)).items.map((c: { id: number }) => c.id);
  assert.deepEqual(await found('quinn'), [zoe.customer.id]);
  assert.deepEqual(await found('MAXP'), [max.customer.id]);
  assert.deepEqual(await found('example.org'), [zoe.customer.id]);
  assert.deepEqual(await found('zq_'), [zoe.customer.id]);
  assert.deepEqual(await found('z%'), [], 'a % is only itself');
  assert.deepEqual(await found('nobody'), []);

  // A deleted customer leaves the list.
  assert.equal((await call(app, 'DELETE', `/customers/${max.customer.id}`, { token: admin })).status, 200);
  assert.equal((await page('')).total, 2);
});

test('when a customer or nobody asks for the customer list, or asks badly, then 403, 401 or 400', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const ann = await registerCustomer(app);
  assertProblem(await call(app, 'GET', '/customers/p', { token: ann.token }), 403, { code: 'FORBIDDEN' });
  assertProblem(await call(app, 'GET', '/customers/p'), 401);
  for (const query of ['page=0', 'per_page=101', 'q=', `q=${'x'.repeat(255)}`]) {
    assertProblem(await call(app, 'GET', `/customers/p?${query}`, { token: admin }), 400, { code: 'VALIDATION_FAILED', what: query });
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminToken, buildTestApp, call, createProduct, registerCustomer } from '../helpers/app.js';
import { countByStatus, listen } from '../helpers/http.js';
import { assertProblem } from '../helpers/problem.js';

// API4:2023 Unrestricted resource consumption. The attack: requests that make the server do
// unbounded work or hold unbounded data (huge bodies, endless lines, giant pages, long
// strings, floods of slow password checks). The defence: a cap on each, refused with a 4xx
// before any work, and password hashing held to a bounded share of the CPU with a bounded queue.

test('when an attacker sends a body over 100 KiB, then 413 before it is parsed, and nothing is created', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const huge = JSON.stringify({ product_name: 'x'.repeat(200 * 1024), price: 1 });
  const response = await call(app, 'POST', '/products', {
    token: admin,
    body: huge,
    headers: { 'content-type': 'application/json' },
  });
  assertProblem(response, 413);
  assert.deepEqual((await call(app, 'GET', '/products')).body, []);
});

test('when an attacker orders 101 lines, or 1,001 of one product, or 1,001 in a cart line, then 400 or 409 and nothing is placed', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const product = await createProduct(app, admin, { stock: null });
  const buyer = await registerCustomer(app);
  const line = { product_id: product.id, quantity: 1 };

  const tooManyLines = await call(app, 'POST', '/orders', {
    token: buyer.token,
    body: { customer_id: buyer.customer.id, items: Array.from({ length: 101 }, () => line) },
  });
  assertProblem(tooManyLines, 400);
  const tooManyUnits = await call(app, 'POST', '/orders', {
    token: buyer.token,
    body: { customer_id: buyer.customer.id, items: [{ product_id: product.id, quantity: 1001 }] },
  });
  assertProblem(tooManyUnits, 400);
  const add = (quantity: number) =>
    call(app, 'POST', '/cart/add', {
      token: buyer.token,
      body: { customer_id: buyer.customer.id, product_id: product.id, quantity },
    });
  assert.equal((await add(1000)).status, 200);
  assertProblem(await add(1), 409);

  assert.equal((await call(app, 'GET', '/orders/p', { token: admin })).body.total, 0);
  const cart = await call(app, 'GET', `/cart/${buyer.customer.id}`, { token: buyer.token });
  assert.equal(cart.body.items[0].quantity, 1000);
});

test('when an attacker asks for 101 items a page, or a page past any sane size, then 400 with nothing read', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  for (const url of ['/products/p?per_page=101', '/customers/p?per_page=1000', '/orders/p?per_page=100000']) {
    assertProblem(await call(app, 'GET', url, { token: admin }), 400);
  }
  assert.equal((await call(app, 'GET', '/products/p?per_page=100', { token: admin })).status, 200);
});

test('when an attacker sends strings past their limits (a 10,000-character name, a 10,000-character search), then 400', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const longName = await call(app, 'POST', '/products', { token: admin, body: { product_name: 'n'.repeat(10_000), price: 1 } });
  assertProblem(longName, 400);
  const longSearch = await call(app, 'GET', `/products/p?q=${'q'.repeat(10_000)}`);
  assert.ok(longSearch.status === 400 || longSearch.status === 414, `a 10,000-character q: ${longSearch.status}`);
  const longPassword = await call(app, 'POST', '/customers/login', { body: { username: 'admin', password: 'p'.repeat(10_000) } });
  assertProblem(longPassword, 400);
  assert.deepEqual((await call(app, 'GET', '/products')).body, []);
});

test('when attackers at many addresses flood logins far past what the CPU can hash, then the excess is refused at once with 503 and Retry-After, never 500, and catalogue reads keep answering', async (t) => {
  const app = await buildTestApp(t, { trustProxy: ['127.0.0.1'] });
  const admin = await adminToken(app);
  const product = await createProduct(app, admin, { stock: 5 });
  const http = await listen(t, app);

  const flood = Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      http('POST', '/customers/login', {
        body: { username: `nobody${i}`, password: 'wrong-password' },
        headers: { 'x-forwarded-for': `198.51.100.${i}` },
      }),
    ),
  );
  // While the flood is queued, a catalogue read still gets through.
  const read = await http('GET', `/products/${product.id}`);
  const results = await flood;

  assert.equal(read.status, 200);
  assert.equal(read.body.id, product.id);
  const counts = countByStatus(results);
  assert.deepEqual(Object.keys(counts).sort(), ['401', '503'], JSON.stringify(counts));
  assert.ok(counts[503]! > 0 && counts[401]! > 0, `some are checked, the excess refused: ${JSON.stringify(counts)}`);
  const refused = results.find((r) => r.status === 503)!;
  assert.equal(refused.body.code, 'UNAVAILABLE');
  assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  // The refused attempts did not count against anyone: the admin still logs in.
  assert.equal((await http('POST', '/customers/login', { body: { username: 'admin', password: 'admin-password-1' } })).status, 200);
});

test('when one client floods password checks (logins, or changes of its own email, each checking its current password), then it holds only a few places: the rest get 429 at once, nothing is hashed for them, and another client logs in meanwhile', async (t) => {
  const app = await buildTestApp(t, { trustProxy: ['127.0.0.1'] });
  const http = await listen(t, app);
  const mallory = await registerCustomer(app, { username: 'mallory' });
  const from = (address: string) => ({ 'x-forwarded-for': address });

  const logins = Array.from({ length: 60 }, (_, i) =>
    http('POST', '/customers/login', { body: { username: `nobody${i}`, password: 'wrong-password' }, headers: from('203.0.113.9') }),
  );
  const ownAccount = Array.from({ length: 60 }, () =>
    http('PUT', `/customers/${mallory.customer.id}`, {
      token: mallory.token,
      // An email change checks the current password but keeps the caller's token (a new
      // password would end it, and the requests after the first change would be 401s).
      body: { email: 'mallory-moved@example.com', current_password: mallory.password },
      headers: from('203.0.113.10'),
    }),
  );
  // Someone else, elsewhere, logs in while both floods are in flight.
  const bystander = http('POST', '/customers/login', { body: { username: 'admin', password: 'admin-password-1' }, headers: from('192.0.2.1') });
  const [loginResults, ownResults, bystanderResult] = await Promise.all([Promise.all(logins), Promise.all(ownAccount), bystander]);

  assert.equal(bystanderResult.status, 200, `the bystander's login: ${JSON.stringify(bystanderResult.body)}`);
  for (const [what, results, done] of [['logins', loginResults, 401], ['own account', ownResults, 200]] as const) {
    const counts = countByStatus(results);
    assert.ok((counts[429] ?? 0) >= 40, `${what}: most are refused at once: ${JSON.stringify(counts)}`);
    assert.ok((counts[done] ?? 0) >= 1, `${what}: the few places it holds are served: ${JSON.stringify(counts)}`);
    assert.deepEqual(Object.keys(counts).filter((status) => Number(status) >= 500), [], `${what}: ${JSON.stringify(counts)}`);
    const refused = results.find((r) => r.status === 429)!;
    assert.equal(refused.body.code, 'TOO_MANY_REQUESTS');
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  }
});

test('when a customer changes its password to a username that is taken, then 409 comes before any hashing: a flood of them is all 409, none waits for the hashing queue', async (t) => {
  const app = await buildTestApp(t);
  const http = await listen(t, app);
  const mallory = await registerCustomer(app, { username: 'mallory2' });
  const results = await Promise.all(
    Array.from({ length: 100 }, () =>
      http('PUT', `/customers/${mallory.customer.id}`, {
        token: mallory.token,
        body: { username: 'admin', password: 'a-new-password-1', current_password: mallory.password },
      }),
    ),
  );
  // With the hash first, only MAX_HASHES_PER_CLIENT of these would get as far as their 409; the rest 429 or 503.
  assert.deepEqual(countByStatus(results), { 409: 100 });
  assert.equal((await http('POST', '/customers/login', { body: { username: 'mallory2', password: mallory.password } })).status, 200);
});

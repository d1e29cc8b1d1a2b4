import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN } from '../helpers/app.js';
import { createTestDatabase, onPostgres } from '../helpers/database.js';
import { type ServerProcess, startServerProcess } from '../helpers/process.js';

// Two API processes on one database (PostgreSQL, or one SQLite file on the SQLite pass):
// the stock and idempotency guarantees must hold across processes, not just inside one.

const where = onPostgres ? 'PostgreSQL' : 'one SQLite file';

async function twoServers(t: import('node:test').TestContext) {
  const database = await createTestDatabase({ shared: true });
  const servers: ServerProcess[] = [];
  t.after(async () => {
    for (const server of servers) assert.equal(await server.stop(), 0, 'a server did not exit cleanly on SIGTERM');
    await database.drop();
  });
  // One after the other: the first migrates and creates the admin.
  servers.push(await startServerProcess(database.url));
  servers.push(await startServerProcess(database.url));
  return servers.map((server) => server.base);
}

async function send(base: string, method: string, path: string, token?: string, body?: unknown, headers = {}) {
  const response = await fetch(base + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function setUp(bases: string[], stock: number, customers: number) {
  const [a, b] = bases as [string, string];
  const admin = (await send(a, 'POST', '/customers/login', undefined, ADMIN)).body.auth_token as string;
  const product = (await send(b, 'POST', '/products', admin, { product_name: 'Last units', price: 5, stock })).body;
  const buyers = [];
  for (let i = 0; i < customers; i += 1) {
    const base = bases[i % 2]!;
    const fields = { customer_name: `Buyer ${i}`, email: `buyer${i}@example.com`, username: `buyer${i}`, password: 'buyer-password' };
    const customer = (await send(base, 'POST', '/customers/register', undefined, fields)).body;
    const credentials = { username: fields.username, password: fields.password };
    const token = (await send(base, 'POST', '/customers/login', undefined, credentials)).body.auth_token as string;
    buyers.push({ id: customer.id as number, token });
  }
  return { admin, product, buyers };
}

test(`when 100 checkouts are split across two processes on ${where} at stock 25, then exactly 25 orders are placed`, async (t) => {
  const bases = await twoServers(t);
  const { admin, product, buyers } = await setUp(bases, 25, 10);

  const results = await Promise.all(
    Array.from({ length: 100 }, (_, i) => {
      const buyer = buyers[i % buyers.length]!;
      return send(bases[i % 2]!, 'POST', '/orders', buyer.token, {
        customer_id: buyer.id,
        items: [{ product_id: product.id, quantity: 1 }],
      });
    }),
  );

  const statuses = results.map((r) => r.status);
  assert.equal(statuses.filter((s) => s >= 500).length, 0, `5xx answers: ${JSON.stringify(results.find((r) => r.status >= 500))}`);
  assert.equal(statuses.filter((s) => s === 201).length, 25);
  assert.equal(statuses.filter((s) => s === 409).length, 75);
  assert.equal((await send(bases[0]!, 'GET', `/products/${product.id}`)).body.stock, 0);
  assert.equal((await send(bases[1]!, 'GET', '/orders/p?per_page=100', admin)).body.total, 25);
});

test(`when one Idempotency-Key is sent to two processes on ${where} at once, then one order is placed`, async (t) => {
  const bases = await twoServers(t);
  const { admin, product, buyers } = await setUp(bases, 25, 1);
  const buyer = buyers[0]!;
  const body = { customer_id: buyer.id, items: [{ product_id: product.id, quantity: 3 }] };

  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      send(bases[i % 2]!, 'POST', '/orders', buyer.token, body, { 'idempotency-key': 'same-key-both-processes' }),
    ),
  );

  assert.deepEqual(new Set(results.map((r) => r.status)), new Set([201]));
  assert.equal(new Set(results.map((r) => r.body.id)).size, 1);
  assert.equal((await send(bases[0]!, 'GET', `/products/${product.id}`)).body.stock, 22);
  assert.equal((await send(bases[1]!, 'GET', '/orders/p', admin)).body.total, 1);
});

test(`when 20 adds of one unit to one cart line are split across two processes on ${where}, then the line holds 20; with stock 15, exactly 15 succeed`, async (t) => {
  const bases = await twoServers(t);
  const { admin, buyers } = await setUp(bases, 1, 1);
  const buyer = buyers[0]!;
  for (const [stock, expected] of [
    [100, { 200: 20 }],
    [15, { 200: 15, 409: 5 }],
  ] as const) {
    const product = (await send(bases[0]!, 'POST', '/products', admin, { product_name: `Stock ${stock}`, price: 1, stock })).body;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        send(bases[i % 2]!, 'POST', '/cart/add', buyer.token, { customer_id: buyer.id, product_id: product.id, quantity: 1 }),
      ),
    );
    const counts: Record<number, number> = {};
    for (const result of results) counts[result.status] = (counts[result.status] ?? 0) + 1;
    assert.deepEqual(counts, expected, `stock ${stock}`);
    const cart = (await send(bases[1]!, 'GET', `/cart/${buyer.id}`, buyer.token)).body;
    assert.equal(cart.items.find((item: { product_id: number }) => item.product_id === product.id).quantity, Math.min(20, stock));
  }
});

test(`when one cart is checked out 10 times at once across two processes on ${where}, then exactly one order is placed`, async (t) => {
  const bases = await twoServers(t);
  const { admin, product, buyers } = await setUp(bases, 30, 1);
  const buyer = buyers[0]!;
  assert.equal((await send(bases[0]!, 'POST', '/cart/add', buyer.token, { customer_id: buyer.id, product_id: product.id, quantity: 4 })).status, 200);

  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) => send(bases[i % 2]!, 'POST', '/orders/from_cart', buyer.token, { customer_id: buyer.id })),
  );

  assert.deepEqual(results.map((r) => r.status).sort(), [201, ...Array(9).fill(409)]);
  assert.equal((await send(bases[1]!, 'GET', `/products/${product.id}`)).body.stock, 26);
  assert.equal((await send(bases[0]!, 'GET', '/orders/p', admin)).body.total, 1);
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { ADMIN, TEST_SECRET } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import { startServerProcess } from '../helpers/process.js';
import { startReceiver } from '../helpers/receiver.js';

const HOOKS_ENV = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_POLL_MS: '100', REGISTER_MAX_PER_ADDRESS: '1000' };

/** Starts `npm run worker`'s entry point on the database; resolves once it says it delivers. */
async function startWorker(databaseUrl: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    env: { PATH: process.env.PATH, NODE_ENV: 'test', DATABASE_URL: databaseUrl, JWT_SECRET: TEST_SECRET, ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, ...HOOKS_ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (output.includes('delivering webhooks')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}: ${output}`)));
  });
  return {
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function api(base: string, method: string, path: string, token?: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function adminLogin(base: string): Promise<string> {
  return (await api(base, 'POST', '/customers/login', undefined, ADMIN)).body.auth_token;
}

test('when an API process records events and two worker processes deliver them, then each event reaches the endpoint exactly once', { timeout: 120_000 }, async (t) => {
  const database = await createTestDatabase({ shared: true });
  t.after(() => database.drop());
  const server = await startServerProcess(database.url, { ...HOOKS_ENV, WEBHOOK_DELIVERY: 'worker' });
  t.after(() => server.stop());
  const receiver = await startReceiver(t);
  const admin = await adminLogin(server.base);
  const endpoint = await api(server.base, 'POST', '/webhook-endpoints', admin, { url: receiver.url, events: ['customer.created'] });
  assert.equal(endpoint.status, 201);
  const workers = await Promise.all([startWorker(database.url), startWorker(database.url)]);
  t.after(() => Promise.all(workers.map((worker) => worker.stop())));

  // The first admin's customer.created was recorded before the endpoint existed, and may or may not reach it.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = receiver.received.length;
  const registrations = 30;
  // One at a time: a client holds only a few places in the password-hashing queue.
  for (let i = 0; i < registrations; i += 1) {
    const registered = await api(server.base, 'POST', '/customers/register', undefined, { customer_name: `C ${i}`, email: `c${i}@example.com`, username: `customer${i}`, password: 'customer-password' });
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
  }
  await receiver.waitFor(before + registrations, 20_000);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const ids = receiver.received.slice(before).map((delivery) => delivery.headers['webhook-id']);
  assert.equal(ids.length, registrations, 'no event delivered twice');
  assert.equal(new Set(ids).size, registrations);
});

test('when the API process is killed (-9) right after an order commits, then a restarted process delivers its event', { timeout: 120_000 }, async (t) => {
  const database = await createTestDatabase({ shared: true });
  t.after(() => database.drop());
  const receiver = await startReceiver(t);
  // Worker mode: this process only records, so the event is surely still undelivered at the kill.
  const first = await startServerProcess(database.url, { ...HOOKS_ENV, WEBHOOK_DELIVERY: 'worker' });
  const admin = await adminLogin(first.base);
  await api(first.base, 'POST', '/webhook-endpoints', admin, { url: receiver.url, events: ['order.placed'] });
  const product = await api(first.base, 'POST', '/products', admin, { product_name: 'Lamp', price: 10 });
  const buyer = await api(first.base, 'POST', '/customers/register', undefined, { customer_name: 'B', email: 'b@example.com', username: 'buyer', password: 'customer-password' });
  const buyerToken = (await api(first.base, 'POST', '/customers/login', undefined, { username: 'buyer', password: 'customer-password' })).body.auth_token;
  const order = await api(first.base, 'POST', '/orders', buyerToken, { customer_id: buyer.body.id, items: [{ product_id: product.body.id, quantity: 1 }] });
  assert.equal(order.status, 201);
  first.child.kill('SIGKILL');
  await once(first.child, 'exit');
  assert.equal(receiver.received.length, 0);

  const second = await startServerProcess(database.url, HOOKS_ENV);
  t.after(() => second.stop());
  const [delivery] = await receiver.waitFor(1, 20_000);
  const body = JSON.parse(delivery!.body);
  assert.deepEqual([body.type, body.data.order.id], ['order.placed', order.body.id]);
});

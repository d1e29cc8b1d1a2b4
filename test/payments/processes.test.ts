import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN } from '../helpers/app.js';
import { createTestDatabase, onPostgres } from '../helpers/database.js';
import { FAKE_STRIPE_KEY, FAKE_WEBHOOK_SECRET, startFakeStripe, stripeEvent } from '../helpers/fake-stripe.js';
import { type ServerProcess, startServerProcess } from '../helpers/process.js';
import { eventually } from '../helpers/receiver.js';

// Two API processes on one database (PostgreSQL, or one SQLite file on the SQLite pass) get
// Stripe's webhook and the buyer's return at the same moment: the money is captured once
// and the order becomes paid once.

const where = onPostgres ? 'PostgreSQL' : 'one SQLite file';

async function send(base: string, method: string, path: string, options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) {
  const response = await fetch(base + path, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body === undefined && options.raw === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  return { status: response.status, body: (await response.json()) as any };
}

test(`when the webhook and the buyer's return reach two processes on ${where} at once, then one capture and one paid per order`, async (t) => {
  const stripe = await startFakeStripe(t);
  const database = await createTestDatabase({ shared: true });
  const servers: ServerProcess[] = [];
  t.after(async () => {
    for (const server of servers) assert.equal(await server.stop(), 0, 'a server did not exit cleanly on SIGTERM');
    await database.drop();
  });
  const env = { PAYMENT_PROVIDERS: 'stripe', STRIPE_SECRET_KEY: FAKE_STRIPE_KEY, STRIPE_WEBHOOK_SECRET: FAKE_WEBHOOK_SECRET, STRIPE_API_URL: stripe.url };
  // One after the other: the first migrates and creates the admin.
  servers.push(await startServerProcess(database.url, env));
  servers.push(await startServerProcess(database.url, env));
  const [a, b] = servers.map((server) => server.base) as [string, string];

  const admin = (await send(a, 'POST', '/customers/login', { body: ADMIN })).body.auth_token as string;
  const product = (await send(b, 'POST', '/products', { token: admin, body: { product_name: 'Lamp', price: 30, stock: 100 } })).body;
  const rounds = 5;
  const orders: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const order = (await send(a, 'POST', '/orders', { token: admin, body: { customer_id: 1, items: [{ product_id: product.id, quantity: 1 }] } })).body;
    const payment = (await send(b, 'POST', `/orders/${order.id}/payments`, { token: admin, body: { provider: 'stripe' } })).body;
    assert.equal(payment.status, 'pending');
    const intent = stripe.confirm(payment.client_secret.replace(/_secret_fake$/, ''));
    const hook = stripeEvent('payment_intent.succeeded', intent);
    const answers = await Promise.all([
      send(a, 'POST', '/webhooks/stripe', { raw: hook.payload, headers: { 'stripe-signature': hook.signature } }),
      send(b, 'GET', `/orders/${order.id}/payments`, { token: admin }),
      send(b, 'POST', '/webhooks/stripe', { raw: hook.payload, headers: { 'stripe-signature': hook.signature } }),
      send(a, 'GET', `/orders/${order.id}/payments`, { token: admin }),
    ]);
    assert.deepEqual(answers.map((answer) => answer.status), [200, 200, 200, 200]);
    orders.push(order.id);
  }

  for (const id of orders) {
    const order = (await send(a, 'GET', `/orders/${id}`, { token: admin })).body;
    assert.deepEqual([order.status, order.payment_status, order.amount_paid], ['paid', 'paid', 30]);
    const history = (await send(b, 'GET', `/orders/track/${id}`, { token: admin })).body.history;
    assert.equal(history.filter((line: { status: string }) => line.status === 'paid').length, 1);
  }
  const feed = async () => (await send(a, 'GET', '/events?limit=1000', { token: admin })).body.items as { type: string }[];
  await eventually(feed, (events) => events.filter((event) => event.type === 'order.paid').length >= rounds);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const events = await feed();
  assert.equal(events.filter((event) => event.type === 'order.paid').length, rounds);
  assert.equal(events.filter((event) => event.type === 'payment.captured').length, rounds);
});

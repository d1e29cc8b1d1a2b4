import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../helpers/app.js';
import { listen } from '../helpers/http.js';

// On SQLite every query runs on the event loop. A long read of the catalogue (the whole
// stream, the pass that finds a deep page's checkpoints) must give other requests a turn
// between its steps, and only a few may run at once.

const PRODUCTS = 20_000;

/** A large catalogue, written straight into the database (the API would take a while). */
async function seedCatalogue(app: FastifyInstance, count: number): Promise<void> {
  const now = new Date().toISOString();
  for (let start = 0; start < count; start += 1000) {
    const rows = Array.from({ length: Math.min(1000, count - start) }, (_, i) => ({
      product_name: `Seeded product ${start + i}`,
      description: null,
      price_cents: 100 + ((start + i) % 5000),
      stock: null,
      created_at: now,
      updated_at: now,
    }));
    await app.db.insertInto('products').values(rows).execute();
  }
}

async function seededShop(t: Parameters<typeof buildTestApp>[0]) {
  const app = await buildTestApp(t);
  await seedCatalogue(app, PRODUCTS);
  return { app, http: await listen(t, app) };
}

/** Which of two requests finished first. */
async function firstToFinish(long: Promise<unknown>, short: Promise<unknown>): Promise<'long' | 'short'> {
  let first: 'long' | 'short' | undefined;
  await Promise.all([long.then(() => (first ??= 'long')), short.then(() => (first ??= 'short'))]);
  return first!;
}

test('when the whole catalogue is streamed, then a request that arrives meanwhile is answered before the stream ends', async (t) => {
  const { app, http } = await seededShop(t);
  const { port } = app.server.address() as { port: number };
  const response = await fetch(`http://127.0.0.1:${port}/products`);
  assert.equal(response.status, 200);

  const order = await firstToFinish(response.text(), http('GET', '/health'));

  assert.equal(order, 'short', 'the stream held the event loop until it was done');
});

test('when a deep page needs its checkpoints found, then a request that arrives meanwhile is answered before that page', async (t) => {
  const { http } = await seededShop(t);
  const deepPage = http('GET', `/products/p?min_price=1&page=${PRODUCTS / 20 - 1}&per_page=20`);

  const order = await firstToFinish(deepPage, http('GET', '/health'));

  assert.equal(order, 'short', 'the checkpoint pass held the event loop until it was done');
  assert.equal((await deepPage).status, 200);
  assert.equal((await deepPage).body.items.length, 20);
});

test('when clients start whole-catalogue reads and then do not read them, then they hold no place: other reads of the catalogue still complete', async (t) => {
  const { app, http } = await seededShop(t);
  const { port } = app.server.address() as { port: number };
  // Six readers, one after another, that take the answer's head and never its body: had
  // they kept their places, two would hold the gate and four its queue for good.
  const stalled: AbortController[] = [];
  for (let i = 0; i < 6; i += 1) {
    const controller = new AbortController();
    const response = await fetch(`http://127.0.0.1:${port}/products`, { signal: controller.signal });
    assert.equal(response.status, 200);
    stalled.push(controller);
  }
  t.after(() => stalled.forEach((controller) => controller.abort()));

  const answers = await Promise.all(Array.from({ length: 3 }, () => http('GET', '/products')));

  for (const answer of answers) {
    assert.equal(answer.status, 200);
    assert.equal(answer.body.length, PRODUCTS, 'a read that was let in is complete');
  }
  stalled.forEach((controller) => controller.abort());
});

test('when GET /products is asked with HEAD, then it is refused without reading the catalogue', async (t) => {
  const { app } = await seededShop(t);
  const response = await app.inject({ method: 'HEAD', url: '/products' });
  assert.equal(response.statusCode, 404);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { call } from '../helpers/app.js';
import { label, sendRaw, wrongTypes } from '../helpers/bad-input.js';
import { assertProblem } from '../helpers/problem.js';
import { NO_SUCH_CART, openGuestShop } from './guest-shop.js';

// Whatever a client sends to the guest cart routes: a 4xx problem+json (400 with errors[]
// naming the field for a field's problem), never a 500, and no cart moves.

/** Every guest cart route with the cart's id in its path, and a body it would accept. */
function cartRoutes(productId: number): { method: InjectOptions['method']; path: (cartId: string) => string; body?: Record<string, unknown> }[] {
  return [
    { method: 'GET', path: (id) => `/carts/${id}` },
    { method: 'POST', path: (id) => `/carts/${id}/add`, body: { product_id: productId, quantity: 1 } },
    { method: 'POST', path: (id) => `/carts/${id}/remove`, body: { product_id: productId } },
    { method: 'DELETE', path: (id) => `/carts/${id}` },
  ];
}

/** Ids that are not a guest cart id: off the alphabet, the wrong length, encoded tricks. */
const JUNK_IDS = [
  'abc',
  'A'.repeat(27),
  'A'.repeat(29),
  `${'A'.repeat(27)}=`,
  `${'A'.repeat(27)}+`,
  `${'A'.repeat(27)}.`,
  `${'A'.repeat(26)}%2F`, // "/" inside the id
  `${'A'.repeat(27)}%20`,
  `%20${'A'.repeat(27)}`,
  `${'A'.repeat(27)}%C3%A9`, // "é"
  `${'A'.repeat(27)}%00`,
  '1',
  'null',
  '%',
];

test('when a guest cart route gets a cart id that is not one, then 400 naming /params/cart_id, or 404 for one of the right form, and no cart moves', async (t) => {
  const { app, newCart, fill, rows, pen } = await openGuestShop(t);
  const cartId = await newCart();
  await fill(cartId, [[pen, 2]]);
  const before = await rows();

  for (const route of cartRoutes(pen.id)) {
    for (const junk of JUNK_IDS) {
      const what = `${route.method} ${route.path(junk)}`;
      const response = await sendRaw(app, route.method, route.path(junk), {
        ...(route.body ? { payload: JSON.stringify(route.body), contentType: 'application/json' } : {}),
      });
      assertProblem(response, 400, { what, sent: junk });
      if (response.body.code === 'VALIDATION_FAILED') {
        assert.ok(response.body.errors.some((error: { path: string }) => error.path === '/params/cart_id'), `${what}: ${JSON.stringify(response.body)}`);
      }
    }
    const unknown = await call(app, route.method, route.path(NO_SUCH_CART), route.body ? { body: route.body } : {});
    assertProblem(unknown, 404, { code: 'NOT_FOUND', what: `${route.method} an unknown cart` });
    // Off by one character from a real id: still a stranger's key.
    const nearly = `${cartId.slice(0, -1)}${cartId.endsWith('A') ? 'B' : 'A'}`;
    assertProblem(await call(app, route.method, route.path(nearly), route.body ? { body: route.body } : {}), 404, { code: 'NOT_FOUND' });
  }

  assert.deepEqual(await rows(), before);
});

test('when a guest add or remove gets a body that breaks a rule, then 400 naming the field, and the cart is as it was', async (t) => {
  const { app, newCart, fill, cartOf, rows, pen } = await openGuestShop(t);
  const cartId = await newCart();
  await fill(cartId, [[pen, 2]]);
  const before = { cart: await cartOf(cartId), rows: await rows() };
  const valid = {
    add: { product_id: pen.id, quantity: 1 },
    remove: { product_id: pen.id, quantity: 1 },
  };
  const cases: [route: 'add' | 'remove', body: unknown, path: string][] = [];
  for (const route of ['add', 'remove'] as const) {
    for (const [field, value] of Object.entries(valid[route])) {
      for (const wrong of wrongTypes(value)) cases.push([route, { ...valid[route], [field]: wrong }, `/body/${field}`]);
    }
    for (const quantity of [0, -1, 1001, 1.5]) cases.push([route, { ...valid[route], quantity }, '/body/quantity']);
    for (const productId of [0, -3, 2_147_483_648, 1.5]) cases.push([route, { ...valid[route], product_id: productId }, '/body/product_id']);
    cases.push([route, { ...valid[route], surprise: 1 }, '/body']);
    cases.push([route, { ...valid[route], cart_id: NO_SUCH_CART }, '/body']);
    cases.push([route, { ...valid[route], customer_id: 1 }, '/body']);
    cases.push([route, { quantity: 1 }, '/body']);
  }
  cases.push(['add', { product_id: pen.id }, '/body']);

  for (const [route, body, path] of cases) {
    const what = `POST /carts/{id}/${route} with ${label(body)}`;
    const response = await call(app, 'POST', `/carts/${cartId}/${route}`, { body });
    assertProblem(response, 400, { code: 'VALIDATION_FAILED', what });
    assert.ok(
      response.body.errors.some((error: { path: string }) => error.path.startsWith(path)),
      `${what}: no error at ${path} in ${JSON.stringify(response.body.errors)}`,
    );
  }

  assert.deepEqual({ cart: await cartOf(cartId), rows: await rows() }, before);
});

test('when a guest cart route gets a body that is not JSON, or broken JSON, then 415 or 400 and the cart is as it was', async (t) => {
  const { app, newCart, fill, cartOf, pen } = await openGuestShop(t);
  const cartId = await newCart();
  await fill(cartId, [[pen, 2]]);
  const before = await cartOf(cartId);
  const body = JSON.stringify({ product_id: pen.id, quantity: 1 });

  for (const route of ['add', 'remove']) {
    const url = `/carts/${cartId}/${route}`;
    assertProblem(await sendRaw(app, 'POST', url, { payload: body, contentType: 'text/plain' }), 415);
    assertProblem(await sendRaw(app, 'POST', url, { payload: '{"product_id": 1,', contentType: 'application/json' }), 400, { code: 'MALFORMED_JSON' });
    assertProblem(await sendRaw(app, 'POST', url, { payload: '', contentType: 'application/json' }), 400);
    assertProblem(await sendRaw(app, 'POST', url, { payload: `[${body}]`, contentType: 'application/json' }), 400);
    assertProblem(
      await sendRaw(app, 'POST', url, { payload: `{"__proto__":{"polluted":true},${body.slice(1)}`, contentType: 'application/json' }),
      400,
    );
  }

  assert.deepEqual(await cartOf(cartId), before);
});

test('when POST /carts is sent a cart_id or lines of its own, then they are not taken: the new cart has a random id and is empty', async (t) => {
  const { app, pen } = await openGuestShop(t);
  const chosen = { cart_id: NO_SUCH_CART, items: [{ product_id: pen.id, quantity: 5 }], expires_at: '2999-01-01T00:00:00.000Z' };

  const created = await call(app, 'POST', '/carts', { body: chosen });

  assert.equal(created.status, 201);
  assert.notEqual(created.body.cart_id, NO_SUCH_CART);
  assert.deepEqual(created.body.items, []);
  assert.ok(created.body.expires_at < '2999-01-01', 'its expiry is the shop\'s, not the client\'s');
  assert.equal((await call(app, 'GET', `/carts/${NO_SUCH_CART}`)).status, 404);
});

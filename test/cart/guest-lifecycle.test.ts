import assert from 'node:assert/strict';
import { test } from 'node:test';
import { purgeExpiredGuestCarts } from '../../src/modules/cart/cart.service.js';
import { call } from '../helpers/app.js';
import { assertProblem } from '../helpers/problem.js';
import { NO_SUCH_CART, openGuestShop } from './guest-shop.js';
import { line } from './shop.js';

// A guest cart as a shopper without an account sees it: created, filled, read, thinned
// out and emptied by its id alone; its expiry, moved on by every change; expired carts
// 404 and purged.

const TTL_S = 60;
const CART_ID = /^[A-Za-z0-9_-]{28}$/;

/** Milliseconds from now until an ISO timestamp. */
const fromNow = (iso: string) => Date.parse(iso) - Date.now();

test('when a guest creates a cart, adds, reads, removes and empties it, then every answer is the cart as it then is', async (t) => {
  const { create, add, get, remove, clear, mug, pen } = await openGuestShop(t);

  const created = await create();
  assert.equal(created.status, 201);
  const { cart_id: cartId, expires_at: expiresAt, ...empty } = created.body;
  assert.match(cartId, CART_ID);
  assert.deepEqual(empty, { items: [], total: 0 });
  assert.ok(Math.abs(fromNow(expiresAt) - 30 * 86_400_000) < 60_000, `expires in 30 days by default, not at ${expiresAt}`);

  const added = await add(cartId, mug.id, 2);
  assert.equal(added.status, 200);
  const { expires_at: _moved, ...addedCart } = added.body;
  assert.deepEqual(addedCart, { cart_id: cartId, items: [line(mug, 2, 39.98)], total: 39.98 });
  assert.equal((await add(cartId, pen.id, 3)).status, 200);
  assert.equal((await add(cartId, mug.id, 1)).status, 200, 'adding a product already there adds to its quantity');

  const read = await get(cartId);
  assert.equal(read.status, 200);
  assert.deepEqual(read.body.items, [line(mug, 3, 59.97), line(pen, 3, 0.3)]);
  assert.equal(read.body.total, 60.27);

  const lowered = await remove(cartId, mug.id, 1);
  assert.equal(lowered.status, 200);
  assert.deepEqual(lowered.body.items, [line(mug, 2, 39.98), line(pen, 3, 0.3)]);
  const lineGone = await remove(cartId, pen.id);
  assert.equal(lineGone.status, 200);
  assert.deepEqual(lineGone.body.items, [line(mug, 2, 39.98)]);
  assert.deepEqual((await get(cartId)).body.items, [line(mug, 2, 39.98)]);

  const cleared = await clear(cartId);
  assert.equal(cleared.status, 200);
  const { expires_at: _movedAgain, ...clearedCart } = cleared.body;
  assert.deepEqual(clearedCart, { cart_id: cartId, items: [], total: 0 });
  assert.deepEqual((await get(cartId)).body.items, [], 'the emptied cart stays, empty');
  assert.equal((await add(cartId, pen.id, 1)).status, 200, 'and can be filled again');
});

test('when many guest carts are created, then every id is new, 28 URL-safe characters, and opens only its own cart', async (t) => {
  const { create, add, cartOf, pen } = await openGuestShop(t, { guestCartsMaxPerAddress: 1000 });

  const ids: string[] = [];
  for (let i = 0; i < 200; i += 1) ids.push((await create()).body.cart_id);

  assert.equal(new Set(ids).size, ids.length, 'no id twice');
  for (const id of ids) assert.match(id, CART_ID);
  // 168 random bits each: no two ids share even their first 8 characters (48 bits) among 200.
  assert.equal(new Set(ids.map((id) => id.slice(0, 8))).size, ids.length);
  assert.equal((await add(ids[0]!, pen.id, 5)).status, 200);
  assert.deepEqual((await cartOf(ids[0]!)).items, [line(pen, 5, 0.5)]);
  assert.deepEqual((await cartOf(ids[1]!)).items, [], "one cart's lines are not another's");
});

test('when a guest cart is changed, then expires_at moves on by the TTL each time; reading it or a refused change does not move it', async (t) => {
  const { newCart, add, remove, clear, get, cartOf, mug, pen } = await openGuestShop(t, { guestCartTtlSeconds: TTL_S });
  const cartId = await newCart();
  const ttlFromNow = (expiresAt: string) => assert.ok(Math.abs(fromNow(expiresAt) - TTL_S * 1000) < 5000, `${expiresAt} is not about ${TTL_S} s away`);

  let last = (await cartOf(cartId)).expires_at as string;
  ttlFromNow(last);
  for (const change of [() => add(cartId, pen.id, 2), () => remove(cartId, pen.id, 1), () => clear(cartId)]) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    const changed = await change();
    assert.equal(changed.status, 200);
    assert.ok(changed.body.expires_at > last, `expires_at ${changed.body.expires_at} moved on from ${last}`);
    ttlFromNow(changed.body.expires_at);
    assert.equal((await get(cartId)).body.expires_at, changed.body.expires_at, 'the answer says what is kept');
    last = changed.body.expires_at;
  }

  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal((await get(cartId)).body.expires_at, last, 'reading is not a change');
  assertProblem(await add(cartId, mug.id, 11), 409, { code: 'INSUFFICIENT_STOCK' });
  assertProblem(await remove(cartId, mug.id), 404, { code: 'NOT_FOUND' });
  assert.equal((await get(cartId)).body.expires_at, last, 'a refused change is no change');
});

test('when a guest cart has expired, then every route answers 404 as for a cart that never was, and nothing changes', async (t) => {
  const { newCart, fill, expire, get, add, remove, clear, rows, pen } = await openGuestShop(t, { guestCartTtlSeconds: TTL_S });
  const cartId = await newCart();
  await fill(cartId, [[pen, 2]]);
  await expire(cartId);
  const before = await rows();

  const answers = [await get(cartId), await add(cartId, pen.id, 1), await remove(cartId, pen.id, 1), await remove(cartId, pen.id), await clear(cartId)];

  for (const answer of answers) assertProblem(answer, 404, { code: 'NOT_FOUND' });
  const never = await get(NO_SUCH_CART);
  assert.deepEqual(answers.map((answer) => answer.body.detail), answers.map(() => never.body.detail), 'the same words as for an unknown cart');
  assert.deepEqual(await rows(), before, 'no line and no expiry moved');
});

test('when the purge runs, then expired guest carts and their lines are deleted and live ones stay as they were', async (t) => {
  const { app, newCart, fill, expire, cartOf, rows, mug, pen } = await openGuestShop(t, { guestCartTtlSeconds: TTL_S });
  const [expired, alsoExpired, live] = [await newCart(), await newCart(), await newCart()];
  await fill(expired, [[mug, 1], [pen, 4]]);
  await fill(live, [[pen, 2]]);
  await expire(expired);
  await expire(alsoExpired);
  const liveBefore = await cartOf(live);

  assert.equal(await purgeExpiredGuestCarts(app.db), 2);

  const after = await rows();
  assert.deepEqual(after.carts.map((cart) => cart.id), [live]);
  assert.deepEqual(after.lines, [{ cart_id: live, product_id: pen.id, quantity: 2 }]);
  assert.deepEqual(await cartOf(live), liveBefore);
  assert.equal(await purgeExpiredGuestCarts(app.db), 0, 'a second purge finds nothing');

  // A purge run a TTL from now finds the live cart expired too.
  assert.equal(await purgeExpiredGuestCarts(app.db, Date.now() + (TTL_S + 1) * 1000), 1);
  assert.deepEqual(await rows(), { carts: [], lines: [] });
});

test('when a product in a guest cart is deleted, then it leaves the cart (and its row goes); other lines stay', async (t) => {
  const { newCart, fill, deleteProduct, cartOf, rows, mug, pen } = await openGuestShop(t);
  const cartId = await newCart();
  await fill(cartId, [[mug, 1], [pen, 2]]);

  await deleteProduct(mug.id);

  assert.deepEqual((await cartOf(cartId)).items, [line(pen, 2, 0.2)]);
  assert.equal((await cartOf(cartId)).total, 0.2);
  assert.deepEqual((await rows()).lines, [{ cart_id: cartId, product_id: pen.id, quantity: 2 }]);
});

test('when a guest cart call carries a token, a broken one or none, then it is the same public route: no token is needed or checked', async (t) => {
  const { app, admin, newCart, cartOf, pen } = await openGuestShop(t);
  const cartId = await newCart();
  const addOne = (token?: string) => call(app, 'POST', `/carts/${cartId}/add`, { ...(token ? { token } : {}), body: { product_id: pen.id, quantity: 1 } });

  assert.deepEqual([(await addOne(admin)).status, (await addOne('not-a-token')).status, (await addOne()).status], [200, 200, 200]);
  assert.deepEqual((await cartOf(cartId)).items, [line(pen, 3, 0.3)]);
});

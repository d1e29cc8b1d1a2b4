// OWASP API6:2023 Unrestricted Access to Sensitive Business Flows: a bot abuses a flow that
// is fine for one person at a time: mass sign-ups, double-spending a checkout by replaying
// it, hoarding stock in carts so others cannot buy, or ordering absurd quantities.
// Defence: self-registration is throttled per client address (429 + Retry-After); an
// Idempotency-Key makes a checkout happen once however often it is sent; a cart reserves
// nothing (stock is taken only when an order is placed, in one transaction); and quantities
// are capped at 1,000 per line and 100 lines per order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allCustomers, assertThrottled, attemptLogin, customerFields, postFrom } from '../auth/helpers.js';
import { adminToken, buildTestApp } from '../helpers/app.js';
import { openAttackShop } from './attack-helpers.js';
import { assertProblem } from '../helpers/problem.js';

test('when one address signs up again and again, then past registerMaxPerAddress it gets 429 with Retry-After, no account is made, and other addresses still sign up', async (t) => {
  const app = await buildTestApp(t, { registerMaxPerAddress: 2 });
  const admin = await adminToken(app);
  const bot = '198.51.100.20';
  for (let i = 0; i < 2; i += 1) assert.equal((await postFrom(app, bot, '/customers/register', customerFields())).status, 201);
  const before = await allCustomers(app, admin);

  const third = customerFields();
  const refused = await postFrom(app, bot, '/customers/register', third);
  // Claiming another address in X-Forwarded-For does not help when no proxy is trusted.
  const disguised = customerFields();
  const spoofed = await app.inject({
    method: 'POST',
    url: '/customers/register',
    remoteAddress: bot,
    headers: { 'x-forwarded-for': '192.0.2.77' },
    payload: disguised,
  });

  assertThrottled(refused, 3600);
  assert.equal(refused.body.code, 'TOO_MANY_REQUESTS');
  assert.equal(spoofed.statusCode, 429);
  assert.deepEqual(await allCustomers(app, admin), before);
  assert.equal((await attemptLogin(app, third.username, third.password)).status, 401);
  assert.equal((await attemptLogin(app, disguised.username, disguised.password)).status, 401);
  const human = await postFrom(app, '203.0.113.5', '/customers/register', customerFields());
  assert.equal(human.status, 201);
  assert.equal(human.body.role_id, 2);
});

test('when a checkout is replayed with the same Idempotency-Key, one after another or twenty at once, then one order is placed and the stock is taken once', async (t) => {
  const { mallory, mug, place, allOrders, stockOf } = await openAttackShop(t);
  const ordersBefore = (await allOrders()).total;
  const items = [{ product_id: mug.id, quantity: 2 }];

  const first = await place(mallory, items, { key: 'buy-once-1' });
  const again = await place(mallory, items, { key: 'buy-once-1' });
  const burst = await Promise.all(Array.from({ length: 20 }, () => place(mallory, items, { key: 'buy-once-1' })));

  assert.equal(first.status, 201);
  assert.equal(first.headers['idempotent-replayed'], undefined);
  for (const replay of [again, ...burst]) {
    assert.equal(replay.status, 201);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.deepEqual(replay.body, first.body);
  }
  assert.equal((await allOrders()).total, ordersBefore + 1);
  assert.equal(await stockOf(mug.id), 8);
});

test('when a replayed key comes with another body (a bigger order), then 409 IDEMPOTENCY_KEY_REUSED and nothing more is placed', async (t) => {
  const { mallory, mug, place, snapshot } = await openAttackShop(t);
  const first = await place(mallory, [{ product_id: mug.id, quantity: 1 }], { key: 'cheap-then-dear' });
  assert.equal(first.status, 201);
  const before = await snapshot();

  const bigger = await place(mallory, [{ product_id: mug.id, quantity: 9 }], { key: 'cheap-then-dear' });

  assertProblem(bigger, 409, { code: 'IDEMPOTENCY_KEY_REUSED', what: 'same key, bigger order' });
  assert.deepEqual(await snapshot(), before);
});

test('when a checkout from the cart is replayed after the cart was filled again, then the first order comes back and the new cart is not checked out', async (t) => {
  const { mallory, mug, pen, fill, checkout, cartOf, allOrders, stockOf } = await openAttackShop(t);
  await fill(mallory, [[mug, 1]]);
  const first = await checkout(mallory, { key: 'checkout-1' });
  assert.equal(first.status, 201);
  await fill(mallory, [[pen, 4]]);
  const refilled = await cartOf(mallory.id);
  const ordersBefore = (await allOrders()).total;

  const replay = await checkout(mallory, { key: 'checkout-1' });

  assert.equal(replay.status, 201);
  assert.equal(replay.headers['idempotent-replayed'], 'true');
  assert.deepEqual(replay.body, first.body);
  assert.deepEqual(await cartOf(mallory.id), refilled);
  assert.equal((await allOrders()).total, ordersBefore);
  assert.equal(await stockOf(mug.id), 9);
});

test('when hoarders put the whole stock in their carts, then nothing is reserved: the stock stays, another customer buys it all, and the checkouts of the hoarders get 409', async (t) => {
  const { mallory, mug, newCustomer, add, place, checkout, cartOf, stockOf, allOrders } = await openAttackShop(t);
  const hoarders = [mallory, await newCustomer(), await newCustomer()];
  for (const hoarder of hoarders) {
    const response = await add(hoarder, mug.id, 10);
    assert.equal(response.status, 200);
    assert.equal(response.body.items[0].quantity, 10);
  }
  assert.equal(await stockOf(mug.id), 10, 'carts took no stock');
  const buyer = await newCustomer();

  const bought = await place(buyer, [{ product_id: mug.id, quantity: 10 }]);

  assert.equal(bought.status, 201);
  assert.equal(await stockOf(mug.id), 0);
  const ordersAfterPurchase = (await allOrders()).total;
  for (const hoarder of hoarders) {
    const cart = await cartOf(hoarder.id);
    assertProblem(await checkout(hoarder), 409, { code: 'INSUFFICIENT_STOCK', what: `hoarder ${hoarder.id}` });
    assert.deepEqual(await cartOf(hoarder.id), cart, 'a refused checkout keeps the cart');
  }
  assert.equal((await allOrders()).total, ordersAfterPurchase);
  assert.equal(await stockOf(mug.id), 0);
});

test('when a bot asks for absurd quantities (over 1,000 a line, over 100 lines), then 400 or 409 LINE_LIMIT and nothing changes; exactly the caps are accepted', async (t) => {
  const { mallory, pen, add, place, snapshot } = await openAttackShop(t);
  const before = await snapshot();

  assertProblem(await add(mallory, pen.id, 1001), 400, { code: 'VALIDATION_FAILED', what: 'cart line of 1,001' });
  assertProblem(await place(mallory, [{ product_id: pen.id, quantity: 1001 }]), 400, { code: 'VALIDATION_FAILED', what: 'order line of 1,001' });
  assertProblem(await place(mallory, [{ product_id: pen.id, quantity: 1_000_000 }]), 400, { code: 'VALIDATION_FAILED', what: 'order line of a million' });
  const tooManyLines = Array.from({ length: 101 }, () => ({ product_id: pen.id, quantity: 1 }));
  assertProblem(await place(mallory, tooManyLines), 400, { code: 'VALIDATION_FAILED', what: '101 lines' });
  const repeats = Array.from({ length: 100 }, () => ({ product_id: pen.id, quantity: 11 }));
  assertProblem(await place(mallory, repeats), 400, { code: 'VALIDATION_FAILED', what: '100 lines of one product adding up to 1,100' });
  assert.deepEqual(await snapshot(), before);

  // Filling one cart line past 1,000 in steps is refused too, and the line stays at the cap.
  assert.equal((await add(mallory, pen.id, 1000)).status, 200);
  const over = await add(mallory, pen.id, 1);
  assertProblem(over, 409, { code: 'LINE_LIMIT', what: 'the 1,001st unit in a cart line' });
  const cart = (await snapshot()).carts.find((c: { customer_id: number }) => c.customer_id === mallory.id);
  assert.deepEqual(cart.items.map((line: { quantity: number }) => line.quantity), [1000]);
  const atCaps = await place(mallory, Array.from({ length: 100 }, () => ({ product_id: pen.id, quantity: 10 })));
  assert.equal(atCaps.status, 201);
  assert.deepEqual(atCaps.body.items.map((line: { quantity: number }) => line.quantity), [1000]);
});

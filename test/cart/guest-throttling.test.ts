import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { buildTestApp, call } from '../helpers/app.js';
import { assertProblem } from '../helpers/problem.js';

// Creating guest carts is throttled per client address (GUEST_CARTS_MAX_PER_ADDRESS an
// hour), with the same counters as login throttling: in memory, or shared by every
// process through Redis when REDIS_URL is set (those tests need TEST_REDIS_URL).

const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;
const skip = TEST_REDIS_URL ? false : 'set TEST_REDIS_URL to run the Redis tests';
const HOUR_S = 3600;

/** The app believes the X-Forwarded-For of a proxy at 127.0.0.1, where every injected request comes from. */
const behindProxy = { trustProxy: ['127.0.0.1'] };
const from = (address: string) => ({ 'x-forwarded-for': address });
const createFrom = (app: Parameters<typeof call>[0], address: string) => call(app, 'POST', '/carts', { headers: from(address) });

async function countCarts(app: Parameters<typeof call>[0]): Promise<number> {
  const row = await app.db.selectFrom('guest_carts').select((eb) => eb.fn.countAll<number>().as('carts')).executeTakeFirstOrThrow();
  return Number(row.carts);
}

function assertThrottled(response: Awaited<ReturnType<typeof call>>): void {
  assertProblem(response, 429, { code: 'TOO_MANY_REQUESTS' });
  const retryAfter = String(response.headers['retry-after']);
  assert.match(retryAfter, /^[1-9]\d*$/, `Retry-After: ${retryAfter}`);
  assert.ok(Number(retryAfter) <= HOUR_S, `Retry-After ${retryAfter} is more than the hour`);
}

test('when one address creates one guest cart more than its limit, then 429 with Retry-After and no cart; another address still creates', async (t) => {
  const app = await buildTestApp(t, { ...behindProxy, guestCartsMaxPerAddress: 3 });

  const allowed = [await createFrom(app, '198.51.100.1'), await createFrom(app, '198.51.100.1'), await createFrom(app, '198.51.100.1')];
  assert.deepEqual(allowed.map((response) => response.status), [201, 201, 201]);

  assertThrottled(await createFrom(app, '198.51.100.1'));
  assertThrottled(await createFrom(app, '198.51.100.1'));
  assert.equal(await countCarts(app), 3, 'a refused creation makes no cart');

  const elsewhere = await createFrom(app, '198.51.100.2');
  assert.equal(elsewhere.status, 201);
  assert.equal((await call(app, 'GET', `/carts/${allowed[0]!.body.cart_id}`)).status, 200, 'the carts made stay usable');
  assert.equal(await countCarts(app), 4);
});

test('when a guest cart is read and emptied again and again, then only creating carts counts toward the limit', async (t) => {
  const app = await buildTestApp(t, { guestCartsMaxPerAddress: 1 });
  const cartId = (await call(app, 'POST', '/carts')).body.cart_id;

  for (let i = 0; i < 5; i += 1) {
    assert.equal((await call(app, 'GET', `/carts/${cartId}`)).status, 200);
    assert.equal((await call(app, 'DELETE', `/carts/${cartId}`)).status, 200);
  }

  assertThrottled(await call(app, 'POST', '/carts'));
});

test('when 20 guest carts are asked for at once from one address with a limit of 5, then exactly 5 are created', async (t) => {
  const app = await buildTestApp(t, { guestCartsMaxPerAddress: 5 });

  const answers = await Promise.all(Array.from({ length: 20 }, () => call(app, 'POST', '/carts')));

  const statuses: Record<number, number> = {};
  for (const answer of answers) statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
  assert.deepEqual(statuses, { 201: 5, 429: 15 });
  assert.equal(await countCarts(app), 5);
});

test('when two apps share Redis, then guest carts created from one address count across both', { skip }, async (t) => {
  const shared = { ...behindProxy, redisUrl: TEST_REDIS_URL!, redisKeyPrefix: `test-${randomUUID()}:`, guestCartsMaxPerAddress: 3 };
  const [a, b] = [await buildTestApp(t, shared), await buildTestApp(t, shared)];

  const made = [await createFrom(a, '203.0.113.9'), await createFrom(b, '203.0.113.9'), await createFrom(a, '203.0.113.9')];
  assert.deepEqual(made.map((response) => response.status), [201, 201, 201], 'neither app alone reached the limit');

  assertThrottled(await createFrom(b, '203.0.113.9'));
  assertThrottled(await createFrom(a, '203.0.113.9'));
  assert.equal((await createFrom(b, '203.0.113.10')).status, 201, 'another address is not counted with it');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Db } from '../../src/db/database.js';
import { ListingCache } from '../../src/modules/products/listing/cache.js';

// The cache only keys on the database object; these tests never query it. Time is a
// clock the test moves by hand, so nothing sleeps.
const db = {} as Db;

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** A fact that takes `workMs` of the clock to work out, counting how often it is. */
function fact(time: ReturnType<typeof clock>, workMs: number, answer = 42) {
  const calls = { count: 0 };
  const load = async () => {
    calls.count += 1;
    time.advance(workMs);
    return answer;
  };
  return { calls, load };
}

test('when many ask at once, then the fact is worked out once and all get it', async () => {
  const time = clock();
  const cache = new ListingCache<number>(1000, 10, time.now);
  let release: (value: number) => void = () => {};
  let calls = 0;
  const slow = () => {
    calls += 1;
    return new Promise<number>((resolve) => (release = resolve));
  };
  const asks = Array.from({ length: 5 }, () => cache.get(db, 'k', slow));
  release(42);
  assert.deepEqual(await Promise.all(asks), [42, 42, 42, 42, 42]);
  assert.equal(calls, 1);
});

test('when a fact was quick to work out, then it is worked out again after the minimum time', async () => {
  const time = clock();
  const cache = new ListingCache<number>(100, 10, time.now);
  const { calls, load } = fact(time, 0);
  await cache.get(db, 'k', load);
  time.advance(99);
  await cache.get(db, 'k', load);
  assert.equal(calls.count, 1, 'still fresh just before the minimum');
  time.advance(2);
  await cache.get(db, 'k', load);
  assert.equal(calls.count, 2);
});

test('when a fact was slow to work out, then it is kept a hundred times as long as it took', async () => {
  const time = clock();
  const cache = new ListingCache<number>(100, 10, time.now);
  const { calls, load } = fact(time, 30);
  await cache.get(db, 'k', load);
  // 30 ms of work keeps it 3 s from when it was asked; the minimum of 100 ms is long past.
  time.advance(2900);
  await cache.get(db, 'k', load);
  assert.equal(calls.count, 1);
  time.advance(200);
  await cache.get(db, 'k', load);
  assert.equal(calls.count, 2);
});

test('when working a fact out fails, then the failure is not kept and the next ask tries again', async () => {
  const cache = new ListingCache<number>(1000, 10, clock().now);
  await assert.rejects(cache.get(db, 'k', () => Promise.reject(new Error('database down'))), /database down/);
  assert.equal(await cache.get(db, 'k', () => Promise.resolve(7)), 7);
});

test('when the process changes a product, then forget drops every fact of that database', async () => {
  const cache = new ListingCache<number>(1000, 10, clock().now);
  await cache.get(db, 'k', () => Promise.resolve(1));
  cache.forget(db);
  assert.equal(await cache.get(db, 'k', () => Promise.resolve(2)), 2);
});

test('when more keys are asked for than the cache holds, then it starts afresh rather than growing', async () => {
  const cache = new ListingCache<number>(1000, 2, clock().now);
  await cache.get(db, 'a', () => Promise.resolve(1));
  await cache.get(db, 'b', () => Promise.resolve(2));
  await cache.get(db, 'c', () => Promise.resolve(3));
  assert.equal(await cache.get(db, 'a', () => Promise.resolve(10)), 10, 'a was dropped to make room');
});

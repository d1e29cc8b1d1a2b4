import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../../src/db/database.js';
import { ListingCache } from '../../src/modules/products/listing-cache.js';

// The cache only keys on the database object; these tests never query it.
const db = {} as Db;

function counter(workMs: number, answer = 42) {
  const calls = { count: 0 };
  const load = async () => {
    calls.count += 1;
    if (workMs > 0) await sleep(workMs);
    return answer;
  };
  return { calls, load };
}

test('when many ask at once, then the fact is worked out once and all get it', async () => {
  const cache = new ListingCache<number>(1000, 10);
  const { calls, load } = counter(20);
  const answers = await Promise.all(Array.from({ length: 5 }, () => cache.get(db, 'k', load)));
  assert.deepEqual(answers, [42, 42, 42, 42, 42]);
  assert.equal(calls.count, 1);
});

test('when a fact was quick to work out, then it is worked out again after the minimum time', async () => {
  const cache = new ListingCache<number>(100, 10);
  const { calls, load } = counter(0);
  await cache.get(db, 'k', load);
  await cache.get(db, 'k', load);
  assert.equal(calls.count, 1);
  await sleep(350);
  await cache.get(db, 'k', load);
  assert.equal(calls.count, 2);
});

test('when a fact was slow to work out, then it is kept a hundred times as long as it took', async () => {
  const cache = new ListingCache<number>(100, 10);
  const { calls, load } = counter(30);
  await cache.get(db, 'k', load);
  // 30 ms of work keeps it about 3 s; the minimum of 100 ms is long past.
  await sleep(400);
  await cache.get(db, 'k', load);
  assert.equal(calls.count, 1);
});

test('when working a fact out fails, then the failure is not kept and the next ask tries again', async () => {
  const cache = new ListingCache<number>(1000, 10);
  await assert.rejects(cache.get(db, 'k', () => Promise.reject(new Error('database down'))), /database down/);
  // Let the cache see the rejection before asking again.
  await sleep(0);
  assert.equal(await cache.get(db, 'k', () => Promise.resolve(7)), 7);
});

test('when the process changes a product, then forget drops every fact of that database', async () => {
  const cache = new ListingCache<number>(1000, 10);
  await cache.get(db, 'k', () => Promise.resolve(1));
  cache.forget(db);
  assert.equal(await cache.get(db, 'k', () => Promise.resolve(2)), 2);
});

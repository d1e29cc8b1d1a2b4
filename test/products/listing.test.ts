import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { adminToken, buildTestApp, call, createProduct } from '../helpers/app.js';
import { onPostgres } from '../helpers/database.js';
import { assertProblem } from '../helpers/problem.js';

interface Product {
  id: number;
  product_name: string;
  price: number;
}

/** Creates products in order; `gapMs` spaces their created_at apart. */
async function seed(app: FastifyInstance, specs: { product_name: string; price: number }[], gapMs = 0) {
  const token = await adminToken(app);
  const products: Product[] = [];
  for (const spec of specs) {
    products.push(await createProduct(app, token, spec));
    if (gapMs) await sleep(gapMs);
  }
  return { token, products };
}

function numbered(count: number) {
  return Array.from({ length: count }, (_, i) => ({ product_name: `Item ${String(i + 1).padStart(2, '0')}`, price: i + 1 }));
}

/** The ids both listing routes answer for one query (the paged route with room for all). */
async function idsFromBoth(app: FastifyInstance, query: string) {
  const list = await call(app, 'GET', `/products?${query}`);
  const page = await call(app, 'GET', `/products/p?per_page=100&${query}`);
  assert.equal(list.status, 200, `/products?${query}: ${JSON.stringify(list.body)}`);
  assert.equal(page.status, 200, `/products/p?${query}: ${JSON.stringify(page.body)}`);
  const listIds = list.body.map((p: Product) => p.id);
  const pageIds = page.body.items.map((p: Product) => p.id);
  assert.deepEqual(pageIds, listIds, `the two routes disagree on ${query}`);
  assert.equal(page.body.total, listIds.length, `total on ${query}`);
  return listIds as number[];
}

test('when there are no products, then both listings are empty and the page says 0 of 0', async (t) => {
  const app = await buildTestApp(t);

  assert.deepEqual((await call(app, 'GET', '/products')).body, []);
  assert.deepEqual((await call(app, 'GET', '/products/p')).body, { items: [], page: 1, per_page: 10, total: 0, pages: 0, next: null });
});

test('when 25 products are paged, then the defaults are page 1 of 10 and the metadata is right on every page', async (t) => {
  const app = await buildTestApp(t);
  const { products } = await seed(app, numbered(25));
  const ids = products.map((p) => p.id);

  const first = await call(app, 'GET', '/products/p');
  assert.equal(first.status, 200);
  assert.deepEqual(Object.keys(first.body).sort(), ['items', 'next', 'page', 'pages', 'per_page', 'total']);
  assert.deepEqual(
    { ...first.body, items: first.body.items.map((p: Product) => p.id), next: typeof first.body.next },
    { items: ids.slice(0, 10), page: 1, per_page: 10, total: 25, pages: 3, next: 'string' },
  );
  assert.deepEqual(first.body.items[0], products[0]);

  const third = await call(app, 'GET', '/products/p?page=3');
  assert.deepEqual(
    { ...third.body, items: third.body.items.map((p: Product) => p.id) },
    { items: ids.slice(20), page: 3, per_page: 10, total: 25, pages: 3, next: null },
  );

  const sevens = await call(app, 'GET', '/products/p?page=2&per_page=7');
  assert.deepEqual(
    { ...sevens.body, items: sevens.body.items.map((p: Product) => p.id), next: typeof sevens.body.next },
    { items: ids.slice(7, 14), page: 2, per_page: 7, total: 25, pages: 4, next: 'string' },
  );

  // Walking every page visits each product once, in id order.
  const walked: number[] = [];
  for (let page = 1; page <= 4; page += 1) {
    walked.push(...(await call(app, 'GET', `/products/p?page=${page}&per_page=7`)).body.items.map((p: Product) => p.id));
  }
  assert.deepEqual(walked, ids);
});

test('when a page past the end is asked for, then its items are empty and total and pages are still right', async (t) => {
  const app = await buildTestApp(t);
  await seed(app, numbered(25));

  for (const page of [4, 1000, 1_000_000]) {
    const response = await call(app, 'GET', `/products/p?page=${page}`);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { items: [], page, per_page: 10, total: 25, pages: 3, next: null });
  }
});

test('when per_page is 100, then one page holds everything; when it is 0 or 101, then 400', async (t) => {
  const app = await buildTestApp(t);
  const { products } = await seed(app, numbered(25));

  const all = await call(app, 'GET', '/products/p?per_page=100');
  assert.equal(all.status, 200);
  assert.deepEqual(all.body, { items: products, page: 1, per_page: 100, total: 25, pages: 1, next: null });

  for (const perPage of ['101', '0', '-1', 'abc', '1.5', '']) {
    const response = await call(app, 'GET', `/products/p?per_page=${perPage}`);
    assertProblem(response, 400, { what: `per_page=${perPage}: ${response.status} ${JSON.stringify(response.body)}` });
  }
});

test('when page is not a positive integer, then 400 naming page', async (t) => {
  const app = await buildTestApp(t);
  await seed(app, numbered(3));

  for (const page of ['0', '-1', 'abc', '1.5', '', '1e3', '0x2', 'true']) {
    const response = await call(app, 'GET', `/products/p?page=${page}`);
    assertProblem(response, 400, { what: `page=${page}: ${response.status} ${JSON.stringify(response.body)}` });
    assert.ok(response.body.errors?.some((e: { path: string }) => e.path === '/querystring/page'), `page=${page}: ${JSON.stringify(response.body)}`);
  }
});

test('when deleted products exist, then neither listing shows or counts them', async (t) => {
  const app = await buildTestApp(t);
  const { token, products } = await seed(app, numbered(12));
  for (const product of products.slice(0, 5)) {
    assert.equal((await call(app, 'DELETE', `/products/${product.id}`, { token })).status, 200);
  }
  const live = products.slice(5).map((p) => p.id);

  assert.deepEqual(await idsFromBoth(app, ''), live);
  const page = await call(app, 'GET', '/products/p');
  assert.deepEqual(
    { ...page.body, items: page.body.items.map((p: Product) => p.id) },
    { items: live, page: 1, per_page: 10, total: 7, pages: 1, next: null },
  );
});

test('when q is given, then both listings match it as a case-insensitive substring of the name', async (t) => {
  const app = await buildTestApp(t);
  const { products } = await seed(app, [
    { product_name: 'Red Apple', price: 1 },
    { product_name: 'green APPLE pie', price: 2 },
    { product_name: 'Banana', price: 3 },
    { product_name: 'Pineapple slices', price: 4 },
  ]);
  const [red, green, , pine] = products.map((p) => p.id);

  assert.deepEqual(await idsFromBoth(app, 'q=apple'), [red, green, pine]);
  assert.deepEqual(await idsFromBoth(app, 'q=APPLE'), [red, green, pine]);
  assert.deepEqual(await idsFromBoth(app, 'q=aPpLe%20P'), [green]);
  assert.deepEqual(await idsFromBoth(app, 'q=red%20apple'), [red]);
  assert.deepEqual(await idsFromBoth(app, 'q=cherry'), []);
  assert.deepEqual(await idsFromBoth(app, 'q='), products.map((p) => p.id));
});

test('when a name has accented capitals, then q finds it in its own case and with its ASCII letters in any case', async (t) => {
  const app = await buildTestApp(t);
  const { products } = await seed(app, [
    { product_name: 'Äpfel und Öl', price: 1 },
    { product_name: 'ÉCLAIR', price: 2 },
    { product_name: 'Apfel', price: 3 },
  ]);
  const [apfel, eclair, plain] = products.map((p) => p.id);

  assert.deepEqual(await idsFromBoth(app, `q=${encodeURIComponent('Äpfel')}`), [apfel]);
  assert.deepEqual(await idsFromBoth(app, `q=${encodeURIComponent('ÄPFEL UND')}`), [apfel]);
  assert.deepEqual(await idsFromBoth(app, `q=${encodeURIComponent('Éclair')}`), [eclair]);
  assert.deepEqual(await idsFromBoth(app, 'q=apfel'), [plain]);
  if (onPostgres) {
    // PostgreSQL folds every letter; SQLite's lower() folds only ASCII, so only there is this checked.
    assert.deepEqual(await idsFromBoth(app, `q=${encodeURIComponent('äpfel')}`), [apfel]);
  }
});

test("when q holds '%', '_' or a backslash, then they match literally, not as wildcards", async (t) => {
  const app = await buildTestApp(t);
  const { products } = await seed(app, [
    { product_name: '100% Juice', price: 1 },
    { product_name: '100 Juice', price: 1 },
    { product_name: 'snake_case mug', price: 1 },
    { product_name: 'snakeXcase mug', price: 1 },
    { product_name: 'back\\slash', price: 1 },
    { product_name: "O'Brien's tea", price: 1 },
  ]);
  const [percent, , underscore, , backslash, quote] = products.map((p) => p.id);

  assert.deepEqual(await idsFromBoth(app, `q=${encodeURIComponent('%')}`), [percent]);
  assert.deepEqual(await idsFromBoth(app, `q=${encodeURIComponent('0%')}`), [percent]);
  assert.deepEqual(await idsFromBoth(app, 'q=_'), [underscore]);
  assert.deepEqual(await idsFromBoth(app, 'q=e_c'), [underscore]);
  assert.deepEqual(await idsFromBoth(app, `q=${encodeURIComponent('\\')}`), [backslash]);
  assert.deepEqual(await idsFromBoth(app, `q=${encodeURIComponent("'")}`), [quote]);
  assert.deepEqual(await idsFromBoth(app, `q=${encodeURIComponent("%' OR 1=1 --")}`), []);
});

test('when min_price and max_price are given, then both bounds are inclusive on both listings', async (t) => {
  const app = await buildTestApp(t);
  const { products } = await seed(app, [
    { product_name: 'One', price: 1 },
    { product_name: 'Five', price: 5 },
    { product_name: 'Ten', price: 10 },
    { product_name: 'Ten and a cent', price: 10.01 },
    { product_name: 'Twenty', price: 20 },
    { product_name: 'Free', price: 0 },
  ]);
  const [one, five, ten, tenCent, twenty, free] = products.map((p) => p.id);

  assert.deepEqual(await idsFromBoth(app, 'min_price=5&max_price=10'), [five, ten]);
  assert.deepEqual(await idsFromBoth(app, 'min_price=10.01'), [tenCent, twenty]);
  assert.deepEqual(await idsFromBoth(app, 'max_price=10'), [one, five, ten, free]);
  assert.deepEqual(await idsFromBoth(app, 'max_price=0'), [free]);
  assert.deepEqual(await idsFromBoth(app, 'min_price=10&max_price=10'), [ten]);
  assert.deepEqual(await idsFromBoth(app, 'min_price=0&max_price=99999999.99'), [one, five, ten, tenCent, twenty, free]);
  assert.deepEqual(await idsFromBoth(app, 'min_price=20.01'), []);
  assert.deepEqual(await idsFromBoth(app, 'q=ten&min_price=10.01'), [tenCent]);
});

test('when min_price is above max_price or a bound is not a price, then 400 on both listings', async (t) => {
  const app = await buildTestApp(t);
  await seed(app, numbered(2));

  for (const query of [
    'min_price=10.01&max_price=10',
    'min_price=5&max_price=1',
    'min_price=abc',
    'max_price=-1',
    'min_price=1.234',
    'max_price=100000000',
    'min_price=',
  ]) {
    for (const route of ['/products', '/products/p']) {
      const response = await call(app, 'GET', `${route}?${query}`);
      assertProblem(response, 400, { what: `${route}?${query}: ${response.status} ${JSON.stringify(response.body)}` });
    }
  }
});

test('when sort is price or -price, then products are in price order with ties broken by id', async (t) => {
  const app = await buildTestApp(t);
  const { products } = await seed(app, [
    { product_name: 'A', price: 5 },
    { product_name: 'B', price: 1 },
    { product_name: 'C', price: 5 },
    { product_name: 'D', price: 10 },
    { product_name: 'E', price: 1 },
  ]);
  const [a, b, c, d, e] = products.map((p) => p.id);

  assert.deepEqual(await idsFromBoth(app, 'sort=price'), [b, e, a, c, d]);
  assert.deepEqual(await idsFromBoth(app, 'sort=-price'), [d, a, c, b, e]);
  assert.deepEqual(await idsFromBoth(app, 'sort=id'), [a, b, c, d, e]);
  assert.deepEqual(await idsFromBoth(app, ''), [a, b, c, d, e]);
  // Ties stay in id order across page boundaries too.
  const pages = [1, 2, 3].map((page) => call(app, 'GET', `/products/p?sort=-price&per_page=2&page=${page}`));
  const walked = (await Promise.all(pages)).flatMap((r) => r.body.items.map((p: Product) => p.id));
  assert.deepEqual(walked, [d, a, c, b, e]);
});

test('when sort is product_name, then products are in name order with ties broken by id', async (t) => {
  const app = await buildTestApp(t);
  const { products } = await seed(app, [
    { product_name: 'Cherry', price: 1 },
    { product_name: 'Apple', price: 2 },
    { product_name: 'Banana', price: 3 },
    { product_name: 'Apple', price: 4 },
  ]);
  const [cherry, apple1, banana, apple2] = products.map((p) => p.id);

  assert.deepEqual(await idsFromBoth(app, 'sort=product_name'), [apple1, apple2, banana, cherry]);
  assert.deepEqual(await idsFromBoth(app, 'sort=product_name&q=a&max_price=3'), [apple1, banana]);
});

test('when sort is -created_at, then the newest product comes first', async (t) => {
  const app = await buildTestApp(t);
  const { token, products } = await seed(app, numbered(4), 3);
  const ids = products.map((p) => p.id);
  // An update does not make a product newer.
  assert.equal((await call(app, 'PUT', `/products/${ids[0]}`, { token, body: { price: 2 } })).status, 200);

  assert.deepEqual(await idsFromBoth(app, 'sort=-created_at'), [...ids].reverse());
});

test('when sort is not one of the allowed values, then 400 on both listings', async (t) => {
  const app = await buildTestApp(t);
  await seed(app, numbered(2));

  for (const sort of ['name', 'PRICE', '-id', 'price desc', 'created_at', '', 'price;drop table products']) {
    for (const route of ['/products', '/products/p']) {
      const response = await call(app, 'GET', `${route}?sort=${encodeURIComponent(sort)}`);
      assertProblem(response, 400, { what: `${route}?sort=${sort}: ${response.status} ${JSON.stringify(response.body)}` });
    }
  }
  assert.equal((await call(app, 'GET', '/products')).body.length, 2);
});

test('when q is longer than 200 characters, then 400', async (t) => {
  const app = await buildTestApp(t);

  const response = await call(app, 'GET', `/products/p?q=${'x'.repeat(201)}`);
  assertProblem(response, 400);
  assert.equal((await call(app, 'GET', `/products?q=${'x'.repeat(200)}`)).status, 200);
});

test('when the catalogue is larger than one streamed batch, then GET /products lists every product once, in the same order as the pages, for every sort and filter', async (t) => {
  const app = await buildTestApp(t);
  // 1,103 products: more than two batches of 500, with prices and names full of ties, so
  // batch boundaries fall inside runs of equal sort keys; a few deleted ones must not show.
  const specs = Array.from({ length: 1103 }, (_, i) => ({ product_name: `Lamp ${i % 7}`, price: (i % 13) + 0.99 }));
  const { token, products } = await seed(app, specs);
  for (const gone of [products[0]!, products[500]!, products[1102]!]) {
    assert.equal((await call(app, 'DELETE', `/products/${gone.id}`, { token })).status, 200);
  }

  for (const query of ['', 'sort=price', 'sort=-price', 'sort=product_name', 'sort=-created_at', 'q=lamp 3&sort=-price', 'min_price=5&max_price=9']) {
    const streamed = await call(app, 'GET', `/products?${query}`);
    assert.equal(streamed.status, 200);
    assert.match(String(streamed.headers['content-type']), /^application\/json/);
    const paged: number[] = [];
    for (let page = 1; ; page += 1) {
      const response = await call(app, 'GET', `/products/p?${query}&per_page=100&page=${page}`);
      paged.push(...response.body.items.map((p: Product) => p.id));
      if (page >= response.body.pages) break;
    }
    const ids = streamed.body.map((p: Product) => p.id);
    assert.deepEqual(ids, paged, `GET /products?${query}`);
    assert.equal(new Set(ids).size, ids.length, 'no product twice');
  }
  assert.equal((await call(app, 'GET', '/products')).body.length, 1100);
});

// A deep numbered page starts after a checkpoint (every 200 rows of its listing, kept a
// few seconds) and skips the rest: pages that straddle checkpoints must still be exact, and
// this process's own changes must show at once.
test('when numbered pages reach past the listing checkpoints, then each is exactly its slice of the listing, for every sort and filter, before and after products change', async (t) => {
  const app = await buildTestApp(t);
  const specs = Array.from({ length: 450 }, (_, i) => ({ product_name: `Bowl ${i % 9}`, price: (i % 11) + 0.25 }));
  const { token, products } = await seed(app, specs);
  const queries = ['sort=id', 'sort=price', 'sort=-price', 'sort=product_name', 'sort=-created_at', 'q=bowl 4&sort=price', 'min_price=2&sort=-price'];

  async function assertPagesAreSlices() {
    for (const query of queries) {
      const listing = (await call(app, 'GET', `/products?${query}`)).body.map((p: Product) => p.id);
      for (let page = 1; page <= Math.ceil(listing.length / 7) + 1; page += 1) {
        const response = await call(app, 'GET', `/products/p?${query}&per_page=7&page=${page}`);
        assert.equal(response.status, 200, JSON.stringify(response.body));
        assert.deepEqual(
          response.body.items.map((p: Product) => p.id),
          listing.slice((page - 1) * 7, page * 7),
          `${query} page ${page}`,
        );
        assert.equal(response.body.total, listing.length);
      }
    }
  }

  await assertPagesAreSlices();
  // Rows before the first checkpoint disappear and a new one sorts to the front: every
  // later checkpoint moves.
  for (const gone of products.slice(0, 3)) {
    assert.equal((await call(app, 'DELETE', `/products/${gone.id}`, { token })).status, 200);
  }
  await createProduct(app, token, { product_name: 'Bowl 0', price: 0.01 });
  await assertPagesAreSlices();
});

test('when pages are followed by their next cursor, then every product comes once, in the order of the numbered pages, for every sort and filter, and the last page has no next', async (t) => {
  const app = await buildTestApp(t);
  // Ties in price, name and creation time, so cursors fall inside runs of equal sort keys.
  const specs = Array.from({ length: 47 }, (_, i) => ({ product_name: `Vase ${i % 4}`, price: (i % 5) + 0.5 }));
  const { token, products } = await seed(app, specs);
  assert.equal((await call(app, 'DELETE', `/products/${products[10]!.id}`, { token })).status, 200);

  for (const query of ['sort=id', 'sort=price', 'sort=-price', 'sort=product_name', 'sort=-created_at', 'q=vase 2&sort=-price', 'min_price=1&max_price=3.5&sort=price']) {
    const numbered = await call(app, 'GET', `/products?${query}`);
    const followed: number[] = [];
    let page = await call(app, 'GET', `/products/p?${query}&per_page=5`);
    assert.equal(page.body.page, 1);
    for (;;) {
      assert.equal(page.status, 200, JSON.stringify(page.body));
      assert.equal(page.body.total, numbered.body.length);
      followed.push(...page.body.items.map((p: Product) => p.id));
      if (page.body.next === null) break;
      page = await call(app, 'GET', `/products/p?${query}&per_page=5&after=${page.body.next}`);
      assert.equal(page.body.page, null, 'a cursor page has no number');
    }
    assert.deepEqual(followed, numbered.body.map((p: Product) => p.id), query);
  }
});

test('when a cursor is garbage, belongs to another sort, or is too long, then 400 and nothing is listed', async (t) => {
  const app = await buildTestApp(t);
  await seed(app, numbered(3));
  const first = await call(app, 'GET', '/products/p?sort=price&per_page=1');
  assert.equal(typeof first.body.next, 'string');
  const cursorOf = (parts: unknown) => Buffer.from(JSON.stringify(parts)).toString('base64url');
  for (const url of [
    `/products/p?sort=id&after=${first.body.next}`,
    '/products/p?after=not-a-cursor',
    `/products/p?after=${cursorOf(['id', 'x', 1])}`,
    `/products/p?after=${cursorOf(['id', 1, -1])}`,
    `/products/p?sort=product_name&after=${cursorOf(['product_name', 5, 1])}`,
    '/products/p?after=a%2Fb',
    `/products/p?after=${'a'.repeat(2001)}`,
  ]) {
    const response = await call(app, 'GET', url);
    assertProblem(response, 400, { what: `${url}: ${response.status} ${JSON.stringify(response.body)}` });
  }
});

// SQLite finds names either through its trigram index or by reading the listing in sort
// order, whichever reads fewer rows (products.repository.ts): a common text takes the
// second way, a rare one the first. Every page must be the same either way.
test('when a search text is common or rare, then every page and sort lists exactly the matching names in order', async (t) => {
  const app = await buildTestApp(t);
  const specs = Array.from({ length: 24 }, (_, i) => ({ product_name: `${i % 2 ? 'Blue' : 'Red'} mug ${i}`, price: ((i * 7) % 11) + 0.5 }));
  specs.push({ product_name: 'Brass lamp', price: 3 }, { product_name: '50% "off" MUGS', price: 2 });
  // Spaced apart so -created_at has no ties.
  const { products } = await seed(app, specs, 2);
  const sorts: Record<string, (a: Product, b: Product) => number> = {
    id: (a, b) => a.id - b.id,
    price: (a, b) => a.price - b.price || a.id - b.id,
    '-price': (a, b) => b.price - a.price || a.id - b.id,
    product_name: (a, b) => (a.product_name < b.product_name ? -1 : a.product_name > b.product_name ? 1 : a.id - b.id),
    '-created_at': (a, b) => b.id - a.id,
  };
  for (const [text, matches] of [
    ['mug', (p: Product) => /mug/i.test(p.product_name)],
    ['blue MUG 1', (p: Product) => /^blue mug 1/i.test(p.product_name)],
    ['lamp', (p: Product) => p.product_name === 'Brass lamp'],
    ['"off"', (p: Product) => p.product_name.includes('"off"')],
    ['% "o', (p: Product) => p.product_name.includes('% "o')],
  ] as const) {
    for (const [sort, compare] of Object.entries(sorts)) {
      const expected = products.filter(matches).sort(compare).map((p) => p.id);
      const pages: number[] = [];
      for (let page = 1; page <= Math.ceil(expected.length / 5) + 1; page += 1) {
        const response = await call(app, 'GET', `/products/p?q=${encodeURIComponent(text)}&sort=${sort}&per_page=5&page=${page}`);
        assert.equal(response.status, 200);
        assert.equal(response.body.total, expected.length, `${text} ${sort}`);
        pages.push(...response.body.items.map((p: Product) => p.id));
      }
      assert.deepEqual(pages, expected, `q=${text} sort=${sort}`);
    }
  }
});

test('when a product is renamed or deleted, then a search finds it by its new name only, and a deleted one not at all', async (t) => {
  const app = await buildTestApp(t);
  const {
    token: admin,
    products: [kettle, teapot],
  } = await seed(app, [
    { product_name: 'Copper kettle', price: 30 },
    { product_name: 'Stoneware teapot', price: 20 },
  ]);
  const renamed = await call(app, 'PUT', `/products/${kettle!.id}`, { token: admin, body: { product_name: 'Copper jug' } });
  assert.equal(renamed.status, 200);
  assert.deepEqual(await idsFromBoth(app, 'q=kettle'), []);
  assert.deepEqual(await idsFromBoth(app, 'q=jug'), [kettle!.id]);
  assert.deepEqual(await idsFromBoth(app, 'q=copper'), [kettle!.id]);

  assert.equal((await call(app, 'DELETE', `/products/${teapot!.id}`, { token: admin })).status, 200);
  assert.deepEqual(await idsFromBoth(app, 'q=teapot'), []);
});

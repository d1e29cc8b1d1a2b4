import { type SelectQueryBuilder, sql } from 'kysely';
import type { Database, Db, NewProductRow, ProductRow, ProductRowUpdate } from '../../db/database.js';
import { isPostgres } from '../../db/dialect.js';
import { compileOnce } from '../../db/compile-once.js';
import type { ProductSort } from './products.schemas.js';

export interface ProductFilters {
  nameContains?: string;
  minPriceCents?: number;
  maxPriceCents?: number;
}

const ORDER: Record<ProductSort, [column: 'id' | 'price_cents' | 'product_name' | 'created_at', 'asc' | 'desc']> = {
  id: ['id', 'asc'],
  price: ['price_cents', 'asc'],
  '-price': ['price_cents', 'desc'],
  product_name: ['product_name', 'asc'],
  '-created_at': ['created_at', 'desc'],
};

/**
 * How SQLite finds the names that contain a text of three or more characters:
 * - 'trigrams' asks the trigram index (products_search) for the matching rows, which
 *   costs about one step per match: cheap when matches are few;
 * - 'sort-order' reads the listing in its sort order and tests each name until the page is
 *   full: cheap when matches are common and the page near the front.
 * Shorter texts have no trigram, so they are tested against every name. PostgreSQL's
 * planner makes this choice itself.
 */
export type NameSearch = 'trigrams' | 'sort-order';

const TRIGRAM = 3;

function hasFilters(filters: ProductFilters): boolean {
  return Boolean(filters.nameContains) || filters.minPriceCents !== undefined || filters.maxPriceCents !== undefined;
}

function liveProducts(db: Db, filters: ProductFilters, search: NameSearch = 'trigrams') {
  let query = db.selectFrom('products');
  const text = filters.nameContains;
  if (text) {
    // Escape LIKE's wildcards so the text is matched literally. Case is folded by the database
    // itself, so both sides always agree: SQLite's LIKE ignores ASCII case on its own;
    // PostgreSQL folds all letters with lower().
    const pattern = `%${text.replace(/[\\%_]/g, '\\$&')}%`;
    if (isPostgres(db)) {
      query = query.where('deleted_at', 'is', null).where(sql<boolean>`lower(product_name) like lower(${pattern}) escape '\\'`);
    } else {
      const contains = sql<boolean>`product_name like ${pattern} escape '\\'`;
      if (search === 'sort-order') {
        query = query.where('deleted_at', 'is', null).where(contains);
      } else if ([...text].length >= TRIGRAM) {
        // The index folds case more widely than LIKE does; LIKE then keeps exactly its own
        // matches, so the answer is the same whichever way the rows were found.
        const phrase = `"${text.replaceAll('"', '""')}"`;
        query = query
          .where('deleted_at', 'is', null)
          .where(sql<boolean>`id in (select rowid from products_search where products_search match ${phrase})`)
          .where(contains);
      } else {
        // Every name is read anyway; the unary plus keeps SQLite from walking the
        // live-products index and looking each row up, which is 4x slower than a scan.
        query = query.where(sql`+deleted_at`, 'is', null).where(contains);
      }
    }
  } else {
    query = query.where('deleted_at', 'is', null);
  }
  if (filters.minPriceCents !== undefined) query = query.where('price_cents', '>=', filters.minPriceCents);
  if (filters.maxPriceCents !== undefined) query = query.where('price_cents', '<=', filters.maxPriceCents);
  return query;
}

function sorted<O>(query: SelectQueryBuilder<Database, 'products', O>, sort: ProductSort) {
  const [column, direction] = ORDER[sort];
  // id breaks ties, so pages never repeat or skip a product.
  return column === 'id' ? query.orderBy('id', direction) : query.orderBy(column, direction).orderBy('id', 'asc');
}

/** Where a row stands in a sorted listing: its sort column's value, then its id. */
export interface SortKey {
  value: number | string;
  id: number;
}

export function sortKeyOf(row: ProductRow, sort: ProductSort): SortKey {
  return { value: row[ORDER[sort][0]], id: row.id };
}

/** Whether a value can stand in the sort column (a cursor's value comes from a client). */
export function fitsSortColumn(sort: ProductSort, value: unknown): boolean {
  const column = ORDER[sort][0];
  return column === 'product_name' || column === 'created_at' ? typeof value === 'string' : Number.isSafeInteger(value);
}

/**
 * The rows after `after` in the sort order. The first condition repeats what the second
 * implies: with it the database seeks straight to `after.value` in the sort column's index,
 * without it SQLite reads the index from its start (the `or` hides the range).
 */
function beyond<O>(query: SelectQueryBuilder<Database, 'products', O>, sort: ProductSort, after: SortKey) {
  const [column, direction] = ORDER[sort];
  const past = direction === 'asc' ? '>' : '<';
  if (column === 'id') return query.where('id', past, after.id);
  return query
    .where(column, direction === 'asc' ? '>=' : '<=', after.value)
    .where((eb) => eb.or([eb(column, past, after.value), eb('id', '>', after.id)]));
}

/** Where a page starts: after a row's sort key (or at the front), then `skip` rows further on. */
export interface PageStart {
  after?: SortKey;
  skip: number;
}

/**
 * A page of a sorted listing. Starting after a sort key (keyset paging) is one short query
 * however deep into the catalogue it starts; every skipped row is read and passed over.
 */
export function findProductsPage(
  db: Db,
  filters: ProductFilters,
  sort: ProductSort,
  start: PageStart,
  limit: number,
  search?: NameSearch,
): Promise<ProductRow[]> {
  const query = start.after ? beyond(liveProducts(db, filters, search), sort, start.after) : liveProducts(db, filters, search);
  let page = sorted(query.selectAll(), sort).limit(limit);
  if (start.skip > 0) page = page.offset(start.skip);
  return page.execute();
}

/**
 * The sort keys of rows `every`, 2 × `every`, … of a sorted listing, so a deep numbered page
 * can start after the nearest of them instead of reading past every row before it.
 */
export function findCheckpoints(db: Db, filters: ProductFilters, sort: ProductSort, every: number): Promise<SortKey[]> {
  return isPostgres(db) ? numberCheckpoints(db, filters, sort, every) : stepToCheckpoints(db, filters, sort, every);
}

/**
 * PostgreSQL numbers every row of the listing in one window query: one round trip, where
 * a query per checkpoint took 2 to 3 times as long (100,000 products: 87 against 189 ms).
 */
async function numberCheckpoints(db: Db, filters: ProductFilters, sort: ProductSort, every: number): Promise<SortKey[]> {
  const [column, direction] = ORDER[sort];
  const order = column === 'id' ? sql`id ${sql.raw(direction)}` : sql`${sql.ref(column)} ${sql.raw(direction)}, id asc`;
  const numbered = liveProducts(db, filters).select((eb) => [
    'id',
    eb.ref(column).as('value'),
    sql<number>`row_number() over (order by ${order})`.as('position'),
  ]);
  const rows = await db
    .selectFrom(numbered.as('numbered'))
    .select(['id', 'value'])
    .where(sql<number>`position % ${every}`, '=', 0)
    .orderBy('position')
    .execute();
  return rows.map((row) => ({ value: row.value, id: row.id }));
}

/**
 * SQLite finds each checkpoint from the one before, `every` rows on in the sort column's
 * index: it skips those rows without reading them out, ten times faster than numbering
 * every row in a window query (which looks each one up in the table).
 */
async function stepToCheckpoints(db: Db, filters: ProductFilters, sort: ProductSort, every: number): Promise<SortKey[]> {
  const column = ORDER[sort][0];
  const checkpoints: SortKey[] = [];
  for (;;) {
    const after = checkpoints.at(-1);
    const listing = liveProducts(db, filters);
    const row = await sorted((after ? beyond(listing, sort, after) : listing).select(['id', column]), sort)
      .limit(1)
      .offset(every - 1)
      .executeTakeFirst();
    if (!row) return checkpoints;
    checkpoints.push({ value: row[column], id: row.id });
  }
}

const liveProductCount = compileOnce((db) => db.selectFrom('catalogue_totals').select('live_products'));

/** How many live products match; without filters, the count the database keeps as products change. */
export async function countProducts(db: Db, filters: ProductFilters): Promise<number> {
  if (!hasFilters(filters)) return Number((await liveProductCount(db)).rows[0]?.live_products ?? 0);
  const row = await liveProducts(db, filters)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

const liveProductById = compileOnce((db, id: number) =>
  db.selectFrom('products').selectAll().where('id', '=', id).where('deleted_at', 'is', null),
);

export async function findProductById(db: Db, id: number): Promise<ProductRow | undefined> {
  return (await liveProductById(db, id)).rows[0];
}

export function insertProduct(db: Db, row: NewProductRow): Promise<ProductRow> {
  return db.insertInto('products').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateProductById(db: Db, id: number, patch: ProductRowUpdate): Promise<ProductRow | undefined> {
  return db
    .updateTable('products')
    .set(patch)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

export function findLiveProductsByIds(db: Db, ids: number[]): Promise<ProductRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('products').selectAll().where('id', 'in', ids).where('deleted_at', 'is', null).execute();
}

/**
 * Takes `quantity` units if that many are left, in one conditional update, so two buyers
 * can never both take the last unit. False when the stock was short.
 */
// Bound in SQL order: the quantity to take, the id, the quantity again.
const takeFromStock = compileOnce((db, taken: number, id: number, atLeast: number) =>
  db
    .updateTable('products')
    .set((eb) => ({ stock: eb('stock', '-', taken) }))
    .where('id', '=', id)
    .where('stock', '>=', atLeast),
);

export async function decrementStock(db: Db, id: number, quantity: number): Promise<boolean> {
  const result = await takeFromStock(db, quantity, id, quantity);
  return Number(result.numAffectedRows) === 1;
}

/** Puts units back (a cancelled order); a product that is no longer tracked stays untracked. */
export async function incrementStock(db: Db, id: number, quantity: number): Promise<void> {
  await db
    .updateTable('products')
    .set((eb) => ({ stock: eb('stock', '+', quantity) }))
    .where('id', '=', id)
    .where('stock', 'is not', null)
    .execute();
}

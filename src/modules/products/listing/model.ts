import type { SelectQueryBuilder } from 'kysely';
import type { Database, Db, ProductRow } from '../../../db/database.js';
import { MAX_ID } from '../../../shared/schemas.js';
import type { ProductSort } from '../products.schemas.js';

export type { ProductSort };

export interface ProductFilters {
  nameContains?: string;
  minPriceCents?: number;
  maxPriceCents?: number;
}

/** A query of the products table, before it selects anything. */
export type ProductsQuery = SelectQueryBuilder<Database, 'products', {}>;

/** Where a row stands in a sorted listing: its sort column's value, then its id. */
export interface SortKey {
  value: number | string;
  id: number;
}

/** Where a page starts: after a row's sort key (or at the front), then `skip` rows further on. */
export interface PageStart {
  after?: SortKey;
  skip: number;
}

/**
 * How SQLite finds the names that contain a text of three or more characters:
 * - 'trigrams' asks the trigram index (products_search) for the matching rows, which
 *   costs about one step per match: cheap when matches are few;
 * - 'sort-order' reads the listing in its sort order and tests each name until the page is
 *   full: cheap when matches are common and the page near the front.
 * PostgreSQL's planner makes this choice itself and ignores it.
 */
export type NameSearch = 'trigrams' | 'sort-order';

/** What the listing does differently on SQLite and PostgreSQL (sqlite.ts, postgres.ts). */
export interface ListingDialect {
  /** The live products whose names contain `text`, ignoring case. */
  liveNamed(db: Db, text: string, search: NameSearch): ProductsQuery;
  /**
   * The sort keys of rows `every`, 2 × `every`, … of a listing. `pause` lets other requests
   * run; a dialect that works step by step calls it between steps.
   */
  findCheckpoints(db: Db, listing: () => ProductsQuery, sort: ProductSort, every: number, pause: () => Promise<void>): Promise<SortKey[]>;
  /**
   * How to search names for a page ending `pageEnd` rows in, from how many match and how many
   * are live. Only a dialect that needs them waits for those counts (the page is read beside
   * the count otherwise).
   */
  chooseNameSearch(matches: Promise<number>, live: () => Promise<number>, pageEnd: number): Promise<NameSearch>;
}

type SortColumn = 'id' | 'price_cents' | 'product_name' | 'created_at';

const ORDER: Record<ProductSort, [column: SortColumn, direction: 'asc' | 'desc']> = {
  id: ['id', 'asc'],
  price: ['price_cents', 'asc'],
  '-price': ['price_cents', 'desc'],
  product_name: ['product_name', 'asc'],
  '-created_at': ['created_at', 'desc'],
};

export function sortOrder(sort: ProductSort) {
  const [column, direction] = ORDER[sort];
  return { column, direction };
}

export function sorted<O>(query: SelectQueryBuilder<Database, 'products', O>, sort: ProductSort) {
  const { column, direction } = sortOrder(sort);
  // id breaks ties, so pages never repeat or skip a product.
  return column === 'id' ? query.orderBy('id', direction) : query.orderBy(column, direction).orderBy('id', 'asc');
}

/**
 * The rows after `after` in the sort order. The first condition repeats what the second
 * implies: with it the database seeks straight to `after.value` in the sort column's index,
 * without it SQLite reads the index from its start (the `or` hides the range).
 */
export function beyond<O>(query: SelectQueryBuilder<Database, 'products', O>, sort: ProductSort, after: SortKey) {
  const { column, direction } = sortOrder(sort);
  const past = direction === 'asc' ? '>' : '<';
  if (column === 'id') return query.where('id', past, after.id);
  return query
    .where(column, direction === 'asc' ? '>=' : '<=', after.value)
    .where((eb) => eb.or([eb(column, past, after.value), eb('id', '>', after.id)]));
}

export function sortKeyOf(row: ProductRow, sort: ProductSort): SortKey {
  return { value: row[sortOrder(sort).column], id: row.id };
}

/** The largest price in cents (MAX_PRICE), and the longest text a sort column holds (a product name). */
const MAX_PRICE_CENTS = 9_999_999_999;
const MAX_TEXT = 200;

/** Whether a value can stand in the sort column on both databases (a cursor's value comes from a client). */
export function fitsSortColumn(sort: ProductSort, value: unknown): value is SortKey['value'] {
  const { column } = sortOrder(sort);
  if (column === 'product_name' || column === 'created_at') {
    return typeof value === 'string' && value.length <= MAX_TEXT && !value.includes('\u0000');
  }
  const most = column === 'id' ? MAX_ID : MAX_PRICE_CENTS;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= most;
}

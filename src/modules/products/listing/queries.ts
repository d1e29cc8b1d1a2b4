import type { Db, ProductRow } from '../../../db/database.js';
import { compileOnce } from '../../../db/compile-once.js';
import { forEngine } from '../../../db/engine.js';
import { type ListingDialect, type NameSearch, type PageStart, type ProductFilters, type ProductSort, type ProductsQuery, beyond, sorted } from './model.js';
import { postgresListing } from './postgres.js';
import { sqliteListing } from './sqlite.js';

export function dialectOf(db: Db): ListingDialect {
  return forEngine(db, { sqlite: sqliteListing, postgres: postgresListing });
}

export function hasFilters(filters: ProductFilters): boolean {
  return Boolean(filters.nameContains) || filters.minPriceCents !== undefined || filters.maxPriceCents !== undefined;
}

/** The live products that pass the filters, unsorted and selecting nothing yet. */
export function liveProducts(db: Db, filters: ProductFilters, search: NameSearch = 'trigrams'): ProductsQuery {
  let query = filters.nameContains
    ? dialectOf(db).liveNamed(db, filters.nameContains, search)
    : db.selectFrom('products').where('deleted_at', 'is', null);
  if (filters.minPriceCents !== undefined) query = query.where('price_cents', '>=', filters.minPriceCents);
  if (filters.maxPriceCents !== undefined) query = query.where('price_cents', '<=', filters.maxPriceCents);
  return query;
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
  const listing = liveProducts(db, filters, search);
  const query = start.after ? beyond(listing, sort, start.after) : listing;
  let page = sorted(query.selectAll(), sort).limit(limit);
  if (start.skip > 0) page = page.offset(start.skip);
  return page.execute();
}

const liveProductCount = compileOnce((db) => db.selectFrom('catalogue_totals').select('live_products'));

/** How many live products match; without filters, the count the database keeps as products change. */
export async function countProducts(db: Db, filters: ProductFilters): Promise<number> {
  if (!hasFilters(filters)) return Number((await liveProductCount(db, {})).rows[0]?.live_products ?? 0);
  const row = await liveProducts(db, filters)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

import { Readable } from 'node:stream';
import type { Db, ProductRow, ProductRowUpdate } from '../../db/database.js';
import { isPostgres } from '../../db/dialect.js';
import { inTransaction } from '../../db/transaction.js';
import { removeProductFromCarts } from '../cart/cart.service.js';
import { BadRequestError, NotFoundError } from '../../shared/errors.js';
import { toCents, toMajor } from '../../shared/money.js';
import { pageCount } from '../../shared/schemas.js';
import { ListingCache } from './listing-cache.js';
import * as repo from './products.repository.js';
import type {
  CreateProductBody,
  ListProductsQuery,
  PageProductsQuery,
  ProductPage,
  ProductResponse,
  ProductSort,
  UpdateProductBody,
} from './products.schemas.js';

/**
 * Each filtered listing's total, for a second or longer if counting was slow: counting reads
 * every match, most of a page's cost otherwise (the unfiltered total is one row).
 */
const productCounts = new ListingCache<number>(1000, 1000);
/**
 * A deep numbered page starts after the nearest checkpoint before it (a sort key every
 * CHECKPOINT_EVERY rows of its listing) and skips fewer than that many rows, instead of all
 * the rows before it. Checkpoints cost one pass over the listing and are kept for 5 s, or
 * longer if the pass was slow: a product added or removed by another process meanwhile
 * shifts later pages by a row, as it would between two requests of offset pages anyway.
 * On 1,000,000 products a listing's checkpoints take about 5,000 keys, hence the few kept.
 */
const CHECKPOINT_EVERY = 200;
const listingCheckpoints = new ListingCache<repo.SortKey[]>(5000, 16);

export function toProductResponse(row: ProductRow): ProductResponse {
  return {
    id: row.id,
    product_name: row.product_name,
    price: toMajor(row.price_cents),
    description: row.description,
    stock: row.stock,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

const STREAM_BATCH = 500;

/**
 * The whole (filtered) catalogue as a JSON array, written batch by batch so memory stays flat
 * however large the catalogue is. The first batch is read before anything is sent, so a
 * failing database is still a proper 503; a failure later can only cut the stream short.
 * Batches are separate queries: a product changed during a long listing may show either way.
 */
export async function streamProducts(db: Db, query: ListProductsQuery): Promise<Readable> {
  const filters = toFilters(query);
  const sort = query.sort ?? 'id';
  const first = await repo.findProductsPage(db, filters, sort, { skip: 0 }, STREAM_BATCH);
  async function* json() {
    yield '[';
    let batch = first;
    let separator = '';
    while (batch.length > 0) {
      let chunk = '';
      for (const row of batch) {
        chunk += separator + JSON.stringify(toProductResponse(row));
        separator = ',';
      }
      yield chunk;
      if (batch.length < STREAM_BATCH) break;
      batch = await repo.findProductsPage(db, filters, sort, { after: repo.sortKeyOf(batch.at(-1)!, sort), skip: 0 }, STREAM_BATCH);
    }
    yield ']';
  }
  return Readable.from(json(), { objectMode: false });
}

/**
 * One page of the catalogue, by number (`page`) or after a cursor (`after`, the `next` of
 * the page before). Both answer `next`; a cursor page costs the same however deep it is.
 */
export async function pageProducts(db: Db, query: PageProductsQuery): Promise<ProductPage> {
  const filters = toFilters(query);
  const sort = query.sort ?? 'id';
  const after = query.after === undefined ? undefined : decodeCursor(query.after, sort);
  const counting = countProducts(db, filters);
  const start = after ? { after, skip: 0 } : await numberedPageStart(db, filters, sort, (query.page - 1) * query.per_page);
  // One row more than the page tells whether there is a next page.
  const limit = query.per_page + 1;
  const search = await nameSearchFor(db, filters, counting, start.skip + limit);
  const [rows, total] = await Promise.all([repo.findProductsPage(db, filters, sort, start, limit, search), counting]);
  const items = rows.slice(0, query.per_page);
  const last = items.at(-1);
  return {
    items: items.map(toProductResponse),
    page: after ? null : query.page,
    per_page: query.per_page,
    total,
    pages: pageCount(total, query.per_page),
    next: rows.length > query.per_page && last ? encodeCursor(repo.sortKeyOf(last, sort), sort) : null,
  };
}

function countProducts(db: Db, filters: repo.ProductFilters): Promise<number> {
  return productCounts.get(db, JSON.stringify(filters), () => repo.countProducts(db, filters));
}

/**
 * Where the page `offset` rows into a listing starts: after its nearest checkpoint, if it is
 * deep enough to have one. A name search has none: its matches are found (trigram index, or
 * a pass over the names) and sorted before any is skipped, so skipping is cheap there, and
 * each checkpoint would search again.
 */
async function numberedPageStart(
  db: Db,
  filters: repo.ProductFilters,
  sort: ProductSort,
  offset: number,
): Promise<repo.PageStart> {
  if (offset < CHECKPOINT_EVERY || filters.nameContains) return { skip: offset };
  const checkpoints = await listingCheckpoints.get(db, `${sort} ${JSON.stringify(filters)}`, () =>
    repo.findCheckpoints(db, filters, sort, CHECKPOINT_EVERY),
  );
  // The listing may have shrunk since its checkpoints were taken: start from the last one.
  const passed = Math.min(Math.floor(offset / CHECKPOINT_EVERY), checkpoints.length);
  if (passed === 0) return { skip: offset };
  return { after: checkpoints[passed - 1], skip: offset - passed * CHECKPOINT_EVERY };
}

/**
 * For a name search on SQLite, reads the listing in sort order when that reads fewer rows
 * than the trigram index would return (PostgreSQL's planner chooses for itself). If
 * `matches` of the live products match, filling a page that ends `pageEnd` rows into the
 * results reads about pageEnd × live / matches rows. Only this choice waits for the count;
 * other listings count beside reading their page.
 */
async function nameSearchFor(
  db: Db,
  filters: repo.ProductFilters,
  counting: Promise<number>,
  pageEnd: number,
): Promise<repo.NameSearch> {
  if (!filters.nameContains || isPostgres(db)) return 'trigrams';
  const [matches, live] = await Promise.all([counting, countProducts(db, {})]);
  return matches > 0 && (pageEnd * live) / matches < matches ? 'sort-order' : 'trigrams';
}

/** A cursor is the sort it belongs to and the last row's sort key, as base64url JSON. */
function encodeCursor(key: repo.SortKey, sort: ProductSort): string {
  return Buffer.from(JSON.stringify([sort, key.value, key.id])).toString('base64url');
}

function decodeCursor(cursor: string, sort: ProductSort): repo.SortKey {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parts = undefined;
  }
  if (!Array.isArray(parts) || parts.length !== 3 || parts[0] !== sort) {
    throw new BadRequestError('after is not a cursor of this listing: pass the next of a page with the same sort.');
  }
  const [, value, id] = parts as [string, unknown, unknown];
  if (!repo.fitsSortColumn(sort, value) || !Number.isSafeInteger(id) || (id as number) < 1) {
    throw new BadRequestError('after is not a valid cursor.');
  }
  return { value: value as repo.SortKey['value'], id: id as number };
}

export async function getProduct(db: Db, id: number): Promise<ProductResponse> {
  return toProductResponse(await findLiveProduct(db, id));
}

/** The live product row, for other modules' rules (stock, price); 404 when it is unknown or deleted. */
export async function findLiveProduct(db: Db, id: number): Promise<ProductRow> {
  const row = await repo.findProductById(db, id);
  if (!row) throw new NotFoundError('Product');
  return row;
}

export async function createProduct(db: Db, input: CreateProductBody): Promise<ProductResponse> {
  const now = new Date().toISOString();
  const row = await repo.insertProduct(db, {
    product_name: input.product_name,
    price_cents: toCents(input.price),
    description: input.description ?? null,
    stock: input.stock ?? null,
    created_at: now,
    updated_at: now,
  });
  forgetListings(db);
  return toProductResponse(row);
}

export async function updateProduct(db: Db, id: number, patch: UpdateProductBody): Promise<ProductResponse> {
  const { price, ...fields } = patch;
  const update: ProductRowUpdate = { ...fields, updated_at: new Date().toISOString() };
  if (price !== undefined) update.price_cents = toCents(price);
  const row = await repo.updateProductById(db, id, update);
  if (!row) throw new NotFoundError('Product');
  forgetListings(db);
  return toProductResponse(row);
}

/** Soft delete: the product leaves the catalogue and every cart; orders keep their own copy of name and price. */
export async function deleteProduct(db: Db, id: number): Promise<void> {
  const now = new Date().toISOString();
  await inTransaction(db, async (trx) => {
    const row = await repo.updateProductById(trx, id, { deleted_at: now, updated_at: now });
    if (!row) throw new NotFoundError('Product');
    await removeProductFromCarts(trx, id);
  });
  forgetListings(db);
}

/** The live products among `ids`, by id. */
export async function findLiveProducts(db: Db, ids: number[]): Promise<Map<number, ProductRow>> {
  const rows = await repo.findLiveProductsByIds(db, ids);
  return new Map(rows.map((row) => [row.id, row]));
}

export function takeStock(db: Db, productId: number, quantity: number): Promise<boolean> {
  return repo.decrementStock(db, productId, quantity);
}

export function returnStock(db: Db, productId: number, quantity: number): Promise<void> {
  return repo.incrementStock(db, productId, quantity);
}

/** This process changed the catalogue: its totals and checkpoints are worked out again. */
function forgetListings(db: Db): void {
  productCounts.forget(db);
  listingCheckpoints.forget(db);
}

function toFilters(query: ListProductsQuery): repo.ProductFilters {
  const filters: repo.ProductFilters = {
    nameContains: query.q,
    minPriceCents: query.min_price === undefined ? undefined : toCents(query.min_price),
    maxPriceCents: query.max_price === undefined ? undefined : toCents(query.max_price),
  };
  if (
    filters.minPriceCents !== undefined &&
    filters.maxPriceCents !== undefined &&
    filters.minPriceCents > filters.maxPriceCents
  ) {
    throw new BadRequestError('min_price must not be greater than max_price.');
  }
  return filters;
}

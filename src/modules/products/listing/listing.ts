import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Db, ProductRow } from '../../../db/database.js';
import { ServiceUnavailableError } from '../../../shared/errors.js';
import { Gate } from '../../../shared/gate.js';
import { pageCount } from '../../../shared/schemas.js';
import { ListingCache } from './cache.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { type PageStart, type ProductFilters, type ProductSort, type SortKey, sortKeyOf } from './model.js';
import { countProducts, dialectOf, findProductsPage, liveProducts } from './queries.js';

// The listing engine: the catalogue's pages and its whole-catalogue stream, fast at any
// depth and fair to other requests. Its invariants are written in README.md beside this file.

/**
 * Each filtered listing's total, for a second or longer if counting was slow: counting reads
 * every match, most of a page's cost otherwise (the unfiltered total is one row).
 */
const productCounts = new ListingCache<number>(1000, 1000);

/**
 * A deep numbered page starts after the nearest checkpoint before it (a sort key every
 * CHECKPOINT_EVERY rows of its listing) and skips fewer than that many rows, instead of all
 * the rows before it. Checkpoints cost one pass over the listing and are kept for 5 s, or
 * longer if the pass was slow. On 1,000,000 products a listing's checkpoints take about
 * 5,000 keys, hence the few kept.
 */
const CHECKPOINT_EVERY = 200;
const listingCheckpoints = new ListingCache<SortKey[]>(5000, 16);

/**
 * Long passes over the catalogue, bounded in number at once: each holds the database (and
 * on SQLite the event loop, between its pauses) for a while, so a flood of distinct deep
 * pages or whole-catalogue reads waits its turn, or past a short queue is told to come back.
 * A stream takes its place for each batch it reads, not for as long as its client takes to
 * read it, so slow readers hold no place while they dawdle.
 */
const checkpointPasses = new Gate(2, 32, () => new ServiceUnavailableError('The catalogue is busy with deep pages; try again shortly.', 1));
const wholeCatalogueReads = new Gate(2, 8, () => new ServiceUnavailableError('Too many whole-catalogue reads at once; try again shortly, or page with /products/p.', 2));

const STREAM_BATCH = 500;

export interface PageRequest {
  page: number;
  perPage: number;
  /** The `next` of the page before; then `page` is ignored. */
  after: string | undefined;
}

export interface ListingPage {
  rows: ProductRow[];
  page: number | null;
  per_page: number;
  total: number;
  pages: number;
  next: string | null;
}

/**
 * One page of the catalogue, by number or after a cursor. Both answer `next`; a cursor
 * page costs the same however deep it is.
 */
export async function pageListing(db: Db, filters: ProductFilters, sort: ProductSort, request: PageRequest): Promise<ListingPage> {
  const after = request.after === undefined ? undefined : decodeCursor(request.after, sort);
  const counting = countListing(db, filters);
  const start = after ? { after, skip: 0 } : await numberedPageStart(db, filters, sort, (request.page - 1) * request.perPage);
  // One row more than the page tells whether there is a next page.
  const limit = request.perPage + 1;
  const search = filters.nameContains
    ? await dialectOf(db).chooseNameSearch(counting, () => countListing(db, {}), start.skip + limit)
    : undefined;
  const [rows, total] = await Promise.all([findProductsPage(db, filters, sort, start, limit, search), counting]);
  const items = rows.slice(0, request.perPage);
  const last = items.at(-1);
  return {
    rows: items,
    page: after ? null : request.page,
    per_page: request.perPage,
    total,
    pages: pageCount(total, request.perPage),
    next: rows.length > request.perPage && last ? encodeCursor(sortKeyOf(last, sort), sort) : null,
  };
}

/**
 * The whole (filtered) listing as a JSON array, written batch by batch so memory stays flat
 * however large the catalogue is, with a turn of the event loop between batches so other
 * requests run meanwhile. The first batch is read before anything is sent, so a failing
 * database is still a proper 503; a failure later can only cut the stream short. Batches are
 * separate queries: a product changed during a long listing may show either way.
 */
export async function streamListing(db: Db, filters: ProductFilters, sort: ProductSort, toJson: (row: ProductRow) => unknown): Promise<Readable> {
  // The first batch may be refused (503 before anything is sent); later ones wait their turn.
  const first = await wholeCatalogueReads.run(() => findProductsPage(db, filters, sort, { skip: 0 }, STREAM_BATCH));
  return Readable.from(jsonArray(db, filters, sort, first, toJson), { objectMode: false });
}

async function* jsonArray(db: Db, filters: ProductFilters, sort: ProductSort, first: ProductRow[], toJson: (row: ProductRow) => unknown) {
  yield '[';
  let batch = first;
  let separator = '';
  while (batch.length > 0) {
    let chunk = '';
    for (const row of batch) {
      chunk += separator + JSON.stringify(toJson(row));
      separator = ',';
    }
    yield chunk;
    const last = batch.at(-1);
    if (batch.length < STREAM_BATCH || !last) break;
    await nextTurn();
    const after = sortKeyOf(last, sort);
    batch = await wholeCatalogueReads.run(() => findProductsPage(db, filters, sort, { after, skip: 0 }, STREAM_BATCH), true);
  }
  yield ']';
}

/** This process changed the catalogue: its totals and checkpoints are worked out again. */
export function forgetListings(db: Db): void {
  productCounts.forget(db);
  listingCheckpoints.forget(db);
}

function countListing(db: Db, filters: ProductFilters): Promise<number> {
  return productCounts.get(db, JSON.stringify(filters), () => countProducts(db, filters));
}

/**
 * Where the page `offset` rows into a listing starts: after its nearest checkpoint, if it is
 * deep enough to have one. A name search has none: its matches are found (trigram index, or
 * a pass over the names) and sorted before any is skipped, so skipping is cheap there, and
 * each checkpoint would search again.
 */
async function numberedPageStart(db: Db, filters: ProductFilters, sort: ProductSort, offset: number): Promise<PageStart> {
  if (offset < CHECKPOINT_EVERY || filters.nameContains) return { skip: offset };
  const checkpoints = await listingCheckpoints.get(db, `${sort} ${JSON.stringify(filters)}`, () =>
    checkpointPasses.run(() => dialectOf(db).findCheckpoints(db, () => liveProducts(db, filters), sort, CHECKPOINT_EVERY, () => nextTurn())),
  );
  // The listing may have shrunk since its checkpoints were taken: start from the last one.
  const passed = Math.min(Math.floor(offset / CHECKPOINT_EVERY), checkpoints.length);
  const checkpoint = checkpoints[passed - 1];
  if (!checkpoint) return { skip: offset };
  return { after: checkpoint, skip: offset - passed * CHECKPOINT_EVERY };
}

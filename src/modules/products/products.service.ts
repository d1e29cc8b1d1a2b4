import { Readable } from 'node:stream';
import type { Db, ProductRow, ProductRowUpdate } from '../../db/database.js';
import { inTransaction } from '../../db/transaction.js';
import { removeProductFromCarts } from '../cart/cart.service.js';
import { BadRequestError, NotFoundError } from '../../shared/errors.js';
import { toCents, toMajor } from '../../shared/money.js';
import { pageCount } from '../../shared/schemas.js';
import { CountCache } from './count-cache.js';
import * as repo from './products.repository.js';

const productCounts = new CountCache();
import type {
  CreateProductBody,
  ListProductsQuery,
  PageProductsQuery,
  ProductResponse,
  UpdateProductBody,
} from './products.schemas.js';

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
  const first = await repo.findProductsAfter(db, filters, sort, undefined, STREAM_BATCH);
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
      batch = await repo.findProductsAfter(db, filters, sort, batch.at(-1), STREAM_BATCH);
    }
    yield ']';
  }
  return Readable.from(json(), { objectMode: false });
}

export async function pageProducts(db: Db, query: PageProductsQuery) {
  const filters = toFilters(query);
  const [rows, total] = await Promise.all([
    repo.findProducts(db, filters, query.sort ?? 'id', {
      limit: query.per_page,
      offset: (query.page - 1) * query.per_page,
    }),
    productCounts.get(db, JSON.stringify(filters), () => repo.countProducts(db, filters)),
  ]);
  return {
    items: rows.map(toProductResponse),
    page: query.page,
    per_page: query.per_page,
    total,
    pages: pageCount(total, query.per_page),
  };
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
  productCounts.forget(db);
  return toProductResponse(row);
}

export async function updateProduct(db: Db, id: number, patch: UpdateProductBody): Promise<ProductResponse> {
  const { price, ...fields } = patch;
  const update: ProductRowUpdate = { ...fields, updated_at: new Date().toISOString() };
  if (price !== undefined) update.price_cents = toCents(price);
  const row = await repo.updateProductById(db, id, update);
  if (!row) throw new NotFoundError('Product');
  productCounts.forget(db);
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
  productCounts.forget(db);
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

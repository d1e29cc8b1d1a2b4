import type { Readable } from 'node:stream';
import type { Db, ProductRow, ProductRowUpdate, Queryable, Trx } from '../../db/database.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { toCents, toMajor } from '../../shared/money.js';
import { forgetListings, pageListing, streamListing } from './listing/listing.js';
import type { ProductFilters } from './listing/model.js';
import * as repo from './products.repository.js';
import type {
  CreateProductBody,
  ListProductsQuery,
  PageProductsQuery,
  ProductPage,
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
    requires_shipping: row.requires_shipping === 1,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** The whole (filtered) catalogue as a stream of one JSON array (see listing/listing.ts). */
export function streamProducts(db: Db, query: ListProductsQuery): Promise<Readable> {
  return streamListing(db, toFilters(query), query.sort ?? 'id', toProductResponse);
}

/** One page of the catalogue, by number (`page`) or after a cursor (`after`, the `next` of the page before). */
export async function pageProducts(db: Db, query: PageProductsQuery): Promise<ProductPage> {
  const { rows, ...page } = await pageListing(db, toFilters(query), query.sort ?? 'id', {
    page: query.page,
    perPage: query.per_page,
    after: query.after,
  });
  return { items: rows.map(toProductResponse), ...page };
}

export const findLowStockProducts = repo.findLowStockProducts;

export async function getProduct(db: Db, id: number): Promise<ProductResponse> {
  return toProductResponse(await findLiveProduct(db, id));
}

/** The live product row, for other modules' rules (stock, price); 404 when it is unknown or deleted. */
export async function findLiveProduct(db: Queryable, id: number): Promise<ProductRow> {
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
    requires_shipping: input.requires_shipping === false ? 0 : 1,
    created_at: now,
    updated_at: now,
  });
  forgetListings(db);
  return toProductResponse(row);
}

export async function updateProduct(db: Db, id: number, patch: UpdateProductBody): Promise<ProductResponse> {
  const { price, requires_shipping: requiresShipping, ...fields } = patch;
  const update: ProductRowUpdate = { ...fields, updated_at: new Date().toISOString() };
  if (price !== undefined) update.price_cents = toCents(price);
  if (requiresShipping !== undefined) update.requires_shipping = requiresShipping ? 1 : 0;
  const row = await repo.updateProductById(db, id, update);
  if (!row) throw new NotFoundError('Product');
  forgetListings(db);
  return toProductResponse(row);
}

/**
 * Soft delete, inside the caller's transaction: the product leaves the catalogue; orders
 * keep their own copy of name and price. What else it leaves (every cart) is the use
 * case's (use-cases/delete-product.ts), which also calls productsChanged after the commit.
 */
export async function deleteProduct(trx: Trx, id: number): Promise<void> {
  const now = new Date().toISOString();
  const row = await repo.updateProductById(trx, id, { deleted_at: now, updated_at: now });
  if (!row) throw new NotFoundError('Product');
}

/** This process changed the catalogue outside this module's own functions. */
export function productsChanged(db: Db): void {
  forgetListings(db);
}

/** Takes units of a tracked product; false when fewer are left. The one way an order takes stock on its own. */
export function takeStock(trx: Trx, productId: number, quantity: number): Promise<boolean> {
  return repo.decrementStock(trx, productId, quantity);
}

/** The same, as a step of a larger PostgreSQL statement (the order placed in one statement). */
export const takeStockStep = repo.decrementStockStep;

export function returnStock(trx: Trx, productId: number, quantity: number): Promise<void> {
  return repo.incrementStock(trx, productId, quantity);
}

function toFilters(query: ListProductsQuery): ProductFilters {
  const filters: ProductFilters = {
    nameContains: query.q,
    minPriceCents: query.min_price === undefined ? undefined : toCents(query.min_price),
    maxPriceCents: query.max_price === undefined ? undefined : toCents(query.max_price),
  };
  if (filters.minPriceCents !== undefined && filters.maxPriceCents !== undefined && filters.minPriceCents > filters.maxPriceCents) {
    throw new ValidationError('/querystring/min_price', 'must not be greater than max_price');
  }
  return filters;
}

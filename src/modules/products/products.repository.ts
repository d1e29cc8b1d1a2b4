import { type RawBuilder, sql } from 'kysely';
import type { NewProductRow, ProductRow, ProductRowUpdate, Queryable, Trx } from '../../db/database.js';
import { compileOnce } from '../../db/compile-once.js';

// The only file that writes products.stock: every way stock is taken or put back is here.

const liveProductById = compileOnce((db, p: { id: number }) =>
  db.selectFrom('products').selectAll().where('id', '=', p.id).where('deleted_at', 'is', null),
);

export async function findProductById(db: Queryable, id: number): Promise<ProductRow | undefined> {
  return (await liveProductById(db, { id })).rows[0];
}

/** Live, tracked products with at most `threshold` in stock, the fewest first. */
export function findLowStockProducts(db: Queryable, threshold: number, limit: number) {
  return db
    .selectFrom('products')
    .select(['id', 'product_name', 'stock'])
    .where('deleted_at', 'is', null)
    .where('stock', '<=', threshold)
    .orderBy('stock')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export function insertProduct(db: Queryable, row: NewProductRow): Promise<ProductRow> {
  return db.insertInto('products').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateProductById(db: Queryable, id: number, patch: ProductRowUpdate): Promise<ProductRow | undefined> {
  return db
    .updateTable('products')
    .set(patch)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Takes `quantity` units if that many are left, in one conditional update, so two buyers
 * can never both take the last unit. False when the stock was short.
 */
const takeFromStock = compileOnce((db, p: { id: number; quantity: number }) =>
  db
    .updateTable('products')
    .set((eb) => ({ stock: eb('stock', '-', p.quantity) }))
    .where('id', '=', p.id)
    .where('stock', '>=', p.quantity),
);

export async function decrementStock(trx: Trx, id: number, quantity: number): Promise<boolean> {
  const result = await takeFromStock(trx, { id, quantity });
  return Number(result.numAffectedRows) === 1;
}

/**
 * The same taking of stock as a step of a larger PostgreSQL statement (the order placed in
 * one statement): for each row of `lines` (product_id, quantity, and the stock it read),
 * when `go` holds, a tracked product loses that many units. Those rows were locked and
 * checked earlier in the statement, and the new stock is worked out from the locked value:
 * `p.stock` here is the row as the statement's snapshot saw it, which may be older than the
 * locked one (a restock committed while the order waited for its lock). The lock is held
 * until the commit, so the locked value is the latest.
 */
export function decrementStockStep(lines: string, go: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`update products p set stock = l.stock - l.quantity from ${sql.table(lines)} l
    where ${go} and p.id = l.product_id and l.stock is not null`;
}

/** Puts units back (a cancelled order); a product that is no longer tracked stays untracked. */
export async function incrementStock(trx: Trx, id: number, quantity: number): Promise<void> {
  await trx
    .updateTable('products')
    .set((eb) => ({ stock: eb('stock', '+', quantity) }))
    .where('id', '=', id)
    .where('stock', 'is not', null)
    .execute();
}

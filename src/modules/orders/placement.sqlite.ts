import { sql } from 'kysely';
import type { Trx } from '../../db/database.js';
import { compileOnce } from '../../db/compile-once.js';
import { inTransaction } from '../../db/engine.js';
import { takePendingOrderSlot } from '../customers/customers.service.js';
import { takeStock } from '../products/products.service.js';
import * as repo from './orders.repository.js';
import {
  type NewOrder,
  type OrderWriter,
  VERDICT_COLUMNS,
  type VerdictDialect,
  type VerdictRow,
  type Written,
  compilable,
  soldLines,
  verdictOf,
  totalOf,
  verdictSteps,
} from './placement.js';

/**
 * The verdict, compiled once: the lines arrive as one JSON text of [product id, quantity]
 * pairs (one SQL text whatever their number). SQLite's transactions hold the write lock from
 * their start, so its reads need no row locks.
 */
const readVerdict = compileOnce((db, p: { lines: string; customerId: number; maxPendingOrders: number }) => {
  const dialect: VerdictDialect = { lines: sql`select value ->> 0, value ->> 1 from json_each(${p.lines})`, lockRows: sql`` };
  return compilable(db, sql<VerdictRow>`with ${verdictSteps(p, dialect)} select ${VERDICT_COLUMNS} from checked c order by c.product_id`);
});

/**
 * SQLite, where a statement costs microseconds and has no writes inside WITH: the verdict
 * is read, then, when it allows the order, each write is its own statement in the same
 * transaction. The stock and the pending count are still taken by conditional updates,
 * which the verdict has already made sure succeed.
 */
export const sqliteOrderWriter: OrderWriter = {
  place: (db, order) => inTransaction(db, (trx) => placeIn(trx, order)),
  placeIn,
};

async function placeIn(trx: Trx, order: NewOrder): Promise<Written> {
  const lines = JSON.stringify(order.lines.map((line) => [line.product_id, line.quantity]));
  const { rows } = await readVerdict(trx, { lines, customerId: order.customerId, maxPendingOrders: order.maxPendingOrders });
  const { allowed, ...written } = verdictOf(rows);
  if (!allowed) return written;

  const items = soldLines(written);
  for (const item of items) {
    if (item.stock_taken && !(await takeStock(trx, item.product_id, item.quantity))) throw new Error('stock changed under the write lock');
  }
  if (!(await takePendingOrderSlot(trx, order.customerId, order.maxPendingOrders))) throw new Error('pending orders changed under the write lock');
  const orderId = await repo.insertOrder(trx, order.customerId, totalOf(items), order.now);
  await repo.insertOrderItems(trx, items.map((item) => ({ ...item, order_id: orderId })));
  await repo.insertOrderEvent(trx, orderId, 'pending', 'Order placed', order.now);
  return { ...written, orderId };
}

import { sql } from 'kysely';
import type { Trx } from '../../db/database.js';
import { compilable, compileOnce } from '../../db/compile-once.js';
import { inTransaction } from '../../db/engine.js';
import { takePendingOrderSlot } from '../customers/customers.service.js';
import { recordEventText } from '../events/events.service.js';
import { takeStock } from '../products/products.service.js';
import * as repo from './orders.repository.js';
import { type OrderWriter, VERDICT_COLUMNS, placedEventData, type VerdictDialect, type VerdictRow, verdictOf, verdictSteps } from './placement.js';

/**
 * The verdict, compiled once: the lines arrive as one JSON text of [product id, quantity,
 * price or null] triples (one SQL text whatever their number). SQLite's transactions hold
 * the write lock from their start, so its reads need no row locks.
 */
const readVerdict = compileOnce((db, p: { lines: string; customerId: number | null; maxPendingOrders: number }) => {
  const dialect: VerdictDialect = {
    lines: sql`select value ->> 0, value ->> 1, value ->> 2 from json_each(${p.lines})`,
    lockRows: sql``,
  };
  return compilable(db, sql<VerdictRow>`with ${verdictSteps(p, dialect)} select ${VERDICT_COLUMNS} from checked c order by c.product_id`);
});

/**
 * SQLite, where a statement costs microseconds and has no writes inside WITH: a placement
 * is one transaction holding the write lock, so the check made at its start still holds
 * when it writes; each write is its own statement. The stock and the pending count are still
 * taken by conditional updates, which the check has already made sure succeed.
 */
export const sqliteOrderWriter: OrderWriter = {
  unit: (db, placement) => inTransaction(db, (trx) => placement(trx)),
  checkIsFinal: true,
  async check(q, order) {
    const lines = JSON.stringify(order.lines.map((line) => [line.product_id, line.quantity, null]));
    const { rows } = await readVerdict(q, { lines, customerId: order.customerId, maxPendingOrders: order.maxPendingOrders });
    return verdictOf(rows);
  },
  async write(q, order, event) {
    const trx = q as Trx; // unit() runs every SQLite placement in a transaction
    for (const line of order.lines) {
      if (line.stock_taken && !(await takeStock(trx, line.product_id, line.quantity))) throw new Error('stock changed under the write lock');
    }
    if (order.customerId !== null && !(await takePendingOrderSlot(trx, order.customerId, order.maxPendingOrders))) {
      throw new Error('pending orders changed under the write lock');
    }
    const orderId = await repo.insertOrder(trx, order.customerId, order.record, order.now);
    await repo.insertOrderItems(trx, order.lines.map(({ product_id, product_name, unit_price_cents, quantity, line_total_cents, stock_taken, tax_cents }) => ({
      order_id: orderId, product_id, product_name, unit_price_cents, quantity, line_total_cents, stock_taken, tax_cents,
    })));
    await repo.insertOrderEvent(trx, orderId, 'pending', 'Order placed', order.now);
    await recordEventText(trx, 'order.placed', placedEventData(event, orderId), order.now, event.id);
    return { orderId, allowed: true, lines: [], roomFree: 1, customerEmail: null };
  },
};

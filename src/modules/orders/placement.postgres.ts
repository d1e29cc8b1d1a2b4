import { sql } from 'kysely';
import type { Queryable } from '../../db/database.js';
import { compileOnce } from '../../db/compile-once.js';
import { engineOf } from '../../db/engine.js';
import { countPendingStep } from '../customers/customers.service.js';
import { takeStockStep } from '../products/products.service.js';
import {
  type NewOrder,
  type OrderWriter,
  VERDICT_COLUMNS,
  type VerdictDialect,
  type VerdictRow,
  type Written,
  compilable,
  verdictOf,
  verdictSteps,
} from './placement.js';

type Values = {
  productIds: number[];
  quantities: number[];
  customerId: number;
  maxPendingOrders: number;
  now: string;
};

/**
 * The whole order in one statement, compiled once. The lines arrive as two arrays (one SQL
 * text whatever their number, so one prepared statement); the verdict's reads lock the
 * lines' products and the customer's row.
 */
const placeOrderStatement = compileOnce((db, p: Values) => {
  const dialect: VerdictDialect = {
    lines: sql`select * from unnest(cast(${p.productIds} as integer[]), cast(${p.quantities} as integer[]))`,
    lockRows: sql`for no key update`,
  };
  const go = sql`(select ok from verdict) = 1`;
  return compilable(
    db,
    sql<VerdictRow>`
      with ${verdictSteps(p, dialect)},
      taken as (${takeStockStep('checked', go)}),
      counted as (${countPendingStep(p.customerId, 'room', go)}),
      placed as (
        insert into orders (customer_id, status, total_cents, created_at, updated_at)
        select ${p.customerId}, 'pending', sum(c.price_cents * c.quantity)::bigint, ${p.now}, ${p.now}
        from checked c where ${go} having count(*) > 0
        returning id
      ),
      placed_lines as (
        insert into order_items (order_id, product_id, product_name, unit_price_cents, quantity, line_total_cents, stock_taken)
        select o.id, c.product_id, c.product_name, c.price_cents, c.quantity, c.price_cents * c.quantity,
          case when c.stock is null then 0 else 1 end
        from placed o cross join checked c
      ),
      placed_event as (
        insert into order_events (order_id, status, note, at) select o.id, 'pending', 'Order placed', ${p.now} from placed o
      )
      select (select id from placed) as order_id, ${VERDICT_COLUMNS} from checked c order by c.product_id`,
  );
});

/**
 * PostgreSQL: the whole order in one statement, atomic on its own, where step by step it
 * took seven round trips. Locked, the rows that decide are the latest and stay so, which
 * makes the verdict final; every write runs only when it allows the order. Outside a
 * transaction this needs none of its own (a BEGIN and a COMMIT would be two more round trips).
 */
export const postgresOrderWriter: OrderWriter = {
  place: (db, order) => engineOf(db).atomic(() => placeInOneStatement(db, order)),
  placeIn: placeInOneStatement,
};

async function placeInOneStatement(db: Queryable, order: NewOrder): Promise<Written> {
  const { rows } = await placeOrderStatement(db, {
    productIds: order.lines.map((line) => line.product_id),
    quantities: order.lines.map((line) => line.quantity),
    customerId: order.customerId,
    maxPendingOrders: order.maxPendingOrders,
    now: order.now,
  });
  const { allowed: _, ...written } = verdictOf(rows);
  return written;
}

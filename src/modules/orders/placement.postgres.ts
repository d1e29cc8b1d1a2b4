import { sql } from 'kysely';
import type { Queryable } from '../../db/database.js';
import { engineOf } from '../../db/engine.js';
import { takeStockStep } from '../products/products.service.js';
import { type NewOrder, type OrderWriter, VERDICT_COLUMNS, type VerdictDialect, type VerdictRow, type Written, readVerdict, verdictSteps } from './placement.js';

/** The lines as two arrays (one SQL text whatever their number, so one prepared statement), and row locks on what decides. */
const postgresVerdict: VerdictDialect = {
  lines: (lines) =>
    sql`select * from unnest(cast(${lines.map((line) => line.product_id)} as integer[]), cast(${lines.map((line) => line.quantity)} as integer[]))`,
  lockRows: sql`for no key update`,
};

/**
 * PostgreSQL: the whole order in one statement, atomic on its own, where step by step it
 * took seven round trips. The verdict's reads lock the lines' products and the customer's
 * row; locked, they are the latest and stay so, which makes the verdict final. Every write
 * below runs only when it allows the order. Outside a transaction this needs none of its
 * own (a BEGIN and a COMMIT would be two more round trips).
 */
export const postgresOrderWriter: OrderWriter = {
  place: (db, order) => engineOf(db).atomic(() => placeInOneStatement(db, order)),
  placeIn: placeInOneStatement,
};

async function placeInOneStatement(db: Queryable, order: NewOrder): Promise<Written> {
  const go = sql`(select ok from verdict) = 1`;
  const { rows } = await sql<VerdictRow>`
    with ${verdictSteps(order, postgresVerdict)},
    taken as (${takeStockStep('checked', go)}),
    counted as (
      update customers set pending_orders = pending_orders + 1 where id = ${order.customerId} and ${go}
    ),
    placed as (
      insert into orders (customer_id, status, total_cents, created_at, updated_at)
      select ${order.customerId}, 'pending', sum(c.price_cents * c.quantity)::bigint, ${order.now}, ${order.now}
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
      insert into order_events (order_id, status, note, at) select o.id, 'pending', 'Order placed', ${order.now} from placed o
    )
    select (select id from placed) as order_id, ${VERDICT_COLUMNS} from checked c order by c.product_id`.execute(db);
  const { allowed: _, ...written } = readVerdict(rows);
  return written;
}

import { sql } from 'kysely';
import { compilable, compileOnce } from '../../db/compile-once.js';
import { engineOf } from '../../db/engine.js';
import { countPendingStep } from '../customers/customers.service.js';
import { recordEventStep } from '../events/events.service.js';
import { takeStockStep } from '../products/products.service.js';
import { ORDER_RECORD_COLUMNS } from './orders.repository.js';
import {
  PLACED_EVENT_BEFORE_ID,
  type OrderRecord,
  type OrderWriter,
  VERDICT_COLUMNS,
  type VerdictDialect,
  type VerdictRow,
  verdictOf,
  verdictSteps,
} from './placement.js';

type LineArrays = {
  productIds: number[];
  quantities: number[];
  /** The prices the order was priced at; nulls for a check before pricing. */
  prices: (number | null)[];
  customerId: number | null;
  maxPendingOrders: number;
};

type WriteValues = LineArrays & OrderRecord & { lineTotals: number[]; taxes: number[]; now: string; eventId: string; eventAfterId: string };

/** The lines as rows: arrays in (one SQL text whatever their number, so one prepared statement). */
function linesOf(p: LineArrays) {
  return sql`select * from unnest(cast(${p.productIds} as integer[]), cast(${p.quantities} as integer[]), cast(${p.prices} as bigint[]))`;
}

/** The verdict without writes or locks: what the order would find. */
const checkStatement = compileOnce((db, p: LineArrays) => {
  const dialect: VerdictDialect = { lines: linesOf(p), lockRows: sql`` };
  return compilable(db, sql<VerdictRow>`with ${verdictSteps(p, dialect)} select ${VERDICT_COLUMNS} from checked c order by c.product_id`);
});

/**
 * The whole order in one statement, compiled once: the verdict's reads lock the lines'
 * products and the customer's row, and every write runs only when it allows the order.
 */
const placeOrderStatement = compileOnce((db, p: WriteValues) => {
  const dialect: VerdictDialect = { lines: linesOf(p), lockRows: sql`for no key update` };
  const go = sql`(select ok from verdict) = 1`;
  const record = ORDER_RECORD_COLUMNS.map((column) => sql`${p[column]}`);
  return compilable(
    db,
    sql<VerdictRow>`
      with ${verdictSteps(p, dialect)},
      priced (product_id, line_total_cents, tax_cents) as (
        select * from unnest(cast(${p.productIds} as integer[]), cast(${p.lineTotals} as bigint[]), cast(${p.taxes} as bigint[]))
      ),
      taken as (${takeStockStep('checked', go)}),
      counted as (${countPendingStep(p.customerId, 'room', go)}),
      placed as (
        insert into orders (customer_id, status, created_at, updated_at, ${sql.join(ORDER_RECORD_COLUMNS.map((column) => sql.ref(column)))})
        select cast(${p.customerId} as integer), 'pending', ${p.now}, ${p.now}, ${sql.join(record)}
        where ${go}
        returning id
      ),
      placed_lines as (
        insert into order_items (order_id, product_id, product_name, unit_price_cents, quantity, line_total_cents, stock_taken, tax_cents)
        select o.id, c.product_id, c.product_name, c.price_cents, c.quantity, pr.line_total_cents,
          case when c.stock is null then 0 else 1 end, pr.tax_cents
        from placed o cross join checked c join priced pr on pr.product_id = c.product_id
      ),
      placed_history as (
        insert into order_events (order_id, status, note, at) select o.id, 'pending', 'Order placed', ${p.now} from placed o
      ),
      placed_event as (
        ${recordEventStep('placed', 'order.placed', p.eventId, sql`${PLACED_EVENT_BEFORE_ID} || cast(placed.id as text) || ',' || ${p.eventAfterId} || '}'`, p.now)}
      )
      select (select id from placed) as order_id, ${VERDICT_COLUMNS} from checked c order by c.product_id`,
  );
});

/**
 * PostgreSQL: the check is one read, and the write the whole order in one statement,
 * atomic on its own, that decides again on rows it locks (so a stock or a price changed
 * since the check is seen, and the order is refused or priced again). Outside a transaction
 * a placement needs none of its own (a BEGIN and a COMMIT would be two more round trips).
 */
export const postgresOrderWriter: OrderWriter = {
  unit: (db, placement) => placement(db),
  checkIsFinal: false,
  async check(q, order) {
    const { rows } = await checkStatement(q, {
      productIds: order.lines.map((line) => line.product_id),
      quantities: order.lines.map((line) => line.quantity),
      prices: order.lines.map(() => null),
      customerId: order.customerId,
      maxPendingOrders: order.maxPendingOrders,
    });
    return verdictOf(rows);
  },
  write: (q, order, event) =>
    engineOf(q).atomic(async () => {
      const { rows } = await placeOrderStatement(q, {
        productIds: order.lines.map((line) => line.product_id),
        quantities: order.lines.map((line) => line.quantity),
        prices: order.lines.map((line) => line.unit_price_cents),
        lineTotals: order.lines.map((line) => line.line_total_cents),
        taxes: order.lines.map((line) => line.tax_cents),
        customerId: order.customerId,
        maxPendingOrders: order.maxPendingOrders,
        now: order.now,
        eventId: event.id,
        eventAfterId: event.afterId,
        ...order.record,
      });
      return verdictOf(rows);
    }),
};

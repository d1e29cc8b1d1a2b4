import { sql } from 'kysely';
import type { Db, OrderItemRow, OrderRow } from '../../db/database.js';
import { compileOnce } from '../../db/compile-once.js';

// Runs with every order placed; bound in column order.
const insertPendingOrder = compileOnce((db, customerId: number, status: string, totalCents: number, createdAt: string, updatedAt: string) =>
  db
    .insertInto('orders')
    .values({ customer_id: customerId, status, total_cents: totalCents, created_at: createdAt, updated_at: updatedAt })
    .returningAll(),
);

export async function insertOrder(db: Db, customerId: number, totalCents: number, now: string): Promise<OrderRow> {
  return (await insertPendingOrder(db, customerId, 'pending', totalCents, now, now)).rows[0]!;
}

/** A line of an order, with its product as writeOrderInOneStatement found it. */
export interface FoundLine {
  product_id: number;
  product_name: string;
  price_cents: number;
  quantity: number;
  /** The stock before this order (null: not tracked). */
  stock: number | null;
}

/**
 * PostgreSQL only (SQLite has no writes inside WITH): the whole order in one statement,
 * atomic on its own, where step by step it took seven round trips. It locks the live
 * products of the lines in id order (so concurrent orders cannot deadlock); locked, their
 * stock is the latest and stays so, which decides whether the order fits: every product
 * found and every tracked stock enough. Only then does it take the stock and write the
 * order, its lines and its first history line; otherwise it writes nothing.
 *
 * Returns the order's id (undefined when nothing was written) and each line whose product
 * was found, with the stock it had: where the order did not fit, the caller finds why there.
 */
export async function writeOrderInOneStatement(
  db: Db,
  customerId: number,
  lines: { product_id: number; quantity: number }[],
  now: string,
): Promise<{ orderId: number | undefined; lines: FoundLine[] }> {
  const ids = lines.map((line) => line.product_id);
  const quantities = lines.map((line) => line.quantity);
  const { rows } = await sql<FoundLine & { order_id: number | null }>`
    with lines (product_id, quantity) as (
      select * from unnest(${ids}::integer[], ${quantities}::integer[])
    ),
    found as (
      select p.id, p.product_name, p.price_cents, p.stock, l.quantity
      from products p join lines l on l.product_id = p.id
      where p.deleted_at is null
      order by p.id
      for no key update of p
    ),
    fits as (
      select count(*) = ${lines.length} and bool_and(f.stock is null or f.stock >= f.quantity) as ok from found f
    ),
    taken as (
      update products p set stock = p.stock - f.quantity
      from found f
      where (select ok from fits) and p.id = f.id and p.stock is not null
    ),
    placed as (
      insert into orders (customer_id, status, total_cents, created_at, updated_at)
      select ${customerId}, 'pending', sum(f.price_cents * f.quantity)::bigint, ${now}, ${now}
      from found f where (select ok from fits) having count(*) > 0
      returning id
    ),
    placed_lines as (
      insert into order_items (order_id, product_id, product_name, unit_price_cents, quantity, line_total_cents, stock_taken)
      select o.id, f.id, f.product_name, f.price_cents, f.quantity, f.price_cents * f.quantity, case when f.stock is null then 0 else 1 end
      from placed o cross join found f
    ),
    placed_event as (
      insert into order_events (order_id, status, note, at) select o.id, 'pending', 'Order placed', ${now} from placed o
    )
    select o.id as order_id, f.id as product_id, f.product_name, f.price_cents, f.quantity, f.stock
    from found f left join placed o on true
    order by f.id`.execute(db);
  return {
    orderId: rows[0]?.order_id ?? undefined,
    lines: rows.map(({ order_id: _, ...line }) => line),
  };
}

export async function insertOrderItems(db: Db, items: OrderItemRow[]): Promise<void> {
  await db.insertInto('order_items').values(items).execute();
}

const insertEvent = compileOnce((db, orderId: number, status: string, note: string | null, at: string) =>
  db.insertInto('order_events').values({ order_id: orderId, status, note, at }),
);

export async function insertOrderEvent(db: Db, orderId: number, status: string, note: string | null, at: string) {
  await insertEvent(db, orderId, status, note, at);
}

export function findOrderById(db: Db, id: number): Promise<OrderRow | undefined> {
  return db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findOrderItems(db: Db, orderIds: number[]): Promise<OrderItemRow[]> {
  if (orderIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('order_items').selectAll().where('order_id', 'in', orderIds).orderBy('product_id').execute();
}

export function findOrderEvents(db: Db, orderId: number) {
  return db.selectFrom('order_events').select(['status', 'at', 'note']).where('order_id', '=', orderId).orderBy('id').execute();
}

/** Newest first; id breaks ties between orders placed in the same millisecond. */
export function findOrdersPage(db: Db, customerId: number | undefined, limit: number, offset: number) {
  let query = db.selectFrom('orders').selectAll();
  if (customerId !== undefined) query = query.where('customer_id', '=', customerId);
  return query.orderBy('id', 'desc').limit(limit).offset(offset).execute();
}

export async function countOrders(db: Db, customerId: number | undefined): Promise<number> {
  let query = db.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('count'));
  if (customerId !== undefined) query = query.where('customer_id', '=', customerId);
  return Number((await query.executeTakeFirstOrThrow()).count);
}

/** Moves an order on only if it is still in `from`: a concurrent change makes this a no-op (false). */
export async function updateOrderStatus(
  db: Db,
  id: number,
  from: string,
  to: string,
  trackingNumber: string | undefined,
  now: string,
): Promise<boolean> {
  const result = await db
    .updateTable('orders')
    .set({ status: to, updated_at: now, ...(trackingNumber === undefined ? {} : { tracking_number: trackingNumber }) })
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export function findIdempotencyKey(db: Db, customerId: number, key: string) {
  return db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'response_status', 'response_body'])
    .where('customer_id', '=', customerId)
    .where('key', '=', key)
    .executeTakeFirst();
}

export async function insertIdempotencyKey(
  db: Db,
  row: { customer_id: number; key: string; request_hash: string; response_status: number; response_body: string },
): Promise<void> {
  await db.insertInto('idempotency_keys').values({ ...row, created_at: new Date().toISOString() }).execute();
}

export async function deleteIdempotencyKeysBefore(db: Db, cutoff: string): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('created_at', '<', cutoff).execute();
}

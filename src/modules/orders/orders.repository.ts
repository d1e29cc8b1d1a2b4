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

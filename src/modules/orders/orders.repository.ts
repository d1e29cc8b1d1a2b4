import { type Insertable, type SelectQueryBuilder, sql } from 'kysely';
import { containsText } from '../../db/contains.js';
import type { Database, OrderItemRow, OrderPaymentStatus, OrderRow, OrderStatus, OrdersTable, Queryable, Trx } from '../../db/database.js';
import { compileOnce } from '../../db/compile-once.js';
import { engineOf } from '../../db/engine.js';
import { MAX_ID } from '../../shared/schemas.js';
import type { OrderRecord } from './placement.js';

/** The columns placement writes, by name, in the order the PostgreSQL statement lists them too. */
export const ORDER_RECORD_COLUMNS = [
  'total_cents',
  'currency',
  'email',
  'note',
  'subtotal_cents',
  'shipping_total_cents',
  'tax_total_cents',
  'prices_include_tax',
  'shipping_address',
  'billing_address',
  'shipping_rate_id',
  'shipping_name',
  'shipping_price_cents',
  'shipping_tax_cents',
  'tax_name',
  'tax_rate_thousandths',
  'order_token_hash',
] as const satisfies readonly (keyof OrderRecord)[];

// Runs with every order placed on SQLite (PostgreSQL places it in one statement, placement.postgres.ts).
const insertPendingOrder = compileOnce((db, p: OrderRecord & { customerId: number | null; now: string }) =>
  db
    .insertInto('orders')
    .values({
      customer_id: p.customerId,
      status: 'pending',
      tracking_number: null,
      created_at: p.now,
      updated_at: p.now,
      ...Object.fromEntries(ORDER_RECORD_COLUMNS.map((column) => [column, p[column]])),
    } as Insertable<OrdersTable>)
    .returning('id'),
);

export async function insertOrder(trx: Trx, customerId: number | null, record: OrderRecord, now: string): Promise<number> {
  const { rows } = await insertPendingOrder(trx, { ...record, customerId, now });
  const row = rows[0];
  if (!row) throw new Error('inserting an order returned no id');
  return row.id;
}

export async function insertOrderItems(trx: Trx, items: OrderItemRow[]): Promise<void> {
  await trx.insertInto('order_items').values(items).execute();
}

const insertEvent = compileOnce((db, p: { orderId: number; status: OrderStatus; note: string | null; at: string }) =>
  db.insertInto('order_events').values({ order_id: p.orderId, status: p.status, note: p.note, at: p.at }),
);

export async function insertOrderEvent(trx: Trx, orderId: number, status: OrderStatus, note: string | null, at: string) {
  await insertEvent(trx, { orderId, status, note, at });
}

export function findOrderById(db: Queryable, id: number): Promise<OrderRow | undefined> {
  return db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Reads an order and holds it against other writers until the transaction ends. */
export function lockOrderById(trx: Trx, id: number): Promise<OrderRow | undefined> {
  return engineOf(trx).lockForUpdate(trx.selectFrom('orders').selectAll().where('id', '=', id)).executeTakeFirst();
}

export function findOrderItems(db: Queryable, orderIds: number[]): Promise<OrderItemRow[]> {
  if (orderIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('order_items').selectAll().where('order_id', 'in', orderIds).orderBy('product_id').execute();
}

export function findOrderEvents(db: Queryable, orderId: number) {
  return db.selectFrom('order_events').select(['status', 'at', 'note']).where('order_id', '=', orderId).orderBy('id').execute();
}

/** Which orders a page lists; every field left out lets all through. */
export interface OrderFilter {
  customerId?: number | undefined;
  status?: OrderStatus | undefined;
  paymentStatus?: OrderPaymentStatus | undefined;
  /** true: only guests' orders; false: only customers'. */
  guest?: boolean | undefined;
  /** An order id (with or without "#"), or a piece of the order's email. */
  q?: string | undefined;
}

function matching<O>(query: SelectQueryBuilder<Database, 'orders', O>, filter: OrderFilter) {
  if (filter.customerId !== undefined) query = query.where('customer_id', '=', filter.customerId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.paymentStatus !== undefined) query = query.where('payment_status', '=', filter.paymentStatus);
  if (filter.guest !== undefined) query = query.where('customer_id', filter.guest ? 'is' : 'is not', null);
  const q = filter.q?.trim();
  if (q) {
    const id = /^#?\d{1,10}$/.test(q) ? Number(q.replace('#', '')) : undefined;
    const email = containsText('email', q);
    query = query.where((eb) => (id !== undefined && id <= MAX_ID ? eb.or([eb('id', '=', id), email]) : email));
  }
  return query;
}

/** Newest first; id breaks ties between orders placed in the same millisecond. */
export function findOrdersPage(db: Queryable, filter: OrderFilter, limit: number, offset: number) {
  return matching(db.selectFrom('orders').selectAll(), filter).orderBy('id', 'desc').limit(limit).offset(offset).execute();
}

export async function countOrders(db: Queryable, filter: OrderFilter): Promise<number> {
  const query = matching(db.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('count')), filter);
  return Number((await query.executeTakeFirstOrThrow()).count);
}

/** How many orders were placed since `since` and what the ones not cancelled are worth. */
export async function sumOrdersSince(db: Queryable, since: string): Promise<{ orders: number; totalCents: number }> {
  const row = await db
    .selectFrom('orders')
    .select((eb) => [
      eb.fn.countAll<number>().as('orders'),
      eb.fn.sum<number | null>(eb.case().when('status', '!=', 'cancelled').then(eb.ref('total_cents')).else(0).end()).as('total_cents'),
    ])
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return { orders: Number(row.orders), totalCents: Number(row.total_cents ?? 0) };
}

export async function countOrdersInStatus(db: Queryable, status: OrderStatus): Promise<number> {
  return countOrders(db, { status });
}

/** Moves an order on only if it is still in `from`: a concurrent change makes this a no-op (false). */
export async function updateOrderStatus(
  trx: Trx,
  id: number,
  from: OrderStatus,
  to: OrderStatus,
  trackingNumber: string | undefined,
  now: string,
  onlyIfUnpaid = false,
): Promise<boolean> {
  let update = trx
    .updateTable('orders')
    .set({ status: to, updated_at: now, ...(trackingNumber === undefined ? {} : { tracking_number: trackingNumber }) })
    .where('id', '=', id)
    .where('status', '=', from);
  if (onlyIfUnpaid) update = update.where('amount_paid_cents', '=', 0).where('payment_status', '=', 'unpaid');
  const result = await update.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Adds money to an order's sums and sets the payment status they give, in one statement
 * (the right-hand sides read the row as it was, so the sums are never read-then-written).
 */
export function addOrderMoney(
  trx: Trx,
  id: number,
  change: { paidCents: number; refundedCents: number; authorized: boolean },
  now: string,
): Promise<OrderRow | undefined> {
  const paid = sql<number>`(amount_paid_cents + ${change.paidCents})`;
  const refunded = sql<number>`(amount_refunded_cents + ${change.refundedCents})`;
  return trx
    .updateTable('orders')
    .set({
      amount_paid_cents: paid,
      amount_refunded_cents: refunded,
      payment_status: sql<OrderPaymentStatus>`case
        when ${paid} > 0 and ${refunded} >= ${paid} then 'refunded'
        when ${refunded} > 0 then 'partially_refunded'
        when ${paid} > 0 and ${paid} >= total_cents then 'paid'
        when ${change.authorized ? 1 : 0} = 1 then 'authorized'
        else 'unpaid' end`,
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function findUnpaidPendingOrderIds(db: Queryable, cutoff: string, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('orders')
    .select('id')
    .where('status', '=', 'pending')
    .where('created_at', '<', cutoff)
    .where('payment_status', '=', 'unpaid')
    .where('amount_paid_cents', '=', 0)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

export function findIdempotencyKey(db: Queryable, scope: string, key: string) {
  return db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'response_status', 'response_body'])
    .where('scope', '=', scope)
    .where('key', '=', key)
    .executeTakeFirst();
}

/**
 * Claims a key for this transaction, or answers false when it is taken. While the claiming
 * transaction runs, another claim of the same key waits for it on the unique index.
 */
export async function claimIdempotencyKey(trx: Trx, scope: string, key: string, requestHash: string): Promise<boolean> {
  const row = await trx
    .insertInto('idempotency_keys')
    .values({ scope, key, request_hash: requestHash, response_status: 0, response_body: '', created_at: new Date().toISOString() })
    .onConflict((conflict) => conflict.columns(['scope', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return row !== undefined;
}

/** The answer to keep for a claimed key, written in the transaction that claimed it. */
export async function storeIdempotentResponse(trx: Trx, scope: string, key: string, status: number, body: string): Promise<void> {
  await trx
    .updateTable('idempotency_keys')
    .set({ response_status: status, response_body: body })
    .where('scope', '=', scope)
    .where('key', '=', key)
    .execute();
}

export async function deleteIdempotencyKey(trx: Trx, scope: string, key: string): Promise<void> {
  await trx.deleteFrom('idempotency_keys').where('scope', '=', scope).where('key', '=', key).execute();
}

export async function deleteIdempotencyKeysBefore(db: Queryable, cutoff: string): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('created_at', '<', cutoff).execute();
}

export async function setMissingCurrency(db: Queryable, currency: string): Promise<void> {
  await db.updateTable('orders').set({ currency }).where('currency', 'is', null).execute();
}

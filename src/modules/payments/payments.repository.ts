import { sql } from 'kysely';
import type { PaymentRow, PaymentStatus, Queryable, RefundRow, Trx } from '../../db/database.js';

/** A payment still waiting for its money: what cancelling voids, and what the one-open-payment index counts. */
export const OPEN_STATUSES: readonly PaymentStatus[] = ['pending', 'requires_action', 'authorized'];

export function findPaymentById(db: Queryable, id: number): Promise<PaymentRow | undefined> {
  return db.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findPaymentByRef(db: Queryable, provider: string, ref: string): Promise<PaymentRow | undefined> {
  return db.selectFrom('payments').selectAll().where('provider', '=', provider).where('provider_ref', '=', ref).executeTakeFirst();
}

export function findOrderPayments(db: Queryable, orderId: number): Promise<PaymentRow[]> {
  return db.selectFrom('payments').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
}

export function findOpenPayment(db: Queryable, orderId: number, provider: string): Promise<PaymentRow | undefined> {
  return db
    .selectFrom('payments')
    .selectAll()
    .where('order_id', '=', orderId)
    .where('provider', '=', provider)
    .where('status', 'in', OPEN_STATUSES)
    .executeTakeFirst();
}

export async function hasAuthorizedPayment(trx: Trx, orderId: number): Promise<boolean> {
  const row = await trx.selectFrom('payments').select('id').where('order_id', '=', orderId).where('status', '=', 'authorized').executeTakeFirst();
  return row !== undefined;
}

export function findRefunds(db: Queryable, paymentIds: number[]): Promise<RefundRow[]> {
  if (paymentIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('payment_refunds').selectAll().where('payment_id', 'in', paymentIds).where('status', '!=', 'failed').orderBy('id').execute();
}

/** Opens a payment, or answers undefined when the order already has an open one with this provider (the partial unique index). */
export async function insertPayment(
  trx: Trx,
  payment: { order_id: number; provider: string; status: PaymentStatus; amount_cents: number; currency: string },
  now: string,
): Promise<PaymentRow | undefined> {
  return trx
    .insertInto('payments')
    .values({ ...payment, provider_ref: null, client_secret: null, created_at: now, updated_at: now })
    .onConflict((conflict) => conflict.columns(['order_id', 'provider']).where(sql.ref('status'), 'in', sql`('pending', 'requires_action', 'authorized')`).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** The provider's handle for a payment just opened there, if it is still the payment it was. */
export async function setProviderHandle(trx: Trx, id: number, ref: string | null, clientSecret: string | null, now: string): Promise<boolean> {
  const result = await trx
    .updateTable('payments')
    .set({ provider_ref: ref, client_secret: clientSecret, updated_at: now })
    .where('id', '=', id)
    .where('provider_ref', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function deletePayment(trx: Trx, id: number): Promise<void> {
  await trx.deleteFrom('payments').where('id', '=', id).execute();
}

/** Moves a payment on only from one of `from`: the guard that makes each move happen once. */
export async function movePayment(
  trx: Trx,
  id: number,
  from: readonly PaymentStatus[],
  to: PaymentStatus,
  now: string,
  capturedCents?: number,
): Promise<PaymentRow | undefined> {
  return trx
    .updateTable('payments')
    .set({ status: to, updated_at: now, ...(capturedCents === undefined ? {} : { amount_captured_cents: capturedCents }) })
    .where('id', '=', id)
    .where('status', 'in', from)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Reserves `amount` of what is captured and not yet refunded: the conditional write that
 * keeps concurrent refunds within the captured amount (the one that would pass it finds no row).
 */
export async function reserveRefund(trx: Trx, paymentId: number, amountCents: number, now: string): Promise<PaymentRow | undefined> {
  return trx
    .updateTable('payments')
    .set({ amount_refunded_cents: sql`amount_refunded_cents + ${amountCents}`, updated_at: now })
    .where('id', '=', paymentId)
    .where('status', '=', 'captured')
    .where(sql<boolean>`amount_captured_cents - amount_refunded_cents >= ${amountCents}`)
    .returningAll()
    .executeTakeFirst();
}

/** Gives back a reservation whose refund the provider refused. */
export async function releaseRefund(trx: Trx, paymentId: number, amountCents: number, now: string): Promise<void> {
  await trx
    .updateTable('payments')
    .set({ amount_refunded_cents: sql`amount_refunded_cents - ${amountCents}`, updated_at: now })
    .where('id', '=', paymentId)
    .execute();
}

export async function insertRefund(trx: Trx, paymentId: number, amountCents: number, reason: string | null, now: string): Promise<RefundRow> {
  return trx
    .insertInto('payment_refunds')
    .values({ payment_id: paymentId, amount_cents: amountCents, reason, status: 'pending', provider_ref: null, created_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function settleRefund(trx: Trx, id: number, to: 'succeeded' | 'failed', ref: string | null): Promise<boolean> {
  const result = await trx.updateTable('payment_refunds').set({ status: to, provider_ref: ref }).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Claims a provider event id for this transaction; false when it was handled already (or is being handled: the claim waits). */
export async function claimProviderEvent(trx: Trx, provider: string, eventId: string, now: string): Promise<boolean> {
  const row = await trx
    .insertInto('provider_events')
    .values({ provider, event_id: eventId, received_at: now })
    .onConflict((conflict) => conflict.columns(['provider', 'event_id']).doNothing())
    .returning('event_id')
    .executeTakeFirst();
  return row !== undefined;
}

import type { Kysely } from 'kysely';
import { identityColumn, sql } from './portable.js';

/**
 * Payments (contract part two, "Payments").
 *
 * orders gain what has been paid and refunded, and the payment status those sums give.
 * payments: one per attempt to take an order's money through a provider; `provider_ref` is
 * the provider's handle (a Stripe PaymentIntent id), unique so a webhook finds its payment.
 * At most one open payment per order and provider (the partial unique index), so two
 * concurrent requests to pay cannot both open one. Sums are guarded by checks: nothing is
 * captured beyond the amount, nothing refunded beyond what was captured.
 * payment_refunds: each refund, `pending` while the provider is asked.
 * provider_events: each provider event id handled, written with its effect.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const orders = db.schema.alterTable('orders');
  await orders.addColumn('payment_status', 'text', (col) => col.notNull().defaultTo('unpaid')).execute();
  await orders.addColumn('amount_paid_cents', 'bigint', (col) => col.notNull().defaultTo(0)).execute();
  await orders.addColumn('amount_refunded_cents', 'bigint', (col) => col.notNull().defaultTo(0)).execute();
  // Orders paid by hand before this migration: recorded as paid for their total.
  await sql`update orders set payment_status = 'paid', amount_paid_cents = total_cents
    where status in ('paid', 'shipped', 'delivered')`.execute(db);
  // The expiry job's search: pending orders, oldest first.
  await db.schema.createIndex('orders_status_created').on('orders').columns(['status', 'created_at']).execute();

  await db.schema
    .createTable('payments')
    .addColumn('id', 'integer', identityColumn(db))
    .addColumn('order_id', 'integer', (col) => col.notNull().references('orders.id'))
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('amount_cents', 'bigint', (col) => col.notNull().check(sql`amount_cents > 0`))
    .addColumn('amount_captured_cents', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('amount_refunded_cents', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('currency', 'text', (col) => col.notNull())
    .addColumn('provider_ref', 'text', (col) => col.unique())
    .addColumn('client_secret', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addCheckConstraint('payments_captured_within_amount', sql`amount_captured_cents >= 0 and amount_captured_cents <= amount_cents`)
    .addCheckConstraint('payments_refunded_within_captured', sql`amount_refunded_cents >= 0 and amount_refunded_cents <= amount_captured_cents`)
    .execute();
  await db.schema.createIndex('payments_order').on('payments').column('order_id').execute();
  await db.schema
    .createIndex('payments_one_open')
    .unique()
    .on('payments')
    .columns(['order_id', 'provider'])
    .where(sql.ref('status'), 'in', sql`('pending', 'requires_action', 'authorized')`)
    .execute();

  await db.schema
    .createTable('payment_refunds')
    .addColumn('id', 'integer', identityColumn(db))
    .addColumn('payment_id', 'integer', (col) => col.notNull().references('payments.id'))
    .addColumn('amount_cents', 'bigint', (col) => col.notNull().check(sql`amount_cents > 0`))
    .addColumn('reason', 'text')
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('provider_ref', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('payment_refunds_payment').on('payment_refunds').column('payment_id').execute();

  await db.schema
    .createTable('provider_events')
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('event_id', 'text', (col) => col.notNull())
    .addColumn('received_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('provider_events_pk', ['provider', 'event_id'])
    .execute();
}

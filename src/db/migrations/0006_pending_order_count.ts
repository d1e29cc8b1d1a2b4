import type { Kysely } from 'kysely';
import { sql } from './portable.js';

/**
 * Each customer's number of pending orders, kept beside the customer so that the cap on
 * them (MAX_PENDING_ORDERS_PER_CUSTOMER) is checked and counted in one conditional write on
 * a row the order locks anyway, rather than by counting orders, which a concurrent order
 * could change between the count and the insert.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('customers')
    .addColumn('pending_orders', 'integer', (col) => col.notNull().defaultTo(0).check(sql`pending_orders >= 0`))
    .execute();
  await sql`
    update customers set pending_orders = (
      select count(*) from orders where orders.customer_id = customers.id and orders.status = 'pending'
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('customers').dropColumn('pending_orders').execute();
}

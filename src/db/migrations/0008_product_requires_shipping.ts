import type { Kysely } from 'kysely';
import { sql } from './portable.js';

/** Whether a product is a parcel to ship (1) or not (0: a download, a gift card); every existing product is one. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('products')
    .addColumn('requires_shipping', 'integer', (col) => col.notNull().defaultTo(1).check(sql`requires_shipping in (0, 1)`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('products').dropColumn('requires_shipping').execute();
}

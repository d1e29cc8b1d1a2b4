import type { Kysely } from 'kysely';
import { sql } from './portable.js';

/**
 * The descending sorts (`-created_at`, `-price`) break ties by ascending id, an order that an
 * ascending index read backwards does not give: the database had to sort every run of equal
 * keys, looking each row up, and could not seek to a cursor. These indexes hold that order
 * as it is. Only `-created_at` sorts by creation time, so its ascending index goes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index products_live_newest on products (created_at desc, id) where deleted_at is null`.execute(db);
  await sql`drop index products_live_created`.execute(db);
  await sql`create index products_live_price_desc on products (price_cents desc, id) where deleted_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index products_live_price_desc`.execute(db);
  await sql`create index products_live_created on products (created_at, id) where deleted_at is null`.execute(db);
  await sql`drop index products_live_newest`.execute(db);
}

import type { Kysely } from 'kysely';
import { isPostgres, sql } from './portable.js';

/**
 * Searching names by substring (`q`), sorting them by name, and numbered pages in id order.
 *
 * products_live_id holds only the ids of live products: an offset page in id order skips
 * its rows there, in a fraction of the pages the table itself would take.
 *
 * SQLite: an FTS5 index of every name's trigrams, kept in step by triggers, finds the rows
 * that contain a text of three or more characters without reading the whole table.
 * PostgreSQL gets only the name index: its trigram index (pg_trgm) is an extension that
 * not every host lets an application install.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index products_live_name on products (product_name, id) where deleted_at is null`.execute(db);
  await sql`create index products_live_id on products (id) where deleted_at is null`.execute(db);
  if (isPostgres(db)) return;

  await sql`create virtual table products_search using fts5(product_name, content='products', content_rowid='id', tokenize='trigram')`.execute(db);
  await sql`insert into products_search (products_search) values ('rebuild')`.execute(db);
  await sql`
    create trigger products_search_insert after insert on products begin
      insert into products_search (rowid, product_name) values (new.id, new.product_name);
    end`.execute(db);
  await sql`
    create trigger products_search_rename after update of product_name on products begin
      insert into products_search (products_search, rowid, product_name) values ('delete', old.id, old.product_name);
      insert into products_search (rowid, product_name) values (new.id, new.product_name);
    end`.execute(db);
  await sql`
    create trigger products_search_delete after delete on products begin
      insert into products_search (products_search, rowid, product_name) values ('delete', old.id, old.product_name);
    end`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) {
    for (const trigger of ['products_search_insert', 'products_search_rename', 'products_search_delete']) {
      await sql`drop trigger ${sql.raw(trigger)}`.execute(db);
    }
    await sql`drop table products_search`.execute(db);
  }
  await sql`drop index products_live_id`.execute(db);
  await sql`drop index products_live_name`.execute(db);
}

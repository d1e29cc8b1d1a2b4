import type { Kysely } from 'kysely';
import { isPostgres, sql } from './portable.js';

/**
 * The number of live products, kept by triggers as products are added, soft-deleted,
 * restored or removed, so the total of the unfiltered catalogue is one row read, not a
 * pass over an index (50 ms on 1,000,000 products, during which SQLite holds up every other
 * request). Product changes are rare beside reads; orders change stock, never this count.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('catalogue_totals').addColumn('live_products', 'bigint', (col) => col.notNull()).execute();
  await sql`insert into catalogue_totals (live_products) select count(*) from products where deleted_at is null`.execute(db);

  if (isPostgres(db)) {
    // NEW is null in a DELETE trigger and OLD in an INSERT one, hence the nested checks.
    await sql`
      create function count_live_products() returns trigger language plpgsql as $$
      declare
        change integer := 0;
      begin
        if tg_op <> 'DELETE' then
          if new.deleted_at is null then change := change + 1; end if;
        end if;
        if tg_op <> 'INSERT' then
          if old.deleted_at is null then change := change - 1; end if;
        end if;
        if change <> 0 then
          update catalogue_totals set live_products = live_products + change;
        end if;
        return null;
      end
      $$`.execute(db);
    await sql`
      create trigger products_live_count after insert or update of deleted_at or delete on products
      for each row execute function count_live_products()`.execute(db);
    return;
  }

  await sql`
    create trigger products_live_count_insert after insert on products when new.deleted_at is null begin
      update catalogue_totals set live_products = live_products + 1;
    end`.execute(db);
  await sql`
    create trigger products_live_count_delete after delete on products when old.deleted_at is null begin
      update catalogue_totals set live_products = live_products - 1;
    end`.execute(db);
  await sql`
    create trigger products_live_count_update after update of deleted_at on products
    when (old.deleted_at is null) <> (new.deleted_at is null) begin
      update catalogue_totals set live_products = live_products + (case when new.deleted_at is null then 1 else -1 end);
    end`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`drop trigger products_live_count on products`.execute(db);
    await sql`drop function count_live_products()`.execute(db);
  } else {
    await sql`drop trigger products_live_count_insert`.execute(db);
    await sql`drop trigger products_live_count_delete`.execute(db);
    await sql`drop trigger products_live_count_update`.execute(db);
  }
  await db.schema.dropTable('catalogue_totals').execute();
}

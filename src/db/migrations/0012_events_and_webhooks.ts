import type { Kysely } from 'kysely';
import { identityColumn, isPostgres, sql } from './portable.js';

/**
 * The outbox and what reads it.
 *
 * events: written in the transaction of the change they report. `seq` is the order they were
 * written in; `position` the order they are read in, given by one dispatcher at a time to
 * committed events only (a PostgreSQL transaction that commits late would otherwise leave a
 * smaller number behind a reader's cursor). The partial index finds the ones not yet dispatched.
 *
 * webhook_endpoints and the event types each subscribes to (a row per type, "*" for all);
 * webhook_deliveries: one per event and endpoint, claimed by a lease so that no two processes
 * make the same attempt at once.
 *
 * scheduled_jobs: when each recurring job is next due; a process runs one by moving its time on.
 * password_reset_tokens: only the hash of a token is kept.
 *
 * A trigger records product.out_of_stock whenever a tracked stock reaches 0, whatever wrote
 * it (an order, on either engine's path, or an admin), in that write's transaction. Its
 * `product` is the product as GET /products/{id} answered it when this migration was written.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('seq', 'integer', identityColumn(db))
    .addColumn('id', 'text', (col) => col.notNull().unique())
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('data', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('position', 'bigint', (col) => col.unique())
    .execute();
  await db.schema.createIndex('events_undispatched').on('events').column('seq').where(sql.ref('position'), 'is', null).execute();
  await db.schema.createIndex('events_created').on('events').column('created_at').execute();

  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'integer', identityColumn(db))
    .addColumn('url', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('active', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('disabled_reason', 'text')
    .addColumn('secret', 'text', (col) => col.notNull())
    .addColumn('previous_secret', 'text')
    .addColumn('previous_secret_expires_at', 'text')
    .addColumn('failing_since', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('webhook_subscriptions')
    .addColumn('endpoint_id', 'integer', (col) => col.notNull().references('webhook_endpoints.id').onDelete('cascade'))
    .addColumn('event_type', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('webhook_subscriptions_pk', ['endpoint_id', 'event_type'])
    .execute();
  await db.schema.createIndex('webhook_subscriptions_type').on('webhook_subscriptions').columns(['event_type', 'endpoint_id']).execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'integer', identityColumn(db))
    .addColumn('endpoint_id', 'integer', (col) => col.notNull().references('webhook_endpoints.id').onDelete('cascade'))
    .addColumn('event_seq', 'integer', (col) => col.notNull().references('events.seq').onDelete('cascade'))
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text')
    .addColumn('last_attempt_at', 'text')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('final_attempt', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_due')
    .on('webhook_deliveries')
    .column('next_attempt_at')
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  await db.schema.createIndex('webhook_deliveries_endpoint').on('webhook_deliveries').columns(['endpoint_id', 'id']).execute();
  await db.schema.createIndex('webhook_deliveries_event').on('webhook_deliveries').column('event_seq').execute();

  await db.schema
    .createTable('scheduled_jobs')
    .addColumn('name', 'text', (col) => col.primaryKey())
    .addColumn('next_run_at', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('password_reset_tokens')
    .addColumn('token_hash', 'text', (col) => col.primaryKey())
    .addColumn('customer_id', 'integer', (col) => col.notNull().references('customers.id').onDelete('cascade'))
    .addColumn('expires_at', 'text', (col) => col.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema.createIndex('password_reset_tokens_customer').on('password_reset_tokens').column('customer_id').execute();
  await db.schema.createIndex('password_reset_tokens_expires').on('password_reset_tokens').column('expires_at').execute();

  await createOutOfStockTrigger(db);
}

async function createOutOfStockTrigger(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`
      create function record_out_of_stock() returns trigger language plpgsql as $$
      begin
        insert into events (id, type, data, created_at)
        values (
          'evt_' || replace(cast(gen_random_uuid() as text), '-', ''),
          'product.out_of_stock',
          json_build_object('product', json_build_object(
            'id', new.id, 'product_name', new.product_name, 'price', round(cast(new.price_cents as numeric) / 100, 2),
            'description', new.description, 'stock', new.stock, 'requires_shipping', new.requires_shipping = 1,
            'created_at', new.created_at, 'updated_at', new.updated_at))::text,
          to_char(now() at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
        return null;
      end
      $$`.execute(db);
    await sql`
      create trigger products_out_of_stock after update of stock on products
      for each row when (new.stock = 0 and old.stock is distinct from 0 and new.deleted_at is null)
      execute function record_out_of_stock()`.execute(db);
    return;
  }
  await sql`
    create trigger products_out_of_stock after update of stock on products
    when new.stock = 0 and old.stock is not 0 and new.deleted_at is null begin
      insert into events (id, type, data, created_at) values (
        'evt_' || lower(hex(randomblob(16))),
        'product.out_of_stock',
        json_object('product', json_object(
          'id', new.id, 'product_name', new.product_name, 'price', new.price_cents / 100.0,
          'description', new.description, 'stock', new.stock, 'requires_shipping', json(case when new.requires_shipping = 1 then 'true' else 'false' end),
          'created_at', new.created_at, 'updated_at', new.updated_at)),
        strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    end`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`drop trigger products_out_of_stock on products`.execute(db);
    await sql`drop function record_out_of_stock()`.execute(db);
  } else {
    await sql`drop trigger products_out_of_stock`.execute(db);
  }
  for (const table of ['password_reset_tokens', 'scheduled_jobs', 'webhook_deliveries', 'webhook_subscriptions', 'webhook_endpoints', 'events']) {
    await db.schema.dropTable(table).execute();
  }
}

import type { Kysely } from 'kysely';
import { isPostgres, sql } from './portable.js';

/**
 * SQLite: an event's place in the feed is its seq, and its id carries that seq. SQLite writes
 * one transaction at a time, so the order events are written in is the order they commit in;
 * a separate position (with its unique index), an index on created_at and one on the ids made
 * every commit of a batch of orders write about ten more pages than its events' rows: most of
 * what events cost an order (README, "What events cost an order"). Now an event is found by
 * the table's own key: the feed reads in seq order, and an id ("evt_", 12 hex digits of time,
 * 10 of seq, 10 random) names the row it is looked up by (events.repository.ts). A row keeps
 * its id's time and random digits (id_stem), and `id` is a virtual column made of them and
 * seq; `position` stays, as a virtual column equal to seq: a row reads as on PostgreSQL.
 *
 * seq loses AUTOINCREMENT (one more write per event, to sqlite_sequence): a seq is taken
 * again only after every event newer than it was purged, and an id made then differs in its
 * time and random digits.
 *
 * Existing events keep their ids (consumers hold them as cursors and webhook-ids), whole in
 * id_stem, and listed in legacy_event_ids to be found by, since they do not carry their seq.
 * They are renumbered in the order the feed gave them (their positions; events still waiting
 * for the dispatcher after them, in write order), their deliveries follow them, and the
 * waiting ones get their deliveries here, as the trigger now gives every event (the
 * out-of-stock trigger's too) as it is written.
 *
 * A table is rebuilt (SQLite cannot drop a unique constraint), and so is webhook_deliveries,
 * which references it: dropping `events` under it would delete its rows. PostgreSQL keeps
 * positions handed out by the dispatcher (its transactions may commit out of write order).
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) return;
  await inOneTransaction(db, async () => {
    // Both name the table: SQLite refuses to rename one into place while a trigger names a missing one.
    await sql`drop trigger events_fan_out`.execute(db);
    await sql`drop trigger products_out_of_stock`.execute(db);
    await sql`
      create table events_v2 (
        seq integer primary key,
        id_stem text not null,
        type text not null,
        data text not null,
        created_at text not null,
        id text generated always as (
          case when length(id_stem) = 22 then 'evt_' || substr(id_stem, 1, 12) || printf('%010x', seq) || substr(id_stem, 13) else id_stem end
        ) virtual,
        position integer generated always as (seq) virtual
      )`.execute(db);
    await sql`
      insert into events_v2 (seq, id_stem, type, data, created_at)
      select row_number() over (order by position is null, position, seq), id, type, data, created_at from events`.execute(db);
    await sql`create table legacy_event_ids (id text primary key, seq integer not null) without rowid`.execute(db);
    await sql`insert into legacy_event_ids select id, seq from events_v2`.execute(db);

    await sql`
      create table webhook_deliveries_v2 (
        id integer primary key autoincrement,
        endpoint_id integer not null references webhook_endpoints (id) on delete cascade,
        event_seq integer not null references events_v2 (seq) on delete cascade,
        status text not null,
        attempts integer default 0 not null,
        next_attempt_at text,
        last_attempt_at text,
        last_status_code integer,
        last_error text,
        final_attempt integer default 0 not null,
        lease_owner text,
        lease_until text,
        created_at text not null
      )`.execute(db);
    await sql`
      insert into webhook_deliveries_v2
      select d.id, d.endpoint_id, renumbered.seq, d.status, d.attempts, d.next_attempt_at, d.last_attempt_at, d.last_status_code,
        d.last_error, d.final_attempt, d.lease_owner, d.lease_until, d.created_at
      from webhook_deliveries d join events old on old.seq = d.event_seq join events_v2 renumbered on renumbered.id = old.id`.execute(db);
    await sql`
      insert into webhook_deliveries_v2 (endpoint_id, event_seq, status, attempts, next_attempt_at, final_attempt, created_at)
      select s.endpoint_id, renumbered.seq, 'pending', 0, renumbered.created_at, 0, renumbered.created_at
      from events old join events_v2 renumbered on renumbered.id = old.id
      join webhook_subscriptions s on ${subscribed(sql.ref('renumbered.type'))}
      join webhook_endpoints ep on ep.id = s.endpoint_id and ep.active = 1
      where old.position is null and old.type <> 'ping'`.execute(db);

    await sql`drop table webhook_deliveries`.execute(db);
    await sql`drop table events`.execute(db);
    await sql`alter table events_v2 rename to events`.execute(db);
    await sql`alter table webhook_deliveries_v2 rename to webhook_deliveries`.execute(db);
    await sql`create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending'`.execute(db);
    await sql`create index webhook_deliveries_endpoint on webhook_deliveries (endpoint_id, id)`.execute(db);
    await sql`create index webhook_deliveries_event on webhook_deliveries (event_seq)`.execute(db);

    // Migration 0012's trigger, its events numbered like the application's.
    await sql`
      create trigger products_out_of_stock after update of stock on products
      when new.stock = 0 and old.stock is not 0 and new.deleted_at is null begin
        insert into events (id_stem, type, data, created_at) values (
          printf('%012x', cast(unixepoch('subsec') * 1000 as integer)) || lower(hex(randomblob(5))),
          'product.out_of_stock',
          json_object('product', json_object(
            'id', new.id, 'product_name', new.product_name, 'price', new.price_cents / 100.0,
            'description', new.description, 'stock', new.stock, 'requires_shipping', json(case when new.requires_shipping = 1 then 'true' else 'false' end),
            'created_at', new.created_at, 'updated_at', new.updated_at)),
          strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
      end`.execute(db);
    // Migration 0013's fan-out, now for every event as it is written.
    await sql`
      create trigger events_fan_out after insert on events when new.type <> 'ping' begin
        insert into webhook_deliveries (endpoint_id, event_seq, status, attempts, next_attempt_at, final_attempt, created_at)
        select s.endpoint_id, new.seq, 'pending', 0, new.created_at, 0, new.created_at
        from webhook_subscriptions s join webhook_endpoints ep on ep.id = s.endpoint_id and ep.active = 1
        where ${subscribed(sql.ref('new.type'))};
      end`.execute(db);
  });
}

/** Whether subscription `s` names the type, or "*" and the type is not one sent only to endpoints naming it (the password reset, whose data carries a secret). */
function subscribed(type: ReturnType<typeof sql.ref>) {
  return sql`(s.event_type = ${type} or (s.event_type = '*' and ${type} not in ('customer.password_reset_requested')))`;
}

/** Kysely runs SQLite migrations outside a transaction; a rebuild half done must not be left behind. */
async function inOneTransaction(db: Kysely<any>, work: () => Promise<void>): Promise<void> {
  await sql`begin immediate`.execute(db);
  try {
    await work();
    await sql`commit`.execute(db);
  } catch (error) {
    await sql`rollback`.execute(db);
    throw error;
  }
}

export async function down(): Promise<void> {
  throw new Error('0015 cannot be undone: the positions it replaced are not kept.');
}

import type { Kysely } from 'kysely';
import { isPostgres, sql } from './portable.js';

/**
 * SQLite: an event gets its place in the feed, and its deliveries, in the transaction that
 * writes it. SQLite has one writer at a time, so the order events are written in is the order
 * they commit in, and the dispatcher's second pass over each event (an UPDATE that rewrites the
 * whole row, data included, then the fan-out) costs an order for nothing. The application
 * writes such events with a position (events.repository.ts); this trigger gives them their
 * deliveries, as the dispatcher's fan-out does: one per active endpoint subscribed to the type,
 * or to "*" unless the type is one sent only to endpoints naming it (the password reset,
 * whose data carries a secret), and none for a ping (its test sends its one delivery).
 * Events written without a position (the out-of-stock trigger) are still the dispatcher's.
 * PostgreSQL keeps the dispatcher for all: its transactions may commit out of write order.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) return;
  await sql`
    create trigger events_fan_out after insert on events
    when new.position is not null and new.type <> 'ping' begin
      insert into webhook_deliveries (endpoint_id, event_seq, status, attempts, next_attempt_at, final_attempt, created_at)
      select s.endpoint_id, new.seq, 'pending', 0, new.created_at, 0, new.created_at
      from webhook_subscriptions s join webhook_endpoints ep on ep.id = s.endpoint_id and ep.active = 1
      where s.event_type = new.type
        or (s.event_type = '*' and new.type not in ('customer.password_reset_requested'));
    end`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) return;
  await sql`drop trigger events_fan_out`.execute(db);
}

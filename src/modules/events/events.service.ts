import { type RawBuilder, sql } from 'kysely';
import type { Db, Queryable, Trx } from '../../db/database.js';
import { NotFoundError } from '../../shared/errors.js';
import type { EventType } from './events.schemas.js';
import * as repo from './events.repository.js';
import type { EventResponse, ListEventsQuery } from './events.schemas.js';

/**
 * Records an event inside the transaction of the change it reports (the outbox): a change
 * that rolls back leaves no event, and a committed one is delivered even if the process
 * dies a moment later. `data` is what consumers receive, as the contract's table says.
 */
export function recordEvent(trx: Trx, type: EventType, data: object, now = new Date().toISOString()): Promise<{ seq: number; id: string }> {
  return repo.insertEvent(trx, type, JSON.stringify(data), now);
}

export { newEventId } from './events.repository.js';

/** Records an event whose data is already JSON text (built around a value only the write knows, like a new order's id). */
export function recordEventText(trx: Trx, type: EventType, data: string, now: string, id: string): Promise<{ seq: number; id: string }> {
  return repo.insertEvent(trx, type, data, now, id);
}

/**
 * The same, as a step of a larger PostgreSQL statement (an order placed in one statement):
 * one event for each row of `from`, its data the SQL expression `data`.
 */
export function recordEventStep(from: string, type: EventType, id: string, data: RawBuilder<unknown>, now: string): RawBuilder<unknown> {
  return sql`insert into events (id, type, data, created_at) select ${id}, ${type}, ${data}, ${now} from ${sql.table(from)}`;
}

/**
 * Turns an event's stored data into what consumers receive. Most data is stored as sent;
 * a password reset stores no token, only what the token is derived from (see auth).
 */
export type EventPresenter = (type: string, data: Record<string, unknown>) => Record<string, unknown>;

/** An event as consumers see it. */
export function presentEvent(event: repo.StoredEvent, present: EventPresenter): EventResponse {
  return {
    id: event.id,
    type: event.type as EventType,
    created_at: event.created_at,
    data: present(event.type, JSON.parse(event.data) as Record<string, unknown>),
  };
}

/**
 * The feed: dispatched events oldest first, after the one named. An event is dispatched (given
 * its place in the feed) once its transaction has committed, normally within a second; so a
 * reader that goes on from the last id it read never skips one that committed late.
 * customer.password_reset_requested carries a token, so its data shows the token only to a
 * reader who asks for that type by name (as with webhooks, where "*" never receives it).
 */
export async function listEvents(db: Db, query: ListEventsQuery, present: EventPresenter) {
  let after = 0;
  if (query.after !== undefined) {
    const position = await repo.findEventPosition(db, query.after);
    // An id the shop never recorded, or one purged after EVENT_RETENTION_DAYS: the reader must start again from the oldest kept.
    if (position === undefined) throw new NotFoundError(`Event ${query.after}`);
    after = position ?? 0;
  }
  const rows = await repo.findEventsAfter(db, after, query.type, query.limit + 1);
  const items = rows.slice(0, query.limit).map((row) => presentEvent(row, query.type === row.type ? present : withoutSecrets(present)));
  return { items, has_more: rows.length > query.limit };
}

/** A presenter that leaves out what only readers who named the type may see. */
function withoutSecrets(present: EventPresenter): EventPresenter {
  return (type, data) => {
    const shown = present(type, data);
    if (type !== 'customer.password_reset_requested') return shown;
    const { token: _token, ...rest } = shown;
    return rest;
  };
}

export function findEventBySeq(db: Queryable, seq: number) {
  return repo.findEventBySeq(db, seq);
}

/** The retention job: events older than the given number of days go, with their deliveries. */
export function purgeOldEvents(db: Db, retentionDays: number, now = Date.now()): Promise<number> {
  return repo.deleteEventsBefore(db, new Date(now - retentionDays * 86_400_000).toISOString());
}

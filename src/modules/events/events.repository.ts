import { randomUUID } from 'node:crypto';
import { type Compilable, sql } from 'kysely';
import { compileOnce } from '../../db/compile-once.js';
import type { Queryable, Trx } from '../../db/database.js';
import { forEngine } from '../../db/engine.js';
import type { EventType } from './events.schemas.js';

/**
 * A new event's id: "evt_", the time in milliseconds (12 hex digits), then 80 random bits.
 * Unique forever (a restored or second database never repeats one), and written in about the
 * order of time: the unique index on ids then grows at its end, where a random id would make
 * every event dirty a page of its own somewhere in the index (and write it at commit).
 */
export function newEventId(): string {
  // randomUUID draws from a pooled buffer (randomBytes per call costs a native job each): a
  // v4 UUID's first 12 and last 8 hex digits are random.
  const uuid = randomUUID();
  return `evt_${Date.now().toString(16).padStart(12, '0')}${uuid.slice(0, 8)}${uuid.slice(9, 13)}${uuid.slice(28)}`;
}

/**
 * SQLite writes one transaction at a time, so the order events are written in is the order
 * they commit in: an event takes its place in the feed as it is written (the next after the
 * last), and migration 0013's trigger adds its deliveries. On PostgreSQL, where a transaction
 * may commit after a later one, the dispatcher places events once they have committed.
 */
const insertEventRow = compileOnce((db, p: { id: string; type: string; data: string; now: string }) => {
  const insert = db.insertInto('events').values({
    id: p.id,
    type: p.type,
    data: p.data,
    created_at: p.now,
    position: forEngine(db, { sqlite: sql<number>`(select coalesce(max(position), 0) + 1 from events)`, postgres: null }),
  });
  // SQLite tells the new rowid without RETURNING, which would make it gather the row as a result (2 µs an event).
  return forEngine<Compilable<{ seq: number }>>(db, { sqlite: insert, postgres: insert.returning('seq') });
});

/** Writes an event in the caller's transaction: it commits with the change, or not at all. */
export async function insertEvent(trx: Trx, type: EventType, data: string, now: string, id = newEventId()): Promise<{ seq: number; id: string }> {
  const result = await insertEventRow(trx, { id, type, data, now });
  return { seq: result.rows[0]?.seq ?? Number(result.insertId), id };
}

export interface StoredEvent {
  seq: number;
  id: string;
  type: string;
  data: string;
  created_at: string;
  position: number | null;
}

/** The position of a dispatched event; undefined for an unknown (or purged) id. */
export async function findEventPosition(db: Queryable, id: string): Promise<number | null | undefined> {
  const row = await db.selectFrom('events').select('position').where('id', '=', id).executeTakeFirst();
  return row?.position;
}

/** Dispatched events after a position, in the order they are read. */
export function findEventsAfter(db: Queryable, after: number, type: string | undefined, limit: number): Promise<StoredEvent[]> {
  let query = db.selectFrom('events').selectAll().where('position', '>', after);
  if (type !== undefined) query = query.where('type', '=', type);
  return query.orderBy('position').limit(limit).execute();
}

export function findEventBySeq(db: Queryable, seq: number): Promise<StoredEvent | undefined> {
  return db.selectFrom('events').selectAll().where('seq', '=', seq).executeTakeFirst();
}

/** Deletes events older than the cutoff (their deliveries go with them); how many went. */
export async function deleteEventsBefore(db: Queryable, cutoff: string): Promise<number> {
  const result = await db.deleteFrom('events').where('created_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}

import { randomUUID } from 'node:crypto';
import type { Queryable, Trx } from '../../db/database.js';
import type { EventType } from './events.schemas.js';

/** A new event's id: unique forever (random, so a restored or second database never repeats one). */
export function newEventId(): string {
  return `evt_${randomUUID().replaceAll('-', '')}`;
}

/** Writes an event in the caller's transaction: it commits with the change, or not at all. */
export async function insertEvent(trx: Trx, type: EventType, data: string, now: string, id = newEventId()): Promise<{ seq: number; id: string }> {
  const row = await trx
    .insertInto('events')
    .values({ id, type, data, created_at: now, position: null })
    .returning('seq')
    .executeTakeFirstOrThrow();
  return { seq: row.seq, id };
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

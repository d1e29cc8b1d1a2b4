import { randomUUID } from 'node:crypto';
import type { Trx } from '../../db/database.js';
import type { EventType } from './event-types.js';

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

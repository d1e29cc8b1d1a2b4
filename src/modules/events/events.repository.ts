import { randomUUID } from 'node:crypto';
import { type Compilable, sql } from 'kysely';
import { compilable, compileOnce } from '../../db/compile-once.js';
import type { Queryable, Trx } from '../../db/database.js';
import { forEngine } from '../../db/engine.js';
import type { EventType } from './events.schemas.js';

/**
 * A new event's id: "evt_", the time in milliseconds (12 hex digits), then 80 random bits.
 * Unique forever (a restored or second database never repeats one), and written in about the
 * order of time: PostgreSQL's unique index on ids then grows at its end, where a random id
 * would make every event dirty a page of its own somewhere in the index (and write it at
 * commit). SQLite puts the event's seq in place of the first 40 random bits (below).
 */
export function newEventId(): string {
  // randomUUID draws from a pooled buffer (randomBytes per call costs a native job each): a
  // v4 UUID's first 12 and last 8 hex digits are random.
  const uuid = randomUUID();
  return `evt_${Date.now().toString(16).padStart(12, '0')}${uuid.slice(0, 8)}${uuid.slice(9, 13)}${uuid.slice(28)}`;
}

/**
 * SQLite's ids: hex digits 13 to 22 (after "evt_" and the time) are the event's seq, so an id
 * names the row it is found by, with no index of its own. A row keeps the rest (its id_stem:
 * 12 digits of time, 10 random) and reads its id as a virtual column (migration 0015).
 */
const PREFIX = 'evt_';
const TIME_DIGITS = 12;
const SEQ_DIGITS = 10;
const RANDOM_DIGITS = 10;
const SEQ_START = PREFIX.length + TIME_DIGITS;

/** What a SQLite row keeps of a new id: its time and its first random digits. */
function idStemOf(id: string): string {
  return id.slice(PREFIX.length, SEQ_START + RANDOM_DIGITS);
}

/** The id a SQLite row reads, as migration 0015's virtual column makes it. */
function sqliteEventId(idStem: string, seq: number): string {
  return `${PREFIX}${idStem.slice(0, TIME_DIGITS)}${seq.toString(16).padStart(SEQ_DIGITS, '0')}${idStem.slice(TIME_DIGITS)}`;
}

function seqIn(id: string): number {
  return Number.parseInt(id.slice(SEQ_START, SEQ_START + SEQ_DIGITS), 16);
}

/**
 * SQLite writes one transaction at a time, so the order events are written in is the order
 * they commit in: an event's seq is its place in the feed (the next after the last), and
 * migration 0015's trigger adds its deliveries as it is written. On PostgreSQL, where a
 * transaction may commit after a later one, the dispatcher gives committed events positions.
 */
const insertEventRow = compileOnce((db, p: { id: string; idStem: string; type: string; data: string; now: string }) =>
  forEngine<Compilable<{ seq: number }>>(db, {
    // SQLite tells the new rowid without RETURNING, which would make it gather the row as a result (2 µs an event).
    sqlite: compilable(db, sql<{ seq: number }>`insert into events (id_stem, type, data, created_at) values (${p.idStem}, ${p.type}, ${p.data}, ${p.now})`),
    postgres: db.insertInto('events').values({ id: p.id, type: p.type, data: p.data, created_at: p.now }).returning('seq'),
  }),
);

/** Writes an event in the caller's transaction: it commits with the change, or not at all. */
export async function insertEvent(trx: Trx, type: EventType, data: string, now: string, id = newEventId()): Promise<{ seq: number; id: string }> {
  const idStem = idStemOf(id);
  const result = await insertEventRow(trx, { id, idStem, type, data, now });
  const seq = result.rows[0]?.seq ?? Number(result.insertId);
  return { seq, id: forEngine(trx, { sqlite: sqliteEventId(idStem, seq), postgres: id }) };
}

export interface StoredEvent {
  seq: number;
  id: string;
  type: string;
  data: string;
  created_at: string;
  position: number | null;
}

/** The column the feed is read in: on SQLite `position` is seq (a virtual column: seq is the key the table is kept in). */
function feedOrder(db: Queryable): 'seq' | 'position' {
  return forEngine(db, { sqlite: 'seq', postgres: 'position' });
}

/** The position of a dispatched event; undefined for an unknown (or purged) id. */
export async function findEventPosition(db: Queryable, id: string): Promise<number | null | undefined> {
  return forEngine(db, {
    postgres: async () => (await db.selectFrom('events').select('position').where('id', '=', id).executeTakeFirst())?.position,
    sqlite: async () => {
      const row = await db.selectFrom('events').select('seq').where('seq', '=', seqIn(id)).where('id', '=', id).executeTakeFirst();
      if (row) return row.seq;
      // Written before migration 0015, its id does not carry its seq.
      return (await db.selectFrom('legacy_event_ids').select('seq').where('id', '=', id).executeTakeFirst())?.seq;
    },
  })();
}

/** Dispatched events after a position, in the order they are read. */
export function findEventsAfter(db: Queryable, after: number, type: string | undefined, limit: number): Promise<StoredEvent[]> {
  let query = db.selectFrom('events').selectAll().where(feedOrder(db), '>', after);
  if (type !== undefined) query = query.where('type', '=', type);
  return query.orderBy(feedOrder(db)).limit(limit).execute();
}

export function findEventBySeq(db: Queryable, seq: number): Promise<StoredEvent | undefined> {
  return db.selectFrom('events').selectAll().where('seq', '=', seq).executeTakeFirst();
}

/** Deletes events older than the cutoff (their deliveries go with them); how many went. */
export async function deleteEventsBefore(db: Queryable, cutoff: string): Promise<number> {
  return forEngine(db, {
    postgres: async () => Number((await db.deleteFrom('events').where('created_at', '<', cutoff).executeTakeFirst()).numDeletedRows),
    // No index on created_at (each would cost every order a page): events are written in the
    // order of time, so the old ones are those before the first young one, found by reading from
    // the oldest. One written a moment out of order behind it goes at the next run.
    sqlite: async () => {
      const result = await db
        .deleteFrom('events')
        .where('seq', '<', (eb) =>
          eb.fn.coalesce(
            eb.selectFrom('events').select('seq').where('created_at', '>=', cutoff).orderBy('seq').limit(1),
            eb.selectFrom('events').select((inner) => sql<number>`${inner.fn.max('seq')} + 1`.as('next')),
          ),
        )
        .executeTakeFirst();
      await db
        .deleteFrom('legacy_event_ids')
        .where('seq', '<', (eb) => eb.selectFrom('events').select((inner) => sql<number>`coalesce(${inner.fn.min('seq')}, ${Number.MAX_SAFE_INTEGER})`.as('first')))
        .execute();
      return Number(result.numDeletedRows);
    },
  })();
}

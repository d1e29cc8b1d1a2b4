import { type Kysely, sql } from 'kysely';
import { compileOnce } from '../../db/compile-once.js';
import type { Database, DeliveryStatus, Queryable, Trx, WebhookDeliveryRow, WebhookEndpointRow } from '../../db/database.js';
import { forEngine } from '../../db/engine.js';
import { ALL_EVENTS } from './webhooks.schemas.js';

export type EndpointWithEvents = WebhookEndpointRow & { events: string[] };

export interface NewEndpoint {
  url: string;
  description: string | null;
  active: 0 | 1;
  secret: string;
  now: string;
}

export async function insertEndpoint(trx: Trx, endpoint: NewEndpoint, events: string[]): Promise<number> {
  const { id } = await trx
    .insertInto('webhook_endpoints')
    .values({ url: endpoint.url, description: endpoint.description, active: endpoint.active, secret: endpoint.secret, created_at: endpoint.now, updated_at: endpoint.now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await replaceSubscriptions(trx, id, events);
  return id;
}

export async function replaceSubscriptions(trx: Trx, endpointId: number, events: string[]): Promise<void> {
  await trx.deleteFrom('webhook_subscriptions').where('endpoint_id', '=', endpointId).execute();
  await trx.insertInto('webhook_subscriptions').values(events.map((event_type) => ({ endpoint_id: endpointId, event_type }))).execute();
}

export async function findEndpoints(db: Queryable, id?: number): Promise<EndpointWithEvents[]> {
  let query = db.selectFrom('webhook_endpoints').selectAll().orderBy('id');
  if (id !== undefined) query = query.where('id', '=', id);
  const endpoints = await query.execute();
  if (endpoints.length === 0) return [];
  const subscriptions = await db
    .selectFrom('webhook_subscriptions')
    .select(['endpoint_id', 'event_type'])
    .where('endpoint_id', 'in', endpoints.map((endpoint) => endpoint.id))
    .orderBy('endpoint_id')
    .orderBy('event_type')
    .execute();
  return endpoints.map((endpoint) => ({
    ...endpoint,
    events: subscriptions.filter((s) => s.endpoint_id === endpoint.id).map((s) => s.event_type),
  }));
}

export interface EndpointChanges {
  url?: string;
  description?: string | null;
  active?: 0 | 1;
  updated_at: string;
}

/** Applies the changes; re-enabling also forgets why the endpoint was disabled and its failing streak. False: no such endpoint. */
export async function updateEndpoint(trx: Trx, id: number, changes: EndpointChanges): Promise<boolean> {
  const reenable = changes.active === 1 ? { disabled_reason: null, failing_since: null } : {};
  const result = await trx.updateTable('webhook_endpoints').set({ ...changes, ...reenable }).where('id', '=', id).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function deleteEndpoint(db: Queryable, id: number): Promise<boolean> {
  const result = await db.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The old secret keeps signing until `previousExpiresAt`; one statement, so two rotations at once both keep a secret that was real. */
export async function rotateSecret(db: Queryable, id: number, secret: string, previousExpiresAt: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('webhook_endpoints')
    .set((eb) => ({ previous_secret: eb.ref('secret'), previous_secret_expires_at: previousExpiresAt, secret, updated_at: now }))
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function insertDelivery(trx: Trx, endpointId: number, eventSeq: number, now: string): Promise<number> {
  const { id } = await trx
    .insertInto('webhook_deliveries')
    .values({ endpoint_id: endpointId, event_seq: eventSeq, status: 'pending', next_attempt_at: now, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export interface DeliveryListRow {
  id: number;
  event_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  last_attempt_at: string | null;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
}

export function findDeliveriesPage(db: Queryable, endpointId: number, status: DeliveryStatus | undefined, limit: number, offset: number): Promise<DeliveryListRow[]> {
  let query = db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('events as e', 'e.seq', 'd.event_seq')
    .select(['d.id', 'e.id as event_id', 'e.type as event_type', 'd.status', 'd.attempts', 'd.last_attempt_at', 'd.next_attempt_at', 'd.last_status_code', 'd.last_error', 'd.created_at'])
    .where('d.endpoint_id', '=', endpointId);
  if (status !== undefined) query = query.where('d.status', '=', status);
  return query.orderBy('d.id', 'desc').limit(limit).offset(offset).execute();
}

export async function countDeliveries(db: Queryable, endpointId: number, status: DeliveryStatus | undefined): Promise<number> {
  let query = db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('endpoint_id', '=', endpointId);
  if (status !== undefined) query = query.where('status', '=', status);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

export function findDelivery(db: Queryable, id: number): Promise<(WebhookDeliveryRow & { endpoint_active: number }) | undefined> {
  return db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_endpoints as ep', 'ep.id', 'd.endpoint_id')
    .selectAll('d')
    .select('ep.active as endpoint_active')
    .where('d.id', '=', id)
    .executeTakeFirst();
}

/**
 * One more attempt now. A finished delivery gets exactly one (final_attempt); a pending one
 * is only brought forward, keeping what is left of its schedule. One statement, so it cannot
 * undo an outcome recorded meanwhile by anything but its own decision.
 */
export async function scheduleRedelivery(db: Queryable, id: number, now: string): Promise<boolean> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set((eb) => ({
      final_attempt: eb.case().when('status', '=', 'pending').then(eb.ref('final_attempt')).else(sql<0 | 1>`1`).end(),
      status: 'pending',
      next_attempt_at: now,
    }))
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

// ---- dispatching (PostgreSQL): committed events get their place in the feed and their deliveries ----

/**
 * Gives the oldest undispatched events (committed ones: others are not visible) the next
 * positions after `last`, in the order they were written; how many.
 */
export async function positionEvents(trx: Trx, last: number, batch: number): Promise<number> {
  const result = await sql`
    update events set position = ${last} + n.rn
    from (select seq, row_number() over (order by seq) as rn from events where position is null order by seq limit ${batch}) n
    where events.seq = n.seq`.execute(trx);
  return Number(result.numAffectedRows ?? 0n);
}

/**
 * Whether any committed event still waits for its place in the feed (the partial index finds
 * it). None on SQLite: there an event's seq is its place, and its trigger fans it out (0015).
 */
// Read by every delivery cycle (up to 100 a second on a busy shop), so compiled once.
const firstUndispatchedEvent = compileOnce((db) => db.selectFrom('events').select('seq').where('position', 'is', null).limit(1));

export async function anyUndispatchedEvent(db: Queryable): Promise<boolean> {
  return forEngine(db, {
    sqlite: async () => false,
    postgres: async () => (await firstUndispatchedEvent(db, {})).rows.length > 0,
  })();
}

export async function lastPosition(trx: Trx): Promise<number> {
  const row = await trx.selectFrom('events').select((eb) => eb.fn.max('position').as('last')).executeTakeFirst();
  return Number(row?.last ?? 0);
}

/** A delivery for each active endpoint subscribed to each event positioned after `last` (pings go only where their test sends them). */
export async function fanOut(trx: Trx, last: number, sentOnlyByName: readonly string[], now: string): Promise<number> {
  const result = await sql`
    insert into webhook_deliveries (endpoint_id, event_seq, status, attempts, next_attempt_at, final_attempt, created_at)
    select s.endpoint_id, e.seq, 'pending', 0, ${now}, 0, ${now}
    from events e
    join webhook_subscriptions s on s.event_type = e.type or (s.event_type = ${ALL_EVENTS} and e.type not in (${sql.join(sentOnlyByName)}))
    join webhook_endpoints ep on ep.id = s.endpoint_id and ep.active = 1
    where e.position > ${last} and e.type <> 'ping'`.execute(trx);
  return Number(result.numAffectedRows ?? 0n);
}

/** PostgreSQL: one dispatcher at a time per schema (positions must be handed out in commit order). */
export async function lockDispatch(trx: Trx): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(current_schema() || '.dispatch'))`.execute(trx);
}

// ---- attempts: claiming due deliveries, recording what happened ----

export interface ClaimedDelivery {
  id: number;
  endpoint_id: number;
  event_seq: number;
  attempts: number;
  final_attempt: number;
}

/**
 * Takes up to `limit` due deliveries of active endpoints (not those in `skipEndpoints`) for
 * this process until `leaseUntil`: a conditional write, so two processes never take the
 * same one (PostgreSQL skips rows another claim holds locked rather than waiting).
 */
export async function claimDueDeliveries(
  db: Queryable,
  p: { owner: string; now: string; leaseUntil: string; limit: number; skipEndpoints: number[] },
): Promise<ClaimedDelivery[]> {
  const skip = p.skipEndpoints.length === 0 ? sql`` : sql`and d.endpoint_id not in (${sql.join(p.skipEndpoints)})`;
  const lock = forEngine(db, { sqlite: sql``, postgres: sql`for update of d skip locked` });
  const { rows } = await sql<ClaimedDelivery>`
    update webhook_deliveries set lease_owner = ${p.owner}, lease_until = ${p.leaseUntil}
    where id in (
      select d.id from webhook_deliveries d join webhook_endpoints ep on ep.id = d.endpoint_id
      where d.status = 'pending' and d.next_attempt_at <= ${p.now} and (d.lease_until is null or d.lease_until <= ${p.now})
        and ep.active = 1 ${skip}
      order by d.next_attempt_at, d.id limit ${p.limit} ${lock})
    and status = 'pending' and (lease_until is null or lease_until <= ${p.now})
    returning id, endpoint_id, event_seq, attempts, final_attempt`.execute(db);
  return rows;
}

/** Gives back deliveries this process claimed but will not attempt now. */
export async function releaseDeliveries(db: Queryable, ids: number[], owner: string): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('webhook_deliveries').set({ lease_owner: null, lease_until: null }).where('id', 'in', ids).where('lease_owner', '=', owner).execute();
}

/** Deliveries that could be taken at `now`: pending, not held by an attempt, their endpoint active. */
function dueDeliveries(db: Kysely<Database>, now: string) {
  return db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_endpoints as ep', 'ep.id', 'd.endpoint_id')
    .select((eb) => eb.fn.min('d.next_attempt_at').as('next'))
    .where('d.status', '=', 'pending')
    .where('ep.active', '=', 1)
    .where((eb) => eb.or([eb('d.lease_until', 'is', null), eb('d.lease_until', '<=', now)]));
}

// Read by every delivery cycle; most skip no endpoint, so that shape is compiled once.
const nextDueAnywhere = compileOnce((db, p: { now: string }) => dueDeliveries(db, p.now));

/**
 * When the next delivery this process could take falls due: pending, not held by an attempt,
 * its endpoint active and not among those this process has no room for.
 */
export async function nextDueAt(db: Queryable, now: string, skipEndpoints: number[]): Promise<string | undefined> {
  const { rows } =
    skipEndpoints.length === 0
      ? await nextDueAnywhere(db, { now })
      : { rows: await dueDeliveries(db, now).where('d.endpoint_id', 'not in', skipEndpoints).execute() };
  return (rows[0]?.next as string | null | undefined) ?? undefined;
}

export interface AttemptRecord {
  status: DeliveryStatus;
  nextAttemptAt: string | null;
  statusCode: number | null;
  error: string | null;
  at: string;
}

/** Records an attempt's outcome, only while this process still holds the delivery. */
export async function recordAttempt(db: Queryable, id: number, owner: string, record: AttemptRecord): Promise<boolean> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set((eb) => ({
      status: record.status,
      attempts: eb('attempts', '+', 1),
      next_attempt_at: record.nextAttemptAt,
      last_attempt_at: record.at,
      last_status_code: record.statusCode,
      last_error: record.error,
      final_attempt: 0,
      lease_owner: null,
      lease_until: null,
    }))
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function markEndpointHealthy(db: Queryable, id: number): Promise<void> {
  await db.updateTable('webhook_endpoints').set({ failing_since: null }).where('id', '=', id).where('failing_since', 'is not', null).execute();
}

/**
 * Notes a failed attempt on its endpoint: the failing streak starts now if it had not, and an
 * endpoint failing since before `disableIfFailingSince` is disabled, in the same statement.
 */
export async function markEndpointFailing(db: Queryable, id: number, now: string, disableIfFailingSince: string, reason: string): Promise<void> {
  await sql`
    update webhook_endpoints set
      active = case when failing_since is not null and failing_since <= ${disableIfFailingSince} then 0 else active end,
      disabled_reason = case when failing_since is not null and failing_since <= ${disableIfFailingSince} and active = 1 then ${reason} else disabled_reason end,
      failing_since = coalesce(failing_since, ${now})
    where id = ${id}`.execute(db);
}

export async function disableEndpoint(db: Queryable, id: number, reason: string, now: string): Promise<void> {
  await db.updateTable('webhook_endpoints').set({ active: 0, disabled_reason: reason, updated_at: now }).where('id', '=', id).where('active', '=', 1).execute();
}

/** An attempt's endpoint: where to send it and the secrets to sign it with. */
export function findEndpointForAttempt(db: Queryable, id: number) {
  return db
    .selectFrom('webhook_endpoints')
    .select(['id', 'url', 'active', 'secret', 'previous_secret', 'previous_secret_expires_at', 'failing_since'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** How many deliveries wait for an attempt (a metric). */
export async function countPendingDeliveries(db: Queryable): Promise<number> {
  const row = await db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Deletes finished deliveries older than the cutoff (the retention job). */
export async function deleteFinishedDeliveriesBefore(db: Queryable, cutoff: string): Promise<void> {
  await db.deleteFrom('webhook_deliveries').where('status', '<>', 'pending').where('created_at', '<', cutoff).execute();
}

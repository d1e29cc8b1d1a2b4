import type { Db } from '../../db/database.js';
import { inTransaction } from '../../db/engine.js';
import { SENT_ONLY_BY_NAME } from '../events/events.schemas.js';
import * as repo from './webhooks.repository.js';

/** Events dispatched per transaction; a backlog (after an outage) goes in several. */
const BATCH = 500;

/**
 * Dispatches committed events: each gets the next place in the feed and a delivery for every
 * active endpoint subscribed to it, in one transaction, so an event is either dispatched with
 * all its deliveries or not at all (and then again by the next dispatch). Only one dispatch
 * runs at a time (an advisory lock), and a transaction sees only committed events, so an event
 * that commits late still gets a later place than every event a reader has already been shown.
 * PostgreSQL only: SQLite commits in write order, and places every event as it is written.
 */
export async function dispatchEvents(db: Db): Promise<{ events: number; deliveries: number }> {
  const total = { events: 0, deliveries: 0 };
  // A read first: most cycles find nothing, and then take no lock at all.
  if (!(await repo.anyUndispatchedEvent(db))) return total;
  for (;;) {
    const round = await inTransaction(db, async (trx) => {
      await repo.lockDispatch(trx);
      const last = await repo.lastPosition(trx);
      const events = await repo.positionEvents(trx, last, BATCH);
      const deliveries = events === 0 ? 0 : await repo.fanOut(trx, last, SENT_ONLY_BY_NAME, new Date().toISOString());
      return { events, deliveries };
    });
    total.events += round.events;
    total.deliveries += round.deliveries;
    if (round.events < BATCH) return total;
  }
}

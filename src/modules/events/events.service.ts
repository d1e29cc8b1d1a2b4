import type { Trx } from '../../db/database.js';
import type { EventType } from './event-types.js';
import { insertEvent } from './events.repository.js';

/**
 * Records an event inside the transaction of the change it reports (the outbox): a change
 * that rolls back leaves no event, and a committed one is delivered even if the process
 * dies a moment later. `data` is what consumers receive, as the contract's table says.
 */
export function recordEvent(trx: Trx, type: EventType, data: object, now = new Date().toISOString()): Promise<{ seq: number; id: string }> {
  return insertEvent(trx, type, JSON.stringify(data), now);
}

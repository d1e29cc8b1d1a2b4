import type { Queryable } from '../../db/database.js';
import { forEngine } from '../../db/engine.js';
import type { OrderWriter } from './placement.js';
import { postgresOrderWriter } from './placement.postgres.js';
import { sqliteOrderWriter } from './placement.sqlite.js';

/** The writer of orders for this database's engine. */
export function orderWriterFor(db: Queryable): OrderWriter {
  return forEngine(db, { sqlite: sqliteOrderWriter, postgres: postgresOrderWriter });
}

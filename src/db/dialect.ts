import { PostgresAdapter } from 'kysely';
import type { Db } from './database.js';

/** For the few places where SQLite and PostgreSQL need different SQL or handling. */
export function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

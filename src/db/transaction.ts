import { sql } from 'kysely';
import type { Db } from './database.js';

/**
 * Runs `work` in one transaction and passes it the transaction's handle.
 *
 * On SQLite it starts with BEGIN IMMEDIATE: the write lock is taken up front, so two
 * processes on one file queue on the busy timeout instead of failing when a reader
 * tries to upgrade to a writer. Kysely's own transaction() would issue a plain BEGIN.
 */
export function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const result = await work(connection);
      await sql`commit`.execute(connection);
      return result;
    } catch (error) {
      await sql`rollback`.execute(connection);
      throw error;
    }
  });
}

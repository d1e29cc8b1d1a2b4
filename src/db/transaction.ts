import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceUnavailableError } from '../shared/errors.js';
import type { Db } from './database.js';
import { GroupCommit } from './group-commit.js';
import { isPostgres } from './dialect.js';
import { isRetryableConflict } from './errors.js';
import { isStalePreparedStatement } from './postgres-prepared.js';

const MAX_ATTEMPTS = 5;

/**
 * Runs `work` in one transaction and passes it the transaction's handle. `work` may run
 * more than once, so it must only talk to the database.
 *
 * PostgreSQL: a serialization failure or deadlock (40001, 40P01) is retried a few times
 * with a short random back-off, then answered 503 with Retry-After; so is a prepared
 * statement that a migration made stale (see postgres-prepared.ts).
 *
 * SQLite: BEGIN IMMEDIATE takes the write lock up front, so two processes on one file
 * queue on the busy timeout instead of deadlocking when a reader upgrades to a writer; and
 * transactions that arrive together commit together, each in its own savepoint.
 */
export async function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  if (!isPostgres(db)) return inSqliteTransaction(db, work);
  return retryingConflicts(() => db.transaction().execute(work));
}

/** PostgreSQL: runs `attempt` again when it lost a race (see inTransaction); it must be atomic. */
export async function retryingConflicts<T>(attempt: () => Promise<T>): Promise<T> {
  for (let attempts = 1; ; attempts += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!isRetryableConflict(error) && !isStalePreparedStatement(error)) throw error;
      if (attempts === MAX_ATTEMPTS) throw new ServiceUnavailableError('The database is busy; try again.', 1);
      await sleep(Math.random() * 10 * attempts);
    }
  }
}

/** One group committer per SQLite connection (see group-commit.ts). */
const groups = new WeakMap<Db, GroupCommit>();

function inSqliteTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  let group = groups.get(db);
  if (!group) {
    group = new GroupCommit(db);
    groups.set(db, group);
  }
  return group.run(work);
}

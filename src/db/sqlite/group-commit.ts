import { type Kysely, sql } from 'kysely';
import type { Database, Db, Trx } from '../database.js';

/**
 * Most transactions on one SQLite connection share the cost of their commit: the ones that
 * arrive while a transaction runs wait, then run together in the next one, each inside its
 * own savepoint. A job that fails rolls back to its savepoint and fails alone; the others
 * commit together, and none of them answers before that commit. So every job is still all
 * or nothing, but a busy shop writes each hot page (a product's stock, the newest orders)
 * to the WAL once per group instead of once per order.
 *
 * A group holds at most MAX_GROUP jobs, which bounds how long a read waits for the connection.
 */
const MAX_GROUP = 32;

interface Job {
  work: (trx: Trx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class GroupCommit {
  private readonly waiting: Job[] = [];
  private running = false;

  constructor(private readonly db: Db) {}

  run<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.running) return;
      // better-sqlite3 answers synchronously, so a transaction never yields to the event
      // loop: without this turn, each request would commit before the next one is read.
      this.running = true;
      setImmediate(() => void this.runGroups());
    });
  }

  private async runGroups(): Promise<void> {
    try {
      while (this.waiting.length > 0) await this.runGroup();
    } finally {
      this.running = false;
    }
  }

  private async runGroup(): Promise<void> {
    let jobs: Job[] = [];
    let outcomes: Outcome[];
    try {
      outcomes = await this.db.connection().execute(async (connection) => {
        // Taken once the connection is ours: whatever arrived while we waited for it joins.
        jobs = this.waiting.splice(0, MAX_GROUP);
        await sql`begin immediate`.execute(connection);
        try {
          const results: Outcome[] = [];
          for (const job of jobs) results.push(await runInSavepoint(connection, job));
          await sql`commit`.execute(connection);
          return results;
        } catch (error) {
          await sql`rollback`.execute(connection).catch(() => undefined);
          throw error;
        }
      });
    } catch (error) {
      // The group as a whole failed (the write lock stayed busy, or the connection is
      // closed and the group never started): nothing was committed.
      const failed = jobs.length > 0 ? jobs : this.waiting.splice(0, MAX_GROUP);
      for (const job of failed) job.reject(error);
      return;
    }
    jobs.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
  }
}

async function runInSavepoint(connection: Kysely<Database>, job: Job): Promise<Outcome> {
  await sql`savepoint job`.execute(connection);
  try {
    // The one place a connection becomes a Trx: it is inside `begin immediate` until the group commits.
    const value = await job.work(connection as Trx);
    await sql`release job`.execute(connection);
    return { ok: true, value };
  } catch (error) {
    // If even this fails, the transaction is gone and the whole group fails with it.
    await sql`rollback to job`.execute(connection);
    await sql`release job`.execute(connection);
    return { ok: false, error };
  }
}

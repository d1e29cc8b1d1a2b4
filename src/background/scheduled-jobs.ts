import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/** A recurring piece of housekeeping: purging what has expired. */
export interface ScheduledJob {
  name: string;
  everySeconds: number;
  run: (db: Db, now: number) => Promise<unknown>;
}

/**
 * Runs the jobs that are due. Every process may call this: a job is run by the one process
 * whose conditional write moves its next run on (the others find it no longer due), so
 * several API or worker processes purge once per period between them, not once each.
 */
export async function runDueJobs(db: Db, jobs: readonly ScheduledJob[], now = Date.now(), log?: { warn: (o: object, m: string) => void }): Promise<string[]> {
  const ran: string[] = [];
  const nowIso = new Date(now).toISOString();
  for (const job of jobs) {
    await sql`insert into scheduled_jobs (name, next_run_at) values (${job.name}, ${nowIso}) on conflict (name) do nothing`.execute(db);
    const taken = await db
      .updateTable('scheduled_jobs')
      .set({ next_run_at: new Date(now + job.everySeconds * 1000).toISOString() })
      .where('name', '=', job.name)
      .where('next_run_at', '<=', nowIso)
      .executeTakeFirst();
    if (taken.numUpdatedRows === 0n) continue;
    try {
      await job.run(db, now);
      ran.push(job.name);
    } catch (error) {
      log?.warn({ err: error, job: job.name }, 'a scheduled job failed; it runs again at its next time');
    }
  }
  return ran;
}

import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { engineOf } from '../db/engine.js';

/** The PostgreSQL channel on which a process says it committed work for the delivery workers. */
const CHANNEL = 'ecommerce_api_work';

/**
 * A signal to other processes' workers that there is new work (WEBHOOK_DELIVERY=worker on
 * PostgreSQL): NOTIFY, at most one at a time, further calls meanwhile folded into one more.
 * On SQLite there is no such channel; workers poll.
 */
export function notifyOtherProcesses(db: Db, log: { warn: (o: object, m: string) => void }): () => void {
  if (engineOf(db).name !== 'postgres') return () => {};
  let sending = false;
  let pending = false;
  const send = (): void => {
    sending = true;
    pending = false;
    sql`select pg_notify(${CHANNEL}, '')`
      .execute(db)
      .catch((error: unknown) => log.warn({ err: error }, 'could not notify the delivery workers; they will find the work when they poll'))
      .finally(() => {
        sending = false;
        if (pending) send();
      });
  };
  return () => {
    if (sending) pending = true;
    else send();
  };
}

/**
 * Calls `onSignal` whenever any process notifies (PostgreSQL LISTEN, on a connection of its
 * own, reconnected after a failure); on SQLite it does nothing and the worker polls.
 */
export async function listenForWork(
  databaseUrl: string,
  db: Db,
  onSignal: () => void,
  log: { warn: (o: object, m: string) => void },
): Promise<() => Promise<void>> {
  if (engineOf(db).name !== 'postgres') return async () => {};
  const pg = (await import('pg')).default;
  let client: InstanceType<typeof pg.Client> | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: databaseUrl });
    next.on('notification', () => onSignal());
    next.on('error', (error) => {
      log.warn({ err: error }, 'the LISTEN connection failed; reconnecting');
      next.end().catch(() => undefined);
      if (!closed) retry = setTimeout(() => void connect().catch(() => undefined), 1000);
    });
    try {
      await next.connect();
      await next.query(`listen ${CHANNEL}`);
      client = next;
      // Work may have been committed while there was no connection.
      onSignal();
    } catch (error) {
      log.warn({ err: error }, 'could not LISTEN for work; polling until it can');
      await next.end().catch(() => undefined);
      if (!closed) retry = setTimeout(() => void connect().catch(() => undefined), 1000);
    }
  };
  await connect();
  return async () => {
    closed = true;
    clearTimeout(retry);
    await client?.end().catch(() => undefined);
  };
}

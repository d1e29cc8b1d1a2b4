import { shopJobs, startBackground } from './background/background.js';
import { listenForWork } from './background/wake-signal.js';
import { ConfigError, loadConfigFromProcess } from './config.js';
import { connectDatabase } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import { eventPresenter } from './background/event-presenter.js';

/**
 * `npm run worker`: delivers webhooks and runs the scheduled jobs, serving no HTTP. Run any
 * number of them beside API processes started with WEBHOOK_DELIVERY=worker; on PostgreSQL
 * they share the work by row locks and wake on NOTIFY, on SQLite they poll.
 */
const log = {
  warn: (object: object, message: string) => console.warn(JSON.stringify({ level: 'warn', msg: message, err: errorText(object) })),
};

function errorText(object: object): string | undefined {
  const error = (object as { err?: unknown }).err;
  return error instanceof Error ? error.message : undefined;
}

async function main(): Promise<void> {
  const config = loadConfigFromProcess();
  const db = await connectDatabase(config);
  await migrateToLatest(db);
  const background = startBackground({ db, config, log, present: eventPresenter(config), jobs: shopJobs(config) });
  const stopListening = await listenForWork(config.databaseUrl, db, background.wake, log);
  // The worker's own timers do not hold a process open (an API process has its listener for
  // that); on SQLite nothing else would, so this does until a signal stops the worker.
  const keepAlive = setInterval(() => {}, 60_000);

  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    clearInterval(keepAlive);
    await stopListening();
    await background.stop();
    await db.destroy();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  console.log(`Ecommerce API worker delivering webhooks (pid ${process.pid})`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});

import { buildApp } from './app.js';
import { ConfigError, loadConfigFromProcess } from './config.js';
import { isDatabaseUnavailable } from './db/errors.js';
import type { BootstrapAdmin } from './modules/customers/customers.service.js';

/** Printed once, to the console only (never to the log): the password is not stored anywhere else. */
function showFirstAdmin(admin: BootstrapAdmin): void {
  if (admin.generatedPassword) {
    console.log(`\nCreated the first admin "${admin.username}" with the generated password:\n\n    ${admin.generatedPassword}\n`);
  } else {
    console.log(`\nCreated the first admin "${admin.username}" with ADMIN_PASSWORD.`);
  }
}

async function main(): Promise<void> {
  const config = loadConfigFromProcess();
  // The admin's password is shown the moment the admin exists, so a start that fails later
  // (the port is taken, say) never leaves an admin whose password nobody saw.
  const app = await buildApp(config, { onFirstAdmin: showFirstAdmin });

  // Stop taking connections, let requests in flight finish, close the database, exit 0.
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const address = await app.listen({ port: config.port, host: config.host }).catch(async (error: unknown) => {
    await app.close();
    throw error;
  });
  console.log(`Ecommerce API listening on ${address} (docs: ${address}/docs)`);
  const metrics = app.metricsAddress();
  if (metrics) console.log(`Prometheus metrics at ${metrics}/metrics`);
  console.log(
    `Log in: curl -s -X POST ${address}/customers/login -H 'content-type: application/json' -d '{"username":"${config.adminUsername}","password":"<password>"}'`,
  );
}

/** One sentence for what an operator can fix, the whole error for anything else. */
function explain(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const { PORT, HOST, METRICS_PORT } = process.env;
  const metricsPortTaken = code === 'EADDRINUSE' && METRICS_PORT && METRICS_PORT !== (PORT || '3000') && (error as { port?: unknown }).port === Number(METRICS_PORT);
  if (metricsPortTaken) return `METRICS_PORT ${METRICS_PORT} on ${HOST || '127.0.0.1'} is already in use: stop what holds it, or set METRICS_PORT to another port.`;
  if (code === 'EADDRINUSE') return `Port ${PORT || 3000} on ${HOST || '127.0.0.1'} is already in use: stop what holds it, or set PORT to another port.`;
  if (code === 'EACCES') return `Not allowed to listen on port ${PORT || 3000}: ports below 1024 need privileges; set PORT to 1024 or above.`;
  if (code === 'EADDRNOTAVAIL') return `HOST ${HOST} is not an address of this machine: set HOST to one of its addresses, or 0.0.0.0 for all.`;
  if (code === 'SQLITE_CANTOPEN') return 'The SQLite database file cannot be opened: check that DATABASE_URL names a path this user may write.';
  if (isDatabaseUnavailable(error)) {
    const reason = error instanceof Error ? error.message : String(error);
    return `The database at DATABASE_URL is not reachable (${reason}): start it, or check the URL.`;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

main().catch((error: unknown) => {
  console.error(explain(error));
  process.exit(1);
});

import { buildApp } from './app.js';
import { ConfigError, loadConfigFromProcess } from './config.js';

async function main(): Promise<void> {
  const config = loadConfigFromProcess();
  const app = await buildApp(config);
  const address = await app.listen({ port: config.port, host: config.host });

  const admin = app.bootstrapAdmin;
  if (admin?.generatedPassword) {
    // Printed once, to the console only (never to the log): it is not stored anywhere else.
    console.log(`\nCreated the first admin "${admin.username}" with the generated password:\n\n    ${admin.generatedPassword}\n`);
  } else if (admin) {
    console.log(`\nCreated the first admin "${admin.username}" with ADMIN_PASSWORD.`);
  }
  console.log(`Ecommerce API listening on ${address} (docs: ${address}/docs)`);
  console.log(
    `Log in: curl -s -X POST ${address}/customers/login -H 'content-type: application/json' -d '{"username":"${config.adminUsername}","password":"<password>"}'`,
  );

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
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});

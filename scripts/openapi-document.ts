// Prints the OpenAPI document of the app as it is built from this checkout, without a
// database file or a listening port: `npx tsx scripts/openapi-document.ts > openapi.json`.
// The lint step of `npm test` (scripts/test.mjs) lints what this prints.
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';

const config = parseConfig({
  DATABASE_URL: 'sqlite::memory:',
  JWT_SECRET: 'x'.repeat(32),
  ADMIN_PASSWORD: 'not-used-anywhere',
  LOG_LEVEL: 'silent',
});
const app = await buildApp(config);
await app.ready();
process.stdout.write(`${JSON.stringify(app.swagger(), null, 2)}\n`);
await app.close();

// The OpenAPI document of the app as this checkout builds it, without a database file or a
// listening port: what GET /openapi.json answers on a default configuration.
import type { OpenAPIV3_1 } from 'openapi-types';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';

export async function appDocument(): Promise<OpenAPIV3_1.Document> {
  const config = parseConfig({
    DATABASE_URL: 'sqlite::memory:',
    JWT_SECRET: 'x'.repeat(32),
    ADMIN_PASSWORD: 'not-used-anywhere',
    LOG_LEVEL: 'silent',
  });
  const app = await buildApp(config);
  try {
    await app.ready();
    return app.swagger() as OpenAPIV3_1.Document;
  } finally {
    await app.close();
  }
}

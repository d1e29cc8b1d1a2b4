import type { TestContext } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { Migrator, sql } from 'kysely';
import { buildApp } from '../../src/app.js';
import { type Config, parseConfig } from '../../src/config.js';
import { connectDatabase } from '../../src/db/connect.js';
import type { Db } from '../../src/db/database.js';
import { migrations } from '../../src/db/migrations/index.js';
import { assertDocumented } from './contract.js';
import { createTestDatabase, onPostgres } from './database.js';

export const ADMIN = { username: 'admin', password: 'admin-password-1' };
export const TEST_SECRET = 'test-secret-that-is-at-least-32-bytes-long!!';

/** A config for one test app: limits high enough not to get in the way. Give it a databaseUrl. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...parseConfig({
      DATABASE_URL: 'sqlite::memory:',
      JWT_SECRET: TEST_SECRET,
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'silent',
      LOGIN_MAX_FAILURES: '1000',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '1000',
      LOGIN_MAX_FAILURES_PER_USERNAME: '1000',
      REGISTER_MAX_PER_ADDRESS: '1000',
      IDENTITY_CHECKS_MAX_PER_HOUR: '1000',
      MAX_PENDING_ORDERS_PER_CUSTOMER: '1000',
      // Test apps only record events: a test that wants them dispatched and delivered asks for
      // inline delivery, to receivers on loopback (tests send no traffic anywhere else).
      WEBHOOK_DELIVERY: 'worker',
    }),
    ...overrides,
  };
}

/** Builds an app on its own fresh database; both are closed and removed when the test ends. */
export async function buildTestApp(t: TestContext, overrides: Partial<Config> = {}): Promise<FastifyInstance> {
  const database = await createTestDatabase({ migratedToLatest: true });
  try {
    const app = await buildApp(testConfig({ databaseUrl: database.url, ...overrides }));
    t.after(async () => {
      await app.close();
      await database.drop();
    });
    return app;
  } catch (error) {
    await database.drop();
    throw error;
  }
}

/**
 * An app on a database an older version left behind: migrated only up to `migration`, given
 * that version's data by `seed`, then opened by this version (which migrates it the rest of
 * the way). Closed and removed when the test ends.
 */
export async function buildUpgradedApp(
  t: TestContext,
  migration: string,
  seed: (db: Db) => Promise<void>,
  overrides: Partial<Config> = {},
): Promise<FastifyInstance> {
  const database = await createTestDatabase({ shared: true });
  let app: FastifyInstance | undefined;
  t.after(async () => {
    await app?.close();
    await database.drop();
  });
  const db = await connectDatabase(testConfig({ databaseUrl: database.url }));
  try {
    const schema = onPostgres ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined;
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, migrationTableSchema: schema });
    const { error } = await migrator.migrateTo(migration);
    if (error) throw error;
    await seed(db);
  } finally {
    await db.destroy();
  }
  app = await buildApp(testConfig({ databaseUrl: database.url, ...overrides }));
  return app;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  // Tests read arbitrary JSON shapes; each assertion states the shape it expects.
  body: any;
}

/** Sends one request with app.inject; JSON bodies in and out. The answer is checked against the OpenAPI document (contract.ts). */
export async function call(
  app: FastifyInstance,
  method: InjectOptions['method'],
  url: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await app.inject({
    method,
    url,
    headers,
    ...(options.body === undefined ? {} : { payload: options.body as InjectOptions['payload'] }),
  });
  assertDocumented(app, String(method), url, { status: response.statusCode, headers: response.headers, text: response.body });
  const isJson = /json/.test(String(response.headers['content-type'] ?? ''));
  return { status: response.statusCode, headers: response.headers, body: isJson ? response.json() : response.body };
}

export async function login(app: FastifyInstance, username: string, password: string): Promise<string> {
  const response = await call(app, 'POST', '/customers/login', { body: { username, password } });
  if (response.status !== 200) throw new Error(`login ${username} failed: ${response.status}`);
  return response.body.auth_token;
}

export function adminToken(app: FastifyInstance): Promise<string> {
  return login(app, ADMIN.username, ADMIN.password);
}

let sequence = 0;

/** Registers a new customer and logs it in. */
export async function registerCustomer(app: FastifyInstance, overrides: Record<string, unknown> = {}) {
  sequence += 1;
  const fields = {
    customer_name: `Customer ${sequence}`,
    email: `customer${sequence}@example.com`,
    phone: '+1 555 0100',
    username: `customer${sequence}`,
    password: 'customer-password',
    ...overrides,
  };
  const response = await call(app, 'POST', '/customers/register', { body: fields });
  if (response.status !== 201) throw new Error(`register failed: ${response.status} ${JSON.stringify(response.body)}`);
  const token = await login(app, String(fields.username), String(fields.password));
  return { customer: response.body, token, password: String(fields.password) };
}

export async function createProduct(app: FastifyInstance, token: string, overrides: Record<string, unknown> = {}) {
  sequence += 1;
  const response = await call(app, 'POST', '/products', {
    token,
    body: { product_name: `Product ${sequence}`, price: 9.99, ...overrides },
  });
  if (response.status !== 201) throw new Error(`create product failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}


import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import pg from 'pg';
import { migrations } from '../../src/db/migrations/index.js';

/** Set by `npm test` for its PostgreSQL pass; unset, the suite runs on SQLite. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const onPostgres = TEST_DATABASE_URL !== undefined;

export interface TestDatabase {
  url: string;
  drop: () => Promise<void>;
}

/**
 * A fresh, empty database for one test: its own PostgreSQL schema (dropped or emptied
 * afterwards) when TEST_DATABASE_URL is set (in a database of its test file's own); otherwise
 * SQLite in memory, or in a temporary file when several processes must share it.
 * `migratedToLatest`: the caller migrates it to the latest anyway (an app does), so on
 * PostgreSQL a schema another test left migrated and emptied may serve.
 */
export async function createTestDatabase(options: { shared?: boolean; migratedToLatest?: boolean } = {}): Promise<TestDatabase> {
  if (TEST_DATABASE_URL) return createSchema(TEST_DATABASE_URL, options.migratedToLatest === true);
  if (!options.shared) return { url: 'sqlite::memory:', drop: async () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'ecommerce-api-test-'));
  return { url: `sqlite:${join(dir, 'shop.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

let counter = 0;
let fileDatabase: Promise<string> | undefined;
let dropFileDatabase: (() => Promise<void>) | undefined;

// Registered while the test file loads, so it runs once, after all of the file's tests.
if (TEST_DATABASE_URL) after(() => dropFileDatabase?.());

/**
 * Each test file runs in its own process and gets its own database, dropped when the file
 * ends; each test then gets a schema in it. Schemas alone would share one catalog with
 * other files running at the same time, and Kysely's migrator reads the whole catalog.
 */
function databaseForThisFile(serverUrl: string): Promise<string> {
  fileDatabase ??= (async () => {
    const name = `test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    await runSql(serverUrl, `create database ${name}`);
    dropFileDatabase = () => runSql(serverUrl, `drop database if exists ${name} with (force)`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return url.toString();
  })();
  return fileDatabase;
}

/**
 * Schemas of this file's database that a finished test left fully migrated, emptied for the
 * next one: migrating a fresh schema on PostgreSQL (14 migrations) costs about 300 ms, most of
 * a typical test, and emptying one about a tenth of that.
 */
const emptiedSchemas: string[] = [];

/** `reuse`: the caller migrates to the latest anyway (an app), so an emptied schema serves as well as a new one. */
async function createSchema(serverUrl: string, reuse: boolean): Promise<TestDatabase> {
  const databaseUrl = await databaseForThisFile(serverUrl);
  let schema = reuse ? emptiedSchemas.pop() : undefined;
  if (schema === undefined) {
    counter += 1;
    schema = `test_${counter}`;
    await runSql(databaseUrl, `create schema ${schema}`);
  }
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const name = schema;
  return { url: url.toString(), drop: () => emptyOrDrop(databaseUrl, name) };
}

/**
 * A schema the test left at the latest migration is emptied (every table but the
 * migrations' own truncated, ids restarted, the live-product count back to its migrated
 * value) and kept for the next test; any other (a test that migrated part of the way) is
 * dropped.
 */
async function emptyOrDrop(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ applied: string }>(
      `select count(*) as applied from information_schema.tables t where t.table_schema = $1 and t.table_name = 'kysely_migration'`,
      [schema],
    );
    const migrated =
      Number(rows[0]?.applied) === 1 &&
      Number((await client.query<{ n: string }>(`select count(*) as n from ${schema}.kysely_migration`)).rows[0]?.n) === Object.keys(migrations).length;
    if (!migrated) {
      await client.query(`drop schema if exists ${schema} cascade`);
      return;
    }
    const tables = await client.query<{ name: string }>(
      `select quote_ident(table_name) as name from information_schema.tables
       where table_schema = $1 and table_type = 'BASE TABLE' and table_name not in ('kysely_migration', 'kysely_migration_lock', 'catalogue_totals')`,
      [schema],
    );
    await client.query(`truncate ${tables.rows.map((t) => `${schema}.${t.name}`).join(', ')} restart identity cascade`);
    await client.query(`update ${schema}.catalogue_totals set live_products = 0`);
    emptiedSchemas.push(schema);
  } finally {
    await client.end();
  }
}

async function runSql(serverUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import pg from 'pg';

/** Set by `npm test` for its PostgreSQL pass; unset, the suite runs on SQLite. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const onPostgres = TEST_DATABASE_URL !== undefined;

export interface TestDatabase {
  url: string;
  drop: () => Promise<void>;
}

/**
 * A fresh, empty database for one test: its own PostgreSQL schema (dropped afterwards)
 * when TEST_DATABASE_URL is set (in a database of its test file's own); otherwise SQLite in memory, or in a temporary file when
 * several processes must share it.
 */
export async function createTestDatabase(options: { shared?: boolean } = {}): Promise<TestDatabase> {
  if (TEST_DATABASE_URL) return createSchema(TEST_DATABASE_URL);
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

async function createSchema(serverUrl: string): Promise<TestDatabase> {
  counter += 1;
  const databaseUrl = await databaseForThisFile(serverUrl);
  const schema = `test_${counter}`;
  await runSql(databaseUrl, `create schema ${schema}`);
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), drop: () => runSql(databaseUrl, `drop schema if exists ${schema} cascade`) };
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

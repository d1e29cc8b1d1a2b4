import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
 * when TEST_DATABASE_URL is set; otherwise SQLite in memory, or in a temporary file when
 * several processes must share it.
 */
export async function createTestDatabase(options: { shared?: boolean } = {}): Promise<TestDatabase> {
  if (TEST_DATABASE_URL) return createSchema(TEST_DATABASE_URL);
  if (!options.shared) return { url: 'sqlite::memory:', drop: async () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'ecommerce-api-test-'));
  return { url: `sqlite:${join(dir, 'shop.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

let counter = 0;

async function createSchema(serverUrl: string): Promise<TestDatabase> {
  counter += 1;
  const schema = `test_${process.pid}_${counter}_${Math.random().toString(36).slice(2, 8)}`;
  await runSql(serverUrl, `create schema ${schema}`);
  const url = new URL(serverUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), drop: () => runSql(serverUrl, `drop schema if exists ${schema} cascade`) };
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

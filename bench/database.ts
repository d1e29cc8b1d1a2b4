// The database a run uses: a SQLite file in a temporary directory, or, with
// BENCH_DATABASE_URL, a fresh PostgreSQL database on that server. Either is removed afterwards.
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { onCleanup } from './cleanup.js';

export type BenchDatabase =
  | { kind: 'sqlite'; url: string; path: string; label: string }
  | { kind: 'postgres'; url: string; label: string };

/**
 * `workDir` is removed by the caller's clean-up, and the SQLite file (with its -wal and -shm) with it.
 * `suffix` tells apart the databases of one run (a comparison gives each API its own).
 */
export async function createDatabase(
  workDir: string,
  postgresServerUrl: string | undefined,
  suffix?: string,
): Promise<BenchDatabase> {
  if (!postgresServerUrl) {
    const path = join(workDir, 'shop.db');
    return { kind: 'sqlite', url: `sqlite:${path}`, path, label: `SQLite ${sqliteVersion()} (better-sqlite3, temp file)` };
  }

  // Named after this process, so two benchmarks on one server never meet.
  const name = suffix ? `bench_${process.pid}_${suffix}` : `bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: postgresServerUrl });
  await admin.connect();
  try {
    const version = (await admin.query<{ server_version: string }>('show server_version')).rows[0]?.server_version;
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
    onCleanup(() => dropDatabase(postgresServerUrl, name));
    const url = new URL(postgresServerUrl);
    url.pathname = `/${name}`;
    return { kind: 'postgres', url: url.href, label: `PostgreSQL ${version ?? '?'} (database ${name})` };
  } finally {
    await admin.end();
  }
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    // force: ends any connection a killed API process may have left behind.
    await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}

function sqliteVersion(): string {
  const db = new SqliteDatabase(':memory:');
  try {
    return String(db.prepare('select sqlite_version() as v').pluck().get());
  } finally {
    db.close();
  }
}

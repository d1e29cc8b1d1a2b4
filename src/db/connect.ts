import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database, Db } from './database.js';

const SQLITE_PREFIX = 'sqlite:';

/** Opens the database that DATABASE_URL names. */
export function connectDatabase(databaseUrl: string): Db {
  if (!databaseUrl.startsWith(SQLITE_PREFIX)) {
    throw new Error(`Unsupported DATABASE_URL scheme: ${databaseUrl.split(':')[0]}`);
  }
  return connectSqlite(databaseUrl.slice(SQLITE_PREFIX.length));
}

function connectSqlite(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SqliteDatabase(path);
  // WAL lets readers run beside the writer; NORMAL is durable at each checkpoint in WAL mode.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // Another process holding the write lock makes us wait, not fail at once.
  sqlite.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
}

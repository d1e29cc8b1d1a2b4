import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database, Db } from '../database.js';
import { type Engine, registerEngine } from '../engine.js';
import { GroupCommit } from './group-commit.js';
import { withStatementCache } from './statement-cache.js';

/** Owner only: the file holds password hashes and every order. */
const FILE_MODE = 0o600;
const FOLDER_MODE = 0o700;

export function connectSqlite(path: string): Db {
  if (path !== ':memory:') createPrivately(path);
  const sqlite = new SqliteDatabase(path);
  // WAL lets readers run beside the writer; NORMAL is durable at each checkpoint in WAL mode.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // Another process holding the write lock makes us wait, not fail at once.
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('temp_store = MEMORY');
  if (path !== ':memory:') restrictSidecars(path);
  // The one place a Kysely instance becomes a Db (see database.ts).
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) }) as Db;
  registerEngine(db, sqliteEngine(db));
  return db;
}

/**
 * SQLite runs one write transaction at a time (BEGIN IMMEDIATE takes the write lock up
 * front, so two processes on one file queue on the busy timeout instead of deadlocking when
 * a reader upgrades to a writer), so a row read inside a transaction cannot change before
 * it commits: no row locks are needed. Transactions that arrive together commit together,
 * each in its own savepoint (group-commit.ts).
 */
function sqliteEngine(db: Db): Engine {
  const group = new GroupCommit(db);
  return {
    name: 'sqlite',
    transaction: (work) => group.run(work),
    atomic: (statement) => statement(),
    lockForUpdate: (query) => query,
  };
}

/**
 * A new database file, and its folder, readable by its owner only; an existing file that
 * others can read is narrowed to its owner. SQLite gives its -wal and -shm files the mode
 * of the database file.
 */
function createPrivately(path: string): void {
  const folder = dirname(path);
  if (!existsSync(folder)) mkdirSync(folder, { recursive: true, mode: FOLDER_MODE });
  closeSync(openSync(path, 'a', FILE_MODE));
  chmodSync(path, FILE_MODE);
}

/** Sidecars left by an older version, made before the database file was narrowed. */
function restrictSidecars(path: string): void {
  for (const sidecar of [`${path}-wal`, `${path}-shm`]) if (existsSync(sidecar)) chmodSync(sidecar, FILE_MODE);
}

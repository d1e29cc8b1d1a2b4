import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type pg from 'pg';
import type { Database, Db } from './database.js';
import { prepareRepeatedStatements } from './postgres-prepared.js';
import { withStatementCache } from './statement-cache.js';

export interface DatabaseOptions {
  databaseUrl: string;
  databasePoolSize: number;
  databaseStatementTimeoutMs: number;
  /** Told about a pooled PostgreSQL connection that broke while idle (the server restarted, say). */
  onConnectionError?: (error: Error) => void;
}

const SQLITE_PREFIX = 'sqlite:';

/**
 * Opens the database that DATABASE_URL names: a SQLite file (or :memory:) or a PostgreSQL pool.
 * pg is loaded only when PostgreSQL is used, which keeps it off the embedded start.
 */
export async function connectDatabase(options: DatabaseOptions): Promise<Db> {
  const { databaseUrl } = options;
  if (databaseUrl.startsWith(SQLITE_PREFIX)) return connectSqlite(databaseUrl.slice(SQLITE_PREFIX.length));
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return connectPostgres((await import('pg')).default, options);
  throw new Error(`Unsupported DATABASE_URL scheme: ${databaseUrl.split(':')[0]}`);
}

export function isSqliteUrl(databaseUrl: string): boolean {
  return databaseUrl.startsWith(SQLITE_PREFIX);
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
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
}

const INT8_OID = 20;

/**
 * pg returns bigint (int8, and so count(*)) as a string, to be safe past 2^53. Our
 * bigints are cents and counts, far below that, so they become numbers here, once,
 * and the rest of the code sees the same types on both databases.
 */
function typeParsers(driver: typeof pg) {
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID ? (value: string) => Number(value) : driver.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
}

function connectPostgres(driver: typeof pg, options: DatabaseOptions): Db {
  // TLS and other libpq-style settings (sslmode, sslrootcert, options, ...) pass through in the URL.
  const pool = new driver.Pool({
    connectionString: options.databaseUrl,
    max: options.databasePoolSize,
    statement_timeout: options.databaseStatementTimeoutMs,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    types: typeParsers(driver),
  });
  // A connection the server drops emits 'error'; with no listener that crashes the process.
  // The pool listens only while a connection is idle, so each one gets its own listener too,
  // for when it dies in the middle of a query (the query itself rejects and is answered 503).
  const report = (error: Error) => options.onConnectionError?.(error);
  pool.on('error', report);
  pool.on('connect', (client) => client.on('error', report));
  prepareRepeatedStatements(pool);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

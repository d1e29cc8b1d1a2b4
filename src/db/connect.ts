import type { Db } from './database.js';
import { type PostgresOptions, connectPostgres } from './postgres/connect.js';
import { connectSqlite } from './sqlite/connect.js';

export type DatabaseOptions = PostgresOptions;

const SQLITE_PREFIX = 'sqlite:';

/**
 * Opens the database that DATABASE_URL names: a SQLite file (or :memory:) or a PostgreSQL
 * pool, with the engine that knows its differences (engine.ts). pg is loaded only when
 * PostgreSQL is used, which keeps it off the embedded start.
 */
export async function connectDatabase(options: DatabaseOptions): Promise<Db> {
  const { databaseUrl } = options;
  if (databaseUrl.startsWith(SQLITE_PREFIX)) return connectSqlite(databaseUrl.slice(SQLITE_PREFIX.length));
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return connectPostgres((await import('pg')).default, options);
  throw new Error(`Unsupported DATABASE_URL scheme: ${databaseUrl.split(':')[0]}`);
}

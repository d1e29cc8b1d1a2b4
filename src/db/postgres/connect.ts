import { setTimeout as sleep } from 'node:timers/promises';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { ServiceUnavailableError } from '../../shared/errors.js';
import type { Database, Db, Trx } from '../database.js';
import { type Engine, registerEngine } from '../engine.js';
import { isRetryableConflict } from '../errors.js';
import { isStalePreparedStatement, prepareRepeatedStatements } from './prepared-statements.js';

export interface PostgresOptions {
  databaseUrl: string;
  databasePoolSize: number;
  databaseStatementTimeoutMs: number;
  /** Told about a pooled connection that broke while idle (the server restarted, say). */
  onConnectionError?: (error: Error) => void;
}

const INT8_OID = 20;
const MAX_ATTEMPTS = 5;

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

export function connectPostgres(driver: typeof pg, options: PostgresOptions): Db {
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
  // The one place a Kysely instance becomes a Db (see database.ts).
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }) as Db;
  registerEngine(db, postgresEngine(db));
  return db;
}

/**
 * READ COMMITTED, with row locks where a read decides a write. A transaction or statement
 * that lost a race (serialization failure or deadlock, 40001 or 40P01), or ran a prepared
 * statement that a migration made stale (see prepared-statements.ts), is run again a few
 * times after a short random back-off, then answered 503 with Retry-After.
 */
function postgresEngine(db: Db): Engine {
  return {
    name: 'postgres',
    // The one place a Kysely transaction becomes a Trx.
    transaction: (work) => retryingConflicts(() => db.transaction().execute((trx) => work(trx as unknown as Trx))),
    atomic: retryingConflicts,
    lockForUpdate: (query) => query.forNoKeyUpdate(),
  };
}

async function retryingConflicts<T>(attempt: () => Promise<T>): Promise<T> {
  for (let attempts = 1; ; attempts += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!isRetryableConflict(error) && !isStalePreparedStatement(error)) throw error;
      if (attempts === MAX_ATTEMPTS) throw new ServiceUnavailableError('The database is busy; try again.', 1);
      await sleep(Math.random() * 10 * attempts);
    }
  }
}

import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Db, Trx } from './database.js';

export type EngineName = 'sqlite' | 'postgres';

/**
 * Everything that differs between SQLite and PostgreSQL, behind one interface chosen when
 * the database is opened (connect.ts). Domain code never asks which database it runs on:
 * it asks the engine to run a transaction or to lock what it reads, and a module whose
 * SQL itself differs keeps one implementation per engine, picked by `forEngine`.
 */
export interface Engine {
  readonly name: EngineName;

  /**
   * Runs `work` in one transaction and passes it the transaction. `work` may run more than
   * once (a transaction that lost a race is run again), so it must only talk to the database.
   */
  transaction<T>(work: (trx: Trx) => Promise<T>): Promise<T>;

  /** Runs one statement that is atomic on its own, again if it lost a race. */
  atomic<T>(statement: () => Promise<T>): Promise<T>;

  /**
   * Holds the rows a query reads against writers until the transaction ends, for a
   * read that decides a write. SQLite needs nothing: its transactions hold the write lock.
   */
  lockForUpdate<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O>;
}

/** A transaction and the database share one adapter object, so either finds its engine. */
const engines = new WeakMap<object, Engine>();

export function registerEngine(db: Kysely<any>, engine: Engine): void {
  engines.set(db.getExecutor().adapter, engine);
}

export function engineOf(db: Kysely<any>): Engine {
  const engine = engines.get(db.getExecutor().adapter);
  if (!engine) throw new Error('This database was not opened by connectDatabase.');
  return engine;
}

/** Runs `work` in one transaction (see Engine.transaction). */
export function inTransaction<T>(db: Db, work: (trx: Trx) => Promise<T>): Promise<T> {
  return engineOf(db).transaction(work);
}

/** The implementation of something whose SQL differs between the engines, for this database. */
export function forEngine<T>(db: Kysely<any>, implementations: Record<EngineName, T>): T {
  return implementations[engineOf(db).name];
}

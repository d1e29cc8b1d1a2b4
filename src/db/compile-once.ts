import type { Compilable, CompiledQuery, DialectAdapter, QueryResult } from 'kysely';
import type { Db } from './database.js';

/**
 * For the hottest queries: builds and compiles the query once per SQL dialect, then runs
 * the same SQL with new parameter values. Building a Kysely query (immutable nodes, a
 * compiler pass) costs more than running a one-row SQLite lookup. `build` receives the
 * parameters in the order the SQL binds them (Kysely binds in the order they appear:
 * `set`, then `where`), so the values it is first built with are only placeholders.
 * The SQL text depends only on the dialect, which a transaction shares with its database.
 */
export function compileOnce<Row, Params extends unknown[]>(build: (db: Db, ...placeholders: Params) => Compilable<Row>) {
  const compiledFor = new WeakMap<DialectAdapter, CompiledQuery<Row>>();
  return function run(db: Db, ...parameters: Params): Promise<QueryResult<Row>> {
    const adapter = db.getExecutor().adapter;
    let compiled = compiledFor.get(adapter);
    if (!compiled) {
      compiled = build(db, ...parameters).compile();
      if (compiled.parameters.length !== parameters.length) {
        throw new Error(`compileOnce: the query binds ${compiled.parameters.length} values, not ${parameters.length}`);
      }
      compiledFor.set(adapter, compiled);
    }
    return db.executeQuery<Row>({ ...compiled, parameters });
  };
}

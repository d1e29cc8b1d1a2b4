import type { Compilable, CompiledQuery } from 'kysely';
import type { Db } from './database.js';

/**
 * For the hottest reads: builds and compiles the query once per database and then runs the
 * same SQL with new parameter values. Building a Kysely query (immutable nodes, a compiler
 * pass) costs more than running a one-row SQLite lookup. `build` must take its parameters
 * in the order given to the returned function, with placeholder values; a transaction is a
 * database of its own here, so queries inside one are compiled each time.
 */
export function compileOnce<Row, Params extends unknown[]>(build: (db: Db, ...placeholders: Params) => Compilable<Row>) {
  const compiledFor = new WeakMap<Db, CompiledQuery<Row>>();
  return async function run(db: Db, ...parameters: Params): Promise<Row[]> {
    let compiled = compiledFor.get(db);
    if (!compiled) {
      compiled = build(db, ...parameters).compile();
      if (compiled.parameters.length !== parameters.length) {
        throw new Error(`compileOnce: the query binds ${compiled.parameters.length} values, not ${parameters.length}`);
      }
      compiledFor.set(db, compiled);
    }
    const result = await db.executeQuery<Row>({ ...compiled, parameters });
    return result.rows;
  };
}

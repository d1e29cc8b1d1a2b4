import type { Compilable, CompiledQuery, Kysely, QueryResult, RawBuilder } from 'kysely';
import type { Database, Queryable } from './database.js';

/** Stands for a named parameter while the query is built; nothing else is ever this object. */
class Placeholder {
  constructor(readonly name: string) {}
}

interface Compiled<Row> {
  query: CompiledQuery<Row>;
  /** For each value the SQL binds, in order: the parameter it takes, or a constant of the query. */
  bindings: ({ parameter: string } | { constant: unknown })[];
}

/**
 * For the hottest queries: builds and compiles the query once per SQL dialect, then runs
 * the same SQL with new parameter values. Building a Kysely query (immutable nodes, a
 * compiler pass) costs more than running a one-row SQLite lookup.
 *
 * Values are bound by name: `build` declares its parameters, as in
 * `(db, p: { id: number }) => db.selectFrom('products').where('id', '=', p.id)`, and each run
 * passes `{ id: 5 }`. Where each name lands in the SQL is read off the compiled query, so
 * reordering the builder's calls can never bind a value to the wrong place. Any other value
 * in the query is a constant of it. The SQL text depends only on the dialect, which a
 * transaction shares with its database.
 *
 * The builder sees placeholders, not values, so it must not branch on a parameter, read
 * its properties (an array's length) or spread it into a list: the query must have one
 * shape whatever the values.
 */
export function compileOnce<Row, Params extends Record<string, unknown>>(
  build: (db: Kysely<Database>, params: Params) => Compilable<Row>,
) {
  const compiledFor = new WeakMap<object, Compiled<Row>>();
  return function run(db: Queryable, values: Params): Promise<QueryResult<Row>> {
    const adapter = db.getExecutor().adapter;
    let compiled = compiledFor.get(adapter);
    if (!compiled) {
      compiled = compile(db, build);
      compiledFor.set(adapter, compiled);
    }
    const parameters = compiled.bindings.map((binding) => ('parameter' in binding ? values[binding.parameter] : binding.constant));
    return db.executeQuery<Row>({ ...compiled.query, parameters });
  };
}

function compile<Row, Params>(db: Kysely<Database>, build: (db: Kysely<Database>, params: Params) => Compilable<Row>): Compiled<Row> {
  // While building, every parameter reads as a placeholder named after it; the builder's
  // types are the parameters' own.
  const placeholders = new Proxy({}, { get: (_target, name) => new Placeholder(String(name)) }) as Params;
  const query = build(db, placeholders).compile();
  const bindings = query.parameters.map((value) => (value instanceof Placeholder ? { parameter: value.name } : { constant: value }));
  return { query, bindings };
}

/** A raw statement as compileOnce builds it (a raw builder compiles against the database it is given). */
export function compilable<Row>(db: Kysely<any>, statement: RawBuilder<Row>): Compilable<Row> {
  return { compile: () => statement.compile(db) };
}

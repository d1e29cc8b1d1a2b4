import type pg from 'pg';

/** Distinct SQL texts given a name, as in the SQLite statement cache; later ones run unnamed. */
const MAX_NAMED_TEXTS = 1000;

type Query = (config: unknown, values?: unknown, callback?: unknown) => Promise<pg.QueryResult>;

/**
 * PostgreSQL parses and plans an unnamed statement every time it runs; a named one is parsed
 * once per connection and its plan kept. The SQL our query builders produce repeats, so
 * every text with parameters gets a name (pg then sends it unparsed after its first run on
 * a connection). The README's benchmark section has what this gained.
 *
 * Texts without parameters (BEGIN, COMMIT, migrations' DDL) stay unnamed: they gain nothing.
 *
 * A migration that changes a table's columns makes PostgreSQL refuse a prepared
 * `select *` of it ("cached plan must not change result type"). Then every name is
 * forgotten, so each text is prepared afresh, and the query is run again when it was on
 * its own; inside a transaction it cannot be (the transaction is aborted), so the engine
 * runs the whole transaction again (postgres/connect.ts).
 */
export function prepareRepeatedStatements(pool: pg.Pool): void {
  const names = new StatementNames();
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as Query;
    const named: Query = (config, values, callback) => {
      if (typeof config !== 'string' || !Array.isArray(values) || values.length === 0 || callback !== undefined) {
        return query(config, values, callback);
      }
      return runNamed(client, query, names, config, values);
    };
    client.query = named as typeof client.query;
  });
}

async function runNamed(client: pg.PoolClient, query: Query, names: StatementNames, text: string, values: unknown[]) {
  const onItsOwn = client.getTransactionStatus() === 'I';
  try {
    return await query({ name: names.nameFor(text), text, values });
  } catch (error) {
    if (!isStalePreparedStatement(error)) throw error;
    names.forgetAll();
    if (!onItsOwn) throw error;
    return query({ name: names.nameFor(text), text, values });
  }
}

/** True when PostgreSQL refused a prepared statement because its table's columns changed. */
export function isStalePreparedStatement(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error as { code?: unknown }).code === '0A000' &&
    error.message.includes('cached plan must not change result type')
  );
}

/** One name per SQL text; forgetting them all starts a new generation, so no name is reused for another plan. */
class StatementNames {
  private generation = 0;
  private readonly byText = new Map<string, string>();

  nameFor(text: string): string | undefined {
    let name = this.byText.get(text);
    if (name === undefined && this.byText.size < MAX_NAMED_TEXTS) {
      name = `s${this.generation}_${this.byText.size}`;
      this.byText.set(text, name);
    }
    return name;
  }

  forgetAll(): void {
    this.generation += 1;
    this.byText.clear();
  }
}

import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** Distinct SQL texts kept prepared; lists of ids (`in (?, ?, …)`) make a few variants each. */
const MAX_STATEMENTS = 1000;

/**
 * Kysely's SQLite driver prepares every query again, and preparing costs more than running
 * a one-row lookup. The SQL our query builders produce repeats, so each text is prepared
 * once and its statement reused (better-sqlite3 statements are reusable; SQLite runs one
 * statement at a time on a connection, and Kysely's driver already serialises them).
 * Streaming (`iterate`) would hold a statement open, so the code never streams from SQLite.
 */
export function withStatementCache(sqlite: BetterSqlite3.Database): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= MAX_STATEMENTS) statements.delete(statements.keys().next().value!);
        statement = sqlite.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

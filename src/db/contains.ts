import { type RawBuilder, sql } from 'kysely';

/** A LIKE pattern finding `text` anywhere; its own wildcards (and the escape) match literally, with `escape '\'`. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

/**
 * `column` contains `text`, whatever the case: lower() on both sides, which folds ASCII
 * letters on SQLite and every letter on PostgreSQL (the same answer for the emails,
 * usernames and names people type into a search box).
 */
export function containsText(column: string, text: string): RawBuilder<boolean> {
  return sql<boolean>`lower(${sql.ref(column)}) like lower(${likePattern(text)}) escape '\\'`;
}

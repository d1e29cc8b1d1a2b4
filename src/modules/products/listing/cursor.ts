import { ValidationError } from '../../../shared/errors.js';
import { MAX_ID } from '../../../shared/schemas.js';
import { type ProductSort, type SortKey, fitsSortColumn } from './model.js';

/** A cursor is the sort it belongs to and the last row's sort key, as base64url JSON. */
export function encodeCursor(key: SortKey, sort: ProductSort): string {
  return Buffer.from(JSON.stringify([sort, key.value, key.id])).toString('base64url');
}

/** The sort key a cursor names; 400 for one that is not a cursor of this listing's sort. */
export function decodeCursor(cursor: string, sort: ProductSort): SortKey {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parts = undefined;
  }
  if (!Array.isArray(parts) || parts.length !== 3 || parts[0] !== sort) {
    throw new ValidationError('/querystring/after', 'is not a cursor of this listing: pass the next of a page with the same sort');
  }
  const [, value, id]: unknown[] = parts;
  // Everything in a cursor came from a client: it must fit the columns it is compared with,
  // or the database would refuse the query (an id past the integer column, a NUL in text).
  if (!fitsSortColumn(sort, value) || typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > MAX_ID) {
    throw new ValidationError('/querystring/after', 'is not a valid cursor');
  }
  return { value, id };
}

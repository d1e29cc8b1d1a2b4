import { sql } from 'kysely';
import { likePattern } from '../../../db/contains.js';
import type { Db } from '../../../db/database.js';
import { type ListingDialect, type NameSearch, type ProductsQuery, type SortKey, beyond, sortOrder, sorted } from './model.js';

const TRIGRAM = 3;

/**
 * SQLite: an FTS5 index of every name's trigrams (migration 0003) finds the names that
 * contain a text of three or more characters; shorter texts have no trigram, so every
 * name is tested. Every query here runs synchronously on the event loop, which is why
 * the long passes pause between their steps.
 */
export const sqliteListing: ListingDialect = {
  liveNamed(db: Db, text: string, search: NameSearch): ProductsQuery {
    // LIKE ignores ASCII case on its own; its wildcards in the text are escaped to match literally.
    const contains = sql<boolean>`product_name like ${likePattern(text)} escape '\\'`;
    const products = db.selectFrom('products');
    if (search === 'sort-order') return products.where('deleted_at', 'is', null).where(contains);
    if ([...text].length >= TRIGRAM) {
      // The index folds case more widely than LIKE does; LIKE then keeps exactly its own
      // matches, so the answer is the same whichever way the rows were found.
      const phrase = `"${text.replaceAll('"', '""')}"`;
      return products
        .where('deleted_at', 'is', null)
        .where(sql<boolean>`id in (select rowid from products_search where products_search match ${phrase})`)
        .where(contains);
    }
    // Every name is read anyway; the unary plus keeps SQLite from walking the live-products
    // index and looking each row up, which is 4x slower than a scan.
    return products.where(sql`+deleted_at`, 'is', null).where(contains);
  },

  /**
   * Each checkpoint is found from the one before, `every` rows on in the sort column's
   * index: SQLite skips those rows without reading them out, ten times faster than
   * numbering every row in a window query (which looks each one up in the table).
   */
  async findCheckpoints(_db, listing, sort, every, pause): Promise<SortKey[]> {
    const { column } = sortOrder(sort);
    const checkpoints: SortKey[] = [];
    for (;;) {
      const after = checkpoints.at(-1);
      const row = await sorted((after ? beyond(listing(), sort, after) : listing()).select(['id', column]), sort)
        .limit(1)
        .offset(every - 1)
        .executeTakeFirst();
      if (!row) return checkpoints;
      checkpoints.push({ value: row[column], id: row.id });
      await pause();
    }
  },

  /**
   * Reads the listing in sort order when that reads fewer rows than the trigram index would
   * return: if `matches` of the `live` products match, filling a page that ends `pageEnd`
   * rows in reads about pageEnd × live / matches rows.
   */
  async chooseNameSearch(counting, counted, pageEnd): Promise<NameSearch> {
    const [matches, live] = await Promise.all([counting, counted()]);
    return matches > 0 && (pageEnd * live) / matches < matches ? 'sort-order' : 'trigrams';
  },
};

import { sql } from 'kysely';
import { containsText } from '../../../db/contains.js';
import type { Db } from '../../../db/database.js';
import { type ListingDialect, type ProductsQuery, type SortKey, sortOrder } from './model.js';

/**
 * PostgreSQL: names are matched with lower() on both sides (it folds every letter), through
 * the name index when the planner likes it (its trigram index, pg_trgm, is an extension
 * that not every host lets an application install). Its planner chooses how to search.
 */
export const postgresListing: ListingDialect = {
  liveNamed(db: Db, text: string): ProductsQuery {
    return db
      .selectFrom('products')
      .where('deleted_at', 'is', null)
      .where(containsText('product_name', text));
  },

  /**
   * Numbers every row of the listing in one window query: one round trip, where a query per
   * checkpoint took two to three times as long. The query runs in the database, not on the
   * event loop, so there is nothing to pause between.
   */
  async findCheckpoints(db, listing, sort, every): Promise<SortKey[]> {
    const { column, direction } = sortOrder(sort);
    const order = column === 'id' ? sql`id ${sql.raw(direction)}` : sql`${sql.ref(column)} ${sql.raw(direction)}, id asc`;
    const numbered = listing().select((eb) => ['id', eb.ref(column).as('value'), sql<number>`row_number() over (order by ${order})`.as('position')]);
    const rows = await db
      .selectFrom(numbered.as('numbered'))
      .select(['id', 'value'])
      .where(sql<number>`position % ${every}`, '=', 0)
      .orderBy('position')
      .execute();
    return rows.map((row) => ({ value: row.value, id: row.id }));
  },

  chooseNameSearch: async () => 'trigrams',
};

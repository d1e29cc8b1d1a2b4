import type { Migration } from 'kysely';
import * as m0001 from './0001_customers_products.js';
import * as m0002 from './0002_carts_orders.js';
import * as m0003 from './0003_product_search.js';
import * as m0004 from './0004_descending_sort_indexes.js';
import * as m0005 from './0005_live_product_count.js';
import * as m0006 from './0006_pending_order_count.js';

/** Every migration, by name; names sort in the order they apply. */
export const migrations: Record<string, Migration> = {
  '0001_customers_products': m0001,
  '0002_carts_orders': m0002,
  '0003_product_search': m0003,
  '0004_descending_sort_indexes': m0004,
  '0005_live_product_count': m0005,
  '0006_pending_order_count': m0006,
};

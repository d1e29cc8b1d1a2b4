import type { Migration } from 'kysely';
import * as m0001 from './0001_customers_products.js';
import * as m0002 from './0002_carts_orders.js';
import * as m0003 from './0003_product_search.js';
import * as m0004 from './0004_descending_sort_indexes.js';
import * as m0005 from './0005_live_product_count.js';
import * as m0006 from './0006_pending_order_count.js';
import * as m0007 from './0007_customer_addresses.js';
import * as m0008 from './0008_product_requires_shipping.js';
import * as m0009 from './0009_shipping_and_tax_rates.js';
import * as m0010 from './0010_guest_carts.js';
import * as m0011 from './0011_order_checkout.js';
import * as m0012 from './0012_events_and_webhooks.js';
import * as m0013 from './0013_sqlite_events_fan_out_at_write.js';
import * as m0014 from './0014_payments.js';
import * as m0015 from './0015_sqlite_events_read_in_write_order.js';

/** Every migration, by name; names sort in the order they apply. */
export const migrations: Record<string, Migration> = {
  '0001_customers_products': m0001,
  '0002_carts_orders': m0002,
  '0003_product_search': m0003,
  '0004_descending_sort_indexes': m0004,
  '0005_live_product_count': m0005,
  '0006_pending_order_count': m0006,
  '0007_customer_addresses': m0007,
  '0008_product_requires_shipping': m0008,
  '0009_shipping_and_tax_rates': m0009,
  '0010_guest_carts': m0010,
  '0011_order_checkout': m0011,
  '0012_events_and_webhooks': m0012,
  '0013_sqlite_events_fan_out_at_write': m0013,
  '0014_payments': m0014,
  '0015_sqlite_events_read_in_write_order': m0015,
};

import type { ColumnType, Generated, Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { RoleId } from '../shared/access.js';

/** Every state an order can be in; the moves between them are the orders module's (order-status.ts). */
export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** ISO 8601 UTC text, written by the application so both databases store the same thing. */
type Timestamp = string;

export interface CustomersTable {
  id: Generated<number>;
  customer_name: string;
  email: string;
  phone: string | null;
  username: string;
  password_hash: string;
  role_id: RoleId;
  /** Raised on password change and deletion; tokens carry it, so older tokens stop working. */
  token_version: ColumnType<number, number | undefined, number>;
  /**
   * How many of this customer's orders are pending. Kept by the customers module's
   * repository for the orders module, in the statement that places an order or moves it
   * out of pending, so the cap on pending orders is one conditional write on a row the
   * order already locks.
   */
  pending_orders: ColumnType<number, number | undefined, number>;
  created_at: ColumnType<Timestamp, Timestamp, never>;
  updated_at: Timestamp;
  deleted_at: Timestamp | null;
}

export interface ProductsTable {
  id: Generated<number>;
  product_name: string;
  description: string | null;
  /** Integer minor units (cents). */
  price_cents: number;
  /** null: not stock-tracked, never runs out. */
  stock: number | null;
  created_at: ColumnType<Timestamp, Timestamp, never>;
  updated_at: Timestamp;
  deleted_at: Timestamp | null;
}

export interface CartItemsTable {
  customer_id: number;
  product_id: number;
  quantity: number;
  added_at: Timestamp;
}

export interface OrdersTable {
  id: Generated<number>;
  customer_id: number;
  status: OrderStatus;
  total_cents: number;
  tracking_number: string | null;
  created_at: ColumnType<Timestamp, Timestamp, never>;
  updated_at: Timestamp;
}

/** A line as sold: name and unit price are copied from the product when the order is placed. */
export interface OrderItemsTable {
  order_id: number;
  product_id: number;
  product_name: string;
  unit_price_cents: number;
  quantity: number;
  line_total_cents: number;
  /** 1 when stock was taken for this line (the product was tracked), else 0. */
  stock_taken: number;
}

export interface OrderEventsTable {
  id: Generated<number>;
  order_id: number;
  status: OrderStatus;
  note: string | null;
  at: Timestamp;
}

export interface IdempotencyKeysTable {
  customer_id: number;
  key: string;
  request_hash: string;
  response_status: number;
  response_body: string;
  created_at: Timestamp;
}

/** One row, kept by triggers on products (migration 0005). */
export interface CatalogueTotalsTable {
  live_products: number;
}

export interface Database {
  customers: CustomersTable;
  products: ProductsTable;
  cart_items: CartItemsTable;
  orders: OrdersTable;
  order_items: OrderItemsTable;
  order_events: OrderEventsTable;
  idempotency_keys: IdempotencyKeysTable;
  catalogue_totals: CatalogueTotalsTable;
}

declare const scope: unique symbol;

/**
 * The database itself: it starts transactions, and runs each statement on its own. Only
 * connectDatabase makes one.
 */
export type Db = Kysely<Database> & { readonly [scope]: 'database' };

/**
 * Inside a transaction: its statements commit or roll back together. It cannot start
 * another transaction, so a function that must run inside one takes a Trx, and one that
 * starts its own takes a Db; the compiler keeps the two apart.
 */
export type Trx = Kysely<Database> & { readonly [scope]: 'transaction' };

/** Where a statement can run: on the database, or inside a transaction. */
export type Queryable = Db | Trx;

export type CustomerRow = Selectable<CustomersTable>;
export type NewCustomerRow = Insertable<CustomersTable>;
export type CustomerRowUpdate = Updateable<CustomersTable>;
export type ProductRow = Selectable<ProductsTable>;
export type NewProductRow = Insertable<ProductsTable>;
export type ProductRowUpdate = Updateable<ProductsTable>;
export type OrderRow = Selectable<OrdersTable>;
export type OrderItemRow = Selectable<OrderItemsTable>;

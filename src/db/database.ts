import type { ColumnType, Generated, Insertable, Kysely, Selectable, Updateable } from 'kysely';

/** ISO 8601 UTC text, written by the application so both databases store the same thing. */
type Timestamp = string;

export interface CustomersTable {
  id: Generated<number>;
  customer_name: string;
  email: string;
  phone: string | null;
  username: string;
  password_hash: string;
  role_id: number;
  /** Raised on password change and deletion; tokens carry it, so older tokens stop working. */
  token_version: ColumnType<number, number | undefined, number>;
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

export interface Database {
  customers: CustomersTable;
  products: ProductsTable;
}

export type Db = Kysely<Database>;

export type CustomerRow = Selectable<CustomersTable>;
export type NewCustomerRow = Insertable<CustomersTable>;
export type CustomerRowUpdate = Updateable<CustomersTable>;
export type ProductRow = Selectable<ProductsTable>;
export type NewProductRow = Insertable<ProductsTable>;
export type ProductRowUpdate = Updateable<ProductsTable>;

import type { ColumnType, Generated, Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { RoleId } from '../shared/access.js';

/** Every state an order can be in; the moves between them are the orders module's (order-status.ts). */
export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** What an order's payments add up to (the payments module keeps it). */
export const ORDER_PAYMENT_STATUSES = ['unpaid', 'authorized', 'paid', 'partially_refunded', 'refunded'] as const;
export type OrderPaymentStatus = (typeof ORDER_PAYMENT_STATUSES)[number];

/** A payment's states; it only moves forward (payments module, payment-status.ts). */
export const PAYMENT_STATUSES = ['pending', 'requires_action', 'authorized', 'captured', 'failed', 'cancelled'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
export type RefundStatus = 'pending' | 'succeeded' | 'failed';

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
  /** 1 when the product is a parcel to ship (the default), 0 when not (a download, a gift card). */
  requires_shipping: ColumnType<number, number | undefined, number>;
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

/** A cart without an account: its random id is the only key to it (contract, "Guest checkout"). */
export interface GuestCartsTable {
  /** base64url of random bytes: unguessable, so knowing it is what lets one use the cart. */
  id: string;
  created_at: ColumnType<Timestamp, Timestamp, never>;
  updated_at: Timestamp;
  /** Moved on by every change; from then on the cart is gone (404), and the purge deletes it. */
  expires_at: Timestamp;
}

/** A guest cart's line: the same columns and rules as cart_items, owned by a guest cart (its lines go with it). */
export interface GuestCartItemsTable {
  cart_id: string;
  product_id: number;
  quantity: number;
  added_at: Timestamp;
}

export interface OrdersTable {
  id: Generated<number>;
  /** null: a guest's order (contract, "Guest checkout"). */
  customer_id: number | null;
  status: OrderStatus;
  /** What the customer pays: subtotal + shipping, plus tax when prices exclude it. */
  total_cents: number;
  tracking_number: string | null;
  created_at: ColumnType<Timestamp, Timestamp, never>;
  updated_at: Timestamp;
  /** ISO 4217; null on orders placed before currencies were recorded (they are in the shop's). */
  currency: string | null;
  email: string | null;
  note: string | null;
  subtotal_cents: number;
  shipping_total_cents: number;
  tax_total_cents: number;
  /** 1 when the prices the order was priced with contained tax. */
  prices_include_tax: number;
  /** The addresses as JSON text (an Address), copied at placement. */
  shipping_address: string | null;
  billing_address: string | null;
  /** The shipping rate as it was when the order was placed (no foreign key: the rate may be deleted). */
  shipping_rate_id: number | null;
  shipping_name: string | null;
  shipping_price_cents: number | null;
  shipping_tax_cents: number | null;
  tax_name: string | null;
  /** The tax rate in thousandths of a percent: 8.875 % is 8875. */
  tax_rate_thousandths: number | null;
  /** SHA-256 of a guest order's order_token (the token itself is never stored). */
  order_token_hash: string | null;
  payment_status: ColumnType<OrderPaymentStatus, OrderPaymentStatus | undefined, OrderPaymentStatus>;
  /** Captured by all its payments, and refunded of that (integer cents). */
  amount_paid_cents: ColumnType<number, number | undefined, number>;
  amount_refunded_cents: ColumnType<number, number | undefined, number>;
}

/** One attempt to take an order's money (migration 0014). */
export interface PaymentsTable {
  id: Generated<number>;
  order_id: number;
  provider: string;
  status: PaymentStatus;
  amount_cents: number;
  amount_captured_cents: ColumnType<number, number | undefined, number>;
  /** Refunded or being refunded (a refund reserves its amount before the provider is asked). */
  amount_refunded_cents: ColumnType<number, number | undefined, number>;
  currency: string;
  /** The provider's handle (a Stripe PaymentIntent id); null for manual payments. */
  provider_ref: string | null;
  client_secret: string | null;
  created_at: ColumnType<Timestamp, Timestamp, never>;
  updated_at: Timestamp;
}

export interface PaymentRefundsTable {
  id: Generated<number>;
  payment_id: number;
  amount_cents: number;
  reason: string | null;
  status: RefundStatus;
  provider_ref: string | null;
  created_at: ColumnType<Timestamp, Timestamp, never>;
}

/** A provider event id handled (written in the transaction of its effect). */
export interface ProviderEventsTable {
  provider: string;
  event_id: string;
  received_at: Timestamp;
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
  tax_cents: number;
}

export interface OrderEventsTable {
  id: Generated<number>;
  order_id: number;
  status: OrderStatus;
  note: string | null;
  at: Timestamp;
}

export interface IdempotencyKeysTable {
  /** Whose key: "customer:7", or "cart:<guest cart id>" for a guest checkout. */
  scope: string;
  key: string;
  request_hash: string;
  response_status: number;
  response_body: string;
  created_at: Timestamp;
}

/** A saved address of a customer's address book; the optional fields are null when not given. */
export interface CustomerAddressesTable {
  id: Generated<number>;
  customer_id: number;
  first_name: string;
  last_name: string;
  company: string | null;
  line1: string;
  line2: string | null;
  city: string;
  region_code: string | null;
  postal_code: string | null;
  country_code: string;
  phone: string | null;
  /** 1 for the customer's default address (at most one, a partial unique index says so), else 0. */
  is_default: ColumnType<number, number | undefined, number>;
  created_at: ColumnType<Timestamp, Timestamp, never>;
  updated_at: Timestamp;
}

/** 1 for yes, 0 for no: both databases store a boolean column as this integer. */
type Flag = 0 | 1;

export interface ShippingRatesTable {
  id: Generated<number>;
  name: string;
  /** Integer minor units (cents). */
  price_cents: number;
  /** JSON text: an array of ISO 3166-1 alpha-2 codes, or ["*"] for everywhere. */
  countries: string;
  /** Inclusive bounds on an order's subtotal, in cents; null is open. */
  min_subtotal_cents: number | null;
  max_subtotal_cents: number | null;
  active: Flag;
  created_at: ColumnType<Timestamp, Timestamp, never>;
  updated_at: Timestamp;
}

/** At most one per country and region, the whole country's (region null) included (a unique index). */
export interface TaxRatesTable {
  id: Generated<number>;
  name: string;
  country_code: string;
  /** null: the whole country. */
  region_code: string | null;
  /** Thousandths of a percent: 8.875 % is 8875, 100 % is 100000. */
  rate_thousandths: number;
  applies_to_shipping: Flag;
  created_at: ColumnType<Timestamp, Timestamp, never>;
  updated_at: Timestamp;
}

/** The outbox (migration 0012): every event, written in the transaction of its change. */
export interface EventsTable {
  /** The order events were written in. */
  seq: Generated<number>;
  /**
   * "evt_" and 32 hex digits (the time, then random; on SQLite the seq in hex digits 13-22):
   * unique forever, the deliveries' webhook-id. On SQLite a virtual column (migration 0015).
   */
  id: string;
  type: string;
  /** JSON text: the event's data. */
  data: string;
  created_at: ColumnType<Timestamp, Timestamp, never>;
  /** The order events are read in: on PostgreSQL null until dispatched (migration 0012), on SQLite always seq (0015). */
  position: number | null;
}

/** SQLite only (migration 0015): the ids of events written before their ids carried their seq. */
export interface LegacyEventIdsTable {
  id: string;
  seq: number;
}

export interface WebhookEndpointsTable {
  id: Generated<number>;
  url: string;
  description: string | null;
  active: Flag;
  disabled_reason: string | null;
  /** "whsec_" and the base64 of 32 random bytes. */
  secret: string;
  /** After a rotation, the old secret still signs until it expires. */
  previous_secret: string | null;
  previous_secret_expires_at: Timestamp | null;
  /** When the first failed attempt since the last success was made; null while healthy. */
  failing_since: Timestamp | null;
  created_at: ColumnType<Timestamp, Timestamp, never>;
  updated_at: Timestamp;
}

export interface WebhookSubscriptionsTable {
  endpoint_id: number;
  /** An event type, or "*" for every type but the ones sent only by name. */
  event_type: string;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  endpoint_id: number;
  event_seq: number;
  status: DeliveryStatus;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp | null;
  last_attempt_at: Timestamp | null;
  last_status_code: number | null;
  last_error: string | null;
  /** 1: the next attempt is the last (a redelivery), whatever the schedule. */
  final_attempt: ColumnType<Flag, Flag | undefined, Flag>;
  /** The process holding the delivery for an attempt, until lease_until. */
  lease_owner: string | null;
  lease_until: Timestamp | null;
  created_at: ColumnType<Timestamp, Timestamp, never>;
}

export interface ScheduledJobsTable {
  name: string;
  next_run_at: Timestamp;
}

export interface PasswordResetTokensTable {
  /** SHA-256 of the token, hex. */
  token_hash: string;
  customer_id: number;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

/** One row, kept by triggers on products (migration 0005). */
export interface CatalogueTotalsTable {
  live_products: number;
}

export interface Database {
  customers: CustomersTable;
  products: ProductsTable;
  cart_items: CartItemsTable;
  guest_carts: GuestCartsTable;
  guest_cart_items: GuestCartItemsTable;
  orders: OrdersTable;
  order_items: OrderItemsTable;
  order_events: OrderEventsTable;
  idempotency_keys: IdempotencyKeysTable;
  catalogue_totals: CatalogueTotalsTable;
  shipping_rates: ShippingRatesTable;
  tax_rates: TaxRatesTable;
  customer_addresses: CustomerAddressesTable;
  events: EventsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  legacy_event_ids: LegacyEventIdsTable;
  scheduled_jobs: ScheduledJobsTable;
  password_reset_tokens: PasswordResetTokensTable;
  payments: PaymentsTable;
  payment_refunds: PaymentRefundsTable;
  provider_events: ProviderEventsTable;
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
export type CustomerAddressRow = Selectable<CustomerAddressesTable>;
export type NewCustomerAddressRow = Insertable<CustomerAddressesTable>;
export type CustomerAddressRowUpdate = Updateable<CustomerAddressesTable>;
export type OrderRow = Selectable<OrdersTable>;
export type OrderItemRow = Selectable<OrderItemsTable>;
export type PaymentRow = Selectable<PaymentsTable>;
export type RefundRow = Selectable<PaymentRefundsTable>;
export type ShippingRateRow = Selectable<ShippingRatesTable>;
export type NewShippingRateRow = Insertable<ShippingRatesTable>;
export type ShippingRateRowUpdate = Updateable<ShippingRatesTable>;
export type TaxRateRow = Selectable<TaxRatesTable>;
export type NewTaxRateRow = Insertable<TaxRatesTable>;
export type TaxRateRowUpdate = Updateable<TaxRatesTable>;
export type EventRow = Selectable<EventsTable>;
export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;

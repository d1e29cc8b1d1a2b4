import { type RawBuilder, sql } from 'kysely';
import type { Db, OrderRow, Queryable } from '../../db/database.js';
import { type AppError, ConflictError, InsufficientStockError, NotFoundError, ValidationError } from '../../shared/errors.js';
import { MAX_LINE_QUANTITY } from '../cart/cart.schemas.js';
import { pendingRoomStep } from '../customers/customers.service.js';

/**
 * Placing an order, stated once. An order may be placed when
 *   - every line's product is live (else 404 naming the first missing one),
 *   - its customer holds fewer than the cap of pending orders (else 409 TOO_MANY_PENDING_ORDERS;
 *     a guest's order has no customer and no cap),
 *   - every tracked stock covers its line (else 409 INSUFFICIENT_STOCK naming the product),
 *   - every line's price is still the one the order was priced at (else it is priced again);
 * then, all at once or not at all: each tracked stock loses its line's units, the
 * customer's count of pending orders goes up by one, and the order (with the copy of its
 * pricing, addresses and rates), its lines (name, unit price and tax copied) and its first
 * history line are written.
 *
 * The decision is one SQL query (`verdictSteps`) that both engines run. An order is first
 * checked (the same query, prices not yet known, nothing written) to learn its products and
 * prices; pricing.ts prices it; then each engine's writer (placement.sqlite.ts,
 * placement.postgres.ts, chosen in order-writers.ts) writes it, on rows it holds locked, so
 * nothing can change between deciding and writing.
 */

export interface OrderLine {
  product_id: number;
  quantity: number;
}

/** An order to check: who, what, and the shop's cap. */
export interface OrderRequest {
  /** null: a guest's order. */
  customerId: number | null;
  lines: OrderLine[];
  maxPendingOrders: number;
  now: string;
}

/** The order row's values besides its id, customer, status, tracking and times: what pricing and checkout decided. */
export type OrderRecord = Omit<OrderRow, 'id' | 'customer_id' | 'status' | 'tracking_number' | 'created_at' | 'updated_at' | PaymentColumns>;

/** What an order's payments keep; a new order starts unpaid (the columns' defaults). */
type PaymentColumns = 'payment_status' | 'amount_paid_cents' | 'amount_refunded_cents';

/** A priced line, as it will be sold. */
export interface PricedLine extends OrderLine {
  product_name: string;
  unit_price_cents: number;
  line_total_cents: number;
  tax_cents: number;
  /** 1 when the product's stock is tracked (the order takes it). */
  stock_taken: number;
}

/** An order ready to write: checked, priced, every value of its rows decided. */
export interface PricedOrder extends OrderRequest {
  lines: PricedLine[];
  record: OrderRecord;
}

/**
 * The order.placed event of an order about to be written. Its data is the order as
 * GET /orders/{id} answers it, whose id only the write learns: so it is kept as the JSON text
 * after the id, and each writer puts the id in front (placedEventData, or the same in SQL).
 */
export interface PlacedEvent {
  id: string;
  /** `"customer_id":…}`: the order's JSON without its opening brace and id. */
  afterId: string;
}

export const PLACED_EVENT_BEFORE_ID = '{"order":{"id":';

export function placedEventData(event: PlacedEvent, orderId: number): string {
  return `${PLACED_EVENT_BEFORE_ID}${orderId},${event.afterId}}`;
}

/** A line as the verdict found it; the flags are 1 or 0, so both engines answer the same. */
export interface CheckedLine {
  product_id: number;
  quantity: number;
  product_name: string | null;
  price_cents: number | null;
  stock: number | null;
  requires_shipping: number | null;
  missing: number;
  short: number;
  repriced: number;
}

/** What the verdict reports: the lines as checked, the customer's room and email, and the order's id when it was placed. */
export interface Written {
  orderId: number | undefined;
  lines: CheckedLine[];
  /** 1 or 0; null when the customer is gone. */
  roomFree: number | null;
  /** The customer's email (null for a guest). */
  customerEmail: string | null;
  /** Whether the verdict allowed the order. */
  allowed: boolean;
}

/** Checks and places orders on one engine. */
export interface OrderWriter {
  /**
   * Runs a placement made of a check and a write: on SQLite inside one transaction (which
   * holds the write lock, so the check stays true); on PostgreSQL as it comes, the write
   * re-checking on locked rows in its one statement.
   */
  unit<T>(db: Db, placement: (q: Queryable) => Promise<T>): Promise<T>;
  /** The verdict on an order, prices not yet known; writes nothing. */
  check(q: Queryable, order: OrderRequest): Promise<Written>;
  /**
   * Whether the check ran on rows the write will find unchanged (SQLite: under the write
   * lock), so its refusal is final. Otherwise a refusal for stock or for the pending cap
   * is only taken as final by the write, on locked rows: a restock or a paid order
   * committing meanwhile counts.
   */
  readonly checkIsFinal: boolean;
  /** Writes a priced order, and its order.placed event, if the verdict, taken again where the engine needs it, still allows it. */
  write(q: Queryable, order: PricedOrder, event: PlacedEvent): Promise<Written>;
}

/** The engine's bits of the verdict: the lines as rows, and how the rows that decide are locked. */
export interface VerdictDialect {
  /** A query giving the order's lines as (product id, quantity, price priced at or null) rows. */
  lines: RawBuilder<unknown>;
  /** Appended to the reads that decide: a row lock, or nothing. */
  lockRows: RawBuilder<unknown>;
}

/** The values the verdict compares with (placeholders while a writer compiles its statement once). */
export interface VerdictValues {
  customerId: number | null;
  maxPendingOrders: number;
}

/**
 * The common table expressions that decide whether an order may be placed: `checked` holds
 * each line with its product and flags, `room` whether the customer may hold one more
 * pending order, `verdict.ok` the decision. The products are read in id order, so orders
 * that share products lock them in the same order and cannot deadlock.
 */
export function verdictSteps(values: VerdictValues, dialect: VerdictDialect): RawBuilder<unknown> {
  return sql`
    lines (product_id, quantity, price_cents) as (${dialect.lines}),
    found as (
      select p.id, p.product_name, p.price_cents, p.stock, p.requires_shipping from products p
      where p.id in (select product_id from lines) and p.deleted_at is null
      order by p.id ${dialect.lockRows}
    ),
    checked as (
      select l.product_id, l.quantity, f.product_name, f.price_cents, f.stock, f.requires_shipping,
        case when f.id is null then 1 else 0 end as missing,
        case when f.stock is not null and f.stock < l.quantity then 1 else 0 end as short,
        case when l.price_cents is not null and f.price_cents <> l.price_cents then 1 else 0 end as repriced
      from lines l left join found f on f.id = l.product_id
    ),
    room as (${pendingRoomStep(values.customerId, values.maxPendingOrders, dialect.lockRows)}),
    verdict as (
      select case when not exists (select 1 from checked where missing = 1 or short = 1 or repriced = 1)
        and coalesce((select free from room), 0) = 1 then 1 else 0 end as ok
    )`;
}

/** The reads of the verdict, as every writer selects them last (one row per line). */
export const VERDICT_COLUMNS = sql`c.product_id, c.quantity, c.product_name, c.price_cents, c.stock, c.requires_shipping,
  c.missing, c.short, c.repriced, (select ok from verdict) as ok, (select free from room) as room_free,
  (select email from room) as customer_email`;

export interface VerdictRow extends CheckedLine {
  ok: number;
  room_free: number | null;
  customer_email: string | null;
  /** Set by a writer that places the order in the same statement. */
  order_id?: number | null;
}

/** What the verdict's rows say: the lines, the customer's room, the decision, and the order when it was placed. */
export function verdictOf(rows: VerdictRow[]): Written {
  return {
    allowed: rows[0]?.ok === 1,
    orderId: rows[0]?.order_id ?? undefined,
    roomFree: rows[0]?.room_free ?? null,
    customerEmail: rows[0]?.customer_email ?? null,
    lines: rows.map(({ product_id, quantity, product_name, price_cents, stock, requires_shipping, missing, short, repriced }) => ({
      product_id,
      quantity,
      product_name,
      price_cents: price_cents === null ? null : Number(price_cents),
      stock,
      requires_shipping,
      missing,
      short,
      repriced,
    })),
  };
}

/** Whether the order cannot be priced at all (a product or the customer is gone), whatever locked rows would say. */
export function cannotBePriced(written: Written): boolean {
  return written.roomFree === null || written.lines.some((line) => line.missing === 1);
}

/** Whether a refusal only means a price changed after the order was priced (it is priced again). */
export function wasRepriced(written: Written): boolean {
  return written.lines.some((line) => line.repriced === 1);
}

/** Why an order the verdict refused was refused, in the order of the rule above. */
export function refusalOf(written: Written): AppError {
  const missing = written.lines.find((line) => line.missing === 1);
  if (missing) return new NotFoundError(`Product ${missing.product_id}`);
  if (written.roomFree === null) return new NotFoundError('Customer');
  if (written.roomFree === 0) {
    return new ConflictError('This customer already has as many pending orders as allowed; pay or cancel one first.', 'TOO_MANY_PENDING_ORDERS');
  }
  const short = written.lines.find((line) => line.short === 1);
  if (short) return new InsufficientStockError(short.product_id, short.product_name ?? '', short.stock ?? 0, short.quantity);
  return new ConflictError('The order could not be placed; try again.');
}

/**
 * One line per product, quantities added, in product-id order; a product is held to the
 * same 1,000 units as one cart line.
 */
export function mergeLines(lines: OrderLine[]): OrderLine[] {
  const merged = new Map<number, number>();
  for (const line of lines) merged.set(line.product_id, (merged.get(line.product_id) ?? 0) + line.quantity);
  for (const [productId, quantity] of merged) {
    if (quantity > MAX_LINE_QUANTITY) {
      throw new ValidationError(
        '/body/items',
        `orders product ${productId} ${quantity} times over its lines; one order holds at most ${MAX_LINE_QUANTITY} of a product`,
      );
    }
  }
  return [...merged].sort(([a], [b]) => a - b).map(([product_id, quantity]) => ({ product_id, quantity }));
}

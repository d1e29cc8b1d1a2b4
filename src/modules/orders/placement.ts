import { type Compilable, type Kysely, type RawBuilder, sql } from 'kysely';
import type { Db, OrderItemRow, Trx } from '../../db/database.js';
import { type AppError, ConflictError, InsufficientStockError, NotFoundError, ValidationError } from '../../shared/errors.js';
import { MAX_LINE_QUANTITY } from '../cart/cart.schemas.js';
import { pendingRoomStep } from '../customers/customers.service.js';

/**
 * Placing an order, stated once. An order may be placed when
 *   - every line's product is live (else 404 naming the first missing one),
 *   - its customer holds fewer than the cap of pending orders (else 409 TOO_MANY_PENDING_ORDERS),
 *   - every tracked stock covers its line (else 409 INSUFFICIENT_STOCK naming the product);
 * then, all at once or not at all: each tracked stock loses its line's units, the
 * customer's count of pending orders goes up by one, and the order, its lines (name and
 * unit price copied) and its first history line are written.
 *
 * The decision is one SQL query (`verdictSteps`) that both engines run on rows they hold
 * locked, so nothing can change between deciding and writing; each engine's writer
 * (placement.sqlite.ts, placement.postgres.ts, chosen in order-writers.ts) only
 * performs the writes.
 */

export interface OrderLine {
  product_id: number;
  quantity: number;
}

export interface NewOrder {
  customerId: number;
  lines: OrderLine[];
  maxPendingOrders: number;
  now: string;
}

/** A line as the verdict found it; `missing` and `short` are 1 or 0, so both engines answer the same. */
export interface CheckedLine {
  product_id: number;
  quantity: number;
  product_name: string | null;
  price_cents: number | null;
  stock: number | null;
  missing: number;
  short: number;
}

/** What a writer reports: the lines as checked, whether the customer had room, and the order's id when it was placed. */
export interface Written {
  orderId: number | undefined;
  lines: CheckedLine[];
  /** 1 or 0; null when the customer is gone. */
  roomFree: number | null;
}

/** Places orders on one engine. */
export interface OrderWriter {
  /** Outside any transaction: the writer makes its own unit of work. */
  place(db: Db, order: NewOrder): Promise<Written>;
  /** Inside the caller's transaction (with a cart to empty, or an idempotency key to keep beside it). */
  placeIn(trx: Trx, order: NewOrder): Promise<Written>;
}

/** The engine's bits of the verdict: the lines as rows, and how the rows that decide are locked. */
export interface VerdictDialect {
  /** A query giving the order's lines as (product id, quantity) rows. */
  lines: RawBuilder<unknown>;
  /** Appended to the reads that decide: a row lock, or nothing where the transaction holds the write lock. */
  lockRows: RawBuilder<unknown>;
}

/** The values the verdict compares with (placeholders while a writer compiles its statement once). */
export interface VerdictValues {
  customerId: number;
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
    lines (product_id, quantity) as (${dialect.lines}),
    found as (
      select p.id, p.product_name, p.price_cents, p.stock from products p
      where p.id in (select product_id from lines) and p.deleted_at is null
      order by p.id ${dialect.lockRows}
    ),
    checked as (
      select l.product_id, l.quantity, f.product_name, f.price_cents, f.stock,
        case when f.id is null then 1 else 0 end as missing,
        case when f.stock is not null and f.stock < l.quantity then 1 else 0 end as short
      from lines l left join found f on f.id = l.product_id
    ),
    room as (${pendingRoomStep(values.customerId, values.maxPendingOrders, dialect.lockRows)}),
    verdict as (
      select case when not exists (select 1 from checked where missing = 1 or short = 1)
        and coalesce((select free from room), 0) = 1 then 1 else 0 end as ok
    )`;
}

/** The reads of the verdict, as every writer selects them last (one row per line). */
export const VERDICT_COLUMNS = sql`c.product_id, c.quantity, c.product_name, c.price_cents, c.stock, c.missing, c.short,
  (select ok from verdict) as ok, (select free from room) as room_free`;

export interface VerdictRow extends CheckedLine {
  ok: number;
  room_free: number | null;
  /** Set by a writer that places the order in the same statement. */
  order_id?: number | null;
}

/** What the verdict's rows say: the lines, the customer's room, the decision, and the order when it was placed. */
export function verdictOf(rows: VerdictRow[]): Written & { allowed: boolean } {
  return {
    allowed: rows[0]?.ok === 1,
    orderId: rows[0]?.order_id ?? undefined,
    roomFree: rows[0]?.room_free ?? null,
    lines: rows.map(({ product_id, quantity, product_name, price_cents, stock, missing, short }) => ({
      product_id,
      quantity,
      product_name,
      price_cents,
      stock,
      missing,
      short,
    })),
  };
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

/** A raw statement as compileOnce builds it (a raw builder compiles against the database it is given). */
export function compilable<Row>(db: Kysely<any>, statement: RawBuilder<Row>): Compilable<Row> {
  return { compile: () => statement.compile(db) };
}

export type SoldLine = Omit<OrderItemRow, 'order_id'>;

/** The lines of a placed order, as sold: name and unit price copied; stock taken where it is tracked. */
export function soldLines(written: Written): SoldLine[] {
  return written.lines.map((line) => {
    if (line.product_name === null || line.price_cents === null) throw new Error(`placed an order without product ${line.product_id}`);
    return {
      product_id: line.product_id,
      product_name: line.product_name,
      unit_price_cents: line.price_cents,
      quantity: line.quantity,
      line_total_cents: line.price_cents * line.quantity,
      stock_taken: line.stock === null ? 0 : 1,
    };
  });
}

export function totalOf(items: SoldLine[]): number {
  return items.reduce((sum, item) => sum + item.line_total_cents, 0);
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

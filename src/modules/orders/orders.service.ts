import type { Db, OrderItemRow, OrderRow } from '../../db/database.js';
import { isPostgres } from '../../db/dialect.js';
import { inTransaction, retryingConflicts } from '../../db/transaction.js';
import { type Actor, assertSelfOrAdmin, isAdmin } from '../../shared/access.js';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  InsufficientStockError,
  NotFoundError,
} from '../../shared/errors.js';
import { toMajor } from '../../shared/money.js';
import { pageCount } from '../../shared/schemas.js';
import { MAX_LINE_QUANTITY } from '../cart/cart.schemas.js';
import { cartLines, emptyCart } from '../cart/cart.service.js';
import { assertMayActFor } from '../customers/customers.service.js';
import { findLiveProducts, returnStock, takeStock } from '../products/products.service.js';
import { runIdempotent } from './idempotency.js';
import { type OrderStatus, canChangeStatus } from './order-status.js';
import * as repo from './orders.repository.js';
import type {
  ChangeStatusBody,
  ListOrdersQuery,
  OrderResponse,
  PlaceOrderBody,
  TrackingResponse,
} from './orders.schemas.js';

type OrderLine = { product_id: number; quantity: number };
export type Placed = { result: OrderResponse; replayed: boolean };

export async function placeOrder(db: Db, actor: Actor, input: PlaceOrderBody, key: string | undefined): Promise<Placed> {
  await assertMayActFor(db, actor, input.customer_id);
  // On PostgreSQL an order is one statement, atomic on its own: with no key to keep beside
  // it, it needs no transaction (whose BEGIN and COMMIT would be two more round trips).
  if (key === undefined && isPostgres(db)) {
    return { result: await retryingConflicts(() => writeOrder(db, input.customer_id, input.items)), replayed: false };
  }
  return runIdempotent(db, { customerId: actor.id, key, route: 'POST /orders', body: input }, (trx) =>
    writeOrder(trx, input.customer_id, input.items),
  );
}

/** Checks out the whole cart in one transaction: the order is placed and the cart emptied, or nothing happens. */
export async function placeOrderFromCart(db: Db, actor: Actor, customerId: number, key: string | undefined): Promise<Placed> {
  await assertMayActFor(db, actor, customerId);
  const body = { customer_id: customerId };
  return runIdempotent(db, { customerId: actor.id, key, route: 'POST /orders/from_cart', body }, async (trx) => {
    const lines = await cartLines(trx, customerId);
    if (lines.length === 0) throw new ConflictError('The cart is empty.', 'EMPTY_CART');
    const order = await writeOrder(trx, customerId, lines);
    await emptyCart(trx, customerId);
    return order;
  });
}

export async function getOrder(db: Db, actor: Actor, id: number): Promise<OrderResponse> {
  const order = await findVisibleOrder(db, actor, id);
  return toOrderResponse(order, await repo.findOrderItems(db, [order.id]));
}

export async function trackOrder(db: Db, actor: Actor, id: number): Promise<TrackingResponse> {
  const order = await findVisibleOrder(db, actor, id);
  const history = await repo.findOrderEvents(db, order.id);
  return {
    order_id: order.id,
    status: order.status as OrderStatus,
    tracking_number: order.tracking_number,
    history: history.map((event) => ({ status: event.status as OrderStatus, at: event.at, note: event.note })),
  };
}

/** Admins see every order (or one customer's); a customer sees only its own. Newest first. */
export async function pageOrders(db: Db, actor: Actor, query: ListOrdersQuery) {
  let customerId = query.customer_id;
  if (!isAdmin(actor)) {
    if (customerId !== undefined) assertSelfOrAdmin(actor, customerId);
    customerId = actor.id;
  }
  const [orders, total] = await Promise.all([
    repo.findOrdersPage(db, customerId, query.per_page, (query.page - 1) * query.per_page),
    repo.countOrders(db, customerId),
  ]);
  const linesByOrder = new Map<number, OrderItemRow[]>();
  for (const line of await repo.findOrderItems(db, orders.map((order) => order.id))) {
    const lines = linesByOrder.get(line.order_id);
    if (lines) lines.push(line);
    else linesByOrder.set(line.order_id, [line]);
  }
  return {
    items: orders.map((order) => toOrderResponse(order, linesByOrder.get(order.id) ?? [])),
    page: query.page,
    per_page: query.per_page,
    total,
    pages: pageCount(total, query.per_page),
  };
}

/** Admin: move an order along its lifecycle. Cancelling returns the stock it took. */
export async function changeOrderStatus(db: Db, id: number, input: ChangeStatusBody): Promise<OrderResponse> {
  if (input.tracking_number !== undefined && input.status !== 'shipped') {
    throw new BadRequestError('tracking_number goes only with status shipped.');
  }
  return moveOrder(db, id, input.status, input.note ?? null, input.tracking_number);
}

/** Admins may cancel a pending or paid order; its owner only while it is pending. */
export async function cancelOrder(db: Db, actor: Actor, id: number): Promise<OrderResponse> {
  await findVisibleOrder(db, actor, id);
  if (isAdmin(actor)) return moveOrder(db, id, 'cancelled', 'Cancelled by an admin');
  // The owner's rule is checked inside the transaction, against the status the conditional
  // update compares with, so an admin marking the order paid meanwhile wins.
  return moveOrder(db, id, 'cancelled', 'Cancelled by the customer', undefined, (from) => {
    if (from !== 'pending') {
      throw new ConflictError(`Only a pending order can be cancelled by its customer; this one is ${from}.`, 'ILLEGAL_STATUS_CHANGE');
    }
  });
}

async function moveOrder(
  db: Db,
  id: number,
  to: OrderStatus,
  note: string | null,
  trackingNumber?: string,
  assertActorMayMoveFrom?: (from: OrderStatus) => void,
): Promise<OrderResponse> {
  return inTransaction(db, async (trx) => {
    const order = await repo.findOrderById(trx, id);
    if (!order) throw new NotFoundError('Order');
    const from = order.status as OrderStatus;
    assertActorMayMoveFrom?.(from);
    const now = new Date().toISOString();
    // The conditional update is what makes 20 concurrent cancels return the stock once.
    if (!canChangeStatus(from, to) || !(await repo.updateOrderStatus(trx, id, from, to, trackingNumber, now))) {
      throw new ConflictError(`An order that is ${from} cannot become ${to}.`, 'ILLEGAL_STATUS_CHANGE');
    }
    const items = await repo.findOrderItems(trx, [id]);
    if (to === 'cancelled') {
      for (const item of items) if (item.stock_taken) await returnStock(trx, item.product_id, item.quantity);
    }
    await repo.insertOrderEvent(trx, id, to, note, now);
    return toOrderResponse({ ...order, status: to, updated_at: now }, items);
  });
}

/**
 * Places an order: one line per product, each product's name and unit price copied, its
 * tracked stock taken, the order and its first history line written. All or nothing: inside
 * the caller's transaction (a missing product or a short stock throws, and the transaction
 * rolls back), or on PostgreSQL in one statement that writes nothing unless the order fits.
 */
async function writeOrder(trx: Db, customerId: number, requested: OrderLine[]): Promise<OrderResponse> {
  const lines = mergeLines(requested);
  const now = new Date().toISOString();
  return isPostgres(trx) ? writeOrderAtOnce(trx, customerId, lines, now) : writeOrderStepByStep(trx, customerId, lines, now);
}

/** PostgreSQL: one statement does it all, or nothing when the order does not fit (see writeOrderInOneStatement). */
async function writeOrderAtOnce(db: Db, customerId: number, lines: OrderLine[], now: string): Promise<OrderResponse> {
  const written = await repo.writeOrderInOneStatement(db, customerId, lines, now);
  assertAllFound(lines, new Set(written.lines.map((line) => line.product_id)));
  if (written.orderId === undefined) {
    const short = written.lines.find((line) => line.stock !== null && line.stock < line.quantity)!;
    throw new InsufficientStockError(short.product_id, short.product_name, short.stock!, short.quantity);
  }
  const items = written.lines.map(soldLine);
  const order = {
    id: written.orderId,
    customer_id: customerId,
    status: 'pending',
    total_cents: totalOf(items),
    tracking_number: null,
    created_at: now,
    updated_at: now,
  };
  return toOrderResponse(order, items);
}

/**
 * SQLite, where a statement costs microseconds: the products are read, the order written,
 * then each tracked stock taken with a conditional update. Stock goes last so a hot
 * product's row is locked only from its update to the commit.
 */
async function writeOrderStepByStep(trx: Db, customerId: number, lines: OrderLine[], now: string): Promise<OrderResponse> {
  const products = await findLiveProducts(trx, lines.map((line) => line.product_id));
  assertAllFound(lines, products);
  const items = lines.map((line) => {
    const product = products.get(line.product_id)!;
    return soldLine({ ...line, product_name: product.product_name, price_cents: product.price_cents, stock: product.stock });
  });
  const order = await repo.insertOrder(trx, customerId, totalOf(items), now);
  await repo.insertOrderItems(trx, items.map((item) => ({ ...item, order_id: order.id })));
  await repo.insertOrderEvent(trx, order.id, 'pending', 'Order placed', now);
  for (const item of items) {
    if (item.stock_taken && !(await takeStock(trx, item.product_id, item.quantity))) {
      const product = products.get(item.product_id)!;
      throw new InsufficientStockError(product.id, product.product_name, product.stock ?? 0, item.quantity);
    }
  }
  return toOrderResponse(order, items);
}

type SoldLine = Omit<OrderItemRow, 'order_id'>;

/** A line as sold: the product's name and unit price copied; stock is taken if it is tracked. */
function soldLine(line: repo.FoundLine): SoldLine {
  return {
    product_id: line.product_id,
    product_name: line.product_name,
    unit_price_cents: line.price_cents,
    quantity: line.quantity,
    line_total_cents: line.price_cents * line.quantity,
    stock_taken: line.stock === null ? 0 : 1,
  };
}

function totalOf(items: SoldLine[]): number {
  return items.reduce((sum, item) => sum + item.line_total_cents, 0);
}

/** The first line, in product-id order, whose product is missing or deleted is a 404. */
function assertAllFound(lines: OrderLine[], found: { has(productId: number): boolean }): void {
  const missing = lines.find((line) => !found.has(line.product_id));
  if (missing) throw new NotFoundError(`Product ${missing.product_id}`);
}

/**
 * One line per product, quantities added, in product-id order; a product is held to the
 * same 1,000 units as one cart line.
 */
function mergeLines(lines: OrderLine[]): OrderLine[] {
  const merged = new Map<number, number>();
  for (const line of lines) merged.set(line.product_id, (merged.get(line.product_id) ?? 0) + line.quantity);
  for (const [productId, quantity] of merged) {
    if (quantity > MAX_LINE_QUANTITY) {
      throw new BadRequestError(
        `Product ${productId} is ordered ${quantity} times over its lines; one order holds at most ${MAX_LINE_QUANTITY} of a product.`,
      );
    }
  }
  return [...merged].sort(([a], [b]) => a - b).map(([product_id, quantity]) => ({ product_id, quantity }));
}

function toOrderResponse(order: OrderRow, items: SoldLine[]): OrderResponse {
  return {
    id: order.id,
    customer_id: order.customer_id,
    status: order.status as OrderStatus,
    created_at: order.created_at,
    updated_at: order.updated_at,
    items: items.map((item) => ({
      product_id: item.product_id,
      product_name: item.product_name,
      unit_price: toMajor(item.unit_price_cents),
      quantity: item.quantity,
      line_total: toMajor(item.line_total_cents),
    })),
    total: toMajor(order.total_cents),
  };
}

/** The order, if the actor may see it: admins any, a customer its own (403 for another's). */
async function findVisibleOrder(db: Db, actor: Actor, id: number): Promise<OrderRow> {
  const order = await repo.findOrderById(db, id);
  if (!order) throw new NotFoundError('Order');
  if (order.customer_id !== actor.id && !isAdmin(actor)) throw new ForbiddenError('This order belongs to another customer.');
  return order;
}

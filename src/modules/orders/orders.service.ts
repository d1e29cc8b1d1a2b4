import type { Db, OrderItemRow, OrderRow, OrderStatus, Queryable, Trx } from '../../db/database.js';
import { inTransaction } from '../../db/engine.js';
import { type Actor, assertSelfOrAdmin, isAdmin } from '../../shared/access.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../shared/errors.js';
import { toMajor } from '../../shared/money.js';
import { pageCount } from '../../shared/schemas.js';
import { takeCartForCheckout } from '../cart/cart.service.js';
import { assertMayActFor, releasePendingOrderSlot } from '../customers/customers.service.js';
import { returnStock } from '../products/products.service.js';
import { runIdempotent } from './idempotency.js';
import { canChangeStatus } from './order-status.js';
import { orderWriterFor } from './order-writers.js';
import * as repo from './orders.repository.js';
import type { ChangeStatusBody, ListOrdersQuery, OrderResponse, PlaceOrderBody, TrackingResponse } from './orders.schemas.js';
import { type NewOrder, type OrderLine, type SoldLine, type Written, mergeLines, refusalOf, soldLines, totalOf } from './placement.js';

export type Placed = { result: OrderResponse; replayed: boolean };

/** What the shop allows, from its configuration. */
export interface OrderRules {
  maxPendingOrdersPerCustomer: number;
}

/** Places an order from a list of products, all or nothing (the rule is in placement.ts). */
export async function placeOrder(db: Db, rules: OrderRules, actor: Actor, input: PlaceOrderBody, key: string | undefined): Promise<Placed> {
  await assertMayActFor(db, actor, input.customer_id);
  const order = newOrder(rules, input.customer_id, input.items);
  const writer = orderWriterFor(db);
  if (key === undefined) return { result: placedOrder(order, await writer.place(db, order)), replayed: false };
  return runIdempotent(db, { customerId: actor.id, key, route: 'POST /orders', body: input }, async (trx) =>
    placedOrder(order, await writer.placeIn(trx, order)),
  );
}

/**
 * Checks out the whole cart in one transaction: taking its lines is what claims them, so of
 * two checkouts of one cart at once only one finds anything to order; the order is placed
 * and the cart left empty, or the cart is as it was.
 */
export async function placeOrderFromCart(db: Db, rules: OrderRules, actor: Actor, customerId: number, key: string | undefined): Promise<Placed> {
  await assertMayActFor(db, actor, customerId);
  const body = { customer_id: customerId };
  return runIdempotent(db, { customerId: actor.id, key, route: 'POST /orders/from_cart', body }, async (trx) => {
    const lines = await takeCartForCheckout(trx, customerId);
    if (lines.length === 0) throw new ConflictError('The cart is empty.', 'EMPTY_CART');
    const order = newOrder(rules, customerId, lines);
    return placedOrder(order, await orderWriterFor(trx).placeIn(trx, order));
  });
}

function newOrder(rules: OrderRules, customerId: number, lines: OrderLine[]): NewOrder {
  return { customerId, lines: mergeLines(lines), maxPendingOrders: rules.maxPendingOrdersPerCustomer, now: new Date().toISOString() };
}

/** The placed order as answered, or the refusal the verdict stands for (thrown, so a transaction around it rolls back). */
function placedOrder(order: NewOrder, written: Written): OrderResponse {
  if (written.orderId === undefined) throw refusalOf(written);
  const items = soldLines(written);
  const row: OrderRow = {
    id: written.orderId,
    customer_id: order.customerId,
    status: 'pending',
    total_cents: totalOf(items),
    tracking_number: null,
    created_at: order.now,
    updated_at: order.now,
  };
  return toOrderResponse(row, items);
}

export async function getOrder(db: Db, actor: Actor, id: number): Promise<OrderResponse> {
  const order = await findVisibleOrder(db, actor, id);
  return toOrderResponse(order, await repo.findOrderItems(db, [order.id]));
}

export async function trackOrder(db: Db, actor: Actor, id: number): Promise<TrackingResponse> {
  const order = await findVisibleOrder(db, actor, id);
  const history = await repo.findOrderEvents(db, order.id);
  return { order_id: order.id, status: order.status, tracking_number: order.tracking_number, history };
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
    throw new ValidationError('/body/tracking_number', 'goes only with status shipped');
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
    const now = new Date().toISOString();
    // The conditional update is what makes 20 concurrent cancels return the stock once. When
    // another change landed between the read and the update, the order is read again and
    // judged by what it is now (an admin's cancel that met a payment cancels the paid order).
    let order: OrderRow;
    for (let attempt = 1; ; attempt += 1) {
      const found = await repo.findOrderById(trx, id);
      if (!found) throw new NotFoundError('Order');
      assertActorMayMoveFrom?.(found.status);
      if (!canChangeStatus(found.status, to)) {
        throw new ConflictError(`An order that is ${found.status} cannot become ${to}.`, 'ILLEGAL_STATUS_CHANGE');
      }
      if (await repo.updateOrderStatus(trx, id, found.status, to, trackingNumber, now)) {
        order = found;
        break;
      }
      if (attempt === 3) throw new ConflictError('The order kept changing; try again.', 'ILLEGAL_STATUS_CHANGE');
    }
    const from = order.status;
    const items = await repo.findOrderItems(trx, [id]);
    await leaveStatus(trx, order, from, to, items);
    await repo.insertOrderEvent(trx, id, to, note, now);
    return toOrderResponse({ ...order, status: to, tracking_number: trackingNumber ?? order.tracking_number, updated_at: now }, items);
  });
}

/**
 * What leaving a status gives back: a cancelled order its stock, a pending one its
 * customer's place. Products first, in id order, then the customer: the order in which
 * placing an order locks them, so the two cannot deadlock.
 */
async function leaveStatus(trx: Trx, order: OrderRow, from: OrderStatus, to: OrderStatus, items: OrderItemRow[]): Promise<void> {
  if (to === 'cancelled') {
    for (const item of items) if (item.stock_taken) await returnStock(trx, item.product_id, item.quantity);
  }
  if (from === 'pending') await releasePendingOrderSlot(trx, order.customer_id);
}

function toOrderResponse(order: OrderRow, items: SoldLine[]): OrderResponse {
  return {
    id: order.id,
    customer_id: order.customer_id,
    status: order.status,
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
async function findVisibleOrder(db: Queryable, actor: Actor, id: number): Promise<OrderRow> {
  const order = await repo.findOrderById(db, id);
  if (!order) throw new NotFoundError('Order');
  if (order.customer_id !== actor.id && !isAdmin(actor)) throw new ForbiddenError('This order belongs to another customer.');
  return order;
}

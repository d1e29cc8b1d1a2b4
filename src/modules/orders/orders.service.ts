import { timingSafeEqual } from 'node:crypto';
import fastJson from 'fast-json-stringify';
import type { Db, OrderItemRow, OrderPaymentStatus, OrderRow, OrderStatus, Queryable, Trx } from '../../db/database.js';
import { inTransaction } from '../../db/engine.js';
import { type Actor, assertSelfOrAdmin, isAdmin } from '../../shared/access.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../shared/errors.js';
import { toMajor } from '../../shared/money.js';
import { pageCount } from '../../shared/schemas.js';
import type { Address } from '../addresses/addresses.schemas.js';
import { readCartLines, readGuestCartLines, takeCartForCheckout, takeGuestCartForCheckout } from '../cart/cart.service.js';
import { assertMayActFor, releasePendingOrderSlot } from '../customers/customers.service.js';
import { newEventId, recordEvent } from '../events/events.service.js';
import type { CancelReason } from '../events/events.schemas.js';
import { returnStock } from '../products/products.service.js';
import { type Checkout, type ShopPricing, hashOrderToken, priceCheckout, readCheckoutContext } from './checkout.js';
import { idempotencyScope, runIdempotent } from './idempotency.js';

export type { CancelOrderBody, ChangeStatusBody, OrderResponse } from './orders.schemas.js';
export {
  type IdempotentRequest,
  claimIdempotencyKey,
  idempotencyScope,
  keepIdempotentAnswer,
  purgeExpiredIdempotencyKeys,
  releaseIdempotencyKey,
} from './idempotency.js';
import { canChangeStatus } from './order-status.js';
import { orderWriterFor } from './order-writers.js';
import * as repo from './orders.repository.js';
import {
  type ChangeStatusBody,
  type CheckoutFields,
  type GuestCheckoutBody,
  type GuestOrderResponse,
  type ListOrdersQuery,
  type OrderFromCartBody,
  OrderResponse,
  type PlaceOrderBody,
  type QuoteResponse,
  type TrackingResponse,
} from './orders.schemas.js';
import { type OrderLine, type OrderRequest, type PlacedEvent, cannotBePriced, mergeLines, refusalOf, wasRepriced } from './placement.js';

/** Who asks for an order: a signed-in actor, or a guest holding the order's token. */
export type OrderAccess = { actor: Actor } | { orderToken: string };

export type Placed<Result = OrderResponse> = { result: Result; replayed: boolean };

/** What the shop allows and how it prices, from its configuration. */
export interface OrderRules extends ShopPricing {
  maxPendingOrdersPerCustomer: number;
}

/** Places an order from a list of products, all or nothing (the rule is in placement.ts). */
export async function placeOrder(db: Db, rules: OrderRules, actor: Actor, input: PlaceOrderBody, key: string | undefined): Promise<Placed> {
  await assertMayActFor(db, actor, input.customer_id);
  const { customer_id, items, ...fields } = input;
  const request = orderRequest(rules, customer_id, items);
  if (key === undefined) {
    return { result: await orderWriterFor(db).unit(db, (q) => placeChecked(q, request, fields, rules)), replayed: false };
  }
  return runIdempotent(db, { scope: idempotencyScope.customer(actor.id), key, route: 'POST /orders', body: input }, (trx) =>
    placeChecked(trx, request, fields, rules),
  );
}

/**
 * Checks out the whole cart in one transaction: taking its lines is what claims them, so of
 * two checkouts of one cart at once only one finds anything to order; the order is placed
 * and the cart left empty, or the cart is as it was.
 */
export async function placeOrderFromCart(db: Db, rules: OrderRules, actor: Actor, input: OrderFromCartBody, key: string | undefined): Promise<Placed> {
  const { customer_id, ...fields } = input;
  await assertMayActFor(db, actor, customer_id);
  return runIdempotent(db, { scope: idempotencyScope.customer(actor.id), key, route: 'POST /orders/from_cart', body: input }, async (trx) => {
    const lines = await takeCartForCheckout(trx, customer_id);
    if (lines.length === 0) throw emptyCart();
    return placeChecked(trx, orderRequest(rules, customer_id, lines), fields, rules);
  });
}

/** A guest cart's checkout: its lines are claimed and the cart is gone, or nothing changed. */
export async function checkoutGuestCart(
  db: Db,
  rules: OrderRules,
  cartId: string,
  input: GuestCheckoutBody,
  key: string | undefined,
): Promise<Placed<GuestOrderResponse>> {
  const scope = idempotencyScope.guestCart(cartId);
  return runIdempotent(db, { scope, key, route: 'POST /carts/checkout', body: input }, async (trx) => {
    const lines = await takeGuestCartForCheckout(trx, cartId);
    if (lines.length === 0) throw emptyCart();
    return placeChecked(trx, orderRequest(rules, null, lines), input, rules) as Promise<GuestOrderResponse>;
  });
}

/** What placing this body would charge, placing nothing. */
export async function quoteOrder(db: Db, rules: OrderRules, actor: Actor, input: PlaceOrderBody): Promise<QuoteResponse> {
  await assertMayActFor(db, actor, input.customer_id);
  const { customer_id, items, ...fields } = input;
  return quote(db, orderRequest(rules, customer_id, items), fields, rules);
}

export async function quoteOrderFromCart(db: Db, rules: OrderRules, actor: Actor, input: OrderFromCartBody): Promise<QuoteResponse> {
  const { customer_id, ...fields } = input;
  await assertMayActFor(db, actor, customer_id);
  const lines = await readCartLines(db, customer_id);
  if (lines.length === 0) throw emptyCart();
  return quote(db, orderRequest(rules, customer_id, lines), fields, rules);
}

export async function quoteGuestCart(db: Db, rules: OrderRules, cartId: string, input: GuestCheckoutBody): Promise<QuoteResponse> {
  const lines = await readGuestCartLines(db, cartId);
  if (lines.length === 0) throw emptyCart();
  return quote(db, orderRequest(rules, null, lines), input, rules);
}

function emptyCart(): ConflictError {
  return new ConflictError('The cart is empty.', 'EMPTY_CART');
}

function orderRequest(rules: OrderRules, customerId: number | null, lines: OrderLine[]): OrderRequest {
  return { customerId, lines: mergeLines(lines), maxPendingOrders: rules.maxPendingOrdersPerCustomer, now: new Date().toISOString() };
}

/** How often an order whose prices changed between its check and its write is priced again. */
const PRICING_ATTEMPTS = 3;

/**
 * Checks, prices and writes an order, on the database or inside the caller's transaction:
 * the one path of every placement. The write decides again on locked rows; a price that
 * changed since the check prices the order again.
 */
async function placeChecked(q: Queryable, request: OrderRequest, fields: CheckoutFields, rules: OrderRules): Promise<OrderResponse> {
  const writer = orderWriterFor(q);
  const [context, firstCheck] = await Promise.all([readCheckoutContext(q, request.customerId, fields, rules), writer.check(q, request)]);
  let checked = firstCheck;
  for (let attempt = 1; ; attempt += 1) {
    if (!checked.allowed && (writer.checkIsFinal || cannotBePriced(checked))) throw refusalOf(checked);
    const checkout = priceCheckout(request, checked, context, fields, rules, 'place');
    const answer = placedOrder(checkout, 0);
    const event = placedEventOf(answer);
    const written = await writer.write(q, checkout.order, event);
    if (written.orderId !== undefined) {
      answer.id = written.orderId;
      if (checkout.orderToken === undefined) answerJson.set(answer, writtenOrderJson(event, written.orderId));
      return answer;
    }
    if (!wasRepriced(written)) throw refusalOf(written);
    if (attempt === PRICING_ATTEMPTS) throw new ConflictError('Prices kept changing while the order was placed; try again.');
    checked = await writer.check(q, request);
  }
}

async function quote(db: Db, request: OrderRequest, fields: CheckoutFields, rules: OrderRules): Promise<QuoteResponse> {
  const [context, checked] = await Promise.all([readCheckoutContext(db, request.customerId, fields, rules), orderWriterFor(db).check(db, request)]);
  if (!checked.allowed) throw refusalOf(checked);
  const checkout = priceCheckout(request, checked, context, fields, rules, 'quote');
  const { items, ...money } = moneyOf(recordRow(checkout, 0), itemRows(checkout), addressesRead(checkout));
  return {
    ...money,
    items,
    shipping_options: checkout.shippingOptions.map((rate) => ({ id: rate.id, name: rate.name, price: toMajor(rate.priceCents) })),
  };
}

/** The placed order as answered (a guest's with its token), its addresses as checkout read them rather than parsed back. */
function placedOrder(checkout: Checkout, orderId: number): OrderResponse | GuestOrderResponse {
  const order = toOrderResponse(recordRow(checkout, orderId), itemRows(checkout), addressesRead(checkout));
  return checkout.orderToken === undefined ? order : { ...order, order_token: checkout.orderToken };
}

/**
 * The order as GET /orders/{id} serializes it: compiled from the same schema, so an event's
 * order is that answer (a guest's token, not in the schema, is left out), and it is the
 * fastest way there (a third of JSON.stringify's time on an order).
 */
const orderJson = fastJson(OrderResponse);
const BEFORE_ID = '{"id":';
const UNWRITTEN_ID = `${BEFORE_ID}0,`;

/**
 * A placed order's answer as its event already serialized it (a guest's, with its token, is
 * not): the route sends this text rather than serialize the same order again.
 */
const answerJson = new WeakMap<object, string>();

export function serializedAnswer(answer: object): string | undefined {
  return answerJson.get(answer);
}

/** The order's JSON once the write has numbered it: the event's text with the real id in front. */
function writtenOrderJson(event: PlacedEvent, orderId: number): string {
  return `${BEFORE_ID}${orderId},${event.afterId}`;
}

/** The order.placed event of this answer (its id still 0: the write numbers the order). */
function placedEventOf(answer: OrderResponse | GuestOrderResponse): PlacedEvent {
  const text = orderJson(answer);
  // The schema's first field is the id, so the write can put the real one in front.
  if (!text.startsWith(UNWRITTEN_ID)) throw new Error(`an unwritten order serialized as ${text.slice(0, 20)}`);
  return { id: newEventId(), afterId: text.slice(UNWRITTEN_ID.length) };
}

function recordRow(checkout: Checkout, id: number): OrderRow {
  const { order } = checkout;
  return {
    id,
    customer_id: order.customerId,
    status: 'pending',
    tracking_number: null,
    created_at: order.now,
    updated_at: order.now,
    payment_status: 'unpaid',
    amount_paid_cents: 0,
    amount_refunded_cents: 0,
    ...order.record,
  };
}

function itemRows(checkout: Checkout): OrderItemRow[] {
  return checkout.order.lines.map(({ product_id, product_name, unit_price_cents, quantity, line_total_cents, stock_taken, tax_cents }) => ({
    order_id: 0,
    product_id,
    product_name,
    unit_price_cents,
    quantity,
    line_total_cents,
    stock_taken,
    tax_cents,
  }));
}

export async function getOrder(db: Db, access: OrderAccess, id: number): Promise<OrderResponse> {
  const order = await findVisibleOrder(db, access, id);
  return toOrderResponse(order, await repo.findOrderItems(db, [order.id]));
}

/** An order as GET /orders/{id} answers it, for a caller that has checked access itself. */
export async function readOrder(db: Queryable, id: number): Promise<OrderResponse> {
  const order = await repo.findOrderById(db, id);
  if (!order) throw new NotFoundError('Order');
  return toOrderResponse(order, await repo.findOrderItems(db, [order.id]));
}

export async function trackOrder(db: Db, access: OrderAccess, id: number): Promise<TrackingResponse> {
  const order = await findVisibleOrder(db, access, id);
  const history = await repo.findOrderEvents(db, order.id);
  return { order_id: order.id, status: order.status, tracking_number: order.tracking_number, history };
}

/** Admins see every order (or one customer's); a customer sees only its own. Newest first, filtered as asked. */
export async function pageOrders(db: Db, actor: Actor, query: ListOrdersQuery) {
  let customerId = query.customer_id;
  if (!isAdmin(actor)) {
    if (customerId !== undefined) assertSelfOrAdmin(actor, customerId);
    customerId = actor.id;
  }
  const filter: repo.OrderFilter = { customerId, status: query.status, paymentStatus: query.payment_status, guest: query.guest, q: query.q };
  const [orders, total] = await Promise.all([
    repo.findOrdersPage(db, filter, query.per_page, (query.page - 1) * query.per_page),
    repo.countOrders(db, filter),
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

/** The home screen's order figures: what came in since each time, and what waits for the shop. */
export async function orderFigures(db: Db, since: { today: string; week: string }) {
  const [today, week, awaitingPayment, awaitingShipment] = await Promise.all([
    repo.sumOrdersSince(db, since.today),
    repo.sumOrdersSince(db, since.week),
    repo.countOrdersInStatus(db, 'pending'),
    repo.countOrdersInStatus(db, 'paid'),
  ]);
  return { today, week, awaitingPayment, awaitingShipment };
}

/** Admin: move an order along its lifecycle. Cancelling returns the stock it took. */
export async function changeOrderStatus(db: Db, id: number, input: ChangeStatusBody): Promise<OrderResponse> {
  if (input.tracking_number !== undefined && input.status !== 'shipped') {
    throw new ValidationError('/body/tracking_number', 'goes only with status shipped');
  }
  return moveOrder(db, id, input.status, input.note ?? null, { trackingNumber: input.tracking_number, cancelledBy: 'admin' });
}

/** Admins may cancel a pending or paid order; its owner (a customer, or a guest with its token) only while it is pending. */
export async function cancelOrder(db: Db, access: OrderAccess, id: number): Promise<OrderResponse> {
  await findVisibleOrder(db, access, id);
  if (mayCancelAnyOrder(access)) return moveOrder(db, id, 'cancelled', 'Cancelled by an admin', { cancelledBy: 'admin' });
  // The owner's rule is checked inside the transaction, against the status the conditional
  // update compares with, so an admin marking the order paid meanwhile wins.
  return moveOrder(db, id, 'cancelled', 'Cancelled by the customer', { mayMoveFrom: assertOwnerMayCancel, cancelledBy: 'customer' });
}

function mayCancelAnyOrder(access: OrderAccess): boolean {
  return 'actor' in access && isAdmin(access.actor);
}

function assertOwnerMayCancel(from: OrderRow): void {
  if (from.status !== 'pending') {
    throw new ConflictError(`Only a pending order can be cancelled by its customer; this one is ${from.status}.`, 'ILLEGAL_STATUS_CHANGE');
  }
}

/** What the payments module knows of an order: its state and its money, in cents. */
export interface OrderMoney {
  id: number;
  status: OrderStatus;
  payment_status: OrderPaymentStatus;
  total_cents: number;
  amount_paid_cents: number;
  amount_refunded_cents: number;
  currency: string;
}

function moneyOfOrder(order: OrderRow): OrderMoney {
  const { id, status, payment_status, total_cents, amount_paid_cents, amount_refunded_cents } = order;
  return { id, status, payment_status, total_cents, amount_paid_cents, amount_refunded_cents, currency: order.currency ?? '' };
}

/** The order, if the caller may see it (the rules of GET /orders/{id}), for paying it. */
export async function findOrderToPay(db: Queryable, access: OrderAccess, id: number): Promise<OrderMoney> {
  return moneyOfOrder(await findVisibleOrder(db, access, id));
}

export async function readOrderMoney(db: Queryable, id: number): Promise<OrderMoney> {
  const order = await repo.findOrderById(db, id);
  if (!order) throw new NotFoundError('Order');
  return moneyOfOrder(order);
}

/** The order, held against other writers until the transaction ends (a payment by hand decides on it). */
export async function lockOrderMoney(trx: Trx, id: number): Promise<OrderMoney> {
  const order = await repo.lockOrderById(trx, id);
  if (!order) throw new NotFoundError('Order');
  return moneyOfOrder(order);
}

/**
 * Checks that this caller may cancel this order now (answering 409 before anything is done
 * to its payments), and says whether the caller is an admin, who decides about its money.
 */
export async function checkCancel(db: Db, access: OrderAccess, id: number): Promise<{ order: OrderMoney; byAdmin: boolean }> {
  const order = await findVisibleOrder(db, access, id);
  const byAdmin = mayCancelAnyOrder(access);
  if (!byAdmin) assertOwnerMayCancel(order);
  if (!canChangeStatus(order.status, 'cancelled')) {
    throw new ConflictError(`An order that is ${order.status} cannot become cancelled.`, 'ILLEGAL_STATUS_CHANGE');
  }
  return { order: moneyOfOrder(order), byAdmin };
}

/**
 * Adds captured or refunded money to an order and sets its payment status, in the
 * transaction of the payment's change. A pending order that what was captured now covers
 * becomes paid: the conditional update makes that happen once, whoever gets there first.
 */
export async function recordOrderMoney(
  trx: Trx,
  orderId: number,
  change: { paidCents: number; refundedCents: number; authorized: boolean; note: string | null },
  now: string,
): Promise<OrderResponse> {
  let order = await repo.addOrderMoney(trx, orderId, change, now);
  if (!order) throw new NotFoundError('Order');
  const covered = order.total_cents > 0 && order.amount_paid_cents >= order.total_cents;
  const items = await repo.findOrderItems(trx, [orderId]);
  if (order.status === 'pending' && covered && (await repo.updateOrderStatus(trx, orderId, 'pending', 'paid', undefined, now))) {
    order = { ...order, status: 'paid' };
    await leaveStatus(trx, order, 'pending', 'paid', items);
    await repo.insertOrderEvent(trx, orderId, 'paid', change.note, now);
    const paid = toOrderResponse(order, items);
    await recordStatusEvent(trx, paid, { cancelledBy: 'admin', trackingNumber: null }, now);
    return paid;
  }
  return toOrderResponse(order, items);
}

/** Pending orders placed before `cutoff` with nothing authorized or captured, oldest first. */
export function findOrdersAwaitingPayment(db: Db, cutoff: string, limit: number): Promise<number[]> {
  return repo.findUnpaidPendingOrderIds(db, cutoff, limit);
}

/** Cancels an order nobody paid for in time (reason payment_timeout); false when it was paid or changed meanwhile. */
export async function expireUnpaidOrder(db: Db, id: number): Promise<boolean> {
  try {
    await moveOrder(db, id, 'cancelled', 'Not paid in time', { mayMoveFrom: assertStillUnpaid, cancelledBy: 'payment_timeout', onlyIfUnpaid: true });
    return true;
  } catch (error) {
    if (error instanceof ConflictError || error instanceof NotFoundError) return false;
    throw error;
  }
}

function assertStillUnpaid(order: OrderRow): void {
  if (order.status !== 'pending' || order.payment_status !== 'unpaid' || order.amount_paid_cents > 0) {
    throw new ConflictError('The order was paid or changed meanwhile.', 'ILLEGAL_STATUS_CHANGE');
  }
}

interface MoveOptions {
  trackingNumber?: string;
  /** The caller's own rule, judged on the order as the conditional update will find it. */
  mayMoveFrom?: (from: OrderRow) => void;
  cancelledBy?: CancelReason;
  /** The update also requires that nothing was captured (the expiry must lose to a capture). */
  onlyIfUnpaid?: boolean;
}

async function moveOrder(db: Db, id: number, to: OrderStatus, note: string | null, options: MoveOptions = {}): Promise<OrderResponse> {
  const { trackingNumber, cancelledBy = 'admin' } = options;
  return inTransaction(db, async (trx) => {
    const now = new Date().toISOString();
    // The conditional update is what makes 20 concurrent cancels return the stock once. When
    // another change landed between the read and the update, the order is read again and
    // judged by what it is now (an admin's cancel that met a payment cancels the paid order).
    let order: OrderRow;
    for (let attempt = 1; ; attempt += 1) {
      const found = await repo.findOrderById(trx, id);
      if (!found) throw new NotFoundError('Order');
      options.mayMoveFrom?.(found);
      if (!canChangeStatus(found.status, to)) {
        throw new ConflictError(`An order that is ${found.status} cannot become ${to}.`, 'ILLEGAL_STATUS_CHANGE');
      }
      if (await repo.updateOrderStatus(trx, id, found.status, to, trackingNumber, now, options.onlyIfUnpaid)) {
        order = found;
        break;
      }
      if (attempt === 3) throw new ConflictError('The order kept changing; try again.', 'ILLEGAL_STATUS_CHANGE');
    }
    const from = order.status;
    const items = await repo.findOrderItems(trx, [id]);
    await leaveStatus(trx, order, from, to, items);
    await repo.insertOrderEvent(trx, id, to, note, now);
    const moved = toOrderResponse({ ...order, status: to, tracking_number: trackingNumber ?? order.tracking_number, updated_at: now }, items);
    await recordStatusEvent(trx, moved, { cancelledBy, trackingNumber: trackingNumber ?? order.tracking_number }, now);
    return moved;
  });
}

/** The event each status change records, in the change's transaction (a status with no event records none). */
function recordStatusEvent(
  trx: Trx,
  order: OrderResponse,
  why: { cancelledBy: CancelReason; trackingNumber: string | null },
  now: string,
): Promise<unknown> {
  switch (order.status) {
    case 'paid':
      return recordEvent(trx, 'order.paid', { order }, now);
    case 'shipped':
      return recordEvent(trx, 'order.shipped', { order, tracking_number: why.trackingNumber }, now);
    case 'delivered':
      return recordEvent(trx, 'order.delivered', { order }, now);
    case 'cancelled':
      return recordEvent(trx, 'order.cancelled', { order, reason: why.cancelledBy }, now);
    case 'pending':
      return Promise.resolve();
  }
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
  if (from === 'pending' && order.customer_id !== null) await releasePendingOrderSlot(trx, order.customer_id);
}

function toOrderResponse(order: OrderRow, items: OrderItemRow[], addresses = addressesOf(order)): OrderResponse {
  return {
    id: order.id,
    customer_id: order.customer_id,
    status: order.status,
    created_at: order.created_at,
    updated_at: order.updated_at,
    email: order.email ?? '',
    note: order.note,
    ...moneyOf(order, items, addresses),
    payment_status: order.payment_status,
    amount_paid: toMajor(order.amount_paid_cents),
    amount_refunded: toMajor(order.amount_refunded_cents),
  };
}

type OrderAddresses = { shipping: Address | null; billing: Address | null };

/** The addresses an order row keeps as JSON text. */
function addressesOf(order: OrderRow): OrderAddresses {
  return { shipping: parseAddress(order.shipping_address), billing: parseAddress(order.billing_address) };
}

function addressesRead(checkout: Checkout): OrderAddresses {
  return { shipping: checkout.context.shippingAddress, billing: checkout.context.billingAddress };
}

/** The money fields an order and a quote share. */
function moneyOf(order: OrderRow, items: OrderItemRow[], addresses: OrderAddresses) {
  return {
    currency: order.currency ?? '',
    items: items.map((item) => ({
      product_id: item.product_id,
      product_name: item.product_name,
      unit_price: toMajor(item.unit_price_cents),
      quantity: item.quantity,
      line_total: toMajor(item.line_total_cents),
      tax: toMajor(item.tax_cents),
    })),
    subtotal: toMajor(order.subtotal_cents),
    shipping_total: toMajor(order.shipping_total_cents),
    tax_total: toMajor(order.tax_total_cents),
    total: toMajor(order.total_cents),
    prices_include_tax: order.prices_include_tax === 1,
    shipping_address: addresses.shipping,
    billing_address: addresses.billing,
    shipping:
      order.shipping_rate_id === null
        ? null
        : {
            rate_id: order.shipping_rate_id,
            name: order.shipping_name ?? '',
            price: toMajor(order.shipping_price_cents ?? 0),
            tax: toMajor(order.shipping_tax_cents ?? 0),
          },
    tax: order.tax_rate_thousandths === null ? null : { name: order.tax_name ?? '', rate: order.tax_rate_thousandths / 1000 },
  };
}

function parseAddress(json: string | null): Address | null {
  return json === null ? null : (JSON.parse(json) as Address);
}

/**
 * The order, if the caller may see it: admins any, a customer its own (403 for another's), a
 * guest the one its token opens (a wrong token is 404, as if there were no such order).
 */
async function findVisibleOrder(db: Queryable, access: OrderAccess, id: number): Promise<OrderRow> {
  const order = await repo.findOrderById(db, id);
  if (!order) throw new NotFoundError('Order');
  if ('orderToken' in access) {
    if (!opensOrder(access.orderToken, order)) throw new NotFoundError('Order');
  } else if (order.customer_id !== access.actor.id && !isAdmin(access.actor)) {
    throw new ForbiddenError('This order belongs to another customer.');
  }
  return order;
}

function opensOrder(token: string, order: OrderRow): boolean {
  if (order.order_token_hash === null) return false;
  return timingSafeEqual(Buffer.from(hashOrderToken(token)), Buffer.from(order.order_token_hash));
}

/** Orders placed before currencies were recorded take the shop's, once, at start. */
export function recordCurrencyOfOlderOrders(db: Db, currency: string): Promise<void> {
  return repo.setMissingCurrency(db, currency);
}

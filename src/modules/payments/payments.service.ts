import type { Config } from '../../config.js';
import type { Db, PaymentRow, PaymentStatus, RefundRow, Trx } from '../../db/database.js';
import { inTransaction } from '../../db/engine.js';
import type { Actor } from '../../shared/access.js';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ServiceUnavailableError, ValidationError } from '../../shared/errors.js';
import { toCents, toMajor } from '../../shared/money.js';
import { recordEvent } from '../events/events.service.js';
import * as orders from '../orders/orders.service.js';
import type { OrderResponse } from '../orders/orders.schemas.js';
import type { CapturePaymentBody, CreatePaymentBody, PaymentResponse, RefundBody, RefundResponse } from './payments.schemas.js';
import * as repo from './payments.repository.js';
import { manualProvider } from './providers/manual.js';
import type { Observed, PaymentProvider, ProviderName } from './providers/provider.js';
import { stripeProvider } from './providers/stripe.js';

/** The enabled providers, by name (PAYMENT_PROVIDERS). */
export type PaymentProviders = ReadonlyMap<ProviderName, PaymentProvider>;

export function createPaymentProviders(config: Config): PaymentProviders {
  const providers = new Map<ProviderName, PaymentProvider>();
  for (const name of config.paymentProviders) {
    if (name === 'manual') providers.set(name, manualProvider);
    else if (config.stripe) providers.set(name, stripeProvider(config.stripe));
  }
  return providers;
}

/** Where a payment may come from: its status only moves forward (captured also after a failure: the buyer may retry the card). */
const MOVES_FROM: Record<PaymentStatus, readonly PaymentStatus[]> = {
  pending: [],
  requires_action: ['pending'],
  authorized: ['pending', 'requires_action'],
  captured: ['pending', 'requires_action', 'authorized', 'failed'],
  failed: ['pending', 'requires_action'],
  cancelled: ['pending', 'requires_action', 'authorized'],
};

function providerOf(providers: PaymentProviders, name: string): PaymentProvider {
  const provider = providers.get(name as ProviderName);
  if (!provider) throw new ConflictError(`The payment provider ${name} is not enabled in this shop.`, 'PAYMENT_PROVIDER_DISABLED');
  return provider;
}

function idempotencyScopeOf(access: orders.OrderAccess, orderId: number): string {
  return 'actor' in access ? orders.idempotencyScope.customer(access.actor.id) : orders.idempotencyScope.guestOrder(orderId);
}

export type Created = { payment: PaymentResponse; status: 200 | 201; replayed: boolean };

/**
 * Opens a payment for what the order still owes (the amount is always the server's), or
 * answers the open one with that provider. The payment row is written first, so the
 * provider's idempotency key can name it; if the provider cannot be reached, the row and the
 * Idempotency-Key go again and nothing is left half-recorded.
 */
export async function createPayment(
  db: Db,
  providers: PaymentProviders,
  access: orders.OrderAccess,
  orderId: number,
  body: CreatePaymentBody,
  key: string | undefined,
): Promise<Created> {
  const provider = providerOf(providers, body.provider);
  await orders.findOrderToPay(db, access, orderId);
  const request = { scope: idempotencyScopeOf(access, orderId), key, route: 'POST /orders/{id}/payments', body: { order_id: orderId, ...body } };
  const opened = await inTransaction(db, async (trx): Promise<{ answer: Created } | { row: PaymentRow }> => {
    const replayed = await orders.claimIdempotencyKey<PaymentResponse>(trx, request);
    if (replayed) return { answer: { payment: replayed.result, status: replayed.status as 200 | 201, replayed: true } };
    const order = await orders.readOrderMoney(trx, orderId);
    if (order.status !== 'pending') throw new ConflictError(`Only a pending order takes a payment; this one is ${order.status}.`, 'ILLEGAL_STATUS_CHANGE');
    const outstanding = order.total_cents - order.amount_paid_cents;
    if (outstanding <= 0) throw new ConflictError('Nothing is outstanding on this order.', 'NOTHING_TO_PAY');
    const open = await repo.findOpenPayment(trx, orderId, provider.name);
    if (open) {
      if (open.provider_ref === null && provider.movesMoney) throw paymentBeingOpened();
      const payment = await presentOne(trx, open);
      await orders.keepIdempotentAnswer(trx, request, 200, payment);
      return { answer: { payment, status: 200, replayed: false } };
    }
    const now = new Date().toISOString();
    const row = await repo.insertPayment(trx, { order_id: orderId, provider: provider.name, status: 'pending', amount_cents: outstanding, currency: order.currency }, now);
    if (!row) throw paymentBeingOpened();
    return { row };
  });
  if ('answer' in opened) return opened.answer;

  const { row } = opened;
  let handle;
  try {
    handle = await provider.create(row);
  } catch (error) {
    await inTransaction(db, async (trx) => {
      await repo.deletePayment(trx, row.id);
      await orders.releaseIdempotencyKey(trx, request);
    });
    throw error;
  }
  const payment = await inTransaction(db, async (trx) => {
    const now = new Date().toISOString();
    await repo.setProviderHandle(trx, row.id, handle.ref, handle.clientSecret, now);
    const written = await repo.findPaymentById(trx, row.id);
    if (!written) throw new Error(`payment ${row.id} vanished while it was opened`);
    await applyObserved(trx, written, handle.observed, now);
    const answer = await presentOne(trx, (await repo.findPaymentById(trx, row.id)) ?? written);
    await orders.keepIdempotentAnswer(trx, request, 201, answer);
    return answer;
  });
  return { payment, status: 201, replayed: false };
}

function paymentBeingOpened(): ConflictError {
  return new ConflictError('A payment for this order is being opened by another request; try again.');
}

/**
 * The order's payments. This is also the browser's return from paying: an open payment is
 * read from its provider and what it became is recorded, through the same function as the
 * provider's webhook, so whichever comes first records it and the other finds it done.
 */
export async function listPayments(db: Db, providers: PaymentProviders, access: orders.OrderAccess, orderId: number): Promise<PaymentResponse[]> {
  await orders.findOrderToPay(db, access, orderId);
  for (const payment of await repo.findOrderPayments(db, orderId)) {
    const provider = providers.get(payment.provider as ProviderName);
    if (!provider?.movesMoney || payment.provider_ref === null || !repo.OPEN_STATUSES.includes(payment.status)) continue;
    try {
      await recordObserved(db, payment.id, await provider.read(payment));
    } catch (error) {
      // The provider is away: answer what is recorded; its webhook will bring the rest.
      if (!(error instanceof ServiceUnavailableError)) throw error;
    }
  }
  return present(db, await repo.findOrderPayments(db, orderId));
}

/** What handling a provider's webhook did (the route logs a mismatch). */
export type WebhookOutcome = 'applied' | 'duplicate' | 'unknown' | 'mismatch' | 'ignored';

/**
 * A provider's webhook, its signature checked over the raw body. Each event id is claimed in
 * the transaction of its effect, so ten copies of one event at once record it once; an event
 * for a payment the shop does not know changes nothing.
 */
export async function handleWebhook(db: Db, providers: PaymentProviders, name: ProviderName, rawBody: Buffer, signature: string | undefined): Promise<WebhookOutcome> {
  const provider = providerOf(providers, name);
  const event = provider.parseWebhook(rawBody, signature);
  if (event.ref === undefined) return 'ignored';
  const payment = await repo.findPaymentByRef(db, name, event.ref);
  if (!payment) return 'unknown';
  return inTransaction(db, async (trx) => {
    const now = new Date().toISOString();
    if (!(await repo.claimProviderEvent(trx, name, event.id, now))) return 'duplicate';
    const current = await repo.findPaymentById(trx, payment.id);
    return current ? applyObserved(trx, current, event.observed, now) : 'unknown';
  });
}

/** Records what a provider says a payment became (the client's path; the webhook's is handleWebhook). */
function recordObserved(db: Db, paymentId: number, observed: Observed): Promise<WebhookOutcome> {
  return inTransaction(db, async (trx) => {
    const payment = await repo.findPaymentById(trx, paymentId);
    return payment ? applyObserved(trx, payment, observed, new Date().toISOString()) : 'unknown';
  });
}

/**
 * The one function through which every provider report (webhook, browser return, capture
 * answer) changes a payment. Money is marked captured or authorized only when the amount
 * and currency are the payment's; each move is a conditional write from the states it may
 * come from, so a late or repeated report changes nothing.
 */
async function applyObserved(trx: Trx, payment: PaymentRow, observed: Observed, now: string): Promise<WebhookOutcome> {
  if (observed.status === 'pending') return 'applied';
  if ((observed.status === 'captured' || observed.status === 'authorized') && !matches(payment, observed)) return 'mismatch';
  if (observed.status === 'captured') {
    await capture(trx, payment, observed.capturedCents, `Paid through ${payment.provider}`, now);
    return 'applied';
  }
  const moved = await repo.movePayment(trx, payment.id, MOVES_FROM[observed.status], observed.status, now);
  if (!moved) return 'applied';
  if (observed.status === 'failed') await recordEvent(trx, 'payment.failed', { payment: await presentOne(trx, moved) }, now);
  if (observed.status === 'authorized' || payment.status === 'authorized') await refreshOrder(trx, payment.order_id, now);
  return 'applied';
}

function matches(payment: PaymentRow, observed: Observed): boolean {
  const captured = observed.status !== 'captured' || (observed.capturedCents > 0 && observed.capturedCents <= payment.amount_cents);
  return observed.amountCents === payment.amount_cents && observed.currency.toLowerCase() === payment.currency.toLowerCase() && captured;
}

/** Captures a payment once (the conditional write), adds the money to its order, and records payment.captured. */
async function capture(trx: Trx, payment: PaymentRow, amountCents: number, note: string | null, now: string): Promise<boolean> {
  const moved = await repo.movePayment(trx, payment.id, MOVES_FROM.captured, 'captured', now, amountCents);
  if (!moved) return false;
  await recordEvent(trx, 'payment.captured', { payment: await presentOne(trx, moved) }, now);
  await orders.recordOrderMoney(
    trx,
    payment.order_id,
    { paidCents: amountCents, refundedCents: 0, authorized: await repo.hasAuthorizedPayment(trx, payment.order_id), note },
    now,
  );
  return true;
}

/** Sets the order's payment status again after a payment was authorized or voided. */
function refreshOrder(trx: Trx, orderId: number, now: string): Promise<OrderResponse> {
  return repo
    .hasAuthorizedPayment(trx, orderId)
    .then((authorized) => orders.recordOrderMoney(trx, orderId, { paidCents: 0, refundedCents: 0, authorized, note: null }, now));
}

/** Admin: the money of a manual payment arrived, or Stripe captures an authorized one (all of it, or `amount`). */
export async function capturePayment(db: Db, providers: PaymentProviders, id: number, body: CapturePaymentBody): Promise<PaymentResponse> {
  const payment = await findPayment(db, id);
  const provider = providerOf(providers, payment.provider);
  const amountCents = body.amount === undefined ? payment.amount_cents : toCents(body.amount);
  if (amountCents > payment.amount_cents) throw new ValidationError('/body/amount', "is more than the payment's amount");
  const capturable: readonly PaymentStatus[] = provider.movesMoney ? ['authorized'] : repo.OPEN_STATUSES;
  if (!capturable.includes(payment.status)) throw new ConflictError(`A payment that is ${payment.status} cannot be captured.`);
  if (provider.movesMoney) {
    await recordObserved(db, id, await provider.capture(payment, amountCents));
  } else {
    const captured = await inTransaction(db, (trx) => capture(trx, payment, amountCents, 'Payment received', new Date().toISOString()));
    if (!captured) throw new ConflictError('The payment was captured or voided meanwhile.');
  }
  return presentOne(db, await findPayment(db, id));
}

/** Admin: voids a payment not yet captured. */
export async function cancelPayment(db: Db, providers: PaymentProviders, id: number): Promise<PaymentResponse> {
  const payment = await findPayment(db, id);
  if (!repo.OPEN_STATUSES.includes(payment.status)) throw new ConflictError(`A payment that is ${payment.status} cannot be cancelled.`);
  await voidPayment(db, providers, payment);
  return presentOne(db, await findPayment(db, id));
}

/**
 * Voids one open payment at its provider, then records it. A provider that refuses because
 * the money was taken meanwhile: what it is now is recorded, and the caller learns it.
 */
async function voidPayment(db: Db, providers: PaymentProviders, payment: PaymentRow): Promise<void> {
  const provider = providerOf(providers, payment.provider);
  if (payment.provider_ref !== null || !provider.movesMoney) {
    try {
      await provider.cancel(payment);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      await recordObserved(db, payment.id, await provider.read(payment));
      throw new ConflictError('The payment was captured before it could be voided.', 'PAYMENT_CAPTURED');
    }
  }
  await inTransaction(db, async (trx) => {
    const now = new Date().toISOString();
    const moved = await repo.movePayment(trx, payment.id, MOVES_FROM.cancelled, 'cancelled', now);
    if (moved && payment.status === 'authorized') await refreshOrder(trx, payment.order_id, now);
  });
}

export type RefundAccess = { scope: string; key: string | undefined };

/**
 * Admin: refunds captured money. The amount is reserved first by a conditional write (so
 * concurrent refunds never pass what was captured), then the provider pays it back, then the
 * refund and the order's sums are recorded with order.refunded. A provider that cannot be
 * reached gives the reservation back: a 503, and nothing recorded.
 */
export async function refundPayment(
  db: Db,
  providers: PaymentProviders,
  id: number,
  body: RefundBody,
  access: RefundAccess,
): Promise<{ refund: RefundResponse; replayed: boolean }> {
  const payment = await findPayment(db, id);
  const provider = providerOf(providers, payment.provider);
  const request = { scope: access.scope, key: access.key, route: 'POST /payments/{id}/refunds', body: { payment_id: id, ...body } };
  const reserved = await inTransaction(db, async (trx): Promise<{ replayed: RefundResponse } | { refund: RefundRow }> => {
    const replayed = await orders.claimIdempotencyKey<RefundResponse>(trx, request);
    if (replayed) return { replayed: replayed.result };
    const current = await findPayment(trx, id);
    if (current.status !== 'captured') throw new ConflictError(`A payment that is ${current.status} has nothing to refund.`, 'REFUND_EXCEEDS_CAPTURED');
    const left = current.amount_captured_cents - current.amount_refunded_cents;
    const amountCents = body.amount === undefined ? left : toCents(body.amount);
    const now = new Date().toISOString();
    if (amountCents <= 0 || !(await repo.reserveRefund(trx, id, amountCents, now))) throw refundExceeds(left);
    return { refund: await repo.insertRefund(trx, id, amountCents, body.reason ?? null, now) };
  });
  if ('replayed' in reserved) return { refund: reserved.replayed, replayed: true };

  const { refund } = reserved;
  let made;
  try {
    made = await provider.refund(payment, refund);
  } catch (error) {
    await inTransaction(db, async (trx) => {
      if (await repo.settleRefund(trx, refund.id, 'failed', null)) await repo.releaseRefund(trx, id, refund.amount_cents, new Date().toISOString());
      await orders.releaseIdempotencyKey(trx, request);
    });
    throw error;
  }
  const answer = await inTransaction(db, async (trx) => {
    const now = new Date().toISOString();
    await repo.settleRefund(trx, refund.id, 'succeeded', made.ref);
    const authorized = await repo.hasAuthorizedPayment(trx, payment.order_id);
    const order = await orders.recordOrderMoney(trx, payment.order_id, { paidCents: 0, refundedCents: refund.amount_cents, authorized, note: null }, now);
    const presented = refundOf(refund);
    await recordEvent(trx, 'order.refunded', { order, payment: await presentOne(trx, await findPayment(trx, id)), refund: presented }, now);
    await orders.keepIdempotentAnswer(trx, request, 201, presented);
    return presented;
  });
  return { refund: answer, replayed: false };
}

function refundExceeds(leftCents: number): ConflictError {
  return new ConflictError(`The refund is more than what was captured and not yet refunded (${toMajor(leftCents)}).`, 'REFUND_EXCEEDS_CAPTURED');
}

/** The scope of an admin's refund keys. */
export function refundScope(actor: Actor): string {
  return orders.idempotencyScope.customer(actor.id);
}

/**
 * What cancelling an order does to its money, before the order is cancelled (the caller has
 * checked that it may be): Stripe-captured money needs the admin's decision (409
 * PAYMENT_CAPTURED without one), open payments are voided, and `refund: true` pays back
 * everything captured.
 */
export async function settlePaymentsForCancel(
  db: Db,
  providers: PaymentProviders,
  cancel: { orderId: number; byAdmin: boolean; refund: boolean | undefined },
): Promise<void> {
  if (cancel.refund !== undefined && !cancel.byAdmin) throw new ForbiddenError('Only an admin decides about the money of a cancelled order.');
  const payments = await repo.findOrderPayments(db, cancel.orderId);
  const refundable = payments.filter((payment) => payment.status === 'captured' && payment.amount_captured_cents > payment.amount_refunded_cents);
  if (cancel.refund === undefined && refundable.some((payment) => providers.get(payment.provider as ProviderName)?.movesMoney ?? true)) {
    throw new ConflictError('This order has captured money: cancel it with {"refund": true} or {"refund": false}.', 'PAYMENT_CAPTURED');
  }
  await voidOpenPayments(db, providers, cancel.orderId);
  if (cancel.refund !== true) return;
  for (const payment of refundable) {
    await refundPayment(db, providers, payment.id, { reason: 'Order cancelled' }, { scope: '', key: undefined });
  }
}

export async function voidOpenPayments(db: Db, providers: PaymentProviders, orderId: number): Promise<void> {
  for (const payment of await repo.findOrderPayments(db, orderId)) {
    if (repo.OPEN_STATUSES.includes(payment.status)) await voidPayment(db, providers, payment);
  }
}

/**
 * The admin's POST /orders/{id}/status {"status": "paid"}: records a captured manual payment
 * for what is outstanding, which makes the order paid, after voiding open payments (a
 * buyer must not pay twice). With nothing outstanding the order just moves on.
 */
export async function payOrderByHand(db: Db, providers: PaymentProviders, orderId: number, note: string | null): Promise<OrderResponse | undefined> {
  const order = await orders.readOrderMoney(db, orderId);
  if (order.status !== 'pending' || order.total_cents - order.amount_paid_cents <= 0) return undefined;
  await voidOpenPayments(db, providers, orderId);
  return inTransaction(db, async (trx) => {
    const locked = await orders.lockOrderMoney(trx, orderId);
    const outstanding = locked.total_cents - locked.amount_paid_cents;
    if (locked.status !== 'pending' || outstanding <= 0) return undefined;
    const now = new Date().toISOString();
    const payment = await repo.insertPayment(trx, { order_id: orderId, provider: 'manual', status: 'pending', amount_cents: outstanding, currency: locked.currency }, now);
    if (!payment) throw paymentBeingOpened();
    await capture(trx, payment, outstanding, note, now);
    return orders.readOrder(trx, orderId);
  });
}

/**
 * The expiry job: pending orders with nothing authorized or captured after the timeout are
 * cancelled (reason payment_timeout, stock back), their open payments voided first. An
 * order paid meanwhile is left alone by the conditional cancel.
 */
export async function expireUnpaidOrders(db: Db, providers: PaymentProviders, timeoutSeconds: number, now = Date.now()): Promise<number> {
  const cutoff = new Date(now - timeoutSeconds * 1000).toISOString();
  let expired = 0;
  for (const orderId of await orders.findOrdersAwaitingPayment(db, cutoff, EXPIRY_BATCH)) {
    try {
      await voidOpenPayments(db, providers, orderId);
    } catch (error) {
      // A provider away, or a payment taken meanwhile: the order waits for the next run.
      if (error instanceof AppError) continue;
      throw error;
    }
    if (await orders.expireUnpaidOrder(db, orderId)) expired += 1;
  }
  return expired;
}

/** Orders expired per run of the job (it runs every minute). */
const EXPIRY_BATCH = 500;

async function findPayment(db: Db | Trx, id: number): Promise<PaymentRow> {
  const payment = await repo.findPaymentById(db, id);
  if (!payment) throw new NotFoundError('Payment');
  return payment;
}

async function presentOne(db: Db | Trx, payment: PaymentRow): Promise<PaymentResponse> {
  const [presented] = await present(db, [payment]);
  if (!presented) throw new Error('a payment could not be presented');
  return presented;
}

async function present(db: Db | Trx, payments: PaymentRow[]): Promise<PaymentResponse[]> {
  const refunds = await repo.findRefunds(db, payments.map((payment) => payment.id));
  return payments.map((payment) => ({
    id: payment.id,
    order_id: payment.order_id,
    provider: payment.provider as ProviderName,
    status: payment.status,
    amount: toMajor(payment.amount_cents),
    amount_captured: toMajor(payment.amount_captured_cents),
    amount_refunded: toMajor(payment.amount_refunded_cents),
    currency: payment.currency,
    client_secret: payment.client_secret,
    refunds: refunds.filter((refund) => refund.payment_id === payment.id).map(refundOf),
    created_at: payment.created_at,
    updated_at: payment.updated_at,
  }));
}

function refundOf(refund: RefundRow): RefundResponse {
  return { id: refund.id, amount: toMajor(refund.amount_cents), reason: refund.reason, created_at: refund.created_at };
}


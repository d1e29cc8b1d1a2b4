import type { Db } from '../db/database.js';
import type { Actor } from '../shared/access.js';
import {
  type CancelOrderBody,
  type ChangeStatusBody,
  type OrderAccess,
  type OrderResponse,
  cancelOrder,
  changeOrderStatus,
  checkCancel,
} from '../modules/orders/orders.service.js';
import { type PaymentProviders, payOrderByHand, settlePaymentsForCancel } from '../modules/payments/payments.service.js';

/**
 * Cancelling an order settles its money first: whether the caller may cancel it is checked
 * before anything is done to its payments (a customer's cancel of a paid order is a 409
 * that voids nothing), then open payments are voided and, if the admin asked, captured
 * money refunded; then the order is cancelled and its stock returns.
 */
export async function cancelOrderAndSettle(
  db: Db,
  providers: PaymentProviders,
  access: OrderAccess,
  id: number,
  body: CancelOrderBody | undefined,
): Promise<OrderResponse> {
  const { byAdmin } = await checkCancel(db, access, id);
  await settlePaymentsForCancel(db, providers, { orderId: id, byAdmin, refund: body?.refund });
  return cancelOrder(db, access, id);
}

/**
 * The admin's status change: `paid` records a captured manual payment for what is
 * outstanding (which makes the order paid), `cancelled` settles the money as a cancel does.
 */
export async function changeOrderStatusWithPayments(
  db: Db,
  providers: PaymentProviders,
  admin: Actor,
  id: number,
  body: ChangeStatusBody,
): Promise<OrderResponse> {
  if (body.status === 'paid' && body.tracking_number === undefined) {
    const paid = await payOrderByHand(db, providers, id, body.note ?? null);
    if (paid) return paid;
  }
  if (body.status === 'cancelled' && body.tracking_number === undefined) {
    await checkCancel(db, { actor: admin }, id);
    await settlePaymentsForCancel(db, providers, { orderId: id, byAdmin: true, refund: undefined });
  }
  return changeOrderStatus(db, id, body);
}

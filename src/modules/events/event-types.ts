/** Every event the shop records (the contract's table), and what each one's data holds. */
export const EVENT_TYPES = [
  'order.placed',
  'order.paid',
  'order.shipped',
  'order.delivered',
  'order.cancelled',
  'order.refunded',
  'payment.captured',
  'payment.failed',
  'customer.created',
  'customer.password_reset_requested',
  'product.out_of_stock',
  'ping',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Types that carry a secret go only to endpoints that name them, never to "*" (a reset
 * token in the hands of every subscriber would let any of them take over the account).
 */
export const SENT_ONLY_BY_NAME: readonly EventType[] = ['customer.password_reset_requested'];

/** Why an order was cancelled, as its event says. */
export type CancelReason = 'customer' | 'admin' | 'payment_timeout';

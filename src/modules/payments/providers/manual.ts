import { ValidationError } from '../../../shared/errors.js';
import type { Observed, PaymentProvider, ProviderPayment } from './provider.js';

/**
 * Money that arrives outside the API (a bank transfer, cash on delivery): nothing to call.
 * A payment waits until an admin says the money arrived (capture); refunds are paid back by
 * hand and recorded here.
 */
export const manualProvider: PaymentProvider = {
  name: 'manual',
  movesMoney: false,
  create: async (payment) => ({ ref: null, clientSecret: null, observed: pendingOf(payment) }),
  capture: async (payment, amountCents) => ({ ...pendingOf(payment), status: 'captured', capturedCents: amountCents }),
  cancel: async () => {},
  refund: async () => ({ ref: null }),
  read: async (payment) => pendingOf(payment),
  parseWebhook: () => {
    throw new ValidationError('/body', 'manual payments receive no webhooks');
  },
};

function pendingOf(payment: ProviderPayment): Observed {
  return { status: 'pending', amountCents: payment.amount_cents, capturedCents: 0, currency: payment.currency.toLowerCase() };
}

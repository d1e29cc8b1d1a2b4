import Stripe from 'stripe';
import type { StripeConfig } from '../../../config.js';
import { ConflictError, ServiceUnavailableError, ValidationError } from '../../../shared/errors.js';
import type { Observed, Opened, PaymentProvider, ProviderEvent, ProviderPayment } from './provider.js';

/**
 * The Stripe API version this code was written against: pinned, so a change of the
 * account's default version changes nothing here.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive';

/** Stripe's own limit on a signature's age: an older one is a replay. */
const SIGNATURE_TOLERANCE_S = 300;
/** How long a client waits before it retries after an outage. */
const OUTAGE_RETRY_AFTER_S = 30;


/** Stripe PaymentIntents through the official client; each call's idempotency key is our payment id and the operation. */
export function stripeProvider(settings: StripeConfig): PaymentProvider {
  const stripe = new Stripe(settings.secretKey, {
    apiVersion: STRIPE_API_VERSION,
    host: settings.apiUrl.hostname,
    port: Number(settings.apiUrl.port || (settings.apiUrl.protocol === 'http:' ? 80 : 443)),
    protocol: settings.apiUrl.protocol === 'http:' ? 'http' : 'https',
    timeout: settings.timeoutMs,
    maxNetworkRetries: settings.maxNetworkRetries,
    telemetry: false,
  });
  const intentOf = (payment: ProviderPayment): string => {
    if (payment.provider_ref === null) throw new Error(`Stripe payment ${payment.id} has no PaymentIntent`);
    return payment.provider_ref;
  };

  return {
    name: 'stripe',
    movesMoney: true,
    create: (payment) =>
      call(async (): Promise<Opened> => {
        const intent = await stripe.paymentIntents.create(
          {
            amount: payment.amount_cents,
            currency: payment.currency.toLowerCase(),
            capture_method: settings.captureMethod,
            metadata: { order_id: String(payment.order_id), payment_id: String(payment.id) },
          },
          { idempotencyKey: `payment-${payment.id}-create` },
        );
        return { ref: intent.id, clientSecret: intent.client_secret, observed: observedOf(intent) };
      }),
    capture: (payment, amountCents) =>
      call(async () =>
        observedOf(
          await stripe.paymentIntents.capture(
            intentOf(payment),
            { amount_to_capture: amountCents },
            { idempotencyKey: `payment-${payment.id}-capture-${amountCents}` },
          ),
        ),
      ),
    cancel: (payment) =>
      call(async () => {
        await stripe.paymentIntents.cancel(intentOf(payment), {}, { idempotencyKey: `payment-${payment.id}-cancel` });
      }),
    refund: (payment, refund) =>
      call(async () => {
        const made = await stripe.refunds.create(
          { payment_intent: intentOf(payment), amount: refund.amount_cents },
          { idempotencyKey: `refund-${refund.id}-create` },
        );
        return { ref: made.id };
      }),
    read: (payment) => call(async () => observedOf(await stripe.paymentIntents.retrieve(intentOf(payment)))),
    parseWebhook: (rawBody, signature) => {
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(rawBody, signature ?? '', settings.webhookSecret, SIGNATURE_TOLERANCE_S);
      } catch {
        throw new ValidationError('/headers/stripe-signature', 'does not match the body, or is older than 5 minutes');
      }
      return eventOf(event);
    },
  };
}

/** The events that say what a PaymentIntent became; any other type is acknowledged and ignored. */
function eventOf(event: Stripe.Event): ProviderEvent {
  if (!event.type.startsWith('payment_intent.')) return { id: event.id, ref: undefined };
  const intent = event.data.object as Stripe.PaymentIntent;
  const observed = observedOf(intent);
  return { id: event.id, ref: intent.id, observed: event.type === 'payment_intent.payment_failed' ? { ...observed, status: 'failed' } : observed };
}

function observedOf(intent: Stripe.PaymentIntent): Observed {
  return { status: statusOf(intent), amountCents: intent.amount, capturedCents: intent.amount_received ?? 0, currency: intent.currency };
}

function statusOf(intent: Stripe.PaymentIntent): Observed['status'] {
  switch (intent.status) {
    case 'succeeded':
      return 'captured';
    case 'requires_capture':
      return 'authorized';
    case 'canceled':
      return 'cancelled';
    case 'requires_action':
      return 'requires_action';
    case 'requires_payment_method':
      // Back to asking for a card after one was declined.
      return intent.last_payment_error ? 'failed' : 'pending';
    default:
      return 'pending';
  }
}

/**
 * Runs one Stripe call. An outage (no answer, a 5xx, throttling, after the client's own
 * retries) is a 503 the caller may retry; a refusal is a 409. Neither carries Stripe's own
 * message, which may quote the key.
 */
async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof Stripe.errors.StripeError)) throw error;
    const unreachable =
      error instanceof Stripe.errors.StripeConnectionError ||
      error instanceof Stripe.errors.StripeRateLimitError ||
      error instanceof Stripe.errors.StripeAuthenticationError ||
      (error.statusCode ?? 500) >= 500;
    if (unreachable) throw new ServiceUnavailableError('The payment provider cannot be reached; try again shortly.', OUTAGE_RETRY_AFTER_S);
    throw new ConflictError(`The payment provider refused the request (${error.code ?? error.type}).`, 'PAYMENT_PROVIDER_REFUSED');
  }
}

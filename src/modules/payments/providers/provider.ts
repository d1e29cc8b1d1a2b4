import type { PaymentStatus } from '../../../db/database.js';

/** The names PAYMENT_PROVIDERS may list. */
export const PROVIDER_NAMES = ['manual', 'stripe'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** A payment as a provider is asked about it: ours, by id (the idempotency keys are made of it). */
export interface ProviderPayment {
  id: number;
  order_id: number;
  amount_cents: number;
  currency: string;
  provider_ref: string | null;
}

/** What the provider says a payment is now. */
export interface Observed {
  status: PaymentStatus;
  amountCents: number;
  /** What was captured (Stripe: amount_received). */
  capturedCents: number;
  /** Lower-case ISO 4217, as Stripe writes it. */
  currency: string;
}

export interface Opened {
  ref: string | null;
  clientSecret: string | null;
  observed: Observed;
}

/** A verified provider event about one of its payments, or one of a kind the shop ignores. */
export type ProviderEvent = { id: string; ref: string; observed: Observed } | { id: string; ref: undefined };

/**
 * What the payments module needs of a provider. Every call that moves money carries an
 * idempotency key made of our payment (or refund) id and the operation, so a retried call
 * never moves it twice. A provider that cannot be reached throws ServiceUnavailableError.
 */
export interface PaymentProvider {
  readonly name: ProviderName;
  /** Whether the provider itself moves money (Stripe), or money arrives outside the API (manual). */
  readonly movesMoney: boolean;
  create(payment: ProviderPayment): Promise<Opened>;
  /** Captures `amountCents` of an authorized payment (at most its amount). */
  capture(payment: ProviderPayment, amountCents: number): Promise<Observed>;
  cancel(payment: ProviderPayment): Promise<void>;
  refund(payment: ProviderPayment, refund: { id: number; amount_cents: number }): Promise<{ ref: string | null }>;
  read(payment: ProviderPayment): Promise<Observed>;
  /** Checks a webhook's signature over its raw bytes; a forged or stale one throws a 400 ValidationError. */
  parseWebhook(rawBody: Buffer, signature: string | undefined): ProviderEvent;
}

import { type Static, Type } from '@sinclair/typebox';
import { PAYMENT_STATUSES } from '../../db/database.js';
import { Id, Money, MoneyOut, StringEnum, Text, Timestamp, named, ref } from '../../shared/schemas.js';
import { PROVIDER_NAMES } from './providers/provider.js';

const created = '2026-11-25T10:00:00.000Z';

export const RefundResponse = named(
  'Refund',
  Type.Object(
    {
      id: Id,
      amount: MoneyOut,
      reason: Type.Union([Type.String(), Type.Null()]),
      created_at: Timestamp,
    },
    { examples: [{ id: 1, amount: 10, reason: 'Damaged in transit', created_at: created }] },
  ),
);
export type RefundResponse = Static<typeof RefundResponse>;

export const PaymentResponse = named(
  'Payment',
  Type.Object(
    {
      id: Id,
      order_id: Id,
      provider: StringEnum(PROVIDER_NAMES),
      status: StringEnum(PAYMENT_STATUSES, { description: 'Only moves forward: pending, requires_action, authorized, then captured; or failed, or cancelled' }),
      amount: { ...MoneyOut, description: "What the payment is for: the order's outstanding amount when it was made" },
      amount_captured: MoneyOut,
      amount_refunded: { ...MoneyOut, description: 'Refunded, or being refunded' },
      currency: Type.String({ examples: ['USD'] }),
      client_secret: Type.Union([Type.String(), Type.Null()], {
        description: "Stripe: the PaymentIntent's client secret, for the storefront to confirm the payment with; null for manual",
      }),
      refunds: Type.Array(ref(RefundResponse)),
      created_at: Timestamp,
      updated_at: Timestamp,
    },
    {
      examples: [
        {
          id: 1,
          order_id: 1,
          provider: 'stripe',
          status: 'pending',
          amount: 32.21,
          amount_captured: 0,
          amount_refunded: 0,
          currency: 'USD',
          client_secret: 'pi_3Q_secret_abc',
          refunds: [],
          created_at: created,
          updated_at: created,
        },
      ],
    },
  ),
);
export type PaymentResponse = Static<typeof PaymentResponse>;

export const PaymentList = named('PaymentList', Type.Array(ref(PaymentResponse), { description: 'Oldest first' }));

export const CreatePaymentBody = named(
  'CreatePaymentBody',
  Type.Object(
    { provider: StringEnum(PROVIDER_NAMES, { description: 'One of PAYMENT_PROVIDERS (another is 409 PAYMENT_PROVIDER_DISABLED)' }) },
    { additionalProperties: false, examples: [{ provider: 'stripe' }] },
  ),
);
export type CreatePaymentBody = Static<typeof CreatePaymentBody>;

export const CapturePaymentBody = named(
  'CapturePaymentBody',
  Type.Object(
    { amount: Type.Optional({ ...Money, minimum: 0.01, description: "At most the payment's amount; defaults to all of it" }) },
    { additionalProperties: false, examples: [{ amount: 20 }] },
  ),
);
export type CapturePaymentBody = Static<typeof CapturePaymentBody>;

export const RefundBody = named(
  'RefundBody',
  Type.Object(
    {
      amount: Type.Optional({ ...Money, minimum: 0.01, description: 'Defaults to what is left to refund' }),
      reason: Type.Optional(Text(500)),
    },
    { additionalProperties: false, examples: [{ amount: 10, reason: 'Damaged in transit' }] },
  ),
);
export type RefundBody = Static<typeof RefundBody>;

export const WebhookReceived = named('WebhookReceived', Type.Object({ received: Type.Boolean() }, { examples: [{ received: true }] }));

export const StripeEventBody = named(
  'StripeEventBody',
  Type.Object(
    { id: Type.Optional(Type.String()), type: Type.Optional(Type.String()), data: Type.Optional(Type.Object({}, { additionalProperties: true })) },
    { additionalProperties: true, description: 'A Stripe event as Stripe sends it; checked by its signature, not by this schema', examples: [{ id: 'evt_1', type: 'payment_intent.succeeded', data: { object: {} } }] },
  ),
);

export const StripeSignatureHeaders = Type.Object({
  'stripe-signature': Type.Optional(Type.String({ description: 'Stripe\'s signature of the raw body ("t=...,v1=...")' })),
});

export const paymentSchemas = [RefundResponse, PaymentResponse, PaymentList, CreatePaymentBody, CapturePaymentBody, RefundBody, WebhookReceived, StripeEventBody];

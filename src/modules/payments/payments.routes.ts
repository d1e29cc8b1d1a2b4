import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { adminOnly, authenticatedOrOrderToken, noBodyIsEmpty, orderAccessOf } from '../../shared/routes.js';
import { IdParams, problems, ref } from '../../shared/schemas.js';
import { IdempotencyHeaders, OrderTokenQuery } from '../orders/orders.schemas.js';
import {
  CapturePaymentBody,
  CreatePaymentBody,
  PaymentList,
  PaymentResponse,
  RefundBody,
  RefundResponse,
  StripeEventBody,
  StripeSignatureHeaders,
  WebhookReceived,
} from './payments.schemas.js';
import * as service from './payments.service.js';

const tags = ['payments'];

export interface PaymentsRoutesOptions {
  providers: service.PaymentProviders;
}


const guestAccess = "A guest passes its order's order_token in the query instead of a bearer token; a wrong token is 404.";
const outage = 'A payment provider that cannot be reached is 503 with Retry-After, and nothing is recorded.';

/** An order's payments: its owner, a guest with its token, or an admin. */
const orderPaymentRoutes: FastifyPluginAsyncTypebox<PaymentsRoutesOptions> = async (app, { providers }) => {
  app.post(
    '/orders/:id/payments',
    {
      schema: {
        tags,
        operationId: 'createPayment',
        summary: "Pay for an order: a payment for its outstanding amount (the amount is always the server's)",
        description:
          `201 with a new payment; 200 with the open one when the order already has an open payment with that provider. Stripe: confirm it in the browser with client_secret. ` +
          `Only a pending order takes a payment (409), and only while something is outstanding (409 NOTHING_TO_PAY). A provider not in PAYMENT_PROVIDERS is 409 PAYMENT_PROVIDER_DISABLED. ` +
          `With an Idempotency-Key, a repeat answers the first payment again. ${outage} ${guestAccess}`,
        headers: IdempotencyHeaders,
        params: IdParams,
        querystring: OrderTokenQuery,
        body: ref(CreatePaymentBody),
        response: { 200: ref(PaymentResponse), 201: ref(PaymentResponse), ...problems(403, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const created = await service.createPayment(app.db, providers, orderAccessOf(request), request.params.id, request.body, request.headers['idempotency-key']);
      if (created.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(created.status).send(created.payment);
    },
  );

  app.get(
    '/orders/:id/payments',
    {
      schema: {
        tags,
        operationId: 'listPayments',
        summary: "An order's payments with their refunds, oldest first",
        description: `Also the storefront's return from paying: an open Stripe payment is read from Stripe, and a capture found there makes a covered order paid (once, whether this or the webhook comes first). ${guestAccess}`,
        params: IdParams,
        querystring: OrderTokenQuery,
        response: { 200: ref(PaymentList), ...problems(403, 404) },
      },
    },
    async (request) => service.listPayments(app.db, providers, orderAccessOf(request), request.params.id),
  );
};

const adminPaymentRoutes: FastifyPluginAsyncTypebox<PaymentsRoutesOptions> = async (app, { providers }) => {
  app.post(
    '/payments/:id/capture',
    {
      config: { audit: { event: 'payment.capture' } },
      preValidation: noBodyIsEmpty,
      schema: {
        tags,
        operationId: 'capturePayment',
        summary: 'Capture a payment (admin): manual, the money arrived; Stripe with manual capture, captures the authorization',
        description: `amount defaults to the whole payment; more is 400. A payment that cannot be captured now is 409. ${outage}`,
        params: IdParams,
        body: ref(CapturePaymentBody),
        response: { 200: ref(PaymentResponse), ...problems(404, 409, 503) },
      },
    },
    async (request) => service.capturePayment(app.db, providers, request.params.id, request.body),
  );

  app.post(
    '/payments/:id/cancel',
    {
      config: { audit: { event: 'payment.cancel' } },
      schema: {
        tags,
        operationId: 'cancelPayment',
        summary: 'Void a payment not yet captured (admin)',
        description: `A captured, failed or cancelled payment is 409. ${outage}`,
        params: IdParams,
        response: { 200: ref(PaymentResponse), ...problems(404, 409, 503) },
      },
    },
    async (request) => service.cancelPayment(app.db, providers, request.params.id),
  );

  app.post(
    '/payments/:id/refunds',
    {
      config: { audit: { event: 'payment.refund' } },
      preValidation: noBodyIsEmpty,
      schema: {
        tags,
        operationId: 'refundPayment',
        summary: 'Refund captured money (admin), through the provider that took it',
        description:
          'amount defaults to what is left to refund. More than what was captured and not yet refunded is 409 REFUND_EXCEEDS_CAPTURED, also when refunds race. ' +
          `With an Idempotency-Key, a repeat answers the first refund again. ${outage}`,
        headers: IdempotencyHeaders,
        params: IdParams,
        body: ref(RefundBody),
        response: { 201: ref(RefundResponse), ...problems(404, 409, 503) },
      },
    },
    async (request, reply) => {
      const access = { scope: service.refundScope(request.actor), key: request.headers['idempotency-key'] };
      const made = await service.refundPayment(app.db, providers, request.params.id, request.body, access);
      if (made.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(made.refund);
    },
  );
};

/** Stripe's webhook: the body is kept as its raw bytes (this scope's own parser), since the signature is over them. */
const stripeWebhookRoutes: FastifyPluginAsyncTypebox<PaymentsRoutesOptions> = async (app, { providers }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.post(
    '/webhooks/stripe',
    {
      schema: {
        tags,
        operationId: 'receiveStripeWebhook',
        summary: "Stripe's events about PaymentIntents (set this URL up in Stripe's dashboard)",
        description:
          'The Stripe-Signature header is checked against the raw body with STRIPE_WEBHOOK_SECRET: wrong, missing or older than 5 minutes is 400 and changes nothing. ' +
          'Each Stripe event id is handled once; event types and PaymentIntents the shop does not know are 200 and change nothing; ' +
          'money is marked captured only when the amount and currency are the payment\'s. 409 PAYMENT_PROVIDER_DISABLED when Stripe is not enabled.',
        security: [],
        headers: StripeSignatureHeaders,
        // Documents Stripe's event; the handler gets its raw bytes (a Buffer, which this open schema admits) and trusts them only once signed.
        body: ref(StripeEventBody),
        response: { 200: ref(WebhookReceived), ...problems(400, 409) },
      },
    },
    async (request) => {
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const outcome = await service.handleWebhook(app.db, providers, 'stripe', rawBody, request.headers['stripe-signature']);
      if (outcome === 'mismatch') request.log.warn('a Stripe event did not match its payment\'s amount or currency; nothing was captured');
      return { received: true };
    },
  );
};

export const paymentsRoutes: FastifyPluginAsyncTypebox<PaymentsRoutesOptions> = async (app, options) => {
  await app.register(authenticatedOrOrderToken(orderPaymentRoutes), options);
  await app.register(adminOnly(adminPaymentRoutes), options);
  await app.register(stripeWebhookRoutes, options);
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { Config } from '../../config.js';
import { adminOnly, authenticated, authenticatedOrOrderToken, noBodyIsEmpty, orderAccessOf } from '../../shared/routes.js';
import { IdParams, problems, ref } from '../../shared/schemas.js';
import { GuestCartParams } from '../cart/cart.schemas.js';
import {
  CancelOrderBody,
  ChangeStatusBody,
  GuestCheckoutBody,
  GuestOrderResponse,
  IdempotencyHeaders,
  ListOrdersQuery,
  OrderFromCartBody,
  OrderPage,
  OrderResponse,
  OrderTokenQuery,
  PlaceOrderBody,
  QuoteResponse,
  TrackingResponse,
} from './orders.schemas.js';
import { countOrderPlaced } from '../../shared/metrics.js';
import * as service from './orders.service.js';
import type { PaymentProviders } from '../payments/payments.service.js';
import { cancelOrderAndSettle, changeOrderStatusWithPayments } from '../../use-cases/order-payments.js';

export interface OrdersRoutesOptions {
  /** The enabled payment providers: cancelling voids and refunds through them. */
  providers: PaymentProviders;
}

const tags = ['orders'];

/** 201 with the order; a replayed Idempotency-Key says so in a header. */
function sendPlaced<Result extends object>(reply: FastifyReply, placed: service.Placed<Result>) {
  if (placed.replayed) reply.header('idempotent-replayed', 'true');
  else countOrderPlaced(reply.server.metrics);
  // A JSON string with its type set is sent as it is, not serialized again.
  const json = service.serializedAnswer(placed.result);
  return json === undefined ? reply.code(201).send(placed.result) : reply.code(201).type('application/json; charset=utf-8').send(json);
}

const placing =
  'All or nothing: every tracked stock is taken and the order written, or nothing changes (409 INSUFFICIENT_STOCK naming the product). ' +
  'A customer holds at most MAX_PENDING_ORDERS_PER_CUSTOMER pending orders (409 TOO_MANY_PENDING_ORDERS). ' +
  'With an Idempotency-Key, a repeat with the same body answers the first order again (Idempotent-Replayed: true); another body with that key is 409.';

const checkoutFields =
  'Optional checkout fields: email (defaults to the customer\'s), shipping_address or shipping_address_id (not both), billing_address or billing_address_id (defaults to the shipping address), shipping_rate_id, note. ' +
  'When a line needs shipping and the shop has an active rate, an address and a rate are required (400 SHIPPING_REQUIRED) and the rate must be eligible (409 SHIPPING_RATE_UNAVAILABLE).';

const quoting =
  'Answers what placing the same body would charge, and places nothing: the same rules and statuses (409 for short stock included), ' +
  'except that the shipping address and rate may be left out (then shipping is null). shipping_options lists the eligible rates for the address.';

function rulesOf(app: { config: Config }): service.OrderRules {
  return {
    maxPendingOrdersPerCustomer: app.config.maxPendingOrdersPerCustomer,
    currency: app.config.shopCurrency,
    country: app.config.shopCountry,
    pricesIncludeTax: app.config.pricesIncludeTax,
  };
}


const customerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const rules = rulesOf(app);

  app.post(
    '/orders',
    {
      schema: {
        tags,
        operationId: 'placeOrder',
        summary: 'Place an order from a list of products (all or nothing)',
        description: `${placing} An unknown product is 404; one product over all its lines may add up to 1,000 units at most (400). ${checkoutFields}`,
        headers: IdempotencyHeaders,
        body: ref(PlaceOrderBody),
        response: { 201: ref(OrderResponse), ...problems(403, 404, 409) },
      },
    },
    async (request, reply) =>
      sendPlaced(reply, await service.placeOrder(app.db, rules, request.actor, request.body, request.headers['idempotency-key'])),
  );

  app.post(
    '/orders/from_cart',
    {
      schema: {
        tags,
        operationId: 'placeOrderFromCart',
        summary: 'Check out the whole cart; the cart is empty afterwards',
        description: `${placing} An empty cart is 409 EMPTY_CART; of two checkouts of one cart at once, one places the order and the other finds the cart empty. ${checkoutFields}`,
        headers: IdempotencyHeaders,
        body: ref(OrderFromCartBody),
        response: { 201: ref(OrderResponse), ...problems(403, 404, 409) },
      },
    },
    async (request, reply) =>
      sendPlaced(
        reply,
        await service.placeOrderFromCart(app.db, rules, request.actor, request.body, request.headers['idempotency-key']),
      ),
  );

  app.post(
    '/orders/quote',
    {
      schema: {
        tags,
        operationId: 'quoteOrder',
        summary: 'What POST /orders with this body would charge (places nothing)',
        description: quoting,
        body: ref(PlaceOrderBody),
        response: { 200: ref(QuoteResponse), ...problems(403, 404, 409) },
      },
    },
    async (request) => service.quoteOrder(app.db, rules, request.actor, request.body),
  );

  app.post(
    '/orders/from_cart/quote',
    {
      schema: {
        tags,
        operationId: 'quoteOrderFromCart',
        summary: 'What POST /orders/from_cart with this body would charge (places nothing; the cart stays)',
        description: `${quoting} An empty cart is 409 EMPTY_CART.`,
        body: ref(OrderFromCartBody),
        response: { 200: ref(QuoteResponse), ...problems(403, 404, 409) },
      },
    },
    async (request) => service.quoteOrderFromCart(app.db, rules, request.actor, request.body),
  );

  app.get(
    '/orders/p',
    {
      schema: {
        tags,
        operationId: 'pageOrders',
        summary: 'A page of orders, newest first (admins: all, or one customer_id; customers: their own)',
        description: "A customer asking for another customer's orders is 403.",
        querystring: ListOrdersQuery,
        response: { 200: ref(OrderPage), ...problems(403) },
      },
    },
    async (request) => service.pageOrders(app.db, request.actor, request.query),
  );

};

const guestAccess = "A guest passes its order's order_token in the query instead of a bearer token; a wrong token is 404.";

/** The routes of one order, which a guest opens with its order token. */
const oneOrderRoutes: FastifyPluginAsyncTypebox<OrdersRoutesOptions> = async (app, { providers }) => {
  app.get(
    '/orders/:id',
    {
      schema: {
        tags,
        operationId: 'getOrder',
        summary: 'An order with its lines',
        description: `Another customer's order is 403. ${guestAccess}`,
        params: IdParams,
        querystring: OrderTokenQuery,
        response: { 200: ref(OrderResponse), ...problems(403, 404) },
      },
    },
    async (request) => service.getOrder(app.db, orderAccessOf(request), request.params.id),
  );

  app.get(
    '/orders/track/:id',
    {
      schema: {
        tags,
        operationId: 'trackOrder',
        summary: "An order's status, tracking number and history",
        description: `Another customer's order is 403. ${guestAccess}`,
        params: IdParams,
        querystring: OrderTokenQuery,
        response: { 200: ref(TrackingResponse), ...problems(403, 404) },
      },
    },
    async (request) => service.trackOrder(app.db, orderAccessOf(request), request.params.id),
  );

  app.post(
    '/orders/:id/cancel',
    {
      config: { audit: { event: 'order.cancel' } },
      preValidation: noBodyIsEmpty,
      schema: {
        tags,
        operationId: 'cancelOrder',
        summary: 'Cancel an order (admin: pending or paid; its customer: while pending); stock goes back, open payments are voided',
        description:
          `Any other cancel is 409 ILLEGAL_STATUS_CHANGE, answered before any payment is touched. The stock the order took returns once, however many cancels race. ${guestAccess} A guest cancels like a customer, while the order is pending. ` +
          'Captured money is the admin\'s decision, in the body: {"refund": true} refunds all of it through its provider, {"refund": false} keeps it. ' +
          'Money a provider moved (Stripe) needs that decision: without it the cancel is 409 PAYMENT_CAPTURED. Money recorded by hand is kept when there is no body. ' +
          'A customer sending refund is 403. A payment provider that cannot be reached is 503 with Retry-After, and nothing changes.',
        params: IdParams,
        querystring: OrderTokenQuery,
        body: ref(CancelOrderBody),
        response: { 200: ref(OrderResponse), ...problems(403, 404, 409, 503) },
      },
    },
    async (request) => cancelOrderAndSettle(app.db, providers, orderAccessOf(request), request.params.id, request.body),
  );
};

/** Guest checkout: the cart's id is the only key, so these routes take no token. */
const guestCheckoutRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const rules = rulesOf(app);

  app.post(
    '/carts/:cart_id/checkout',
    {
      schema: {
        tags,
        operationId: 'checkoutGuestCart',
        summary: "Check out a guest cart: the order (customer_id null) with its order_token; the cart is gone",
        description: `${placing} An unknown, expired or checked-out cart is 404; an empty one 409 EMPTY_CART. The Idempotency-Key is scoped to the cart. ${checkoutFields} Keep the order_token: it is the guest's only key to the order, and answered only here.`,
        security: [],
        headers: IdempotencyHeaders,
        params: GuestCartParams,
        body: ref(GuestCheckoutBody),
        response: { 201: ref(GuestOrderResponse), ...problems(404, 409) },
      },
    },
    async (request, reply) =>
      sendPlaced(reply, await service.checkoutGuestCart(app.db, rules, request.params.cart_id, request.body, request.headers['idempotency-key'])),
  );

  app.post(
    '/carts/:cart_id/checkout/quote',
    {
      schema: {
        tags,
        operationId: 'quoteGuestCart',
        summary: 'What checking out this guest cart would charge (places nothing)',
        description: `${quoting} An unknown or expired cart is 404; an empty one 409 EMPTY_CART.`,
        security: [],
        params: GuestCartParams,
        body: ref(GuestCheckoutBody),
        response: { 200: ref(QuoteResponse), ...problems(404, 409) },
      },
    },
    async (request) => service.quoteGuestCart(app.db, rules, request.params.cart_id, request.body),
  );
};

const adminRoutes: FastifyPluginAsyncTypebox<OrdersRoutesOptions> = async (app, { providers }) => {
  app.post(
    '/orders/:id/status',
    {
      config: { audit: { event: 'order.status', details: (body) => ({ to: body.status }) } },
      schema: {
        tags,
        operationId: 'changeOrderStatus',
        summary: 'Move an order along pending → paid → shipped → delivered, or cancel it (admin)',
        description:
          'Any other change is 409 ILLEGAL_STATUS_CHANGE. shipped may carry a tracking_number (with any other status it is 400); cancelling returns the stock and voids open payments ' +
          '(Stripe-captured money: 409 PAYMENT_CAPTURED, cancel with POST /orders/{id}/cancel and a refund decision). paid records a captured manual payment for what is outstanding.',
        params: IdParams,
        body: ref(ChangeStatusBody),
        response: { 200: ref(OrderResponse), ...problems(404, 409, 503) },
      },
    },
    async (request) => changeOrderStatusWithPayments(app.db, providers, request.actor, request.params.id, request.body),
  );
};

export const ordersRoutes: FastifyPluginAsyncTypebox<OrdersRoutesOptions> = async (app, options) => {
  await service.recordCurrencyOfOlderOrders(app.db, app.config.shopCurrency);
  await app.register(authenticated(customerRoutes));
  await app.register(authenticatedOrOrderToken(oneOrderRoutes), options);
  await app.register(guestCheckoutRoutes);
  await app.register(adminOnly(adminRoutes), options);
};

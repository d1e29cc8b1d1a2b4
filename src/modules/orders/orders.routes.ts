import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { adminOnly, authenticated } from '../../shared/routes.js';
import { IdParams, problems, ref } from '../../shared/schemas.js';
import { purgeExpiredIdempotencyKeys } from './idempotency.js';
import {
  ChangeStatusBody,
  IdempotencyHeaders,
  ListOrdersQuery,
  OrderFromCartBody,
  OrderPage,
  OrderResponse,
  PlaceOrderBody,
  TrackingResponse,
} from './orders.schemas.js';
import * as service from './orders.service.js';

const tags = ['orders'];
const PURGE_EVERY_MS = 60 * 60 * 1000;

/** 201 with the order; a replayed Idempotency-Key says so in a header. */
function sendPlaced(reply: FastifyReply, placed: service.Placed) {
  if (placed.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(201).send(placed.result);
}

const placing =
  'All or nothing: every tracked stock is taken and the order written, or nothing changes (409 INSUFFICIENT_STOCK naming the product). ' +
  'A customer holds at most MAX_PENDING_ORDERS_PER_CUSTOMER pending orders (409 TOO_MANY_PENDING_ORDERS). ' +
  'With an Idempotency-Key, a repeat with the same body answers the first order again (Idempotent-Replayed: true); another body with that key is 409.';

const customerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const rules: service.OrderRules = { maxPendingOrdersPerCustomer: app.config.maxPendingOrdersPerCustomer };

  app.post(
    '/orders',
    {
      schema: {
        tags,
        operationId: 'placeOrder',
        summary: 'Place an order from a list of products (all or nothing)',
        description: `${placing} An unknown product is 404; one product over all its lines may add up to 1,000 units at most (400).`,
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
        description: `${placing} An empty cart is 409 EMPTY_CART; of two checkouts of one cart at once, one places the order and the other finds the cart empty.`,
        headers: IdempotencyHeaders,
        body: ref(OrderFromCartBody),
        response: { 201: ref(OrderResponse), ...problems(403, 404, 409) },
      },
    },
    async (request, reply) =>
      sendPlaced(
        reply,
        await service.placeOrderFromCart(app.db, rules, request.actor, request.body.customer_id, request.headers['idempotency-key']),
      ),
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

  app.get(
    '/orders/:id',
    {
      schema: {
        tags,
        operationId: 'getOrder',
        summary: 'An order with its lines',
        description: "Another customer's order is 403.",
        params: IdParams,
        response: { 200: ref(OrderResponse), ...problems(403, 404) },
      },
    },
    async (request) => service.getOrder(app.db, request.actor, request.params.id),
  );

  app.get(
    '/orders/track/:id',
    {
      schema: {
        tags,
        operationId: 'trackOrder',
        summary: "An order's status, tracking number and history",
        description: "Another customer's order is 403.",
        params: IdParams,
        response: { 200: ref(TrackingResponse), ...problems(403, 404) },
      },
    },
    async (request) => service.trackOrder(app.db, request.actor, request.params.id),
  );

  app.post(
    '/orders/:id/cancel',
    {
      config: { audit: { event: 'order.cancel' } },
      schema: {
        tags,
        operationId: 'cancelOrder',
        summary: 'Cancel an order (admin: pending or paid; its customer: while pending); stock goes back',
        description: 'Any other cancel is 409 ILLEGAL_STATUS_CHANGE. The stock the order took returns once, however many cancels race.',
        params: IdParams,
        response: { 200: ref(OrderResponse), ...problems(403, 404, 409) },
      },
    },
    async (request) => service.cancelOrder(app.db, request.actor, request.params.id),
  );
};

const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/orders/:id/status',
    {
      config: { audit: { event: 'order.status', details: (body) => ({ to: body.status }) } },
      schema: {
        tags,
        operationId: 'changeOrderStatus',
        summary: 'Move an order along pending → paid → shipped → delivered, or cancel it (admin)',
        description:
          'Any other change is 409 ILLEGAL_STATUS_CHANGE. shipped may carry a tracking_number (with any other status it is 400); cancelling returns the stock.',
        params: IdParams,
        body: ref(ChangeStatusBody),
        response: { 200: ref(OrderResponse), ...problems(404, 409) },
      },
    },
    async (request) => service.changeOrderStatus(app.db, request.params.id, request.body),
  );
};

export const ordersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(authenticated(customerRoutes));
  await app.register(adminOnly(adminRoutes));

  const purge = setInterval(() => {
    purgeExpiredIdempotencyKeys(app.db).catch((error: unknown) => app.log.warn({ err: error }, 'idempotency key purge failed'));
  }, PURGE_EVERY_MS);
  purge.unref();
  app.addHook('onClose', async () => clearInterval(purge));
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { adminOnly, authenticated, bearerAuth } from '../../shared/routes.js';
import { IdParams, Page, problems } from '../../shared/schemas.js';
import { purgeExpiredIdempotencyKeys } from './idempotency.js';
import {
  ChangeStatusBody,
  IdempotencyHeaders,
  ListOrdersQuery,
  OrderFromCartBody,
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

const customerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/orders',
    {
      schema: {
        tags,
        summary: 'Place an order from a list of products (all or nothing)',
        security: bearerAuth,
        headers: IdempotencyHeaders,
        body: PlaceOrderBody,
        response: { 201: OrderResponse, ...problems(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request, reply) =>
      sendPlaced(reply, await service.placeOrder(app.db, request.actor, request.body, request.headers['idempotency-key'])),
  );

  app.post(
    '/orders/from_cart',
    {
      schema: {
        tags,
        summary: 'Check out the whole cart; the cart is empty afterwards',
        security: bearerAuth,
        headers: IdempotencyHeaders,
        body: OrderFromCartBody,
        response: { 201: OrderResponse, ...problems(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request, reply) =>
      sendPlaced(
        reply,
        await service.placeOrderFromCart(app.db, request.actor, request.body.customer_id, request.headers['idempotency-key']),
      ),
  );

  app.get(
    '/orders/p',
    {
      schema: {
        tags,
        summary: 'A page of orders, newest first (admins: all, or one customer_id; customers: their own)',
        security: bearerAuth,
        querystring: ListOrdersQuery,
        response: { 200: Page(OrderResponse), ...problems(400, 401, 403) },
      },
    },
    async (request) => service.pageOrders(app.db, request.actor, request.query),
  );

  app.get(
    '/orders/:id',
    {
      schema: {
        tags,
        summary: 'An order with its lines',
        security: bearerAuth,
        params: IdParams,
        response: { 200: OrderResponse, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => service.getOrder(app.db, request.actor, request.params.id),
  );

  app.get(
    '/orders/track/:id',
    {
      schema: {
        tags,
        summary: "An order's status, tracking number and history",
        security: bearerAuth,
        params: IdParams,
        response: { 200: TrackingResponse, ...problems(400, 401, 403, 404) },
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
        summary: 'Cancel an order (admin: pending or paid; its customer: while pending); stock goes back',
        security: bearerAuth,
        params: IdParams,
        response: { 200: OrderResponse, ...problems(400, 401, 403, 404, 409, 415) },
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
        summary: 'Move an order along pending → paid → shipped → delivered, or cancel it (admin)',
        security: bearerAuth,
        params: IdParams,
        body: ChangeStatusBody,
        response: { 200: OrderResponse, ...problems(400, 401, 403, 404, 409, 413, 415) },
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

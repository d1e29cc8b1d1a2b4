import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AttemptLimiter } from '../../shared/attempt-limiter.js';
import { problems, ref } from '../../shared/schemas.js';
import { AddToGuestCartBody, GuestCartParams, GuestCartResponse, RemoveFromGuestCartBody } from './cart.schemas.js';
import * as service from './cart.service.js';

const tags = ['cart'];

const keyed =
  'No token: the cart_id is the only key to the cart. An unknown, expired or checked-out cart is 404, all alike.';
const moves = 'The change moves expires_at on by GUEST_CART_TTL_S (default 30 days).';

/**
 * Carts for shoppers without an account (contract, "Guest checkout"): public routes, with
 * the customer cart's rules. Expired carts are purged every hour by a scheduled job
 * (src/background); the expiry itself holds at once: an expired cart is 404 whether or not it is purged yet.
 */
export const guestCartRoutes: FastifyPluginAsyncTypebox<{ creationsPerAddress: AttemptLimiter }> = async (app, { creationsPerAddress }) => {
  const rules: service.GuestCartRules = { ttlSeconds: app.config.guestCartTtlSeconds, creationsPerAddress };

  app.post(
    '/carts',
    {
      schema: {
        tags,
        operationId: 'createGuestCart',
        summary: 'Start a guest cart (no account needed); keep its cart_id',
        description:
          'Answers an empty cart and its cart_id, 28 random URL-safe characters that are the only key to it. ' +
          'Each client address may create GUEST_CARTS_MAX_PER_ADDRESS carts an hour (default 100); past that 429 with Retry-After.',
        response: { 201: ref(GuestCartResponse), ...problems(429) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.createGuestCart(app.db, rules, request.clientKey)),
  );

  app.get(
    '/carts/:cart_id',
    {
      schema: {
        tags,
        operationId: 'getGuestCart',
        summary: 'A guest cart',
        description: `Empty items when the cart is empty; lines of deleted products are not shown. ${keyed}`,
        params: GuestCartParams,
        response: { 200: ref(GuestCartResponse), ...problems(404) },
      },
    },
    async (request) => service.getGuestCart(app.db, request.params.cart_id),
  );

  app.post(
    '/carts/:cart_id/add',
    {
      schema: {
        tags,
        operationId: 'addToGuestCart',
        summary: 'Add a product to a guest cart (adds to the quantity already there)',
        description:
          'The rules of POST /cart/add: a line holds at most 1,000 units (409 LINE_LIMIT), a tracked stock must cover the line ' +
          `(409 INSUFFICIENT_STOCK), a cart holds at most 100 products (409 CART_FULL); an unknown or deleted product is 404. ${moves} ${keyed}`,
        params: GuestCartParams,
        body: ref(AddToGuestCartBody),
        response: { 200: ref(GuestCartResponse), ...problems(404, 409) },
      },
    },
    async (request) => service.addToGuestCart(app.db, rules, request.params.cart_id, request.body),
  );

  app.post(
    '/carts/:cart_id/remove',
    {
      schema: {
        tags,
        operationId: 'removeFromGuestCart',
        summary: 'Remove a product from a guest cart, or some of its quantity',
        description: `The rules of POST /cart/remove: a product that is not in the cart is 404. ${moves} ${keyed}`,
        params: GuestCartParams,
        body: ref(RemoveFromGuestCartBody),
        response: { 200: ref(GuestCartResponse), ...problems(404, 409) },
      },
    },
    async (request) => service.removeFromGuestCart(app.db, rules, request.params.cart_id, request.body),
  );

  app.delete(
    '/carts/:cart_id',
    {
      schema: {
        tags,
        operationId: 'clearGuestCart',
        summary: 'Empty a guest cart',
        description: `Answers the empty cart, which stays usable. ${moves} ${keyed}`,
        params: GuestCartParams,
        response: { 200: ref(GuestCartResponse), ...problems(404) },
      },
    },
    async (request) => service.clearGuestCart(app.db, rules, request.params.cart_id),
  );
};

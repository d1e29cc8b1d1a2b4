import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authenticated } from '../../shared/routes.js';
import { problems, ref } from '../../shared/schemas.js';
import { AddToCartBody, CartParams, CartResponse, RemoveFromCartBody } from './cart.schemas.js';
import * as service from './cart.service.js';

const tags = ['cart'];
const ownership = 'A customer may name only itself (403); an admin any live customer (404 for an unknown one).';

const ownCartRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/cart/add',
    {
      schema: {
        tags,
        operationId: 'addToCart',
        summary: 'Add a product to a cart (adds to the quantity already there)',
        description: `A line holds at most 1,000 units (409 LINE_LIMIT); a tracked stock must cover the line (409 INSUFFICIENT_STOCK). ${ownership}`,
        body: ref(AddToCartBody),
        response: { 200: ref(CartResponse), ...problems(403, 404, 409) },
      },
    },
    async (request) => service.addToCart(app.db, request.actor, request.body),
  );

  app.post(
    '/cart/remove',
    {
      schema: {
        tags,
        operationId: 'removeFromCart',
        summary: 'Remove a product from a cart, or some of its quantity',
        description: `A product that is not in the cart is 404. ${ownership}`,
        body: ref(RemoveFromCartBody),
        response: { 200: ref(CartResponse), ...problems(403, 404, 409) },
      },
    },
    async (request) => service.removeFromCart(app.db, request.actor, request.body),
  );

  app.get(
    '/cart/:customer_id',
    {
      schema: {
        tags,
        operationId: 'getCart',
        summary: "A customer's cart",
        description: `Empty items when the cart is empty. ${ownership}`,
        params: CartParams,
        response: { 200: ref(CartResponse), ...problems(403, 404) },
      },
    },
    async (request) => service.getCart(app.db, request.actor, request.params.customer_id),
  );

  app.delete(
    '/cart/:customer_id',
    {
      schema: {
        tags,
        operationId: 'clearCart',
        summary: "Empty a customer's cart",
        description: ownership,
        params: CartParams,
        response: { 200: ref(CartResponse), ...problems(403, 404) },
      },
    },
    async (request) => service.clearCart(app.db, request.actor, request.params.customer_id),
  );
};

export const cartRoutes = authenticated(ownCartRoutes);

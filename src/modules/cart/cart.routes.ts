import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authenticated, bearerAuth } from '../../shared/routes.js';
import { problems } from '../../shared/schemas.js';
import { AddToCartBody, CartParams, CartResponse, RemoveFromCartBody } from './cart.schemas.js';
import * as service from './cart.service.js';

const tags = ['cart'];

const ownCartRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/cart/add',
    {
      schema: {
        tags,
        summary: 'Add a product to a cart (adds to the quantity already there)',
        security: bearerAuth,
        body: AddToCartBody,
        response: { 200: CartResponse, ...problems(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request) => service.addToCart(app.db, request.actor, request.body),
  );

  app.post(
    '/cart/remove',
    {
      schema: {
        tags,
        summary: 'Remove a product from a cart, or some of its quantity',
        security: bearerAuth,
        body: RemoveFromCartBody,
        response: { 200: CartResponse, ...problems(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request) => service.removeFromCart(app.db, request.actor, request.body),
  );

  app.get(
    '/cart/:customer_id',
    {
      schema: {
        tags,
        summary: "A customer's cart",
        security: bearerAuth,
        params: CartParams,
        response: { 200: CartResponse, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => service.getCart(app.db, request.actor, request.params.customer_id),
  );

  app.delete(
    '/cart/:customer_id',
    {
      schema: {
        tags,
        summary: "Empty a customer's cart",
        security: bearerAuth,
        params: CartParams,
        response: { 200: CartResponse, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => service.clearCart(app.db, request.actor, request.params.customer_id),
  );
};

export const cartRoutes = authenticated(ownCartRoutes);

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { adminOnly, bearerAuth } from '../../shared/routes.js';
import { IdParams, Message, problems } from '../../shared/schemas.js';
import {
  CreateProductBody,
  ListProductsQuery,
  PageProductsQuery,
  ProductPage,
  ProductResponse,
  UpdateProductBody,
} from './products.schemas.js';
import * as service from './products.service.js';

const tags = ['products'];

/** The catalogue is public: a token is accepted but not needed. */
const catalogueRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/products',
    {
      schema: {
        tags,
        summary: 'All active products (filter with q, min_price, max_price; order with sort)',
        querystring: ListProductsQuery,
        response: { 200: Type.Array(ProductResponse), ...problems(400) },
      },
    },
    async (request, reply) => {
      const stream = await service.streamProducts(app.db, request.query);
      // A stream is sent as it is, not serialized: the 200 schema documents what it writes.
      return reply.type('application/json; charset=utf-8').send(stream as never);
    },
  );

  app.get(
    '/products/p',
    {
      schema: {
        tags,
        summary: 'One page of active products',
        querystring: PageProductsQuery,
        response: { 200: ProductPage, ...problems(400) },
      },
    },
    async (request) => service.pageProducts(app.db, request.query),
  );

  app.get(
    '/products/:id',
    {
      schema: {
        tags,
        summary: 'Get a product',
        params: IdParams,
        response: { 200: ProductResponse, ...problems(400, 404) },
      },
    },
    async (request) => service.getProduct(app.db, request.params.id),
  );
};

const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/products',
    {
      schema: {
        tags,
        summary: 'Add a product (admin)',
        security: bearerAuth,
        body: CreateProductBody,
        response: { 201: ProductResponse, ...problems(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.createProduct(app.db, request.body)),
  );

  app.put(
    '/products/:id',
    {
      schema: {
        tags,
        summary: 'Update a product (admin, any subset of fields)',
        security: bearerAuth,
        params: IdParams,
        body: UpdateProductBody,
        response: { 200: ProductResponse, ...problems(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request) => service.updateProduct(app.db, request.params.id, request.body),
  );

  app.delete(
    '/products/:id',
    {
      config: { audit: { event: 'product.delete' } },
      schema: {
        tags,
        summary: 'Delete a product (admin): it leaves the catalogue; orders keep their copy',
        security: bearerAuth,
        params: IdParams,
        response: { 200: Message, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      await service.deleteProduct(app.db, request.params.id);
      return { message: 'Product deleted.' };
    },
  );
};

export const productsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(catalogueRoutes);
  await app.register(adminOnly(adminRoutes));
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { adminOnly, optionalBearer } from '../../shared/routes.js';
import { IdParams, Message, problems, ref } from '../../shared/schemas.js';
import { deleteProductEverywhere } from '../../use-cases/delete-product.js';
import { CreateProductBody, ListProductsQuery, PageProductsQuery, ProductPage, ProductResponse, UpdateProductBody } from './products.schemas.js';
import * as service from './products.service.js';

const tags = ['products'];

/** The catalogue is public: a token is accepted but not needed. */
const catalogueRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/products',
    {
      // A HEAD of the whole catalogue would read all of it to throw it away.
      exposeHeadRoute: false,
      schema: {
        tags,
        operationId: 'listProducts',
        summary: 'All active products (filter with q, min_price, max_price; order with sort)',
        description:
          'The whole matching catalogue as one JSON array, streamed. A few such reads run at once per process; past a short queue, 503 with Retry-After. ' +
          'min_price above max_price is 400.',
        security: optionalBearer,
        querystring: ListProductsQuery,
        response: { 200: Type.Array(ref(ProductResponse)) },
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
        operationId: 'pageProducts',
        summary: 'One page of active products',
        description:
          'By number (page, per_page) or after a cursor (after, the next of the page before), which is as fast however deep. ' +
          'An after that is not the next of a page with the same sort is 400; so is min_price above max_price.',
        security: optionalBearer,
        querystring: PageProductsQuery,
        response: { 200: ref(ProductPage) },
      },
    },
    async (request) => service.pageProducts(app.db, request.query),
  );

  app.get(
    '/products/:id',
    {
      schema: {
        tags,
        operationId: 'getProduct',
        summary: 'Get a product',
        description: 'An unknown or deleted product is 404.',
        security: optionalBearer,
        params: IdParams,
        response: { 200: ref(ProductResponse), ...problems(404) },
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
        operationId: 'createProduct',
        summary: 'Add a product (admin)',
        description: 'Without stock (or with null) the product is not stock-tracked and never runs out.',
        body: ref(CreateProductBody),
        response: { 201: ref(ProductResponse) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.createProduct(app.db, request.body)),
  );

  app.put(
    '/products/:id',
    {
      schema: {
        tags,
        operationId: 'updateProduct',
        summary: 'Update a product (admin, any subset of fields)',
        description: 'Placed orders keep the name and price they were placed with.',
        params: IdParams,
        body: ref(UpdateProductBody),
        response: { 200: ref(ProductResponse), ...problems(404) },
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
        operationId: 'deleteProduct',
        summary: 'Delete a product (admin): it leaves the catalogue; orders keep their copy',
        description: 'It also leaves every cart.',
        params: IdParams,
        response: { 200: ref(Message), ...problems(404) },
      },
    },
    async (request) => {
      await deleteProductEverywhere(app.db, request.params.id);
      return { message: 'Product deleted.' };
    },
  );
};

export const productsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(catalogueRoutes);
  await app.register(adminOnly(adminRoutes));
};

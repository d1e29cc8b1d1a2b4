import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { isAdmin } from '../../shared/access.js';
import { adminOnly, optionalBearer } from '../../shared/routes.js';
import { IdParams, Message, problems, ref } from '../../shared/schemas.js';
import { CreateShippingRateBody, ShippingRateList, ShippingRateResponse, UpdateShippingRateBody } from './shipping.schemas.js';
import * as service from './shipping.service.js';

const tags = ['shipping'];

/** Readers who sent a token (verified by the hook below) and hold an admin's also see inactive rates. */
function readerOf(request: FastifyRequest): service.Reader {
  return { seesInactive: request.headers.authorization !== undefined && isAdmin(request.actor) };
}

/**
 * Anyone may read the rates, with or without a token. A token that is sent must be valid
 * (401 if not): an admin whose token expired would otherwise be shown the public list and
 * take the inactive rates for gone.
 */
const publicRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', async (request) => {
    if (request.headers.authorization !== undefined) await app.authenticate(request);
  });

  app.get(
    '/shipping-rates',
    {
      schema: {
        tags,
        operationId: 'listShippingRates',
        summary: 'Shipping rates, by id (active ones; an admin sees all)',
        description: "Without a token, or with a customer's, the active rates; with an admin's, inactive ones too. A token sent must be valid (else 401).",
        security: optionalBearer,
        response: { 200: ShippingRateList, ...problems(401) },
      },
    },
    async (request) => service.listShippingRates(app.db, readerOf(request)),
  );

  app.get(
    '/shipping-rates/:id',
    {
      schema: {
        tags,
        operationId: 'getShippingRate',
        summary: 'Get a shipping rate',
        description: 'An unknown rate is 404, and so is an inactive one unless an admin asks. A token sent must be valid (else 401).',
        security: optionalBearer,
        params: IdParams,
        response: { 200: ref(ShippingRateResponse), ...problems(401, 404) },
      },
    },
    async (request) => service.getShippingRate(app.db, request.params.id, readerOf(request)),
  );
};

const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/shipping-rates',
    {
      schema: {
        tags,
        operationId: 'createShippingRate',
        summary: 'Add a shipping rate (admin)',
        description:
          'countries lists ISO alpha-2 codes, or is ["*"] for everywhere. Both bounds are inclusive and may be null (open); ' +
          'min_subtotal above max_subtotal is 400. "Free over 50.00" is price 0 with min_subtotal 50.',
        body: ref(CreateShippingRateBody),
        response: { 201: ref(ShippingRateResponse) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.createShippingRate(app.db, request.body)),
  );

  app.put(
    '/shipping-rates/:id',
    {
      schema: {
        tags,
        operationId: 'updateShippingRate',
        summary: 'Update a shipping rate (admin, any subset of fields)',
        description:
          'A bound sent alone is checked against the stored other one: min_subtotal above max_subtotal is 400 ' +
          '(named on min_subtotal when it was sent, else on max_subtotal). Placed orders keep the rate they were placed with.',
        params: IdParams,
        body: ref(UpdateShippingRateBody),
        response: { 200: ref(ShippingRateResponse), ...problems(404) },
      },
    },
    async (request) => service.updateShippingRate(app.db, request.params.id, request.body),
  );

  app.delete(
    '/shipping-rates/:id',
    {
      schema: {
        tags,
        operationId: 'deleteShippingRate',
        summary: 'Delete a shipping rate (admin)',
        description: 'Placed orders keep their copy of its name and price.',
        params: IdParams,
        response: { 200: ref(Message), ...problems(404) },
      },
    },
    async (request) => {
      await service.deleteShippingRate(app.db, request.params.id);
      return { message: 'Shipping rate deleted.' };
    },
  );
};

export const shippingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(publicRoutes);
  await app.register(adminOnly(adminRoutes));
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { adminOnly } from '../../shared/routes.js';
import { IdParams, Message, problems, ref } from '../../shared/schemas.js';
import { CreateTaxRateBody, TaxRateList, TaxRateResponse, UpdateTaxRateBody } from './tax.schemas.js';
import * as service from './tax.service.js';

const tags = ['tax'];

/** Tax rates are public: what a shop charges is no secret, and a client can show it before checkout. */
const publicRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/tax-rates',
    {
      schema: {
        tags,
        operationId: 'listTaxRates',
        summary: 'Tax rates, by id',
        description: 'Every rate, for anyone. An order is taxed at the rate for its region if there is one, else at the one for its country (region_code null).',
        response: { 200: TaxRateList },
      },
    },
    async () => service.listTaxRates(app.db),
  );
};

const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/tax-rates',
    {
      schema: {
        tags,
        operationId: 'createTaxRate',
        summary: 'Add a tax rate (admin)',
        description: 'One rate per country and region (region_code null: the whole country); a second one is 409 DUPLICATE.',
        body: ref(CreateTaxRateBody),
        response: { 201: ref(TaxRateResponse), ...problems(409) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.createTaxRate(app.db, request.body)),
  );

  app.put(
    '/tax-rates/:id',
    {
      schema: {
        tags,
        operationId: 'updateTaxRate',
        summary: 'Update a tax rate (admin, any subset of fields)',
        description: 'Moving it to a country and region that already have a rate is 409 DUPLICATE. Placed orders keep the rate they were taxed at.',
        params: IdParams,
        body: ref(UpdateTaxRateBody),
        response: { 200: ref(TaxRateResponse), ...problems(404, 409) },
      },
    },
    async (request) => service.updateTaxRate(app.db, request.params.id, request.body),
  );

  app.delete(
    '/tax-rates/:id',
    {
      schema: {
        tags,
        operationId: 'deleteTaxRate',
        summary: 'Delete a tax rate (admin)',
        description: 'Orders already placed keep the rate they were taxed at.',
        params: IdParams,
        response: { 200: ref(Message), ...problems(404) },
      },
    },
    async (request) => {
      await service.deleteTaxRate(app.db, request.params.id);
      return { message: 'Tax rate deleted.' };
    },
  );
};

export const taxRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(publicRoutes);
  await app.register(adminOnly(adminRoutes));
};

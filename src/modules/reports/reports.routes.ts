import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { adminOnly } from '../../shared/routes.js';
import { ref } from '../../shared/schemas.js';
import { SummaryQuery, SummaryResponse } from './reports.schemas.js';
import * as service from './reports.service.js';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/reports/summary',
    {
      schema: {
        tags: ['reports'],
        operationId: 'getSummary',
        summary: "The shop at a glance (admin): orders and revenue today and over 7 days, what waits, what runs low",
        description: 'Revenue is the total of the orders placed in the period and not cancelled, in the shop currency.',
        querystring: SummaryQuery,
        response: { 200: ref(SummaryResponse) },
      },
    },
    async (request) => service.summary(app.db, app.config.shopCurrency, request.query),
  );
};

export const reportsRoutes = adminOnly(routes);

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { adminOnly, authenticated, bearerAuth } from '../../shared/routes.js';
import { IdParams, Message, problems } from '../../shared/schemas.js';
import { CreateCustomerBody, CustomerResponse, UpdateCustomerBody } from './customers.schemas.js';
import * as service from './customers.service.js';

const tags = ['customers'];

const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/customers',
    {
      schema: {
        tags,
        summary: 'List all customers (admin)',
        security: bearerAuth,
        response: { 200: Type.Array(CustomerResponse), ...problems(401, 403) },
      },
    },
    async () => service.listCustomers(app.db),
  );

  app.post(
    '/customers',
    {
      config: { audit: { event: 'customer.create', details: (body) => ({ username: body.username, role_id: body.role_id }) } },
      schema: {
        tags,
        summary: 'Add a customer (admin); role_id defaults to 2',
        security: bearerAuth,
        body: CreateCustomerBody,
        response: { 201: CustomerResponse, ...problems(400, 401, 403, 409, 413, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.createCustomer(app.db, request.body)),
  );
};

const selfOrAdminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/customers/me',
    {
      schema: {
        tags,
        summary: 'The customer the token belongs to',
        security: bearerAuth,
        response: { 200: CustomerResponse, ...problems(401) },
      },
    },
    async (request) => service.getCustomer(app.db, request.actor, request.actor.id),
  );

  app.get(
    '/customers/:id',
    {
      schema: {
        tags,
        summary: 'Get a customer (admin, or the customer itself)',
        security: bearerAuth,
        params: IdParams,
        response: { 200: CustomerResponse, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => service.getCustomer(app.db, request.actor, request.params.id),
  );

  app.put(
    '/customers/:id',
    {
      config: {
        audit: {
          event: 'customer.update',
          details: (body) => ({ role_id: body.role_id, password_changed: body.password !== undefined }),
        },
      },
      schema: {
        tags,
        summary: 'Update a customer (any subset of fields); only an admin may change role_id',
        security: bearerAuth,
        params: IdParams,
        body: UpdateCustomerBody,
        response: { 200: CustomerResponse, ...problems(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request) => service.updateCustomer(app.db, request.actor, request.params.id, request.body),
  );

  app.delete(
    '/customers/:id',
    {
      config: { audit: { event: 'customer.delete' } },
      schema: {
        tags,
        summary: 'Delete a customer: it can no longer log in; its orders are kept',
        security: bearerAuth,
        params: IdParams,
        response: { 200: Message, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      await service.deleteCustomer(app.db, request.actor, request.params.id);
      return { message: 'Customer deleted.' };
    },
  );
};

export const customersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(adminOnly(adminRoutes));
  await app.register(authenticated(selfOrAdminRoutes));
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { clientsOf } from '../../shared/passwords.js';
import { adminOnly, authenticated } from '../../shared/routes.js';
import { IdParams, Message, problems, ref } from '../../shared/schemas.js';
import { deleteCustomerAndCart } from '../../use-cases/delete-customer.js';
import { CreateCustomerBody, CustomerPage, CustomerResponse, ListCustomersQuery, UpdateCustomerBody } from './customers.schemas.js';
import * as service from './customers.service.js';

const tags = ['customers'];

const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/customers',
    {
      schema: {
        tags,
        operationId: 'listCustomers',
        summary: 'List all customers (admin)',
        description: 'Every live customer, by id.',
        response: { 200: Type.Array(ref(CustomerResponse)) },
      },
    },
    async () => service.listCustomers(app.db),
  );

  app.get(
    '/customers/p',
    {
      schema: {
        tags,
        operationId: 'pageCustomers',
        summary: 'A page of customers, by id, optionally searched (admin)',
        description: 'Live customers only; q finds a piece of the name, username or email.',
        querystring: ListCustomersQuery,
        response: { 200: ref(CustomerPage) },
      },
    },
    async (request) => service.pageCustomers(app.db, request.query),
  );

  app.post(
    '/customers',
    {
      config: { audit: { event: 'customer.create', details: (body) => ({ username: body.username, role_id: body.role_id }) } },
      schema: {
        tags,
        operationId: 'createCustomer',
        summary: 'Add a customer (admin); role_id defaults to 2',
        description: 'A taken username or email (regardless of case) is 409.',
        body: ref(CreateCustomerBody),
        response: { 201: ref(CustomerResponse), ...problems(409, 429) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.createCustomer(app.db, request.body, clientsOf(request.clientKey, request.actor.id))),
  );
};

const selfOrAdminRoutes = (guard: service.SelfChangeGuard): FastifyPluginAsyncTypebox =>
  async function routes(app) {
    app.get(
      '/customers/me',
      {
        schema: {
          tags,
          operationId: 'getMe',
          summary: 'The customer the token belongs to',
          description: 'The caller, as GET /customers/{id} answers it.',
          response: { 200: ref(CustomerResponse), ...problems(404) },
        },
      },
      async (request) => service.getCustomer(app.db, request.actor, request.actor.id),
    );

    app.get(
      '/customers/:id',
      {
        schema: {
          tags,
          operationId: 'getCustomer',
          summary: 'Get a customer (admin, or the customer itself)',
          description: 'A customer may read only itself (403 otherwise).',
          params: IdParams,
          response: { 200: ref(CustomerResponse), ...problems(403, 404) },
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
          operationId: 'updateCustomer',
          summary: 'Update a customer (any subset of fields); only an admin may change role_id',
          description:
            'Changing your own password, email or username needs current_password (400 without it; 403 when wrong, counted as a failed login). ' +
            'Changes of username or email are limited per hour (429). A new password ends every token issued before it.',
          params: IdParams,
          body: ref(UpdateCustomerBody),
          response: { 200: ref(CustomerResponse), ...problems(403, 404, 409, 429) },
        },
      },
      async (request) =>
        service.updateCustomer(app.db, request.actor, request.params.id, request.body, { guard, address: request.clientKey }),
    );

    app.delete(
      '/customers/:id',
      {
        config: { audit: { event: 'customer.delete' } },
        schema: {
          tags,
          operationId: 'deleteCustomer',
          summary: 'Delete a customer: it can no longer log in; its orders are kept',
          description: 'Its tokens stop working and its cart is emptied. The last admin cannot be deleted (409).',
          params: IdParams,
          response: { 200: ref(Message), ...problems(403, 404, 409) },
        },
      },
      async (request) => {
        await deleteCustomerAndCart(app.db, request.actor, request.params.id);
        return { message: 'Customer deleted.' };
      },
    );
  };

export const customersRoutes: FastifyPluginAsyncTypebox<{ guard: service.SelfChangeGuard }> = async (app, { guard }) => {
  await app.register(adminOnly(adminRoutes));
  await app.register(authenticated(selfOrAdminRoutes(guard)));
};

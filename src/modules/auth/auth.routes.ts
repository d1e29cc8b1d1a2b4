import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CustomerResponse, RegisterCustomerBody } from '../customers/customers.schemas.js';
import { problems } from '../../shared/schemas.js';
import { LoginBody, LoginResponse } from './auth.schemas.js';
import { type AuthDeps, createAuthLimiters, login, register } from './auth.service.js';

const tags = ['auth'];

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const deps: AuthDeps = { db: app.db, limiters: createAuthLimiters(app.config, app.redis, app.log), signToken: app.signToken };

  app.post(
    '/customers/login',
    {
      config: { audit: { event: 'login', details: (body) => ({ username: body.username }) } },
      schema: {
        tags,
        summary: 'Log in with username and password; returns a bearer token',
        body: LoginBody,
        response: { 200: LoginResponse, ...problems(400, 401, 413, 415, 429) },
      },
    },
    async (request) => login(deps, { ...request.body, address: request.ip }),
  );

  app.post(
    '/customers/register',
    {
      config: { audit: { event: 'register', details: (body) => ({ username: body.username }) } },
      schema: {
        tags,
        summary: 'Create your own customer account (always role 2)',
        body: RegisterCustomerBody,
        response: { 201: CustomerResponse, ...problems(400, 409, 413, 415, 429) },
      },
    },
    async (request, reply) => reply.code(201).send(await register(deps, { ...request.body, address: request.ip })),
  );
};

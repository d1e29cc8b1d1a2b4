import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CustomerResponse, RegisterCustomerBody } from '../customers/customers.schemas.js';
import { problems, ref } from '../../shared/schemas.js';
import { LoginBody, LoginResponse } from './auth.schemas.js';
import { type AuthDeps, type AuthLimiters, login, register } from './auth.service.js';

const tags = ['auth'];

/** A username typed wrong may be a password typed in the wrong field: a failed one is logged only in part. */
function loggedUsername(username: unknown, succeeded: boolean): string | undefined {
  if (typeof username !== 'string') return undefined;
  return succeeded ? username : `${username.slice(0, 2)}… (${username.length} characters)`;
}

export const authRoutes: FastifyPluginAsyncTypebox<{ limiters: AuthLimiters }> = async (app, { limiters }) => {
  const deps: AuthDeps = { db: app.db, limiters, signToken: app.signToken };

  app.post(
    '/customers/login',
    {
      config: { audit: { event: 'login', details: (body, succeeded) => ({ username: loggedUsername(body.username, succeeded) }) } },
      schema: {
        tags,
        operationId: 'login',
        summary: 'Log in with username and password; returns a bearer token',
        description:
          'A wrong username and a wrong password get the same 401. Repeated failures for one username from one address, ' +
          'from one address in all, or for one username from everywhere answer 429 with Retry-After.',
        body: ref(LoginBody),
        response: { 200: ref(LoginResponse), ...problems(401, 429) },
      },
    },
    async (request) => login(deps, { ...request.body, address: request.clientKey }),
  );

  app.post(
    '/customers/register',
    {
      config: { audit: { event: 'register', details: (body, succeeded) => ({ username: loggedUsername(body.username, succeeded) }) } },
      schema: {
        tags,
        operationId: 'register',
        summary: 'Create your own customer account (always role 2)',
        description: 'Limited per client address (429 with Retry-After). A taken username or email is 409.',
        body: ref(RegisterCustomerBody),
        response: { 201: ref(CustomerResponse), ...problems(409, 429) },
      },
    },
    async (request, reply) => reply.code(201).send(await register(deps, { ...request.body, address: request.clientKey })),
  );
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CustomerResponse, RegisterCustomerBody } from '../customers/customers.schemas.js';
import { authenticated } from '../../shared/routes.js';
import { Message, problems, ref } from '../../shared/schemas.js';
import { LoginBody, LoginResponse, PasswordResetBody, PasswordResetConfirmBody } from './auth.schemas.js';
import { type AuthDeps, type AuthLimiters, login, logout, register } from './auth.service.js';
import { type PasswordResetDeps, confirmPasswordReset, requestPasswordReset } from './password-reset.service.js';

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

  const reset: PasswordResetDeps = {
    db: app.db,
    limiters,
    secret: app.config.jwtSecret,
    ttlSeconds: app.config.passwordResetTtlSeconds,
  };

  app.post(
    '/customers/password-reset',
    {
      config: { audit: { event: 'password_reset.request' } },
      schema: {
        tags,
        operationId: 'requestPasswordReset',
        summary: 'Ask for a password reset: the token goes to the shop\'s mailer, never in the answer',
        description:
          'The same 202 whether or not the email belongs to an account, and no sooner than 100 ms after the request either way. ' +
          'For a live customer it records the event ' +
          'customer.password_reset_requested, with a single-use token valid PASSWORD_RESET_TTL_S seconds (3600). ' +
          'Limited per client address and per email, PASSWORD_RESET_MAX_PER_HOUR an hour each (429 with Retry-After).',
        body: ref(PasswordResetBody),
        response: { 202: ref(Message), ...problems(429) },
      },
    },
    async (request, reply) => reply.code(202).send(await requestPasswordReset(reset, { ...request.body, address: request.clientKey })),
  );

  app.post(
    '/customers/password-reset/confirm',
    {
      config: { audit: { event: 'password_reset.confirm' } },
      schema: {
        tags,
        operationId: 'confirmPasswordReset',
        summary: 'Set a new password with a reset token',
        description:
          'An unknown, used or expired token is 400, with one message for all three. Success uses the token up, ends every token ' +
          "issued before (as a password change does) and the customer's other reset tokens. 429 while the address has too many " +
          'passwords being hashed at once.',
        body: ref(PasswordResetConfirmBody),
        response: { 200: ref(Message), ...problems(429) },
      },
    },
    async (request) => confirmPasswordReset(reset, { ...request.body, address: request.clientKey }),
  );

  await app.register(
    authenticated(async (scope) => {
      scope.post(
        '/customers/logout',
        {
          config: { audit: { event: 'logout' } },
          schema: {
            tags,
            operationId: 'logout',
            summary: 'Sign out everywhere: every token issued to you until now stops working',
            description: 'For customers and admins alike, on every server process at once. Log in again for a new token.',
            response: { 200: ref(Message) },
          },
        },
        async (request) => logout(scope.db, request.actor),
      );
    }),
  );
};

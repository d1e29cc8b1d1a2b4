import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyPluginOptions, FastifyRequest, RouteOptions } from 'fastify';
import { ProblemRef } from './schemas.js';

type Security = { [scheme: string]: string[] }[];

/** OpenAPI security: routes that need `Authorization: Bearer <token>`. */
export const bearerAuth: Security = [{ bearerAuth: [] }];
/** OpenAPI security: routes anyone may call, with or without a token. */
export const optionalBearer: Security = [{}, { bearerAuth: [] }];

/** OpenAPI security: a bearer token, or a guest's order token in the query. */
export const bearerOrOrderToken: Security = [{ bearerAuth: [] }, { orderToken: [] }];

/**
 * For a route whose body is optional (all its fields are): no body is the empty object, so
 * its schema validates one shape. A preValidation hook, since Fastify validates what is there.
 */
export function noBodyIsEmpty(request: FastifyRequest, _reply: unknown, done: () => void): void {
  request.body ??= {};
  done();
}

/** Who asks for one order: a guest's order token in the query, or else the signed-in caller (orders' OrderAccess). */
export function orderAccessOf(request: FastifyRequest): { actor: FastifyRequest['actor'] } | { orderToken: string } {
  const orderToken = orderTokenOf(request);
  return orderToken === undefined ? { actor: request.actor } : { orderToken };
}

/** The guest's order token a request carries in its query, if any. */
export function orderTokenOf(request: FastifyRequest): string | undefined {
  const token = (request.query as Record<string, unknown> | undefined)?.order_token;
  return typeof token === 'string' ? token : undefined;
}

/**
 * A scope whose routes need a valid token (401 without one), unless the request carries an
 * `order_token`, which the route's service checks against the one order it opens.
 */
export function authenticatedOrOrderToken<Options extends FastifyPluginOptions>(routes: FastifyPluginAsyncTypebox<Options>): FastifyPluginAsyncTypebox<Options> {
  return async (scope, options) => {
    scope.addHook('onRequest', async (request) => {
      if (orderTokenOf(request) === undefined) await scope.authenticate(request);
    });
    documentAccess(scope, [401], bearerOrOrderToken);
    await scope.register(routes, options);
  };
}

/** A scope whose routes all need a valid token (401 without one). */
export function authenticated<Options extends FastifyPluginOptions>(routes: FastifyPluginAsyncTypebox<Options>): FastifyPluginAsyncTypebox<Options> {
  return async (scope, options) => {
    scope.addHook('onRequest', scope.authenticate);
    documentAccess(scope, [401]);
    await scope.register(routes, options);
  };
}

/** A scope whose routes all need an admin's token (401 without a token, 403 for a customer's). */
export function adminOnly<Options extends FastifyPluginOptions>(routes: FastifyPluginAsyncTypebox<Options>): FastifyPluginAsyncTypebox<Options> {
  return async (scope, options) => {
    scope.addHook('onRequest', scope.authenticate);
    scope.addHook('onRequest', scope.requireAdmin);
    documentAccess(scope, [401, 403]);
    await scope.register(routes, options);
  };
}

/** The scope's routes say in the document that they need a token, and answer these statuses for it. */
function documentAccess(scope: FastifyInstance, statuses: number[], security: Security = bearerAuth): void {
  scope.addHook('onRoute', (route: RouteOptions) => {
    if (!route.schema) return;
    route.schema.security = security;
    addProblems(route, statuses);
  });
}

/** Adds problem responses a route can answer, keeping any the route declared itself. */
export function addProblems(route: RouteOptions, statuses: number[]): void {
  if (!route.schema) return;
  const responses = (route.schema.response ?? {}) as Record<number, unknown>;
  for (const status of statuses) responses[status] ??= ProblemRef;
  route.schema.response = responses;
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { ProblemRef } from './schemas.js';

type Security = { [scheme: string]: string[] }[];

/** OpenAPI security: routes that need `Authorization: Bearer <token>`. */
export const bearerAuth: Security = [{ bearerAuth: [] }];
/** OpenAPI security: routes anyone may call, with or without a token. */
export const optionalBearer: Security = [{}, { bearerAuth: [] }];

/** A scope whose routes all need a valid token (401 without one). */
export function authenticated(routes: FastifyPluginAsyncTypebox): FastifyPluginAsyncTypebox {
  return async (scope) => {
    scope.addHook('onRequest', scope.authenticate);
    documentAccess(scope, [401]);
    await scope.register(routes);
  };
}

/** A scope whose routes all need an admin's token (401 without a token, 403 for a customer's). */
export function adminOnly(routes: FastifyPluginAsyncTypebox): FastifyPluginAsyncTypebox {
  return async (scope) => {
    scope.addHook('onRequest', scope.authenticate);
    scope.addHook('onRequest', scope.requireAdmin);
    documentAccess(scope, [401, 403]);
    await scope.register(routes);
  };
}

/** The scope's routes say in the document that they need a token, and answer these statuses for it. */
function documentAccess(scope: FastifyInstance, statuses: number[]): void {
  scope.addHook('onRoute', (route: RouteOptions) => {
    if (!route.schema) return;
    route.schema.security = bearerAuth;
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

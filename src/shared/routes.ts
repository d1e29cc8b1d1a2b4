import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** OpenAPI security requirement for routes that need `Authorization: Bearer <token>`. */
export const bearerAuth = [{ bearerAuth: [] }];

/** A scope whose routes all need a valid token. */
export function authenticated(routes: FastifyPluginAsyncTypebox): FastifyPluginAsyncTypebox {
  return async (scope) => {
    scope.addHook('onRequest', scope.authenticate);
    await scope.register(routes);
  };
}

/** A scope whose routes all need an admin's token. */
export function adminOnly(routes: FastifyPluginAsyncTypebox): FastifyPluginAsyncTypebox {
  return async (scope) => {
    scope.addHook('onRequest', scope.authenticate);
    scope.addHook('onRequest', scope.requireAdmin);
    await scope.register(routes);
  };
}

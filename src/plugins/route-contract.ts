import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { addProblems } from '../shared/routes.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false for the few routes that never touch the database (so never answer 503). */
    database?: false;
  }
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Every route's entry in the OpenAPI document lists every status the server can answer
 * for it. Most follow from the route's shape, so they are added here, from the same facts
 * that make the server answer them, rather than by hand on each route:
 *   - a path parameter: 400 (not valid) and 414 (longer than the router takes);
 *   - a query string or header schema: 400;
 *   - a method that takes a body (POST, PUT, DELETE), whether or not it reads one: 400
 *     (not JSON, a forbidden key, a NUL), 413 (over 100 KiB), 415 (not JSON);
 *   - any route that reads the database: 503, with Retry-After;
 *   - every route: 408 (the request took longer than its timeout to arrive) and 431
 *     (headers over 16 KiB), which Node's parser answers before any route (errors.ts).
 * The authenticated scopes add 401 and 403 (shared/routes.ts); what depends on a route's
 * own rules (403, 404, 409, 429) the route declares itself. A route that declares no
 * security is public (`security: []`).
 */
export default fp(
  async function routeContract(app: FastifyInstance) {
    app.addHook('onRoute', (route: RouteOptions) => {
      const schema = route.schema;
      if (!schema || schema.hide) return;
      schema.security ??= [];
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const statuses: number[] = [408, 431];
      if (schema.params) statuses.push(400, 414);
      if (schema.querystring || schema.headers) statuses.push(400);
      if (schema.body || methods.some((method) => BODY_METHODS.has(method))) statuses.push(400, 413, 415);
      if (route.config?.database !== false) statuses.push(503);
      addProblems(route, statuses);
    });
  },
  { name: 'route-contract' },
);

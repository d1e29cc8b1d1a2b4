import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Config } from './config.js';
import { connectDatabase } from './db/connect.js';
import type { Db } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { cartRoutes } from './modules/cart/cart.routes.js';
import { customersRoutes } from './modules/customers/customers.routes.js';
import { type BootstrapAdmin, ensureBootstrapAdmin } from './modules/customers/customers.service.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { ordersRoutes } from './modules/orders/orders.routes.js';
import { productsRoutes } from './modules/products/products.routes.js';
import audit from './plugins/audit.js';
import auth from './plugins/auth.js';
import database from './plugins/database.js';
import errors, { answerBadUrl } from './plugins/errors.js';
import jsonBody from './plugins/json-body.js';
import noNul from './plugins/no-nul.js';
import openapi from './plugins/openapi.js';
import redis from './plugins/redis.js';
import security from './plugins/security.js';
import { serializersCompiledOnFirstUse } from './plugins/serialization.js';
import { validatorsCompiledOnFirstUse } from './plugins/validation.js';
import { Problem } from './shared/schemas.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    /** Set when this start created the first admin (and, if generated, its password). */
    bootstrapAdmin: BootstrapAdmin | undefined;
  }
}

export const BODY_LIMIT_BYTES = 100 * 1024;

/** Opens and migrates the database, then builds the HTTP app on it. Closing the app closes the database. */
export async function buildApp(config: Config): Promise<FastifyInstance> {
  const app = createFastify(config);
  const db = await connectDatabase({
    ...config,
    onConnectionError: (error) => app.log.warn({ err: error }, 'a pooled database connection failed'),
  });
  try {
    await migrateToLatest(db);
    const bootstrap = await ensureBootstrapAdmin(db, config.adminUsername, config.adminPassword);
    await registerEverything(app, config, db, bootstrap);
    return app;
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

function createFastify(config: Config) {
  return Fastify({
    logger: { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie'] },
    // One log line per request halves throughput; errors are still logged with their request id.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy,
    requestIdHeader: false,
    genReqId: requestIdOf,
    frameworkErrors: answerBadUrl,
    schemaController: {
      compilersFactory: { buildValidator: validatorsCompiledOnFirstUse(), buildSerializer: serializersCompiledOnFirstUse() },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
}

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's X-Request-Id is kept so logs can be joined across services, but only if it is short and plain. */
function requestIdOf(request: { headers: Record<string, string | string[] | undefined> }): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
}

async function registerEverything(
  app: ReturnType<typeof createFastify>,
  config: Config,
  db: Db,
  bootstrap: BootstrapAdmin | undefined,
) {
  app.decorate('config', config);
  app.decorate('bootstrapAdmin', bootstrap);
  app.addSchema(Problem);
  // Hooks on every request take a callback, not an async function: no promise per request.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });

  await app.register(errors);
  await app.register(security, { corsOrigins: config.corsOrigins });
  await app.register(audit);
  await app.register(jsonBody);
  await app.register(noNul);
  await app.register(database, { db });
  await app.register(redis, { url: config.redisUrl });
  await app.register(auth, { config });
  await app.register(openapi);

  await app.register(healthRoutes);
  await app.register(authRoutes);
  await app.register(customersRoutes);
  await app.register(productsRoutes);
  await app.register(cartRoutes);
  await app.register(ordersRoutes);
}

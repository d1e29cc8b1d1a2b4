import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Config } from './config.js';
import { connectDatabase } from './db/connect.js';
import type { Db } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { type Background, shopJobs, startBackground } from './background/background.js';
import { eventPresenter } from './background/event-presenter.js';
import { notifyOtherProcesses } from './background/wake-signal.js';
import { addressBookSchemas, addressSchemas } from './modules/addresses/addresses.schemas.js';
import { addressesRoutes } from './modules/addresses/addresses.routes.js';
import { authSchemas } from './modules/auth/auth.schemas.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { createAuthLimiters, selfChangeGuard } from './modules/auth/auth.service.js';
import { cartSchemas } from './modules/cart/cart.schemas.js';
import { cartRoutes } from './modules/cart/cart.routes.js';
import { guestCartCreationLimiter } from './modules/cart/cart.service.js';
import { guestCartRoutes } from './modules/cart/guest-carts.routes.js';
import { customerSchemas } from './modules/customers/customers.schemas.js';
import { customersRoutes } from './modules/customers/customers.routes.js';
import { type BootstrapAdmin, ensureBootstrapAdmin, findTokenHolder } from './modules/customers/customers.service.js';
import { eventSchemas } from './modules/events/events.schemas.js';
import { eventsRoutes } from './modules/events/events.routes.js';
import { Health, healthRoutes } from './modules/health/health.routes.js';
import { orderSchemas } from './modules/orders/orders.schemas.js';
import { ordersRoutes } from './modules/orders/orders.routes.js';
import { paymentSchemas } from './modules/payments/payments.schemas.js';
import { paymentsRoutes } from './modules/payments/payments.routes.js';
import { createPaymentProviders } from './modules/payments/payments.service.js';
import { productSchemas } from './modules/products/products.schemas.js';
import { productsRoutes } from './modules/products/products.routes.js';
import { reportSchemas } from './modules/reports/reports.schemas.js';
import { reportsRoutes } from './modules/reports/reports.routes.js';
import { shippingSchemas } from './modules/shipping/shipping.schemas.js';
import { shippingRoutes } from './modules/shipping/shipping.routes.js';
import { taxSchemas } from './modules/tax/tax.schemas.js';
import { taxRoutes } from './modules/tax/tax.routes.js';
import { webhookSchemas } from './modules/webhooks/webhooks.schemas.js';
import { webhooksRoutes } from './modules/webhooks/webhooks.routes.js';
import { countWaitingDeliveries } from './modules/webhooks/webhooks.service.js';
import audit from './plugins/audit.js';
import auth from './plugins/auth.js';
import connectionLimits, { trustedPeers } from './plugins/connection-limits.js';
import { dashboard } from './plugins/dashboard.js';
import database from './plugins/database.js';
import errors, { answerBadUrl, answerClientError } from './plugins/errors.js';
import jsonBody from './plugins/json-body.js';
import metrics from './plugins/metrics.js';
import noNul from './plugins/no-nul.js';
import openapi from './plugins/openapi.js';
import redis from './plugins/redis.js';
import routeContract from './plugins/route-contract.js';
import security from './plugins/security.js';
import { serializersCompiledOnFirstUse } from './plugins/serialization.js';
import { validatorsCompiledOnFirstUse } from './plugins/validation.js';
import { countDelivery, setEventsWaitingSource } from './shared/metrics.js';
import { setPasswordChecksPerClient } from './shared/passwords.js';
import { Message, Problem } from './shared/schemas.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
  }
}

export const BODY_LIMIT_BYTES = 100 * 1024;

/** The built dashboard, beside src/ and dist/ alike. */
const DASHBOARD_ROOT = fileURLToPath(new URL('../dashboard/dist', import.meta.url));

const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/** The schemas that have a name in the OpenAPI document (components/schemas) and are referenced by routes. */
const NAMED_SCHEMAS = [Problem, Message, Health, ...authSchemas, ...customerSchemas, ...productSchemas, ...cartSchemas, ...orderSchemas, ...addressSchemas, ...addressBookSchemas, ...shippingSchemas, ...taxSchemas, ...eventSchemas, ...webhookSchemas, ...paymentSchemas, ...reportSchemas];

export interface BuildOptions {
  /**
   * Called as soon as the first admin exists, before the app is built further or listens,
   * so its generated password is shown even if the start fails afterwards.
   */
  onFirstAdmin?: (admin: BootstrapAdmin) => void;
}

/** Opens and migrates the database, then builds the HTTP app on it. Closing the app closes the database. */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = createFastify(config);
  const db = await connectDatabase({
    ...config,
    onConnectionError: (error) => app.log.warn({ err: error }, 'a pooled database connection failed'),
  });
  try {
    await migrateToLatest(db);
    const admin = await ensureBootstrapAdmin(db, config.adminUsername, config.adminPassword);
    if (admin) options.onFirstAdmin?.(admin);
    await registerEverything(app, config, db);
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
    trustProxy: trustedPeers(config.trustProxy),
    // A client sending its request slowly (a byte at a time) is cut off: the headers must
    // arrive within headersTimeoutMs, the whole request within requestTimeoutMs; a
    // connection where nothing moves is closed after idleTimeoutMs. Node checks the first
    // two every connectionsCheckingInterval, so that runs often enough to matter.
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.idleTimeoutMs,
    http: {
      headersTimeout: config.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.ceil(config.headersTimeoutMs / 2)),
    },
    requestIdHeader: false,
    genReqId: requestIdOf,
    frameworkErrors: answerBadUrl,
    clientErrorHandler: answerClientError,
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

/**
 * The composition root: plugins in order, then each module's routes, each given what it
 * needs from outside its own module (so modules and plugins never import against the
 * direction of their dependencies).
 */
async function registerEverything(app: ReturnType<typeof createFastify>, config: Config, db: Db) {
  app.decorate('config', config);
  setPasswordChecksPerClient(config.maxPasswordChecksPerClient);
  for (const schema of NAMED_SCHEMAS) app.addSchema(schema);
  // Hooks on every request take a callback, not an async function: no promise per request.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });

  // First, so its hook counts every request, those the plugins below turn away included.
  await app.register(metrics, { port: config.metricsPort, host: config.host });
  await app.register(errors);
  await app.register(connectionLimits, { maxPerAddress: config.maxConnectionsPerAddress, trustProxy: config.trustProxy });
  await app.register(security, { corsOrigins: config.corsOrigins });
  await app.register(audit);
  await app.register(jsonBody);
  await app.register(noNul);
  await app.register(database, { db });
  await app.register(redis, { url: config.redisUrl });
  await app.register(auth, { config, findTokenHolder: (id: number) => findTokenHolder(db, id) });
  await app.register(openapi, { version: VERSION });
  await app.register(routeContract);
  await app.register(dashboard, { root: DASHBOARD_ROOT });

  const limiters = createAuthLimiters(config, app.redis, app.log);
  await app.register(healthRoutes);
  await app.register(authRoutes, { limiters });
  await app.register(customersRoutes, { guard: selfChangeGuard(limiters) });
  await app.register(addressesRoutes);
  await app.register(productsRoutes);
  await app.register(cartRoutes);
  await app.register(guestCartRoutes, {
    creationsPerAddress: guestCartCreationLimiter({ redis: app.redis, keyPrefix: config.redisKeyPrefix, log: app.log }, config.guestCartsMaxPerAddress),
  });
  const providers = createPaymentProviders(config);
  await app.register(ordersRoutes, { providers });
  await app.register(paymentsRoutes, { providers });
  await app.register(shippingRoutes);
  await app.register(taxRoutes);
  await app.register(reportsRoutes);

  const present = eventPresenter(config);
  const wake = startEventDelivery(app, config, db, present);
  await app.register(eventsRoutes, { present });
  await app.register(webhooksRoutes, { rules: { allowHttp: config.webhookAllowHttp, allowPrivateNetworks: config.webhookAllowPrivateNetworks }, wake });
}

/**
 * Events reach their webhooks from this process (WEBHOOK_DELIVERY=inline: the delivery worker
 * and the scheduled jobs run here) or from `npm run worker` processes, which a PostgreSQL
 * NOTIFY wakes. Either way each write request, once answered (its transaction has committed),
 * says there may be new events; the signal is folded, so a busy shop sends few.
 */
function startEventDelivery(app: ReturnType<typeof createFastify>, config: Config, db: Db, present: ReturnType<typeof eventPresenter>): () => void {
  let background: Background | undefined;
  let wake: () => void;
  if (config.webhookDelivery === 'inline') {
    background = startBackground({
      db,
      config,
      log: app.log,
      present,
      jobs: shopJobs(config),
      onDeliveryOutcome: (outcome) => countDelivery(app.metrics, outcome),
    });
    wake = background.wake;
  } else {
    wake = notifyOtherProcesses(db, app.log);
  }
  app.addHook('onResponse', (request, reply, done) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && reply.statusCode < 400) wake();
    done();
  });
  setEventsWaitingSource(app.metrics, () => countWaitingDeliveries(db));
  app.addHook('preClose', async () => background?.stop());
  return wake;
}

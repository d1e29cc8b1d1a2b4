import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import currencyCodes from 'currency-codes';
import { isCountryCode } from './shared/countries.js';

/**
 * Which peers' X-Forwarded-For to believe: none (false), the nearest N hops (each hop one
 * proxy in front of the API), or the proxies at these addresses and networks. Never "any",
 * which would let a client write its own address.
 */
export type TrustProxy = false | number | string[];

/** Everything the service reads from its environment, validated once at start. */
export interface Config {
  nodeEnv: string;
  port: number;
  host: string;
  databaseUrl: string;
  /** PostgreSQL only: connections per process. */
  databasePoolSize: number;
  /** PostgreSQL only: a statement running longer is cancelled. */
  databaseStatementTimeoutMs: number;
  /** HS256 key: the bytes of JWT_SECRET. */
  jwtSecret: string;
  jwtExpiresInSeconds: number;
  adminUsername: string;
  /** Unset: the first start generates one and prints it once. */
  adminPassword: string | undefined;
  logLevel: string;
  /** Whose X-Forwarded-For to believe for the client address (see TrustProxy). */
  trustProxy: TrustProxy;
  /** Failed logins for one username from one address. */
  loginMaxFailures: number;
  loginMaxFailuresPerAddress: number;
  /** Failed logins for one username from all addresses together. */
  loginMaxFailuresPerUsername: number;
  loginWindowSeconds: number;
  registerMaxPerAddress: number;
  /** Changes of one's own username or email per hour, per account and per address. */
  identityChecksMaxPerHour: number;
  maxPendingOrdersPerCustomer: number;
  /** Receiving a request's headers may take this long... */
  headersTimeoutMs: number;
  /** ...and the whole request, body included (a body sent a byte at a time is cut off). */
  requestTimeoutMs: number;
  /** A connection on which nothing moves for this long is closed. */
  idleTimeoutMs: number;
  /** Open connections from one client address (not counting trusted proxies). */
  maxConnectionsPerAddress: number;
  /** Password checks (logins, password changes) one client may have in progress at once. */
  maxPasswordChecksPerClient: number;
  /** Unset: throttling counters live in each process's memory. */
  redisUrl: string | undefined;
  /** Put before every Redis key, so several shops (or test runs) can share one Redis. */
  redisKeyPrefix: string;
  /** Browser origins allowed to call the API (CORS); empty allows none. */
  corsOrigins: string[];
  /** ISO 4217 code of the one currency every amount is in (two minor digits). */
  shopCurrency: string;
  /** ISO 3166-1 alpha-2: where tax is due when an order has no address; unset, no tax then. */
  shopCountry: string | undefined;
  /** Whether catalogue and shipping prices already contain tax. */
  pricesIncludeTax: boolean;
  /** A guest cart lives this long after its last change. */
  guestCartTtlSeconds: number;
  /** Guest carts one client address may create per hour. */
  guestCartsMaxPerAddress: number;
  /** Events (and their deliveries) are kept this long. */
  eventRetentionDays: number;
  /** `inline`: each API process delivers webhooks; `worker`: the API only records them and `npm run worker` delivers. */
  webhookDelivery: WebhookDelivery;
  /** Whether endpoint URLs may be plain http (otherwise https only). */
  webhookAllowHttp: boolean;
  /** Whether endpoints may be on loopback, private, link-local or other non-public addresses. */
  webhookAllowPrivateNetworks: boolean;
  /** An attempt that has not answered within this long has failed. */
  webhookTimeoutMs: number;
  /** Seconds before each retry after a failed attempt; past the last, the delivery has failed. */
  webhookRetryScheduleSeconds: number[];
  /** An endpoint none of whose attempts has succeeded for this long is disabled. */
  webhookDisableAfterSeconds: number;
  /** Deliveries one process has in flight at once, all endpoints together... */
  webhookMaxInFlight: number;
  /** ...and to one endpoint, so a slow one holds only its own share. */
  webhookMaxInFlightPerEndpoint: number;
  /** How often a worker looks for work committed by other processes (PostgreSQL also wakes it by NOTIFY). */
  webhookPollMs: number;
  /** Unset: no metrics; otherwise Prometheus metrics at /metrics on this port (a listener of its own). */
  metricsPort: number | undefined;
  /** Password reset requests per hour, per client address and per email. */
  passwordResetMaxPerHour: number;
  /** A password reset token works this long. */
  passwordResetTtlSeconds: number;
  /** The payment providers a buyer may choose (PAYMENT_PROVIDERS). */
  paymentProviders: PaymentProviderName[];
  /** Set when PAYMENT_PROVIDERS lists stripe. */
  stripe: StripeConfig | undefined;
  /** A pending order with nothing authorized or captured is cancelled after this long; 0: never. */
  orderPaymentTimeoutSeconds: number;
}

export type PaymentProviderName = 'manual' | 'stripe';

export interface StripeConfig {
  secretKey: string;
  webhookSecret: string;
  /** Where the official client sends its requests (STRIPE_API_URL: host, port and protocol). */
  apiUrl: URL;
  captureMethod: 'automatic' | 'manual';
  timeoutMs: number;
  maxNetworkRetries: number;
}

export type WebhookDelivery = 'inline' | 'worker';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

const DATA_DIR = './data';
const MIN_SECRET_BYTES = 32;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Reads `.env` (when present) into the process environment, then validates it.
 * The only place in the code base that touches process.env.
 */
export function loadConfigFromProcess(): Config {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return parseConfig(process.env);
}

export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const problems: string[] = [];
  const nodeEnv = env.NODE_ENV ?? 'development';

  const config: Config = {
    nodeEnv,
    port: readInteger(env, 'PORT', 3000, 0, 65535, problems),
    host: env.HOST || '127.0.0.1',
    databaseUrl: readDatabaseUrl(env, problems),
    databasePoolSize: readInteger(env, 'DATABASE_POOL_SIZE', 10, 1, 1000, problems),
    databaseStatementTimeoutMs: readInteger(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 10_000, 1, 3_600_000, problems),
    jwtSecret: '',
    jwtExpiresInSeconds: readDuration(env, 'JWT_EXPIRES_IN', 3600, problems),
    adminUsername: env.ADMIN_USERNAME || 'admin',
    adminPassword: env.ADMIN_PASSWORD || undefined,
    logLevel: readLogLevel(env, problems),
    trustProxy: readTrustProxy(env, problems),
    loginMaxFailures: readInteger(env, 'LOGIN_MAX_FAILURES', 5, 1, 1_000_000, problems),
    loginMaxFailuresPerAddress: readInteger(env, 'LOGIN_MAX_FAILURES_PER_ADDRESS', 50, 1, 1_000_000, problems),
    loginMaxFailuresPerUsername: readInteger(env, 'LOGIN_MAX_FAILURES_PER_USERNAME', 100, 1, 1_000_000, problems),
    loginWindowSeconds: readInteger(env, 'LOGIN_WINDOW_S', 900, 1, 86_400 * 30, problems),
    registerMaxPerAddress: readInteger(env, 'REGISTER_MAX_PER_ADDRESS', 20, 1, 1_000_000, problems),
    identityChecksMaxPerHour: readInteger(env, 'IDENTITY_CHECKS_MAX_PER_HOUR', 20, 1, 1_000_000, problems),
    maxPendingOrdersPerCustomer: readInteger(env, 'MAX_PENDING_ORDERS_PER_CUSTOMER', 20, 1, 1_000_000, problems),
    headersTimeoutMs: readInteger(env, 'HEADERS_TIMEOUT_MS', 10_000, 100, 600_000, problems),
    requestTimeoutMs: readInteger(env, 'REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000, problems),
    idleTimeoutMs: readInteger(env, 'IDLE_TIMEOUT_MS', 75_000, 100, 3_600_000, problems),
    maxConnectionsPerAddress: readInteger(env, 'MAX_CONNECTIONS_PER_ADDRESS', 256, 1, 1_000_000, problems),
    maxPasswordChecksPerClient: readInteger(env, 'MAX_PASSWORD_CHECKS_PER_CLIENT', 4, 1, 1_000_000, problems),
    redisUrl: readRedisUrl(env, problems),
    redisKeyPrefix: env.REDIS_KEY_PREFIX || 'ecommerce-api:',
    corsOrigins: readCorsOrigins(env, problems),
    shopCurrency: readCurrency(env, problems),
    shopCountry: readCountry(env, problems),
    pricesIncludeTax: readBoolean(env, 'PRICES_INCLUDE_TAX', false, problems),
    guestCartTtlSeconds: readInteger(env, 'GUEST_CART_TTL_S', 30 * 86_400, 60, 365 * 86_400, problems),
    guestCartsMaxPerAddress: readInteger(env, 'GUEST_CARTS_MAX_PER_ADDRESS', 100, 1, 1_000_000, problems),
    eventRetentionDays: readInteger(env, 'EVENT_RETENTION_DAYS', 30, 1, 3650, problems),
    webhookDelivery: readWebhookDelivery(env, problems),
    webhookAllowHttp: readBoolean(env, 'WEBHOOK_ALLOW_HTTP', false, problems),
    webhookAllowPrivateNetworks: readBoolean(env, 'WEBHOOK_ALLOW_PRIVATE_NETWORKS', false, problems),
    webhookTimeoutMs: readInteger(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 1, 300_000, problems),
    webhookRetryScheduleSeconds: readRetrySchedule(env, problems),
    webhookDisableAfterSeconds: readInteger(env, 'WEBHOOK_DISABLE_AFTER_S', 5 * 86_400, 1, 365 * 86_400, problems),
    webhookMaxInFlight: readInteger(env, 'WEBHOOK_MAX_IN_FLIGHT', 32, 1, 10_000, problems),
    webhookMaxInFlightPerEndpoint: readInteger(env, 'WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT', 4, 1, 10_000, problems),
    webhookPollMs: readInteger(env, 'WEBHOOK_POLL_MS', 250, 10, 600_000, problems),
    metricsPort: env.METRICS_PORT ? readInteger(env, 'METRICS_PORT', 0, 0, 65535, problems) : undefined,
    passwordResetMaxPerHour: readInteger(env, 'PASSWORD_RESET_MAX_PER_HOUR', 5, 1, 1_000_000, problems),
    passwordResetTtlSeconds: readInteger(env, 'PASSWORD_RESET_TTL_S', 3600, 60, 7 * 86_400, problems),
    paymentProviders: readPaymentProviders(env, problems),
    stripe: undefined,
    orderPaymentTimeoutSeconds: readInteger(env, 'ORDER_PAYMENT_TIMEOUT_S', 3600, 0, 365 * 86_400, problems),
  };
  if (config.paymentProviders.includes('stripe')) config.stripe = readStripe(env, problems);

  if (!/^[A-Za-z0-9._-]{3,50}$/.test(config.adminUsername)) {
    problems.push('ADMIN_USERNAME must be 3 to 50 letters, digits, ".", "_" or "-"');
  }
  if (config.adminPassword !== undefined && (config.adminPassword.length < 8 || config.adminPassword.length > 128)) {
    problems.push('ADMIN_PASSWORD must be 8 to 128 characters');
  }

  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    problems.push('HEADERS_TIMEOUT_MS must not be greater than REQUEST_TIMEOUT_MS (the headers are part of the request)');
  }

  // A short secret can be found from one token by brute force, so it is refused in every mode.
  const secret = env.JWT_SECRET || undefined;
  if (secret !== undefined && Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    problems.push(`JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes (it has ${Buffer.byteLength(secret)}); try: openssl rand -base64 48`);
  } else if (secret === undefined && nodeEnv === 'production') {
    problems.push(`JWT_SECRET must be set (at least ${MIN_SECRET_BYTES} bytes) when NODE_ENV=production; try: openssl rand -base64 48`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  config.jwtSecret = secret || persistedDevelopmentSecret();
  return config;
}

/** Outside production a missing secret is generated once and kept, so tokens survive a restart. */
function persistedDevelopmentSecret(): string {
  const file = join(DATA_DIR, 'jwt-secret');
  mkdirSync(DATA_DIR, { recursive: true, mode: 0o700 });
  try {
    // Exclusive create: of two processes starting at once, one writes and both read its secret.
    writeFileSync(file, randomBytes(48).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readFileSync(file, 'utf8').trim();
}

function readDatabaseUrl(env: NodeJS.ProcessEnv, problems: string[]): string {
  const url = env.DATABASE_URL || `sqlite:${DATA_DIR}/shop.db`;
  const valid = /^sqlite:.+/.test(url) || /^postgres(ql)?:\/\/.+/.test(url);
  if (!valid) problems.push('DATABASE_URL must be sqlite:<path>, sqlite::memory: or postgres://user@host:port/database');
  return url;
}

function readRedisUrl(env: NodeJS.ProcessEnv, problems: string[]): string | undefined {
  const url = env.REDIS_URL || undefined;
  if (url !== undefined && !/^rediss?:\/\/.+/.test(url)) problems.push('REDIS_URL must be redis://host:port or rediss://host:port');
  return url;
}

/** A comma-separated list of exact origins, like https://shop.example; "*" is refused on purpose. */
function readCorsOrigins(env: NodeJS.ProcessEnv, problems: string[]): string[] {
  const origins = (env.CORS_ORIGINS ?? '').split(',').map((origin) => origin.trim()).filter(Boolean);
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      problems.push(`CORS_ORIGINS must list origins like https://shop.example (scheme and host, no path), got "${origin}"`);
    }
  }
  return origins;
}

function readCurrency(env: NodeJS.ProcessEnv, problems: string[]): string {
  const code = env.SHOP_CURRENCY || 'USD';
  const currency = /^[A-Z]{3}$/.test(code) ? currencyCodes.code(code) : undefined;
  if (currency === undefined) {
    problems.push(`SHOP_CURRENCY must be an ISO 4217 currency code in capitals, like USD or EUR, got "${code}"`);
  } else if (currency.digits !== 2) {
    // Amounts are kept and answered in hundredths, so any other minor unit would charge wrong sums.
    problems.push(`SHOP_CURRENCY ${code} does not have two minor digits; this shop keeps amounts in hundredths, so it supports only currencies like USD or EUR`);
  }
  return code;
}

function readCountry(env: NodeJS.ProcessEnv, problems: string[]): string | undefined {
  const code = env.SHOP_COUNTRY || undefined;
  if (code !== undefined && !isCountryCode(code)) {
    problems.push(`SHOP_COUNTRY must be an assigned ISO 3166-1 alpha-2 code in capitals, like DE or US, got "${code}"`);
  }
  return code;
}

function readBoolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean, problems: string[]): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  problems.push(`${name} must be true or false, got "${raw}"`);
  return fallback;
}

function readInteger(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    return fallback;
  }
  return value;
}

/** The names proxy-addr (Fastify's trustProxy) knows for whole ranges. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY: unset or false; a number of proxy hops (1 for one proxy in front); or a
 * comma-separated list of proxy addresses, networks (10.0.0.0/8) and range names. `true`
 * is refused: it would believe the left-most X-Forwarded-For entry, which the client writes.
 */
function readTrustProxy(env: NodeJS.ProcessEnv, problems: string[]): TrustProxy {
  const raw = (env.TRUST_PROXY ?? '').trim();
  if (raw === '' || raw === 'false' || raw === '0') return false;
  if (/^\d+$/.test(raw) && Number(raw) <= 10) return Number(raw);
  const entries = raw.split(',').map((entry) => entry.trim());
  const bad = entries.find((entry) => !PROXY_RANGES.includes(entry) && !isAddressOrNetwork(entry));
  if (raw === 'true' || bad !== undefined) {
    problems.push(
      `TRUST_PROXY must be the number of proxies in front of the API (1 to 10) or their addresses (e.g. 10.0.0.1,10.1.0.0/16,loopback), got "${raw}"`,
    );
    return false;
  }
  return entries;
}

function isAddressOrNetwork(entry: string): boolean {
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "3600", "90s", "15m", "1h", "7d" → seconds. */
function readDuration(env: NodeJS.ProcessEnv, name: string, fallback: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const match = /^(\d+)([smhd]?)$/.exec(raw);
  const seconds = match ? Number(match[1]) * (DURATION_UNITS[match[2] || 's'] ?? 1) : 0;
  if (!match || seconds < 1) {
    problems.push(`${name} must be a positive duration like 3600, 15m, 1h or 7d, got "${raw}"`);
    return fallback;
  }
  return seconds;
}

function readWebhookDelivery(env: NodeJS.ProcessEnv, problems: string[]): WebhookDelivery {
  const mode = env.WEBHOOK_DELIVERY || 'inline';
  if (mode !== 'inline' && mode !== 'worker') {
    problems.push(`WEBHOOK_DELIVERY must be inline (the API process delivers) or worker (npm run worker delivers), got "${mode}"`);
    return 'inline';
  }
  return mode;
}

const DEFAULT_RETRY_SCHEDULE_S = [5, 300, 1800, 7200, 18_000, 36_000, 36_000];

/** WEBHOOK_RETRY_SCHEDULE_S: comma-separated seconds (decimals allowed), at most 20 retries of at most a day each. */
function readRetrySchedule(env: NodeJS.ProcessEnv, problems: string[]): number[] {
  const raw = (env.WEBHOOK_RETRY_SCHEDULE_S ?? '').trim();
  if (raw === '') return DEFAULT_RETRY_SCHEDULE_S;
  const delays = raw.split(',').map((entry) => entry.trim());
  const valid = delays.length <= 20 && delays.every((entry) => /^\d+(\.\d{1,3})?$/.test(entry) && Number(entry) <= 86_400);
  if (!valid) {
    problems.push(`WEBHOOK_RETRY_SCHEDULE_S must be up to 20 comma-separated delays in seconds (each at most 86400), like 5,300,1800, got "${raw}"`);
    return DEFAULT_RETRY_SCHEDULE_S;
  }
  return delays.map(Number);
}

const PAYMENT_PROVIDERS: readonly PaymentProviderName[] = ['manual', 'stripe'];

/** PAYMENT_PROVIDERS: a comma-separated list of manual and stripe (default manual). */
function readPaymentProviders(env: NodeJS.ProcessEnv, problems: string[]): PaymentProviderName[] {
  const names = (env.PAYMENT_PROVIDERS || 'manual').split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !PAYMENT_PROVIDERS.includes(name as PaymentProviderName));
  if (unknown.length > 0 || names.length === 0) {
    problems.push(`PAYMENT_PROVIDERS must list manual and/or stripe, comma-separated, got "${env.PAYMENT_PROVIDERS}"`);
    return ['manual'];
  }
  return [...new Set(names as PaymentProviderName[])];
}

/** The STRIPE_* settings, required when Stripe is enabled. The key is never written into a problem. */
function readStripe(env: NodeJS.ProcessEnv, problems: string[]): StripeConfig {
  const secretKey = env.STRIPE_SECRET_KEY || '';
  const webhookSecret = env.STRIPE_WEBHOOK_SECRET || '';
  if (!/^(sk|rk)_(test|live)_\S+$/.test(secretKey)) problems.push('STRIPE_SECRET_KEY must be set to a Stripe secret key (sk_live_..., sk_test_... or rk_...) when PAYMENT_PROVIDERS lists stripe');
  if (!/^whsec_\S+$/.test(webhookSecret)) problems.push("STRIPE_WEBHOOK_SECRET must be set to the webhook endpoint's signing secret (whsec_...) when PAYMENT_PROVIDERS lists stripe");
  const rawUrl = env.STRIPE_API_URL || 'https://api.stripe.com';
  let apiUrl = new URL('https://api.stripe.com');
  if (URL.canParse(rawUrl) && /^https?:$/.test(new URL(rawUrl).protocol)) apiUrl = new URL(rawUrl);
  else problems.push(`STRIPE_API_URL must be an http(s) URL like https://api.stripe.com, got "${rawUrl}"`);
  const captureMethod = env.STRIPE_CAPTURE_METHOD || 'automatic';
  if (captureMethod !== 'automatic' && captureMethod !== 'manual') {
    problems.push(`STRIPE_CAPTURE_METHOD must be automatic or manual, got "${captureMethod}"`);
  }
  return {
    secretKey,
    webhookSecret,
    apiUrl,
    captureMethod: captureMethod === 'manual' ? 'manual' : 'automatic',
    timeoutMs: readInteger(env, 'STRIPE_TIMEOUT_MS', 10_000, 100, 120_000, problems),
    maxNetworkRetries: readInteger(env, 'STRIPE_MAX_NETWORK_RETRIES', 2, 0, 10, problems),
  };
}

function readLogLevel(env: NodeJS.ProcessEnv, problems: string[]): string {
  const level = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(level)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

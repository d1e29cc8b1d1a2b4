import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config.js';

const secret = 'a-secret-that-is-long-enough-for-production-use';

test('when nothing is set, then the contract defaults apply', () => {
  const config = parseConfig({ JWT_SECRET: secret });
  assert.equal(config.port, 3000);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.databaseUrl, 'sqlite:./data/shop.db');
  assert.equal(config.jwtExpiresInSeconds, 3600);
  assert.equal(config.adminUsername, 'admin');
  assert.equal(config.adminPassword, undefined);
  assert.equal(config.loginMaxFailures, 5);
  assert.equal(config.loginMaxFailuresPerAddress, 50);
  assert.equal(config.loginWindowSeconds, 900);
  assert.equal(config.registerMaxPerAddress, 20);
  assert.equal(config.databasePoolSize, 10);
  assert.equal(config.loginMaxFailuresPerUsername, 100);
  assert.equal(config.maxPendingOrdersPerCustomer, 20);
  assert.equal(config.trustProxy, false);
  assert.equal(config.headersTimeoutMs, 10_000);
  assert.equal(config.requestTimeoutMs, 30_000);
});

test('when durations and numbers are given, then they are parsed', () => {
  const config = parseConfig({ JWT_SECRET: secret, JWT_EXPIRES_IN: '15m', PORT: '8080', DATABASE_URL: 'postgres://u@h:5432/d' });
  assert.equal(config.jwtExpiresInSeconds, 900);
  assert.equal(config.port, 8080);
  assert.equal(parseConfig({ JWT_SECRET: secret, JWT_EXPIRES_IN: '7200' }).jwtExpiresInSeconds, 7200);
  assert.equal(parseConfig({ JWT_SECRET: secret, JWT_EXPIRES_IN: '7d' }).jwtExpiresInSeconds, 604_800);
});

test('when values are bad, then the start stops with every problem named', () => {
  const bad = {
    JWT_SECRET: secret,
    PORT: 'eighty',
    JWT_EXPIRES_IN: '1 hour',
    DATABASE_URL: 'mysql://x',
    LOG_LEVEL: 'loud',
    LOGIN_MAX_FAILURES: '0',
    ADMIN_PASSWORD: 'short',
    TRUST_PROXY: 'maybe',
  };
  assert.throws(
    () => parseConfig(bad),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      for (const name of ['PORT', 'JWT_EXPIRES_IN', 'DATABASE_URL', 'LOG_LEVEL', 'LOGIN_MAX_FAILURES', 'ADMIN_PASSWORD', 'TRUST_PROXY']) {
        assert.ok(error.problems.some((problem) => problem.startsWith(name)), `names ${name}`);
      }
      return true;
    },
  );
});

test('when NODE_ENV is production, then a missing or short JWT_SECRET stops the start', () => {
  assert.throws(() => parseConfig({ NODE_ENV: 'production' }), /JWT_SECRET must be set \(at least 32 bytes\) when NODE_ENV=production/);
  assert.throws(() => parseConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(31) }), /JWT_SECRET must be at least 32 bytes \(it has 31\)/);
  assert.equal(parseConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).jwtSecret, 'x'.repeat(32));
});

test('when a JWT_SECRET under 32 bytes is set in any mode, then the start stops with a clear message, and 32 bytes start', () => {
  for (const NODE_ENV of [undefined, 'development', 'test']) {
    for (const JWT_SECRET of ['changeme', 'x'.repeat(31), 'é'.repeat(15)]) {
      assert.throws(() => parseConfig({ NODE_ENV, JWT_SECRET }), /JWT_SECRET must be at least 32 bytes/, `${NODE_ENV}: ${JWT_SECRET}`);
    }
    assert.equal(parseConfig({ NODE_ENV, JWT_SECRET: 'é'.repeat(16) }).jwtSecret, 'é'.repeat(16), 'bytes, not characters, are counted');
  }
});

test('when TRUST_PROXY is set, then it takes a hop count or proxy addresses, and refuses true (which would believe the client)', () => {
  const trust = (TRUST_PROXY: string) => parseConfig({ JWT_SECRET: secret, TRUST_PROXY }).trustProxy;
  assert.equal(trust('false'), false);
  assert.equal(trust('1'), 1);
  assert.equal(trust('2'), 2);
  assert.deepEqual(trust('10.0.0.1, 10.1.0.0/16,loopback,::1,fd00::/8'), ['10.0.0.1', '10.1.0.0/16', 'loopback', '::1', 'fd00::/8']);
  for (const bad of ['true', 'yes', '10.0.0.0/33', '300.1.1.1', 'proxy.example', '11']) {
    assert.throws(() => trust(bad), /TRUST_PROXY must be the number of proxies in front of the API \(1 to 10\) or their addresses/, bad);
  }
});

test('when the shop settings are left out, then it sells in USD, prices exclude tax, and guest carts live 30 days', () => {
  const config = parseConfig({ JWT_SECRET: secret });
  assert.equal(config.shopCurrency, 'USD');
  assert.equal(config.shopCountry, undefined);
  assert.equal(config.pricesIncludeTax, false);
  assert.equal(config.guestCartTtlSeconds, 30 * 86_400);
  assert.equal(config.guestCartsMaxPerAddress, 100);
});

test('when the shop settings are given, then they are read; a currency without two minor digits or a bad country stops the start', () => {
  const config = parseConfig({ JWT_SECRET: secret, SHOP_CURRENCY: 'EUR', SHOP_COUNTRY: 'DE', PRICES_INCLUDE_TAX: 'true', GUEST_CART_TTL_S: '3600' });
  assert.deepEqual([config.shopCurrency, config.shopCountry, config.pricesIncludeTax, config.guestCartTtlSeconds], ['EUR', 'DE', true, 3600]);
  assert.equal(parseConfig({ JWT_SECRET: secret, SHOP_CURRENCY: 'HUF' }).shopCurrency, 'HUF', 'ISO 4217 gives the forint two digits');

  for (const [name, value, says] of [
    ['SHOP_CURRENCY', 'JPY', /JPY does not have two minor digits/],
    ['SHOP_CURRENCY', 'KWD', /KWD does not have two minor digits/],
    ['SHOP_CURRENCY', 'usd', /ISO 4217/],
    ['SHOP_CURRENCY', 'XYZ', /ISO 4217/],
    ['SHOP_COUNTRY', 'ZZ', /ISO 3166-1/],
    ['SHOP_COUNTRY', 'de', /ISO 3166-1/],
    ['PRICES_INCLUDE_TAX', 'yes', /true or false/],
    ['GUEST_CART_TTL_S', '0', /GUEST_CART_TTL_S/],
    ['GUEST_CARTS_MAX_PER_ADDRESS', '-1', /GUEST_CARTS_MAX_PER_ADDRESS/],
  ] as const) {
    assert.throws(() => parseConfig({ JWT_SECRET: secret, [name]: value }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, says, `${name}=${value}`);
      return true;
    });
  }
});

test('when METRICS_PORT is unset, then metrics are off; set, then it is the port (0 for any free one); anything else stops the start', () => {
  assert.equal(parseConfig({ JWT_SECRET: secret }).metricsPort, undefined);
  assert.equal(parseConfig({ JWT_SECRET: secret, METRICS_PORT: '' }).metricsPort, undefined);
  assert.equal(parseConfig({ JWT_SECRET: secret, METRICS_PORT: '9464' }).metricsPort, 9464);
  assert.equal(parseConfig({ JWT_SECRET: secret, METRICS_PORT: '0' }).metricsPort, 0);
  for (const value of ['metrics', '65536', '-1', '9464.5']) {
    assert.throws(() => parseConfig({ JWT_SECRET: secret, METRICS_PORT: value }), /METRICS_PORT must be an integer from 0 to 65535/, value);
  }
});

test('when PAYMENT_PROVIDERS lists stripe, then its key and signing secret are required, the API URL and capture method are checked, and the key is never quoted', () => {
  const base = { DATABASE_URL: 'sqlite::memory:', JWT_SECRET: 'x'.repeat(40) };
  assert.deepEqual(parseConfig(base).paymentProviders, ['manual']);
  assert.equal(parseConfig(base).stripe, undefined);
  assert.equal(parseConfig(base).orderPaymentTimeoutSeconds, 3600);

  const error = (() => {
    try {
      parseConfig({ ...base, PAYMENT_PROVIDERS: 'stripe', STRIPE_SECRET_KEY: 'not-a-key-secret-123', STRIPE_API_URL: 'ftp://x', STRIPE_CAPTURE_METHOD: 'later' });
    } catch (caught) {
      return caught as ConfigError;
    }
    throw new Error('a bad Stripe configuration started');
  })();
  assert.ok(error instanceof ConfigError);
  assert.equal(error.problems.length, 4, error.message);
  assert.doesNotMatch(error.message, /not-a-key-secret-123/);
  assert.throws(() => parseConfig({ ...base, PAYMENT_PROVIDERS: 'manual,paypal' }), ConfigError);
  assert.throws(() => parseConfig({ ...base, ORDER_PAYMENT_TIMEOUT_S: '-1' }), ConfigError);

  const stripe = parseConfig({
    ...base,
    PAYMENT_PROVIDERS: 'manual,stripe',
    STRIPE_SECRET_KEY: 'sk_test_abc',
    STRIPE_WEBHOOK_SECRET: 'whsec_abc',
    STRIPE_API_URL: 'http://127.0.0.1:12111',
    STRIPE_CAPTURE_METHOD: 'manual',
    ORDER_PAYMENT_TIMEOUT_S: '0',
  });
  assert.deepEqual(stripe.paymentProviders, ['manual', 'stripe']);
  assert.deepEqual([stripe.stripe?.apiUrl.hostname, stripe.stripe?.apiUrl.port, stripe.stripe?.captureMethod], ['127.0.0.1', '12111', 'manual']);
  assert.equal(stripe.orderPaymentTimeoutSeconds, 0);
});

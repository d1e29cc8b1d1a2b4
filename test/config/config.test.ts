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
  for (const JWT_SECRET of [undefined, 'x'.repeat(31)]) {
    assert.throws(() => parseConfig({ NODE_ENV: 'production', JWT_SECRET }), /JWT_SECRET must be set to at least 32 bytes/);
  }
  assert.equal(parseConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).jwtSecret, 'x'.repeat(32));
});

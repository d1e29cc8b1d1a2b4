import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { RESET_ANSWER_FLOOR_MS, presentPasswordResetEvent } from '../../src/modules/auth/password-reset.service.js';
import { ADMIN, TEST_SECRET, adminToken, buildTestApp, call, registerCustomer } from '../helpers/app.js';
import { assertProblem } from '../helpers/problem.js';
import { assertPublicCustomer, assertThrottled, assertTokenRefused, attemptLogin, postFrom } from './helpers.js';

const RESET_EVENT = 'customer.password_reset_requested';
const HOUR_S = 3600;
const NEW_PASSWORD = 'a brand new password';

/** The reset events in the database, oldest first, with their data as stored (never as a consumer sees it). */
async function storedResetEvents(app: FastifyInstance): Promise<{ id: string; data: string; parsed: Record<string, unknown> }[]> {
  const rows = await app.db.selectFrom('events').select(['id', 'data']).where('type', '=', RESET_EVENT).orderBy('seq').execute();
  return rows.map((row) => ({ ...row, parsed: JSON.parse(row.data) as Record<string, unknown> }));
}

async function resetTokenRows(app: FastifyInstance) {
  return app.db.selectFrom('password_reset_tokens').selectAll().orderBy('expires_at').execute();
}

function requestReset(app: FastifyInstance, email: string) {
  return call(app, 'POST', '/customers/password-reset', { body: { email } });
}

function confirmReset(app: FastifyInstance, token: string, password = NEW_PASSWORD) {
  return call(app, 'POST', '/customers/password-reset/confirm', { body: { token, password } });
}

/** Asks for a reset for `email` and returns the token the mailer receives with the newest event, as it receives it. */
async function mailedToken(app: FastifyInstance, email: string): Promise<string> {
  const response = await requestReset(app, email);
  assert.equal(response.status, 202);
  const latest = (await storedResetEvents(app)).at(-1);
  assert.ok(latest, 'no reset event was recorded');
  const { token } = presentPasswordResetEvent(latest.parsed, TEST_SECRET);
  assert.equal(typeof token, 'string');
  return token as string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The one answer of every unusable token: 400, the same detail and errors. */
function assertUnusableToken(response: Awaited<ReturnType<typeof confirmReset>>, what: string) {
  assertProblem(response, 400, { code: 'VALIDATION_FAILED', what });
  assert.deepEqual(response.body.errors, [{ path: '/body/token', message: 'is not a usable reset token: it is unknown, already used or expired' }], what);
  return { detail: response.body.detail, errors: response.body.errors };
}

test('when a live customer asks for a reset, then 202, one event with the customer as the API shows it, and the mailer gets a token for it', async (t) => {
  const app = await buildTestApp(t);
  const { customer, token: bearer } = await registerCustomer(app);
  const before = Date.now();

  const response = await requestReset(app, customer.email);

  assert.equal(response.status, 202);
  assert.deepEqual(Object.keys(response.body), ['message']);
  const events = await storedResetEvents(app);
  assert.equal(events.length, 1);
  const stored = events[0]!.parsed;
  assert.deepEqual(Object.keys(stored).sort(), ['customer', 'expires_at', 'reset_nonce']);
  assertPublicCustomer(stored.customer);
  assert.deepEqual(stored.customer, (await call(app, 'GET', `/customers/${customer.id}`, { token: bearer })).body);
  const expiresIn = Date.parse(String(stored.expires_at)) - before;
  assert.ok(expiresIn >= HOUR_S * 1000 - 1000 && expiresIn <= HOUR_S * 1000 + 5000, `expires in ${expiresIn} ms`);

  const presented = presentPasswordResetEvent(stored, TEST_SECRET);
  assert.deepEqual(Object.keys(presented), ['customer', 'token', 'expires_at']);
  assert.deepEqual(presented.customer, stored.customer);
  assert.equal(presented.expires_at, stored.expires_at);
  const token = String(presented.token);
  assert.match(token, /^[A-Za-z0-9_-]{43}$/, '256 bits, base64url');
  assert.equal(presentPasswordResetEvent(stored, TEST_SECRET).token, token, 'the same data always gives the same token');
  assert.notEqual(presentPasswordResetEvent(stored, 'another-secret-that-is-32-bytes-long!!').token, token, 'the token depends on the secret');
  assert.doesNotMatch(JSON.stringify(response.body), new RegExp(token), 'the answer never carries the token');
});

test('when a reset is asked for, then neither the event nor the token table holds the token in plaintext', async (t) => {
  const app = await buildTestApp(t);
  const { customer } = await registerCustomer(app);

  const token = await mailedToken(app, customer.email);

  const events = await app.db.selectFrom('events').selectAll().execute();
  for (const event of events) assert.ok(!JSON.stringify(event).includes(token), `event ${event.type} holds the token`);
  const rows = await resetTokenRows(app);
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0], { token_hash: sha256(token), customer_id: customer.id, expires_at: rows[0]!.expires_at, used_at: null });
  assert.ok(!JSON.stringify(rows).includes(token), 'the token table holds the token');
});

test('when the email is unknown or belongs to a deleted customer, then the same 202 as for a live one, and no event or token', async (t) => {
  const app = await buildTestApp(t);
  const live = await registerCustomer(app);
  const gone = await registerCustomer(app);
  assert.equal((await call(app, 'DELETE', `/customers/${gone.customer.id}`, { token: gone.token })).status, 200);

  const known = await requestReset(app, live.customer.email);
  const unknown = await requestReset(app, 'nobody-at-all@example.com');
  const deleted = await requestReset(app, gone.customer.email);

  for (const response of [known, unknown, deleted]) assert.equal(response.status, 202);
  assert.deepEqual(unknown.body, known.body);
  assert.deepEqual(deleted.body, known.body);
  assert.deepEqual(unknown.headers['content-type'], known.headers['content-type']);
  const events = await storedResetEvents(app);
  assert.equal(events.length, 1, 'one event, for the live customer only');
  assert.equal((events[0]!.parsed.customer as { id: number }).id, live.customer.id);
  assert.equal((await resetTokenRows(app)).length, 1);
});

test('when the email differs from the stored one only in case, then it names the same customer', async (t) => {
  const app = await buildTestApp(t);
  const { customer } = await registerCustomer(app, { email: 'Mixed.Case@Example.com', username: 'mixed-case' });

  assert.equal((await requestReset(app, 'MIXED.case@example.COM')).status, 202);

  const events = await storedResetEvents(app);
  assert.equal(events.length, 1);
  assert.equal((events[0]!.parsed.customer as { id: number }).id, customer.id);
});

test('when known and unknown emails are asked for many times, then the answers take the same time', async (t) => {
  const app = await buildTestApp(t, { passwordResetMaxPerHour: 1000 });
  const { customer } = await registerCustomer(app);
  const timed = async (email: string) => {
    const started = performance.now();
    assert.equal((await requestReset(app, email)).status, 202);
    return performance.now() - started;
  };
  await timed('warm-up@example.com');
  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < 12; i += 1) {
    known.push(await timed(customer.email));
    unknown.push(await timed(`nobody-${i}@example.com`));
  }
  // Only a known email's request commits a write (a few ms, on PostgreSQL a WAL flush); both
  // are answered after the same floor. The fastest quarter says what each path costs; the
  // rest is what else the machine was doing.
  const fast = (times: number[]) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 4)]!;
  const what = `fastest quarter ${fast(known).toFixed(2)} ms (known) vs ${fast(unknown).toFixed(2)} ms (unknown)`;
  assert.ok(Math.abs(fast(known) - fast(unknown)) < 10, what);
  assert.ok(fast(known) >= RESET_ANSWER_FLOOR_MS - 1 && fast(unknown) >= RESET_ANSWER_FLOOR_MS - 1, what);
});

test('when the transaction recording the reset fails, then neither the token nor the event is kept', async (t) => {
  const app = await buildTestApp(t);
  const { customer } = await registerCustomer(app);
  // The token's row is written first, then the event's insert fails: the first must go with it.
  await sql`alter table events rename to events_away`.execute(app.db);
  let response;
  try {
    response = await app.inject({ method: 'POST', url: '/customers/password-reset', payload: { email: customer.email } });
  } finally {
    await sql`alter table events_away rename to events`.execute(app.db);
  }

  assert.ok(response.statusCode >= 500, `answered ${response.statusCode}`);
  assert.doesNotMatch(response.body, /events|select|insert/i);
  assert.equal((await storedResetEvents(app)).length, 0);
  assert.equal((await resetTokenRows(app)).length, 0);
  // The failed request did not count: a retry is recorded as usual.
  assert.equal((await requestReset(app, customer.email)).status, 202);
  assert.equal((await storedResetEvents(app)).length, 1);
});

test('when a reset is confirmed, then the new password logs in, the old one and every token issued before do not', async (t) => {
  const app = await buildTestApp(t);
  const { customer, token: bearer, password: oldPassword } = await registerCustomer(app);
  const secondBearer = (await attemptLogin(app, customer.username, oldPassword)).body.auth_token;
  const token = await mailedToken(app, customer.email);

  const response = await confirmReset(app, token);

  assert.equal(response.status, 200);
  assert.deepEqual(Object.keys(response.body), ['message']);
  await assertTokenRefused(app, bearer, 'a token from before the reset');
  await assertTokenRefused(app, secondBearer, 'another token from before the reset');
  assert.equal((await attemptLogin(app, customer.username, oldPassword)).status, 401);
  const fresh = await attemptLogin(app, customer.username, NEW_PASSWORD);
  assert.equal(fresh.status, 200);
  assert.equal((await call(app, 'GET', '/customers/me', { token: fresh.body.auth_token })).body.id, customer.id);
  const [row] = await resetTokenRows(app);
  assert.ok(row?.used_at, 'the token is marked used');
});

test('when an admin resets its own password, then its new password logs in and its old token ends', async (t) => {
  const app = await buildTestApp(t);
  const bearer = await adminToken(app);
  const me = (await call(app, 'GET', '/customers/me', { token: bearer })).body;

  assert.equal((await confirmReset(app, await mailedToken(app, me.email))).status, 200);

  await assertTokenRefused(app, bearer);
  assert.equal((await attemptLogin(app, ADMIN.username, ADMIN.password)).status, 401);
  assert.equal((await attemptLogin(app, ADMIN.username, NEW_PASSWORD)).status, 200);
});

test('when a token is used twice, is expired, unknown or malformed, then each is 400 with the one same message', async (t) => {
  const app = await buildTestApp(t);
  const { customer } = await registerCustomer(app);
  const used = await mailedToken(app, customer.email);
  assert.equal((await confirmReset(app, used)).status, 200);
  const expired = await mailedToken(app, customer.email);
  await app.db.updateTable('password_reset_tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('token_hash', '=', sha256(expired)).execute();

  const answers = [
    assertUnusableToken(await confirmReset(app, used, 'yet another password'), 'used'),
    assertUnusableToken(await confirmReset(app, expired, 'yet another password'), 'expired'),
    assertUnusableToken(await confirmReset(app, 'A'.repeat(43), 'yet another password'), 'unknown'),
    assertUnusableToken(await confirmReset(app, 'not a token at all', 'yet another password'), 'malformed'),
    assertUnusableToken(await confirmReset(app, sha256(used), 'yet another password'), 'the stored hash itself'),
  ];

  for (const answer of answers) assert.deepEqual(answer, answers[0]);
  assert.equal((await attemptLogin(app, customer.username, NEW_PASSWORD)).status, 200, 'the password set by the first use stands');
});

test('when the reset window has passed (a short PASSWORD_RESET_TTL_S), then the token is refused', async (t) => {
  const app = await buildTestApp(t, { passwordResetTtlSeconds: 1 });
  const { customer, password } = await registerCustomer(app);
  const token = await mailedToken(app, customer.email);
  await new Promise((resolve) => setTimeout(resolve, 1100));

  assertUnusableToken(await confirmReset(app, token), 'expired by time');
  assert.equal((await attemptLogin(app, customer.username, password)).status, 200);
});

test('when a customer asked for several resets and confirms one, then the others no longer work', async (t) => {
  const app = await buildTestApp(t);
  const { customer } = await registerCustomer(app);
  const other = await registerCustomer(app);
  const first = await mailedToken(app, customer.email);
  const second = await mailedToken(app, customer.email);
  const someoneElses = await mailedToken(app, other.customer.email);

  assert.equal((await confirmReset(app, second)).status, 200);

  assertUnusableToken(await confirmReset(app, first, 'a third password'), 'an older token of the same customer');
  assert.equal((await confirmReset(app, someoneElses, 'their own new one')).status, 200, "another customer's token is untouched");
});

test("when a deleted customer's token is confirmed, then 400 with the same message, and nothing comes back to life", async (t) => {
  const app = await buildTestApp(t);
  const { customer, token: bearer, password } = await registerCustomer(app);
  const token = await mailedToken(app, customer.email);
  assert.equal((await call(app, 'DELETE', `/customers/${customer.id}`, { token: bearer })).status, 200);

  assertUnusableToken(await confirmReset(app, token), 'deleted customer');
  assert.equal((await attemptLogin(app, customer.username, NEW_PASSWORD)).status, 401);
  assert.equal((await attemptLogin(app, customer.username, password)).status, 401);
});

test('when two confirms of one token arrive at once, then exactly one is 200 and only its password logs in', async (t) => {
  const app = await buildTestApp(t);
  const { customer } = await registerCustomer(app);
  const token = await mailedToken(app, customer.email);

  const answers = await Promise.all([confirmReset(app, token, 'password number one'), confirmReset(app, token, 'password number two')]);

  assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 400]);
  const winner = answers[0]!.status === 200 ? 'password number one' : 'password number two';
  const loser = winner === 'password number one' ? 'password number two' : 'password number one';
  assertUnusableToken(answers.find((answer) => answer.status === 400)!, 'the second confirm');
  assert.equal((await attemptLogin(app, customer.username, winner)).status, 200);
  assert.equal((await attemptLogin(app, customer.username, loser)).status, 401);
});

test('when one address asks for more resets than passwordResetMaxPerHour, then 429 with Retry-After, and another address is not held', async (t) => {
  const app = await buildTestApp(t, { passwordResetMaxPerHour: 3 });
  const { customer } = await registerCustomer(app);
  for (let i = 0; i < 3; i += 1) assert.equal((await requestReset(app, `someone-${i}@example.com`)).status, 202);

  const blocked = await requestReset(app, customer.email);

  assertThrottled(blocked, HOUR_S);
  assert.equal(blocked.body.code, 'TOO_MANY_REQUESTS');
  assert.equal((await storedResetEvents(app)).length, 0, 'a refused request records nothing');
  assert.equal((await postFrom(app, '192.0.2.10', '/customers/password-reset', { email: customer.email })).status, 202);
  assert.equal((await storedResetEvents(app)).length, 1);
});

test('when one email is asked for more than passwordResetMaxPerHour times from many addresses, then 429 whatever its case, known or not', async (t) => {
  const app = await buildTestApp(t, { passwordResetMaxPerHour: 3 });
  const { customer } = await registerCustomer(app);
  const from = (i: number, email: string) => postFrom(app, `198.51.100.${i}`, '/customers/password-reset', { email });
  for (let i = 0; i < 3; i += 1) {
    assert.equal((await from(i, customer.email)).status, 202);
    assert.equal((await from(i + 10, 'nobody@example.com')).status, 202);
  }

  const known = await from(50, customer.email.toUpperCase());
  const unknown = await from(51, 'NOBODY@example.com');

  assertThrottled(known, HOUR_S);
  assertThrottled(unknown, HOUR_S);
  assert.deepEqual(unknown.body, known.body, 'a throttled email tells nothing about whether it exists');
  assert.equal((await storedResetEvents(app)).length, 3);
  assert.equal((await from(52, 'someone-else@example.com')).status, 202, 'another email from a new address is not held');
});

const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;

test('when resets for one email are spread over two apps sharing Redis, then the shared limit answers 429 on both', { skip: TEST_REDIS_URL ? false : 'set TEST_REDIS_URL to run the Redis tests' }, async (t) => {
  const shared = { redisUrl: TEST_REDIS_URL, redisKeyPrefix: `test-${randomUUID()}:`, passwordResetMaxPerHour: 2 };
  const [a, b] = [await buildTestApp(t, shared), await buildTestApp(t, shared)];
  const email = 'shared-victim@example.com';

  assert.equal((await postFrom(a, '198.51.100.1', '/customers/password-reset', { email })).status, 202);
  assert.equal((await postFrom(b, '198.51.100.2', '/customers/password-reset', { email })).status, 202);

  assertThrottled(await postFrom(a, '198.51.100.3', '/customers/password-reset', { email }), HOUR_S);
  assertThrottled(await postFrom(b, '198.51.100.4', '/customers/password-reset', { email }), HOUR_S);
});

test('when a reset body is malformed, then 400 with errors, nothing is recorded, and it does not count against the limits', async (t) => {
  const app = await buildTestApp(t, { passwordResetMaxPerHour: 1 });
  const { customer } = await registerCustomer(app);
  const bodies: unknown[] = [
    {},
    { email: customer.email, role_id: 1 },
    { email: 12345 },
    { email: [customer.email] },
    { email: null },
    { email: '' },
    { email: 'not-an-email' },
    { email: `a\u0000b@example.com` },
    { email: `${'a'.repeat(250)}@example.com` },
  ];
  for (const body of bodies) {
    const response = await call(app, 'POST', '/customers/password-reset', { body });
    assertProblem(response, 400, { code: 'VALIDATION_FAILED', what: JSON.stringify(body) });
    assert.ok(Array.isArray(response.body.errors) && response.body.errors.length > 0, JSON.stringify(body));
  }

  assert.equal((await storedResetEvents(app)).length, 0);
  assert.equal((await resetTokenRows(app)).length, 0);
  assert.equal((await requestReset(app, customer.email)).status, 202, 'the one request the limit allows still passes');
});

test('when a confirm body is malformed, then 400 with errors, and the token and the password are unchanged', async (t) => {
  const app = await buildTestApp(t);
  const { customer, token: bearer, password } = await registerCustomer(app);
  const token = await mailedToken(app, customer.email);
  const bodies: unknown[] = [
    {},
    { token },
    { password: NEW_PASSWORD },
    { token, password: NEW_PASSWORD, customer_id: customer.id },
    { token: 12345, password: NEW_PASSWORD },
    { token, password: 12345678 },
    { token: '', password: NEW_PASSWORD },
    { token, password: 'short' },
    { token, password: 'x'.repeat(129) },
    { token: 'x'.repeat(257), password: NEW_PASSWORD },
    { token, password: `new\u0000password` },
    { token: `${token}\u0000`, password: NEW_PASSWORD },
  ];
  for (const body of bodies) {
    const response = await call(app, 'POST', '/customers/password-reset/confirm', { body });
    assertProblem(response, 400, { code: 'VALIDATION_FAILED', what: JSON.stringify(body) });
    assert.ok(Array.isArray(response.body.errors) && response.body.errors.length > 0, JSON.stringify(body));
  }

  assert.equal((await call(app, 'GET', '/customers/me', { token: bearer })).status, 200, 'the old token still works');
  assert.equal((await attemptLogin(app, customer.username, password)).status, 200);
  assert.equal((await resetTokenRows(app))[0]?.used_at, null);
  assert.equal((await confirmReset(app, token)).status, 200, 'the token is still usable');
});

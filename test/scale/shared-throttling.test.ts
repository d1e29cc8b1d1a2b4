import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { type TestContext, test } from 'node:test';
import { createTestDatabase } from '../helpers/database.js';
import { type ServerProcess, startServerProcess } from '../helpers/process.js';

// Failed-login and registration counters must hold across API processes: with REDIS_URL
// set they live in Redis. Without Redis (or with Redis gone) each process keeps serving
// and counts on its own. Needs TEST_REDIS_URL (CI sets it to this machine's Redis).

const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;
const skip = TEST_REDIS_URL ? false : 'set TEST_REDIS_URL to run the Redis tests';
const CLOSED_PORT_REDIS = 'redis://127.0.0.1:1';

async function servers(t: TestContext, count: number, env: Record<string, string>) {
  const database = await createTestDatabase({ shared: true });
  const started: ServerProcess[] = [];
  t.after(async () => {
    for (const server of started) assert.equal(await server.stop(), 0, 'a server did not exit cleanly on SIGTERM');
    await database.drop();
  });
  // One after the other: the first migrates and creates the admin.
  for (let i = 0; i < count; i += 1) started.push(await startServerProcess(database.url, env));
  return started;
}

async function post(base: string, path: string, body: unknown) {
  const response = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as any };
}

const wrongLogin = (username: string) => ({ username, password: 'not-the-password' });

test('when failed logins for one username are spread over two processes sharing Redis, then the fifth failure across both closes it on both', { skip }, async (t) => {
  const [a, b] = await servers(t, 2, {
    REDIS_URL: TEST_REDIS_URL!,
    REDIS_KEY_PREFIX: `test-${randomUUID()}:`,
    LOGIN_MAX_FAILURES: '5',
    LOGIN_MAX_FAILURES_PER_ADDRESS: '1000',
  });
  const bases = [a!.base, b!.base];

  const failures = [];
  for (let i = 0; i < 5; i += 1) failures.push(await post(bases[i % 2]!, '/customers/login', wrongLogin('victim')));
  assert.deepEqual(failures.map((r) => r.status), [401, 401, 401, 401, 401], 'neither process alone saw five failures');

  for (const base of bases) {
    const blocked = await post(base, '/customers/login', wrongLogin('victim'));
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.retryAfter) > 0, 'Retry-After says when to come back');
  }
  const otherUser = await post(bases[1]!, '/customers/login', wrongLogin('someone-else'));
  assert.equal(otherUser.status, 401, 'another username is not blocked');
});

test('when registrations from one address are spread over two processes sharing Redis, then the shared limit answers 429 on both', { skip }, async (t) => {
  const [a, b] = await servers(t, 2, {
    REDIS_URL: TEST_REDIS_URL!,
    REDIS_KEY_PREFIX: `test-${randomUUID()}:`,
    REGISTER_MAX_PER_ADDRESS: '3',
  });
  const register = (base: string, n: number) =>
    post(base, '/customers/register', {
      customer_name: `Shopper ${n}`,
      email: `shopper${n}@example.com`,
      phone: '+15550000000',
      username: `shopper${n}`,
      password: 'long-enough-password',
    });

  const made = [await register(a!.base, 1), await register(b!.base, 2), await register(a!.base, 3)];
  assert.deepEqual(made.map((r) => r.status), [201, 201, 201]);
  assert.equal((await register(b!.base, 4)).status, 429);
  assert.equal((await register(a!.base, 5)).status, 429);
});

test('when Redis cannot be reached, then logins still work, each process throttles on its own, and the log says so', async (t) => {
  const [server] = await servers(t, 1, {
    REDIS_URL: CLOSED_PORT_REDIS,
    LOGIN_MAX_FAILURES: '3',
    LOGIN_MAX_FAILURES_PER_ADDRESS: '1000',
  });
  const { base } = server!;

  const ok = await post(base, '/customers/login', { username: 'admin', password: 'admin-password-1' });
  assert.equal(ok.status, 200, 'the API keeps serving without Redis');
  const statuses = [];
  for (let i = 0; i < 4; i += 1) statuses.push((await post(base, '/customers/login', wrongLogin('victim'))).status);
  assert.deepEqual(statuses, [401, 401, 401, 429], 'the per-process limit still applies');
  assert.match(server!.output(), /Redis is unreachable: throttling per process/);
});

test('when 40 wrong guesses for one username arrive at once at two processes sharing Redis, then exactly as many are checked as the limit allows', { skip }, async (t) => {
  const [a, b] = await servers(t, 2, {
    REDIS_URL: TEST_REDIS_URL!,
    REDIS_KEY_PREFIX: `test-${randomUUID()}:`,
    LOGIN_MAX_FAILURES: '3',
    LOGIN_MAX_FAILURES_PER_ADDRESS: '1000',
  });
  const bases = [a!.base, b!.base];
  const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => post(bases[i % 2]!, '/customers/login', wrongLogin('target'))));
  const counts: Record<number, number> = {};
  for (const answer of answers) counts[answer.status] = (counts[answer.status] ?? 0) + 1;
  // The count was checked, then raised, in two steps: 40 at once all passed a limit of 5.
  assert.deepEqual(counts, { 401: 3, 429: 37 });
});

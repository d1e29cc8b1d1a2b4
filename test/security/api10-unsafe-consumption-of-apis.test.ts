// OWASP API10:2023 Unsafe Consumption of APIs: data from an upstream is trusted more than
// user input, and passed on unchecked.
// Defence: the API consumes no third-party API. Its only upstreams are its database and,
// when REDIS_URL is set, Redis for the login counters. What comes back from the database
// still goes out through the response schemas (only declared fields, JSON-encoded, sent as
// application/json), so stored text is never served as markup; and what a client sends in
// headers (X-Request-Id) is checked before it is echoed or logged.
import assert from 'node:assert/strict';
import net from 'node:net';
import { type TestContext, test } from 'node:test';
import { onPostgres, TEST_DATABASE_URL } from '../helpers/database.js';
import { ADMIN, buildTestApp, call } from '../helpers/app.js';
import { listen } from '../helpers/http.js';
import { customerFields } from '../auth/helpers.js';
import { openAttackShop } from './attack-helpers.js';
import { assertProblem } from '../helpers/problem.js';

const MARKUP = `<script>alert("x")</script><img src=x onerror=alert(1)>&amp;</p>`;

/** Text no input schema would accept: far too long, control characters, line separators, a bidi override, quotes. */
const STORED_ONLY = `${'A'.repeat(5000)}\u0001\u001f\u2028\u2029\u202e "quoted" back\\slash </script><!--`;

function assertJsonText(response: { headers: Record<string, unknown>; body: unknown }, what: string): void {
  assert.match(String(response.headers['content-type']), /^application\/json; charset=utf-8$/, what);
  assert.equal(response.headers['x-content-type-options'], 'nosniff', `${what}: a browser may sniff it as HTML`);
}

test('when stored text holds markup, then every route returns it as the exact JSON string, sent as application/json, never as HTML', async (t) => {
  const { app, admin, mallory, fill, placed, cartOf } = await openAttackShop(t);
  const created = await call(app, 'POST', '/products', { token: admin.token, body: { product_name: MARKUP, price: 2, description: MARKUP } });
  assert.equal(created.status, 201);
  const id = created.body.id;
  await fill(mallory, [[created.body, 1]]);
  const order = await placed(mallory, [{ product_id: id, quantity: 1 }]);

  const reads = {
    product: await call(app, 'GET', `/products/${id}`),
    list: await call(app, 'GET', '/products'),
    page: await call(app, 'GET', '/products/p?per_page=100'),
    search: await call(app, 'GET', `/products?q=${encodeURIComponent('<script>')}`),
    cart: await call(app, 'GET', `/cart/${mallory.id}`, { token: mallory.token }),
    order: await call(app, 'GET', `/orders/${order.id}`, { token: mallory.token }),
  };

  for (const [what, response] of Object.entries(reads)) {
    assert.equal(response.status, 200, what);
    assertJsonText(response, what);
  }
  assert.equal(reads.product.body.product_name, MARKUP);
  assert.equal(reads.product.body.description, MARKUP);
  assert.equal(reads.search.body.length, 1);
  assert.equal(reads.search.body[0].product_name, MARKUP);
  assert.equal((await cartOf(mallory.id)).items[0].product_name, MARKUP);
  assert.equal(reads.order.body.items[0].product_name, MARKUP);
});

test('when the database holds text no input schema would accept, then it is still sent as well-formed JSON with exactly that text', async (t) => {
  const { app, mug, victim, victimOrder } = await openAttackShop(t);
  // Written straight to the tables, as a migration, an import or another service might.
  await app.db.updateTable('products').set({ product_name: STORED_ONLY, description: STORED_ONLY }).where('id', '=', mug.id).execute();
  await app.db.updateTable('order_items').set({ product_name: STORED_ONLY }).where('order_id', '=', victimOrder.id).execute();

  const raw = await app.inject({ method: 'GET', url: `/products/${mug.id}` });
  const cart = await call(app, 'GET', `/cart/${victim.id}`, { token: victim.token });
  const order = await call(app, 'GET', `/orders/${victimOrder.id}`, { token: victim.token });

  assert.equal(raw.statusCode, 200);
  assertJsonText({ headers: raw.headers, body: raw.body }, 'product');
  const product = JSON.parse(raw.body);
  assert.equal(product.product_name, STORED_ONLY);
  assert.equal(product.description, STORED_ONLY);
  assert.doesNotMatch(raw.body, /[\u0000-\u001f]/, 'a raw control character in the JSON text');
  assert.equal(cart.body.items[0].product_name, STORED_ONLY);
  assert.equal(order.body.items[0].product_name, STORED_ONLY);
});

test('when a stored idempotent answer has been tampered with (extra fields, a hash), then its replay still shows only the order fields', async (t) => {
  const { app, mallory, mug, place } = await openAttackShop(t);
  const first = await place(mallory, [{ product_id: mug.id, quantity: 1 }], { key: 'replay-me' });
  assert.equal(first.status, 201);
  const tampered = { ...first.body, password_hash: '$argon2id$v=19$leaked', internal_note: 'ship to Mallory', items: first.body.items.map((line: object) => ({ ...line, cost_cents: 1 })) };
  await app.db.updateTable('idempotency_keys').set({ response_body: JSON.stringify(tampered) }).where('key', '=', 'replay-me').execute();

  const replay = await place(mallory, [{ product_id: mug.id, quantity: 1 }], { key: 'replay-me' });

  assert.equal(replay.status, 201);
  assert.equal(replay.headers['idempotent-replayed'], 'true');
  assert.deepEqual(replay.body, first.body, 'the response schema drops what it does not declare');
  assert.doesNotMatch(JSON.stringify(replay.body), /argon2|internal_note|cost_cents/);
});

test('when a whole shopping flow runs, then the only network connections the API opens are to its database, and it calls fetch never', async (t) => {
  const connections: string[] = [];
  const connect = net.Socket.prototype.connect;
  t.mock.method(net.Socket.prototype, 'connect', function (this: net.Socket, ...args: unknown[]) {
    // connect(options) or connect(port, host) or connect(path)
    const [first, second] = args;
    const target: { host?: unknown; port?: unknown; path?: unknown } =
      typeof first === 'object' && first !== null ? first : typeof first === 'string' && second === undefined ? { path: first } : { port: first, host: second };
    connections.push(target.path !== undefined ? String(target.path) : `${String(target.host ?? 'localhost')}:${String(target.port)}`);
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  });
  const fetchSpy = t.mock.method(globalThis, 'fetch');

  const { app, admin, mallory, mug, fill, checkout, moveTo } = await openAttackShop(t);
  await fill(mallory, [[mug, 2]]);
  const order = await checkout(mallory, { key: 'flow-1' });
  assert.equal(order.status, 201);
  await moveTo(order.body.id, 'paid', 'shipped', 'delivered');
  assert.equal((await call(app, 'GET', `/orders/track/${order.body.id}`, { token: mallory.token })).status, 200);
  assert.equal((await call(app, 'GET', '/customers', { token: admin.token })).status, 200);

  const database = onPostgres ? new URL(TEST_DATABASE_URL!) : undefined;
  const allowed = database ? [`${database.hostname}:${database.port || 5432}`] : [];
  assert.deepEqual(connections.filter((target) => !allowed.includes(target)), [], 'a connection to something other than the database');
  assert.equal(fetchSpy.mock.callCount(), 0);
});

test('when text the database cannot store (a NUL character) is sent to public and admin routes, then 400 on both databases and nothing is stored', async (t) => {
  const { app, admin, everything } = await openAttackShop(t);
  const before = await everything();
  const nul = 'a\u0000b';
  const fields = customerFields({ customer_name: nul });

  const attempts = {
    register: await call(app, 'POST', '/customers/register', { body: fields }),
    login: await call(app, 'POST', '/customers/login', { body: { username: nul, password: 'any-password' } }),
    search: await call(app, 'GET', '/products?q=a%00b'),
    'create product': await call(app, 'POST', '/products', { token: admin.token, body: { product_name: nul, price: 1 } }),
  };

  // PostgreSQL text cannot hold U+0000 (it once answered 500 here); SQLite could. Refused alike at
  // the edge, as a validation problem naming the field, like any other field that is wrong.
  const paths = { register: '/body/customer_name', login: '/body/username', search: '/querystring/q', 'create product': '/body/product_name' };
  for (const [what, response] of Object.entries(attempts)) {
    assertProblem(response, 400, { code: 'VALIDATION_FAILED', what });
    assert.deepEqual(response.body.errors, [{ path: paths[what as keyof typeof paths], message: 'must not contain the NUL character (U+0000)' }], what);
  }
  assert.deepEqual(await everything(), before);
  assert.equal((await call(app, 'POST', '/customers/login', { body: { username: fields.username, password: fields.password } })).status, 401);
});

/** Sends raw bytes over a fresh connection and returns the raw answer (a client can send what fetch refuses to). */
function rawRequest(port: number, request: string): Promise<{ status: number; headers: Map<string, string[]>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(Buffer.from(request, 'latin1')));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = new Map<string, string[]>();
      for (const line of lines) {
        const name = line.slice(0, line.indexOf(':')).toLowerCase();
        headers.set(name, [...(headers.get(name) ?? []), line.slice(line.indexOf(':') + 1).trim()]);
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('when a client sends a hostile X-Request-Id, then a plain short id is echoed and anything else is replaced by a fresh UUID, never reflected', async (t) => {
  const { app } = await openAttackShop(t);
  await listen(t, app);
  const port = (app.server.address() as net.AddressInfo).port;
  const get = (idHeaderLines: string, path = '/health') =>
    rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${idHeaderLines}Connection: close\r\n\r\n`);

  for (const id of ['abc-123', 'trace.id:42_x', 'x'.repeat(128)]) {
    const response = await get(`X-Request-Id: ${id}\r\n`);
    assert.equal(response.status, 200);
    assert.deepEqual(response.headers.get('x-request-id'), [id], 'a plain id is kept so logs can be joined');
  }
  const seen = new Set<string>();
  const hostile: Record<string, string> = {
    '129 characters': `X-Request-Id: ${'x'.repeat(129)}\r\n`,
    '15,000 characters': `X-Request-Id: ${'x'.repeat(15_000)}\r\n`,
    markup: `X-Request-Id: ${MARKUP}\r\n`,
    'a tab and spaces': 'X-Request-Id: a\tb c\r\n',
    'latin-1 bytes': 'X-Request-Id: caf\u00e9\u00ff\r\n',
    'a log line': 'X-Request-Id: {"level":60,"msg":"forged"}\r\n',
    'two headers': 'X-Request-Id: one\r\nX-Request-Id: two\r\n',
  };
  for (const [what, lines] of Object.entries(hostile)) {
    for (const path of ['/health', '/no-such-route']) {
      const response = await get(lines, path);
      assert.equal(response.status, path === '/health' ? 200 : 404, what);
      const ids = response.headers.get('x-request-id') ?? [];
      assert.equal(ids.length, 1, `${what}: ${ids.length} X-Request-Id headers`);
      assert.match(ids[0]!, UUID, `${what}: echoed ${JSON.stringify(ids[0]!.slice(0, 80))}`);
      assert.ok(!seen.has(ids[0]!), `${what}: a request id was reused`);
      seen.add(ids[0]!);
      assert.doesNotMatch(response.body, /forged|onerror|xxxxxxxx|caf/, `${what}: the value is reflected in the body`);
    }
  }
});

test('when a client sends an X-Request-Id with control characters or a header split, then Node refuses the request with 400 before the app runs: nothing echoed, no header injected', async (t) => {
  const { app } = await openAttackShop(t);
  await listen(t, app);
  const port = (app.server.address() as net.AddressInfo).port;

  for (const [what, value] of Object.entries({
    'a control character': 'a\u0001b',
    DEL: 'a\u007fb',
    'a bare CR with a header after it': 'a\rSet-Cookie: session=stolen',
    'a bare LF with a header after it': 'a\nSet-Cookie: session=stolen',
  })) {
    const response = await rawRequest(port, `GET /health HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: ${value}\r\nConnection: close\r\n\r\n`);
    assert.equal(response.status, 400, what);
    assert.equal(response.headers.get('set-cookie'), undefined, `${what}: a header was injected`);
    // Node's parser answers these before any route runs; the answer is a problem like any
    // other, with a request id of its own, never the one sent.
    assert.match(String(response.headers.get('x-request-id')), UUID, what);
    assert.doesNotMatch(response.body, /stolen|Set-Cookie/i, what);
    assert.match(String(response.headers.get('content-type')), /^application\/problem\+json/, what);
    assert.equal(JSON.parse(response.body).code, 'BAD_REQUEST', what);
  }
  // Headers past Node's 16 KiB limit are refused the same way (431), without echoing anything.
  const huge = await rawRequest(port, `GET /health HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: ${'x'.repeat(20_000)}\r\nConnection: close\r\n\r\n`);
  assert.equal(huge.status, 431);
  assert.match(String(huge.headers.get('x-request-id')), UUID);
  assert.equal(JSON.parse(huge.body).code, 'HEADERS_TOO_LARGE');
  // The server is still up and answering.
  assert.equal((await rawRequest(port, 'GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')).status, 200);
});

/** A RESP bulk string. */
const bulk = (text: string) => `$${Buffer.byteLength(text)}\r\n${text}\r\n`;

/**
 * A stand-in Redis that speaks the protocol and answers the counter commands (GET, PTTL,
 * EVAL) from `answers`, as a broken or hostile Redis might; anything else is +OK.
 */
async function startFakeRedis(t: TestContext, answers: Record<string, string>): Promise<string> {
  const reply = (command: string): string => {
    if (command === 'INFO') return bulk('# Server\r\nredis_version:7.2.0\r\nloading:0\r\n');
    return answers[command] ?? '+OK\r\n';
  };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let buffer = '';
    let queued: string[] | undefined;
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      // Commands arrive as RESP arrays of bulk strings: *N, then $len and the text, N times.
      for (;;) {
        const parsed = /^\*(\d+)\r\n/.exec(buffer);
        if (!parsed) return;
        let offset = parsed[0].length;
        const args: string[] = [];
        for (let i = 0; i < Number(parsed[1]); i += 1) {
          const length = /^\$(\d+)\r\n/.exec(buffer.slice(offset));
          if (!length || buffer.length < offset + length[0].length + Number(length[1]) + 2) return;
          offset += length[0].length;
          args.push(buffer.slice(offset, offset + Number(length[1])));
          offset += Number(length[1]) + 2;
        }
        buffer = buffer.slice(offset);
        const command = args[0]!.toUpperCase();
        if (command === 'MULTI') {
          queued = [];
          socket.write('+OK\r\n');
        } else if (command === 'EXEC') {
          socket.write(`*${queued?.length ?? 0}\r\n${(queued ?? []).map(reply).join('')}`);
          queued = undefined;
        } else if (queued) {
          queued.push(command);
          socket.write('+QUEUED\r\n');
        } else {
          socket.write(reply(command));
        }
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `redis://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

test('when Redis holds the login counter past the limit with 5 s to live, then the login is throttled with Retry-After 5 (the Redis stand-in works)', async (t) => {
  // The counting script answers how many milliseconds the window has left once past the limit.
  const redisUrl = await startFakeRedis(t, { EVAL: ':4200\r\n', DEL: ':1\r\n' });
  const app = await buildTestApp(t, { redisUrl, loginMaxFailures: 3 });

  const response = await call(app, 'POST', '/customers/login', { body: ADMIN });

  assertProblem(response, 429);
  assert.equal(response.headers['retry-after'], '5');
  assert.equal(response.body.auth_token, undefined);
});

test('when Redis answers the login counters with text or a counter without expiry, then failed logins are still throttled with a whole-number Retry-After', async (t) => {
  const scenarios: Record<string, Record<string, string>> = {
    'every counter is text': { EVAL: bulk('garbage'), DEL: ':1\r\n' },
    'the counting script answers a negative wait': { EVAL: ':-1\r\n', DEL: ':1\r\n' },
  };
  const outcomes: string[] = [];
  for (const [name, answers] of Object.entries(scenarios)) {
    const app = await buildTestApp(t, { redisUrl: await startFakeRedis(t, answers), loginMaxFailures: 3 });
    const answersSeen: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const response = await call(app, 'POST', '/customers/login', { body: { username: ADMIN.username, password: `guess-${i}-password` } });
      answersSeen.push(response.status === 429 ? `429 Retry-After ${response.headers['retry-after']}` : String(response.status));
    }
    const last = answersSeen.at(-1)!;
    if (!/^429 Retry-After [1-9]\d*$/.test(last)) outcomes.push(`${name}: ${answersSeen.join(', ')}`);
  }
  assert.deepEqual(outcomes, [], 'five wrong passwords with loginMaxFailures 3 must end in a 429 with a whole-number Retry-After');
});

import assert from 'node:assert/strict';
import dnsPromises from 'node:dns/promises';
import { type IncomingHttpHeaders, type RequestListener, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import { type AddressInfo, type Server, type Socket, createServer as createTcpServer } from 'node:net';
import { type TestContext, mock, test } from 'node:test';
import { createSecureContext } from 'node:tls';
import { Webhook } from 'standardwebhooks';
import { type AttemptRequest, sendAttempt } from '../../src/modules/webhooks/send.js';
import { newWebhookSecret, webhookHeaders } from '../../src/modules/webhooks/signing.js';

// Every receiver here is a real server on 127.0.0.1; names other than localhost are answered
// by a fake resolver, so no test sends anything off this machine.

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on a free loopback port: what it was sent, and how many connections it saw. */
async function receiver(t: TestContext, answer: RequestListener) {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body }));
    answer(req, res);
  });
  const port = await listen(t, server);
  return { port, url: `http://127.0.0.1:${port}/hooks?shop=1`, requests, connections: () => connectionCount(server) };
}

/** Listens on a free loopback port, counting connections; at the test's end every socket is cut and the server closed. */
async function listen(t: TestContext, server: Server): Promise<number> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    connected.set(server, (connected.get(server) ?? 0) + 1);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    // A socket nobody reads never sees the client leave, and would hold close() forever.
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as AddressInfo).port;
}
const connected = new WeakMap<Server, number>();
const connectionCount = (server: Server) => connected.get(server) ?? 0;

/** Answers every name with `address` (or fails like an unknown name), and counts the lookups. */
function fakeDns(t: TestContext, answer: { address: string; family: number }[] | 'ENOTFOUND') {
  const fake = mock.method(dnsPromises, 'lookup', async (hostname: string) => {
    if (answer === 'ENOTFOUND') throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return answer;
  });
  syncBuiltinESMExports(); // so destination.ts's named import of lookup sees the fake
  t.after(() => {
    fake.mock.restore();
    syncBuiltinESMExports();
  });
  return fake;
}

const BODY = JSON.stringify({ type: 'ping', timestamp: '2026-12-02T10:00:00.000Z', data: {} });

function attempt(url: string, options: Partial<AttemptRequest> = {}) {
  return sendAttempt({ url, body: BODY, headers: { 'content-type': 'application/json' }, timeoutMs: 2000, allowPrivateNetworks: true, ...options });
}

const answerWith =
  (status: number, headers: Record<string, string> = {}, body = ''): RequestListener =>
  (_req, res) => {
    res.writeHead(status, headers);
    res.end(body);
  };

test('when the receiver answers 200, then the attempt succeeds and the request arrived as a POST with the exact body and headers given', async (t) => {
  const server = await receiver(t, answerWith(200, { 'content-type': 'text/plain' }, 'thanks'));
  const secret = newWebhookSecret();
  const headers = webhookHeaders([secret], 'evt_42', Math.floor(Date.now() / 1000), BODY);

  const outcome = await attempt(server.url, { headers });

  assert.deepEqual(outcome, { succeeded: true, statusCode: 200, retryAfterSeconds: null, error: null });
  assert.equal(server.requests.length, 1);
  const [received] = server.requests;
  assert.equal(received?.method, 'POST');
  assert.equal(received?.url, '/hooks?shop=1');
  assert.equal(received?.body, BODY);
  for (const [name, value] of Object.entries(headers)) assert.equal(received?.headers[name], value, name);
  assert.equal(received?.headers['content-length'], String(Buffer.byteLength(BODY)));
  assert.equal(received?.headers.host, `127.0.0.1:${server.port}`);
  // What the receiver got verifies with the consumers' library.
  assert.deepEqual(new Webhook(secret).verify(received?.body ?? '', received?.headers as Record<string, string>), JSON.parse(BODY));
});

test('when the receiver answers 204 with no body, then the attempt succeeds', async (t) => {
  const server = await receiver(t, answerWith(204));
  assert.deepEqual(await attempt(server.url), { succeeded: true, statusCode: 204, retryAfterSeconds: null, error: null });
});

test('when the receiver answers 500, then the attempt fails with that code', async (t) => {
  const server = await receiver(t, answerWith(500, { 'retry-after': '30' }, 'oops'));
  assert.deepEqual(await attempt(server.url), { succeeded: false, statusCode: 500, retryAfterSeconds: null, error: 'the endpoint answered 500' });
});

test('when the receiver redirects, then the redirect is not followed: the attempt fails with 302 and the target gets nothing', async (t) => {
  const target = await receiver(t, answerWith(200));
  const redirecting = await receiver(t, answerWith(302, { location: target.url }));

  const outcome = await attempt(redirecting.url);

  assert.deepEqual(outcome, { succeeded: false, statusCode: 302, retryAfterSeconds: null, error: 'the endpoint answered 302' });
  assert.equal(redirecting.requests.length, 1);
  assert.equal(target.connections(), 0);
});

test('when the receiver never answers, then the attempt fails by timeout within the timeout and a little', async (t) => {
  const server = await receiver(t, () => {});
  const started = performance.now();

  const outcome = await attempt(server.url, { timeoutMs: 300 });

  const elapsed = performance.now() - started;
  assert.deepEqual(outcome, { succeeded: false, statusCode: null, retryAfterSeconds: null, error: 'timed out after 300 ms' });
  assert.ok(elapsed >= 290 && elapsed < 800, `took ${elapsed} ms`);
});

test('when a TCP server accepts the connection and then says nothing, then the attempt fails by timeout', async (t) => {
  const silent = createTcpServer(() => {});
  const port = await listen(t, silent);
  const outcome = await attempt(`http://127.0.0.1:${port}/`, { timeoutMs: 200 });
  assert.equal(outcome.error, 'timed out after 200 ms');
});

test('when the receiver answers 200 and then stalls its body, then the attempt succeeds by its status by the timeout', async (t) => {
  const server = await receiver(t, (_req, res) => {
    res.writeHead(200);
    res.write('half of it');
  });
  const started = performance.now();
  const outcome = await attempt(server.url, { timeoutMs: 300 });
  assert.deepEqual(outcome, { succeeded: true, statusCode: 200, retryAfterSeconds: null, error: null });
  assert.ok(performance.now() - started < 800);
});

test('when the receiver destroys the connection without answering, then the attempt fails with a short reason', async (t) => {
  const server = await receiver(t, (req) => req.socket.destroy());
  assert.deepEqual(await attempt(server.url), { succeeded: false, statusCode: null, retryAfterSeconds: null, error: 'the connection was closed before an answer' });
});

test('when a raw TCP server answers garbage instead of HTTP, then the attempt fails saying so', async (t) => {
  const garbage = createTcpServer((socket) => {
    socket.on('error', () => {});
    socket.end('SSH-2.0-OpenSSH_9.6\r\n\u0000\u00ff garbage \r\n\r\n');
  });
  const port = await listen(t, garbage);
  const outcome = await attempt(`http://127.0.0.1:${port}/`);
  assert.equal(outcome.succeeded, false);
  assert.equal(outcome.statusCode, null);
  assert.match(outcome.error ?? '', /^the answer was not HTTP \(HPE_/);
});

test('when nothing listens on the port, then the attempt fails as refused', async (t) => {
  const closed = createTcpServer();
  const port = await listen(t, closed);
  await new Promise((resolve) => closed.close(resolve));
  assert.equal((await attempt(`http://127.0.0.1:${port}/`)).error, 'the connection was refused');
});

test('when the receiver streams 50 MB, then the attempt ends quickly on its status having read only the start, and memory stays flat', async (t) => {
  const total = 50 * 1024 * 1024;
  let sent = 0;
  let closedAt = -1;
  const server = await receiver(t, (_req, res) => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    res.writeHead(200, { 'content-length': String(total) });
    res.on('close', () => (closedAt = sent));
    const pump = () => {
      while (sent < total && !res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  const before = process.memoryUsage();
  const started = performance.now();

  const outcome = await attempt(server.url, { timeoutMs: 5000 });

  const elapsed = performance.now() - started;
  const after = process.memoryUsage();
  assert.deepEqual(outcome, { succeeded: true, statusCode: 200, retryAfterSeconds: null, error: null });
  assert.ok(elapsed < 1000, `took ${elapsed} ms`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(closedAt >= 0 && closedAt < total / 10, `the receiver got to send ${closedAt} bytes before the connection closed`);
  const grown = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  assert.ok(grown < 20 * 1024 * 1024, `memory grew by ${grown} bytes`);
});

test('when the receiver answers 429 with Retry-After: 7, then the attempt fails asking to wait 7 seconds', async (t) => {
  const server = await receiver(t, answerWith(429, { 'retry-after': '7' }));
  assert.deepEqual(await attempt(server.url), { succeeded: false, statusCode: 429, retryAfterSeconds: 7, error: 'the endpoint answered 429' });
});

test('when a 503 asks to wait more than an hour, then the wait is capped at 3600 seconds', async (t) => {
  const server = await receiver(t, answerWith(503, { 'retry-after': '86400' }));
  assert.equal((await attempt(server.url)).retryAfterSeconds, 3600);
});

test('when Retry-After is an HTTP date, then the wait is the seconds until then, and a date past means no wait', async (t) => {
  const inTwoMinutes = new Date(Date.now() + 120_000).toUTCString();
  const soon = await receiver(t, answerWith(503, { 'retry-after': inTwoMinutes }));
  const waited = (await attempt(soon.url)).retryAfterSeconds ?? -1;
  assert.ok(waited >= 118 && waited <= 120, `${waited}`);
  const past = await receiver(t, answerWith(429, { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }));
  assert.equal((await attempt(past.url)).retryAfterSeconds, 0);
});

test('when Retry-After is missing or not a delay, then there is none', async (t) => {
  const cases: Record<string, string>[] = [{}, { 'retry-after': 'soon' }, { 'retry-after': '-5' }];
  for (const headers of cases) {
    const server = await receiver(t, answerWith(429, headers));
    assert.equal((await attempt(server.url)).retryAfterSeconds, null, JSON.stringify(headers));
  }
});

test('when the destination is loopback and private networks are not allowed, then the attempt is refused and the receiver sees no connection', async (t) => {
  const server = await receiver(t, answerWith(200));
  const outcome = await attempt(server.url, { allowPrivateNetworks: false });
  assert.deepEqual(outcome, {
    succeeded: false,
    statusCode: null,
    retryAfterSeconds: null,
    error: '127.0.0.1 (loopback) is not a public address and private networks are not allowed',
  });
  assert.equal(server.connections(), 0);
});

test('when the destination is named localhost and private networks are not allowed, then it is refused as loopback and the receiver sees no connection', async (t) => {
  const server = await receiver(t, answerWith(200));
  const outcome = await attempt(`http://localhost:${server.port}/hooks`, { allowPrivateNetworks: false });
  assert.equal(outcome.succeeded, false);
  assert.match(outcome.error ?? '', /^localhost resolves only to non-public addresses, .*\(loopback\)/);
  assert.equal(server.connections(), 0);
});

test('when a name is delivered to, then it is looked up once, the connection goes to the address checked, and Host still names it', async (t) => {
  const server = await receiver(t, answerWith(200));
  const lookup = fakeDns(t, [{ address: '127.0.0.1', family: 4 }]);

  const outcome = await attempt(`http://hooks.example.test:${server.port}/in`);

  assert.equal(outcome.succeeded, true, outcome.error ?? '');
  assert.equal(lookup.mock.callCount(), 1);
  assert.equal(server.requests[0]?.headers.host, `hooks.example.test:${server.port}`);
});

test('when the name does not resolve, then the attempt fails saying so', async (t) => {
  fakeDns(t, 'ENOTFOUND');
  assert.deepEqual(await attempt('https://nowhere.example.test/in'), {
    succeeded: false,
    statusCode: null,
    retryAfterSeconds: null,
    error: 'nowhere.example.test did not resolve (ENOTFOUND)',
  });
});

// A self-signed certificate for hooks.example.test, made for this test alone and trusted by nothing.
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgTm9QjsrjPpcX7xmV
ZD/FcLIJVqJIwhSGBURtrSB4gMqhRANCAATnUGCQPlmfsJ6OpXirn/94E3ae1hkb
hKce//vlaFMPtZCNVNEAJUUEtah9aOAu5tz4HAnIVGpUIaMf/pEe7Js5
-----END PRIVATE KEY-----`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBsTCCAVagAwIBAgIUGXCWcBTzuFcwT9U0uwJbSR6qGQEwCgYIKoZIzj0EAwIw
HTEbMBkGA1UEAwwSaG9va3MuZXhhbXBsZS50ZXN0MCAXDTI2MTIwMjEyMTkxOVoY
DzIxMjYxMTA4MTIxOTE5WjAdMRswGQYDVQQDDBJob29rcy5leGFtcGxlLnRlc3Qw
WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATnUGCQPlmfsJ6OpXirn/94E3ae1hkb
hKce//vlaFMPtZCNVNEAJUUEtah9aOAu5tz4HAnIVGpUIaMf/pEe7Js5o3IwcDAd
BgNVHQ4EFgQUur2kZjosI/jzjnxhIZV22uHpl+gwHwYDVR0jBBgwFoAUur2kZjos
I/jzjnxhIZV22uHpl+gwDwYDVR0TAQH/BAUwAwEB/zAdBgNVHREEFjAUghJob29r
cy5leGFtcGxlLnRlc3QwCgYIKoZIzj0EAwIDSQAwRgIhAPo4WU6ivkaMb7WTGVc+
7XzBiXdF+Zb1iDnnCbDMC2P8AiEAwKjze9RJAw4WS6ObPbijeUZbqn2aJQ7Y1TvM
U0ZTJuc=
-----END CERTIFICATE-----`;

test('when an https name is delivered to, then TLS is asked for that name on the checked address and an untrusted certificate fails the attempt', async (t) => {
  const askedFor: string[] = [];
  const context = createSecureContext({ key: TEST_KEY, cert: TEST_CERT });
  const server = createHttpsServer(
    {
      key: TEST_KEY,
      cert: TEST_CERT,
      SNICallback: (servername, callback) => {
        askedFor.push(servername);
        callback(null, context);
      },
    },
    answerWith(200),
  );
  server.on('tlsClientError', () => {});
  const port = await listen(t, server);
  fakeDns(t, [{ address: '127.0.0.1', family: 4 }]);

  const outcome = await attempt(`https://hooks.example.test:${port}/in`);

  assert.deepEqual(askedFor, ['hooks.example.test']);
  assert.equal(outcome.succeeded, false);
  assert.match(outcome.error ?? '', /^the TLS certificate was not accepted \(/);
});

test('when the URL is malformed or not http(s), then the attempt fails rather than throwing', async () => {
  assert.equal((await attempt('not a url')).error, 'the endpoint URL is not an absolute URL');
  assert.equal((await attempt('ftp://127.0.0.1/')).error, "the endpoint URL's scheme ftp: is not http or https");
});

test('when a header value is one HTTP cannot carry, then the attempt fails rather than throwing', async (t) => {
  const server = await receiver(t, answerWith(200));
  const outcome = await attempt(server.url, { headers: { 'x-bad': 'line\nbreak' } });
  assert.equal(outcome.succeeded, false);
  assert.match(outcome.error ?? '', /^the request could not be made/);
  assert.equal(server.connections(), 0);
});

test('when the process stops during an attempt, then it ends at once as abandoned', async (t) => {
  const server = await receiver(t, () => {});
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 100);
  const started = performance.now();
  const outcome = await attempt(server.url, { timeoutMs: 5000, signal: stop.signal });
  assert.equal(outcome.error, 'abandoned: the process stopped');
  assert.ok(performance.now() - started < 1000);
});

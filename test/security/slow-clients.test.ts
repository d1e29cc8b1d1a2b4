// Slow or hoarding clients: a request sent a byte at a time, sockets opened and never used,
// more sockets than one client needs. Each would hold the server's resources for as long
// as the client liked; the timeouts and the per-address cap end that, and /health stays
// reachable for everyone else.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildTestApp } from '../helpers/app.js';
import { listen } from '../helpers/http.js';

/** Opens a raw connection and writes `head`; resolves with the socket and what it received until it closed. */
function openRaw(port: number, head = '') {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  const closed = new Promise<{ text: string; at: number }>((resolve) => {
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ text: received, at: Date.now() }));
  });
  socket.on('connect', () => head && socket.write(head));
  return { socket, closed };
}

async function portOf(t: Parameters<typeof buildTestApp>[0], overrides: Parameters<typeof buildTestApp>[1]) {
  const app = await buildTestApp(t, overrides);
  const http = await listen(t, app);
  return { http, port: (app.server.address() as net.AddressInfo).port };
}

test('when a client sends its body a byte at a time, then the request is cut off with 408 at the request timeout, and others are served meanwhile', async (t) => {
  const { http, port } = await portOf(t, { requestTimeoutMs: 800, headersTimeoutMs: 400 });
  const body = JSON.stringify({ username: 'admin', password: 'admin-password-1' });
  const started = Date.now();
  const slow = openRaw(
    port,
    `POST /customers/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
  );
  const trickle = setInterval(() => slow.socket.writable && slow.socket.write(body[0]!), 100);
  t.after(() => clearInterval(trickle));

  assert.equal((await http('GET', '/health')).status, 200, 'the server answers others while the trickle goes on');
  const { text, at } = await slow.closed;
  clearInterval(trickle);

  assert.match(text, /^HTTP\/1\.1 408 /, `the slow request got: ${text.slice(0, 80)}`);
  assert.match(text, /application\/problem\+json/);
  assert.ok(at - started < 5000, `cut off after ${at - started} ms, not left open`);
});

test('when a client opens a connection and sends only part of its headers, then it is closed at the headers timeout', async (t) => {
  const { port } = await portOf(t, { requestTimeoutMs: 2000, headersTimeoutMs: 500 });
  const started = Date.now();
  const { closed } = openRaw(port, 'GET /health HTTP/1.1\r\nHost: local');
  const { text, at } = await closed;
  assert.match(text, /^HTTP\/1\.1 408 /);
  assert.ok(at - started < 3000, `closed after ${at - started} ms`);
});

test('when a connection stays idle, then it is closed after the idle timeout', async (t) => {
  const { port } = await portOf(t, { idleTimeoutMs: 300, requestTimeoutMs: 5000, headersTimeoutMs: 5000 });
  const started = Date.now();
  const { closed } = openRaw(port);
  const { at } = await closed;
  assert.ok(at - started < 3000, `an idle socket was closed after ${at - started} ms`);
});

test('when one address opens more connections than its cap, then the extra ones are closed at once, and /health still answers', async (t) => {
  const { http, port } = await portOf(t, { maxConnectionsPerAddress: 5 });
  const held = Array.from({ length: 5 }, () => openRaw(port));
  t.after(() => held.forEach(({ socket }) => socket.destroy()));
  await sleep(100);
  const extra = openRaw(port, 'GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
  const { text } = await extra.closed;
  assert.equal(text, '', 'the sixth connection got nothing: it was closed as it opened');

  for (const { socket } of held.slice(0, 2)) socket.destroy();
  await sleep(100);
  assert.equal((await http('GET', '/health')).status, 200, 'once two close, a new connection is served');
  // Closed here, not left for the idle timeout that closing the server would wait for.
  for (const { socket } of held) socket.destroy();
});

test('when the app sits behind trusted proxies, then their connections are not capped (they carry many clients)', async (t) => {
  const { http, port } = await portOf(t, { maxConnectionsPerAddress: 2, trustProxy: ['127.0.0.1'] });
  const held = Array.from({ length: 4 }, () => openRaw(port));
  t.after(() => held.forEach(({ socket }) => socket.destroy()));
  await sleep(100);
  assert.equal((await http('GET', '/health')).status, 200);
  for (const { socket } of held) socket.destroy();
});

test('when the server shuts down while a client holds connections it never sent anything on, then it closes at once instead of waiting for them', async (t) => {
  const app = await buildTestApp(t, { idleTimeoutMs: 60_000 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as net.AddressInfo).port;
  const held = Array.from({ length: 3 }, () => openRaw(port));
  await sleep(100);

  const started = Date.now();
  await app.close();

  assert.ok(Date.now() - started < 2000, `closing took ${Date.now() - started} ms`);
  for (const { closed } of held) assert.equal((await closed).text, '', 'the silent connections were closed, unanswered');
});

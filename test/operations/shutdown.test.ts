import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { ADMIN } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import { startServerProcess } from '../helpers/process.js';

test('when SIGTERM arrives during a request, then that request completes, new connections are refused, and the process exits 0', async (t) => {
  const database = await createTestDatabase({ shared: true });
  t.after(() => database.drop());
  const server = await startServerProcess(database.url);
  const url = new URL('/customers/login', server.base);

  // Send the headers and half the body, then SIGTERM, then the rest.
  const body = JSON.stringify({ username: ADMIN.username, password: ADMIN.password });
  const inFlight = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.write(body.slice(0, 10));
    setTimeout(() => {
      server.child.kill('SIGTERM');
      setTimeout(() => req.end(body.slice(10)), 300);
    }, 200);
  });

  const answer = await inFlight;
  assert.equal(answer.status, 200);
  assert.ok(JSON.parse(answer.text).auth_token);
  assert.equal(await server.stop(), 0);
  await assert.rejects(fetch(new URL('/health', server.base)), 'nothing listens any more');
});

import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { ADMIN, TEST_SECRET } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import { startServerProcess } from '../helpers/process.js';

// Security events reach the log with the request id and the acting customer; secrets never do.
// The server runs as its own process and the test reads what it wrote, as an operator would.

test('when logins fail, roles change, customers and products are deleted and orders move, then each is one log line naming the event, request id and actor, and no password, hash or token is ever logged', async (t) => {
  const database = await createTestDatabase({ shared: true });
  const server = await startServerProcess(database.url, { LOG_LEVEL: 'info' });
  t.after(async () => {
    assert.equal(await server.stop(), 0);
    await database.drop();
  });
  const send = async (method: string, path: string, body?: unknown, token?: string, requestId?: string) => {
    const response = await fetch(server.base + path, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(requestId ? { 'x-request-id': requestId } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  const secrets: string[] = [TEST_SECRET, ADMIN.password];
  const admin = (await send('POST', '/customers/login', ADMIN)).body.auth_token as string;
  secrets.push(admin);
  const adminId = (await send('GET', '/customers/me', undefined, admin)).body.id as number;
  const password = 'Mallory-Secret-Pass-1';
  secrets.push(password);
  const mallory = await send('POST', '/customers/register', {
    customer_name: 'Mallory',
    email: 'mallory@example.com',
    phone: '+1 555 0199',
    username: 'mallory',
    password,
  });
  assert.equal(mallory.status, 201);
  const malloryId = mallory.body.id as number;
  const malloryToken = (await send('POST', '/customers/login', { username: 'mallory', password })).body.auth_token;
  secrets.push(malloryToken);

  const wrongGuess = 'Guess-Password-2024';
  secrets.push(wrongGuess);
  assert.equal((await send('POST', '/customers/login', { username: 'mallory', password: wrongGuess }, undefined, 'failed-login-1')).status, 401);
  // A password typed into the username field: a failed username is logged only in part.
  const typedInTheWrongField = 'Mallory-Password-In-The-Username-Box';
  secrets.push(typedInTheWrongField);
  assert.equal((await send('POST', '/customers/login', { username: typedInTheWrongField, password: 'x' }, undefined, 'failed-login-2')).status, 401);
  assert.equal((await send('GET', '/customers', undefined, malloryToken, 'denied-1')).status, 403);
  const newPassword = 'Mallory-New-Pass-2';
  secrets.push(newPassword);
  assert.equal((await send('PUT', `/customers/${malloryId}`, { role_id: 1, password: newPassword }, admin, 'role-change-1')).status, 200);
  const product = await send('POST', '/products', { product_name: 'Lamp', price: 12.5, stock: 3 }, admin);
  const mallory2 = (await send('POST', '/customers/login', { username: 'mallory', password: newPassword })).body.auth_token;
  secrets.push(mallory2);
  const order = await send('POST', '/orders', { customer_id: malloryId, items: [{ product_id: product.body.id, quantity: 1 }] }, mallory2);
  assert.equal(order.status, 201);
  assert.equal((await send('POST', `/orders/${order.body.id}/status`, { status: 'paid' }, admin, 'status-1')).status, 200);
  assert.equal((await send('DELETE', `/products/${product.body.id}`, undefined, admin, 'product-delete-1')).status, 200);
  assert.equal((await send('DELETE', `/customers/${malloryId}`, undefined, admin, 'customer-delete-1')).status, 200);

  await new Promise((resolve) => setTimeout(resolve, 200)); // let the last lines reach the pipe
  const lines = server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>);
  const byRequest = (id: string) => lines.find((line) => line.reqId === id);

  assert.deepEqual(pick(byRequest('failed-login-1')), { event: 'login', status: 401, actor: null, target: null, username: 'ma… (7 characters)', level: 40 });
  assert.deepEqual(pick(byRequest('failed-login-2')), {
    event: 'login', status: 401, actor: null, target: null, username: 'Ma… (36 characters)', level: 40,
  });
  assert.deepEqual(pick(byRequest('denied-1')), { event: 'access.denied', status: 403, actor: malloryId, target: null, level: 40 });
  assert.deepEqual(pick(byRequest('role-change-1')), {
    event: 'customer.update', status: 200, actor: adminId, target: malloryId, role_id: 1, password_changed: true, level: 30,
  });
  assert.deepEqual(pick(byRequest('status-1')), { event: 'order.status', status: 200, actor: adminId, target: order.body.id, to: 'paid', level: 30 });
  assert.deepEqual(pick(byRequest('product-delete-1')), { event: 'product.delete', status: 200, actor: adminId, target: product.body.id, level: 30 });
  assert.deepEqual(pick(byRequest('customer-delete-1')), { event: 'customer.delete', status: 200, actor: adminId, target: malloryId, level: 30 });

  const log = server.output();
  for (const secret of secrets) assert.equal(log.includes(secret), false, `a secret reached the log: ${secret.slice(0, 12)}…`);
  assert.doesNotMatch(log, /\$argon2/, 'no password hash is logged');
  assert.doesNotMatch(log, /eyJ[A-Za-z0-9_-]{10,}/, 'nothing that looks like a JWT is logged');
});

const PINNED = ['event', 'status', 'actor', 'target', 'username', 'role_id', 'password_changed', 'to', 'level'];

/** The fields of a security event line that the test pins down (levels: 30 info, 40 warn). */
function pick(line: Record<string, any> | undefined) {
  assert.ok(line, 'the event was logged');
  return Object.fromEntries(PINNED.filter((field) => line[field] !== undefined).map((field) => [field, line[field]]));
}

test('when a client goes away in the middle of sending its request, then the log says the client closed the connection, not that the database failed', async (t) => {
  const database = await createTestDatabase({ shared: true });
  const server = await startServerProcess(database.url, { LOG_LEVEL: 'info' });
  t.after(async () => {
    assert.equal(await server.stop(), 0);
    await database.drop();
  });
  const { hostname, port } = new URL(server.base);
  await new Promise<void>((resolve) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write('POST /customers/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user');
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 100);
    });
  });
  await new Promise((resolve) => setTimeout(resolve, 300)); // let the line reach the pipe

  const lines = server.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, any>);
  assert.ok(lines.some((line) => line.msg === 'the client closed the connection before its request was read' && line.level === 30), server.output());
  assert.ok(!lines.some((line) => /database/i.test(String(line.msg))), 'nothing says the database failed');
  assert.equal((await fetch(`${server.base}/health`)).status, 200);
});

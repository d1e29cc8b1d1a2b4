import assert from 'node:assert/strict';
import { type Server, type Socket, createServer, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { buildApp } from '../../src/app.js';
import { call, testConfig } from '../helpers/app.js';
import { createTestDatabase, onPostgres } from '../helpers/database.js';

/** A TCP relay to the database server that the test can cut and restore on the same port. */
class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

test(
  'when the database server stops answering, then /ready is 503 and requests get 503, and both recover when it is back',
  { skip: !onPostgres && 'needs a database server (runs in the PostgreSQL pass)' },
  async (t) => {
    const database = await createTestDatabase();
    const url = new URL(database.url);
    const proxy = new CuttableProxy({ host: url.hostname, port: Number(url.port || 5432) });
    await proxy.open();
    url.host = `127.0.0.1:${proxy.port}`;
    const app = await buildApp(testConfig({ databaseUrl: url.toString() }));
    t.after(async () => {
      await app.close();
      await proxy.cut();
      await database.drop();
    });
    assert.equal((await call(app, 'GET', '/ready')).status, 200);

    await proxy.cut();
    const ready = await call(app, 'GET', '/ready');
    assert.equal(ready.status, 503);
    assert.equal(ready.body.code, 'NOT_READY');
    const read = await call(app, 'GET', '/products');
    assert.equal(read.status, 503);
    assert.equal(read.body.code, 'UNAVAILABLE');
    assert.ok(Number(read.headers['retry-after']) > 0);
    assert.equal((await call(app, 'GET', '/health')).status, 200, 'the process itself keeps answering');

    await proxy.open();
    assert.ok(await eventually(async () => (await call(app, 'GET', '/ready')).status === 200, 10_000), '/ready recovered');
    assert.equal((await call(app, 'GET', '/products')).status, 200);
  },
);

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type TestContext, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { TEST_SECRET } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';

// The first start on a new machine, as a newcomer meets it: the server runs as its own
// process, and the test reads what it printed.

const ROOT = resolve(import.meta.dirname, '../..');
/** tsx by path, so a server started in another folder still finds it. */
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `src/server.ts` in `cwd` with only the environment given (and PATH). */
function startServer(env: Record<string, string>, cwd = ROOT): Run {
  const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'src/server.ts')], {
    cwd,
    env: { PATH: process.env.PATH, NODE_ENV: 'test', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output: () => output, exited };
}

async function listening(run: Run, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = /listening on (http:\/\/[\d.:]+)/.exec(run.output());
    if (match) return match[1]!;
    if (run.child.exitCode !== null) throw new Error(`the server exited:\n${run.output()}`);
    if (Date.now() > deadline) throw new Error(`the server did not start:\n${run.output()}`);
    await new Promise((wait) => setTimeout(wait, 50));
  }
}

async function stop(run: Run): Promise<number | null> {
  if (run.child.exitCode === null) run.child.kill('SIGTERM');
  return run.exited;
}

/** A port something else already listens on. */
async function takenPort(t: TestContext): Promise<number> {
  const holder = createServer().listen(0, '127.0.0.1');
  await once(holder, 'listening');
  t.after(() => holder.close());
  return (holder.address() as { port: number }).port;
}

function temporaryFolder(t: TestContext): string {
  const folder = mkdtempSync(join(tmpdir(), 'ecommerce-first-run-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

test('when the port is taken on the very first start, then the admin password is still shown, the error is one sentence, and the next start takes that password', async (t) => {
  const database = await createTestDatabase({ shared: true });
  t.after(() => database.drop());
  const port = await takenPort(t);

  const failed = startServer({ DATABASE_URL: database.url, JWT_SECRET: TEST_SECRET, PORT: String(port) });
  assert.equal(await failed.exited, 1);

  const output = failed.output();
  const password = /generated password:\s+(\S+)/.exec(output)?.[1];
  assert.ok(password, `the generated password was printed:\n${output}`);
  assert.match(output, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use: stop what holds it, or set PORT to another port\\.`));
  assert.doesNotMatch(output, /\n\s+at /, 'no stack trace');

  const next = startServer({ DATABASE_URL: database.url, JWT_SECRET: TEST_SECRET, PORT: '0' });
  t.after(() => stop(next));
  const base = await listening(next);
  assert.doesNotMatch(next.output(), /Created the first admin/, 'the admin exists already');
  const login = await fetch(`${base}/customers/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  assert.equal(login.status, 200, 'the password shown by the failed start logs in');
  assert.equal(await stop(next), 0);
});

test('when the database cannot be reached at start, then one sentence says so and the process exits 1', async () => {
  const run = startServer({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere', JWT_SECRET: TEST_SECRET, PORT: '0' });
  assert.equal(await run.exited, 1);
  assert.match(run.output(), /^The database at DATABASE_URL is not reachable \(.+\): start it, or check the URL\.$/m);
  assert.doesNotMatch(run.output(), /\n\s+at /, 'no stack trace');
});

test('when a bad setting is given, then the start names it and exits 1, with no stack trace', async () => {
  const run = startServer({ JWT_SECRET: 'changeme', PORT: '0', DATABASE_URL: 'sqlite::memory:' });
  assert.equal(await run.exited, 1);
  assert.match(run.output(), /JWT_SECRET must be at least 32 bytes \(it has 8\)/);
  assert.doesNotMatch(run.output(), /\n\s+at /);
});

test('when the first start creates the data folder, then the folder, the database and the kept JWT secret are readable by their owner only', async (t) => {
  const cwd = temporaryFolder(t);
  const run = startServer({ PORT: '0', ADMIN_PASSWORD: 'first-admin-password' }, cwd);
  t.after(() => stop(run));
  await listening(run);

  assert.equal(modeOf(join(cwd, 'data')), '700');
  for (const file of ['shop.db', 'shop.db-wal', 'jwt-secret']) assert.equal(modeOf(join(cwd, 'data', file)), '600', file);
  assert.equal(await stop(run), 0);
});

test('when npm start is sent SIGTERM or SIGINT (as a container runtime or a process manager does), then the server stops gracefully and nothing is left running', async (t) => {
  const cwd = temporaryFolder(t);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const npm = spawn('npm', ['start', '--silent', '--prefix', ROOT], {
      env: { ...process.env, PORT: '0', DATABASE_URL: `sqlite:${join(cwd, `${signal}.db`)}`, JWT_SECRET: TEST_SECRET, ADMIN_PASSWORD: 'first-admin-password', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout.on('data', (chunk) => (output += chunk));
    npm.stderr.on('data', (chunk) => (output += chunk));
    const exited = once(npm, 'exit');
    // The first start may build dist/ first, which takes a while on a busy machine.
    const base = await listening({ child: npm, output: () => output, exited: exited.then(([code]) => code) }, 180_000);
    assert.equal((await fetch(`${base}/health`)).status, 200);

    npm.kill(signal);
    const [code] = await exited;

    assert.equal(code, 0, `npm start after ${signal}:\n${output}`);
    await assert.rejects(fetch(`${base}/health`), `after ${signal}, nothing listens any more`);
  }
});

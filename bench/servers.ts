// The servers under test, each a child process: the API built from this repository
// (dist/server.js), the bare node:http ceiling (bare-server.mjs) and, with --baseline, the
// API built in another checkout (DIR/dist/server.js).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './cleanup.js';
import { request } from './http.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BARE_SERVER = fileURLToPath(new URL('bare-server.mjs', import.meta.url));
const API_SERVER = fileURLToPath(new URL('../dist/server.js', import.meta.url));
const WORKER = fileURLToPath(new URL('../dist/worker.js', import.meta.url));
const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;
/** One per run, so tokens from one API start still work after the next. */
const jwtSecret = randomBytes(48).toString('base64url');

export interface ServerProcess {
  name: string;
  pid: number;
  url: string;
  child: ChildProcess;
  /** The last few KiB it printed (the API logs only warnings and errors here). */
  output: () => string;
}

/**
 * Compiles src/ into dist/ the way `npm run build` does, unless dist/ is newer than every
 * source (the same check as scripts/run-built.mjs; tsc takes 10 s or more even with nothing to do).
 * Returns whether it built.
 */
export function buildApi(): boolean {
  if (buildIsFresh(ROOT)) return false;
  const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (tsc.status !== 0) throw new Error(`the build failed:\n${tsc.stdout}${tsc.stderr}`);
  return true;
}

/**
 * The API built in another checkout of this project (--baseline DIR): its dist/server.js, run
 * with its own node_modules. It is not built here: building someone's checkout behind their
 * back could change what they meant to measure. Throws when there is no build; a build older
 * than its sources is used, with a warning in `stale`.
 */
export function baselineServer(dir: string): { dir: string; serverFile: string; stale: boolean } {
  const root = resolve(dir);
  const serverFile = join(root, 'dist/server.js');
  if (!existsSync(serverFile)) {
    throw new Error(`--baseline ${dir}: there is no ${serverFile}; build it first (cd ${root} && npm ci && npm run build)`);
  }
  if (!existsSync(join(root, 'node_modules'))) {
    throw new Error(`--baseline ${dir}: there is no ${join(root, 'node_modules')}; install it first (cd ${root} && npm ci)`);
  }
  // Without src/ (a copy of a build alone) there is nothing to be stale against.
  return { dir: root, serverFile, stale: existsSync(join(root, 'src')) && !buildIsFresh(root) };
}

function buildIsFresh(root: string): boolean {
  const buildInfo = join(root, 'dist/.tsbuildinfo');
  if (!existsSync(buildInfo) || !existsSync(join(root, 'dist/server.js'))) return false;
  const sources = readdirSync(join(root, 'src'), { recursive: true }).map((file) => join(root, 'src', String(file)));
  const inputs = [...sources, ...['tsconfig.json', 'tsconfig.build.json', 'package.json'].map((file) => join(root, file))];
  const built = statSync(buildInfo).mtimeMs;
  return inputs.every((file) => statSync(file).mtimeMs <= built);
}

export interface ApiSettings {
  databaseUrl: string;
  adminUsername: string;
  adminPassword: string;
  /** Working directory of the API process: keeps a developer's .env and ./data out of the run. */
  cwd: string;
  /** The API to run: this checkout's dist/server.js unless another checkout's (--baseline). */
  serverFile?: string;
  /** How messages name it ("API" unless given). */
  name?: string;
  /** More environment on top of apiEnvironment's (METRICS_PORT for --metrics-cost). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Settings for the API: the ones the benchmark needs, with every per-client limit (login and
 * sign-up throttling, pending orders, connections per address) raised out of the way: all the
 * load comes from one address and a few dozen customers, which those limits exist to stop.
 * A baseline API gets the same settings and ignores those it does not know yet.
 */
export function apiEnvironment(settings: ApiSettings, port: number): NodeJS.ProcessEnv {
  const unlimited = '1000000';
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST,
    DATABASE_URL: settings.databaseUrl,
    JWT_SECRET: jwtSecret,
    ADMIN_USERNAME: settings.adminUsername,
    ADMIN_PASSWORD: settings.adminPassword,
    LOG_LEVEL: 'warn',
    LOGIN_MAX_FAILURES: unlimited,
    LOGIN_MAX_FAILURES_PER_ADDRESS: unlimited,
    LOGIN_MAX_FAILURES_PER_USERNAME: unlimited,
    REGISTER_MAX_PER_ADDRESS: unlimited,
    IDENTITY_CHECKS_MAX_PER_HOUR: unlimited,
    MAX_PENDING_ORDERS_PER_CUSTOMER: unlimited,
    MAX_CONNECTIONS_PER_ADDRESS: unlimited,
    // The login flood then measures what it always did, reads beside a full hashing queue,
    // rather than one client turned away at its share (which the tests cover).
    MAX_PASSWORD_CHECKS_PER_CLIENT: unlimited,
    ...settings.env,
  };
}

export interface StartedServer extends ServerProcess {
  /** From spawning the process to the first 200 from GET /health. */
  startupMs: number;
}

export async function startApi(settings: ApiSettings): Promise<StartedServer> {
  const port = await freePort();
  const name = settings.name ?? 'API';
  return startServer(name, [settings.serverFile ?? API_SERVER], apiEnvironment(settings, port), port, settings.cwd);
}

/**
 * `npm run worker` on the API's database and settings: it serves no HTTP, so it is ready once
 * it says it is delivering (its url is empty).
 */
export async function startWorker(settings: ApiSettings): Promise<StartedServer> {
  const startedAt = performance.now();
  const worker = spawnTracked('worker', [WORKER], apiEnvironment(settings, 0), settings.cwd, '');
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!worker.output().includes('delivering webhooks')) {
    if (hasExited(worker) || Date.now() > deadline) {
      await stopServer(worker);
      throw new Error(`the worker did not start:\n${worker.output()}`);
    }
    await sleep(5);
  }
  return { ...worker, startupMs: performance.now() - startedAt };
}

export async function startBareServer(cwd: string): Promise<StartedServer> {
  const port = await freePort();
  return startServer('bare node:http', [BARE_SERVER], { PATH: process.env.PATH, PORT: String(port), HOST }, port, cwd);
}

const running = new Set<ChildProcess>();
// The last resort, should the benchmark die without running its clean-up.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

async function startServer(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  port: number,
  cwd: string,
): Promise<StartedServer> {
  const startedAt = performance.now();
  const server = spawnTracked(name, args, env, cwd, `http://${HOST}:${port}`);
  try {
    await waitForHealth(server);
  } catch (error) {
    await stopServer(server);
    throw error;
  }
  return { ...server, startupMs: performance.now() - startedAt };
}

/** A child process run with this Node, killed at clean-up (or at exit, as a last resort). */
function spawnTracked(name: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, url: string): ServerProcess {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const server = { name, pid: child.pid ?? 0, url, child, output: keepTail(child) };
  onCleanup(() => stopServer(server));
  return server;
}

function hasExited(server: ServerProcess): boolean {
  return server.child.exitCode !== null || server.child.signalCode !== null;
}

/** Polls GET /health every few milliseconds (so the startup time is exact to a few ms). */
async function waitForHealth(server: ServerProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (hasExited(server)) {
      throw new Error(`${server.name} exited before it was healthy:\n${server.output()}`);
    }
    const status = await request(`${server.url}/health`, { timeoutMs: 1000 }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    await sleep(5);
  }
  throw new Error(`${server.name} was not healthy within ${START_TIMEOUT_MS} ms:\n${server.output()}`);
}

/**
 * SIGTERM (the API finishes requests in flight and closes its database), SIGKILL if it hangs
 * longer than `graceMs`; 0 kills at once (a server stuck on abandoned work: SQLite's WAL and
 * PostgreSQL both survive that).
 */
export async function stopServer(server: ServerProcess, graceMs = STOP_TIMEOUT_MS): Promise<void> {
  const { child } = server;
  if (hasExited(server)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Startup of the API on an already migrated and seeded database: spawn to first 200 from /health. */
export async function measureStartup(settings: ApiSettings, times: number): Promise<number[]> {
  const startups: number[] = [];
  for (let i = 0; i < times; i++) {
    const api = await startApi(settings);
    startups.push(api.startupMs);
    await stopServer(api);
  }
  return startups;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The last few KiB a child printed, for the error message when it fails to start. */
function keepTail(child: ChildProcess): () => string {
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4096);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => tail;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

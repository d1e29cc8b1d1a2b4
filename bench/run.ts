/**
 * The benchmark: `npm run bench` (loopback only, bounded in time, cleans up after itself).
 *
 * It builds the API (tsc -p tsconfig.build.json, skipped when dist/ is newer than src/), starts it as a child process on a fresh
 * database to migrate it, seeds a catalogue straight into that database, measures startup
 * (3 starts), then runs every scenario of scenarios.ts with autocannon against the API and
 * against a bare node:http server (the ceiling), each after a warm-up, sampling the server's
 * peak RSS. Prints a markdown table and writes bench/results.md, bench/chart.svg and
 * bench/results/latest.json.
 *
 * Options (after `npm run bench --`):
 *   --quick            a smoke run, under 2 minutes: 10,000 products, 100 customers,
 *                      3 s per scenario, 1 s warm-up (explicit options below still win)
 *   --products N       products to seed (default 100000)
 *   --customers N      customers to seed (default 1000)
 *   --duration S       seconds measured per scenario (default 10)
 *   --warmup S         seconds of warm-up before each scenario, not measured (default 3; 0 for none)
 *   --connections N    concurrent connections (default 50)
 *   --only TEXT        run only the scenarios whose name contains TEXT (and the bare ceiling,
 *                      for the ratios); prints the table and writes results/latest.json but
 *                      leaves results.md and chart.svg, the published full run, as they are
 *   --help             this text
 *
 * Environment:
 *   BENCH_DATABASE_URL=postgres://user@host:port/db
 *                      run on PostgreSQL instead of a temporary SQLite file: a database
 *                      bench_<pid> is created on that server and dropped afterwards.
 *
 * Example: npm run bench -- --quick
 *          BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cleanUp, cleanUpOnSignals, isCleaningUp, onCleanup } from './cleanup.js';
import { createDatabase } from './database.js';
import { waitUntilIdle } from './idle.js';
import { fire } from './load.js';
import { type Report, type ScenarioResult, machineInfo, markdown, writeOutputs } from './report.js';
import { PeakRss, currentRss } from './rss.js';
import { type Scenario, type ScenarioContext, logIn, scenarios } from './scenarios.js';
import { seedCatalogue } from './seed.js';
import {
  type ApiSettings,
  type StartedServer,
  buildApi,
  measureStartup,
  startApi,
  startBareServer,
  stopServer,
} from './servers.js';

const STARTUP_RUNS = 3;
/** How long a server may take to finish the work a load left in flight before it is restarted. */
const SETTLE_MAX_MS = 5_000;

interface Options {
  products: number;
  customers: number;
  durationS: number;
  warmupS: number;
  connections: number;
  only: string | undefined;
}

async function main(): Promise<void> {
  const options = readOptions();
  cleanUpOnSignals();
  const startedAt = performance.now();
  const say = (message: string) => console.error(`[${((performance.now() - startedAt) / 1000).toFixed(1)} s] ${message}`);

  say('building the API (tsc -p tsconfig.build.json) unless dist/ is up to date');
  say(buildApi() ? 'built' : 'dist/ is up to date');

  const workDir = mkdtempSync(join(tmpdir(), 'ecommerce-bench-'));
  onCleanup(() => rmSync(workDir, { recursive: true, force: true }));
  const database = await createDatabase(workDir, process.env.BENCH_DATABASE_URL || undefined);
  const api: ApiSettings = {
    databaseUrl: database.url,
    adminUsername: 'bench_admin',
    adminPassword: randomBytes(18).toString('base64url'),
    cwd: workDir,
  };

  say(`migrating ${database.label}`);
  await stopServer(await startApi(api));
  say(`seeding ${options.products.toLocaleString('en-US')} products and ${options.customers.toLocaleString('en-US')} customers`);
  const catalogue = await seedCatalogue(database, options);
  say(`seeded in ${(catalogue.seedMs / 1000).toFixed(1)} s; measuring startup (${STARTUP_RUNS} starts)`);
  const startupMs = await measureStartup(api, STARTUP_RUNS);

  const servers: Servers = { api: await startApi(api), bare: await startBareServer(workDir) };
  const restart: Record<ServerKind, () => Promise<StartedServer>> = {
    api: () => startApi(api),
    bare: () => startBareServer(workDir),
  };
  const idleRssBytes = currentRss(servers.api.pid);
  const context: ScenarioContext = {
    productIds: catalogue.productIds,
    customers: catalogue.customers,
    loggedIn: await logIn(servers.api.url, catalogue.customers, options.connections),
    connections: options.connections,
  };

  /** Waits for the server to finish what the last load left; restarts it when that takes too long. */
  const settle = async (kind: ServerKind): Promise<boolean> => {
    if (await waitUntilIdle(servers[kind], SETTLE_MAX_MS)) return false;
    say(`  ${servers[kind].name} still busy ${SETTLE_MAX_MS / 1000} s after the load stopped: restarting it`);
    await stopServer(servers[kind], 0);
    servers[kind] = await restart[kind]();
    return true;
  };

  const results: ScenarioResult[] = [];
  for (const scenario of chosen(options.only)) {
    say(`${scenario.name}: ${options.warmupS} s warm-up, ${options.durationS} s measured`);
    const result = await runScenario(scenario, servers, settle, context, options, results);
    results.push(result);
    const server = servers[scenario.server];
    if (result.errors > 0 || Object.keys(result.statusCodes).some((status) => status.startsWith('5'))) {
      console.error(`  ${result.errors} errors, statuses ${JSON.stringify(result.statusCodes)}; ${server.name} printed:\n${server.output()}`);
    }
  }

  const report: Report = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim().replace(/ --$/, ''),
    machine: machineInfo(),
    database: database.label,
    products: options.products,
    customers: options.customers,
    seedMs: catalogue.seedMs,
    connections: options.connections,
    durationS: options.durationS,
    warmupS: options.warmupS,
    startupMs,
    idleRssBytes,
    scenarios: results,
  };
  const files = writeOutputs(report, { published: options.only === undefined });
  console.log(`\n${markdown(report)}`);
  say(`wrote ${Object.values(files).join(', ')}`);
}

/** Every scenario, or those named by --only: the bare ceiling always runs, as the ratios need it. */
function chosen(only: string | undefined): Scenario[] {
  if (only === undefined) return scenarios;
  const picked = scenarios.filter((scenario) => scenario.server === 'bare' || scenario.name.includes(only));
  if (picked.length === 1) {
    console.error(`--only "${only}" names no scenario; they are:\n${scenarios.map((s) => `  ${s.name}`).join('\n')}`);
    process.exit(2);
  }
  return picked;
}

type ServerKind = 'api' | 'bare';
type Servers = Record<ServerKind, StartedServer>;

async function runScenario(
  scenario: Scenario,
  servers: Servers,
  settle: (kind: ServerKind) => Promise<boolean>,
  context: ScenarioContext,
  options: Options,
  earlier: ScenarioResult[],
): Promise<ScenarioResult> {
  // No request gives up within a run: a slow route shows as latency, not as errors, and
  // abandoned work is bounded by one request per connection.
  const timeout = Math.max(options.durationS, options.warmupS) + 10;
  // Warm-up and measurement each fire their own autocannon instances, built afresh.
  const fireAll = (durationS: number) => {
    const { url } = servers[scenario.server];
    return Promise.all([
      fire(url, { timeout, ...scenario.options(context) }, durationS),
      scenario.background ? fire(url, { timeout, ...scenario.background.options(context) }, durationS) : undefined,
    ]);
  };

  let restarted = false;
  if (options.warmupS > 0) {
    await fireAll(options.warmupS);
    restarted = await settle(scenario.server);
  }
  const rss = new PeakRss(servers[scenario.server].pid);
  const [measured, background] = await fireAll(options.durationS);
  const peakRssBytes = rss.stop();
  restarted = (await settle(scenario.server)) || restarted;

  const bare = scenario.server === 'bare' ? measured : earlier.find((r) => r.server === 'bare');
  const compared = scenario.compareP99With && earlier.find((r) => r.name === scenario.compareP99With);
  return {
    name: scenario.name,
    server: scenario.server,
    ...measured,
    peakRssBytes,
    ratioToBare: bare && bare.requestsPerS > 0 ? measured.requestsPerS / bare.requestsPerS : 0,
    restarted,
    ...(background && scenario.background ? { background: { name: scenario.background.name, ...background } } : {}),
    ...(compared ? { compareP99: { name: compared.name, p99Ms: compared.p99Ms } } : {}),
  };
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      products: { type: 'string' },
      customers: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      only: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log('npm run bench -- [--quick] [--products N] [--customers N] [--duration S] [--warmup S] [--connections N] [--only TEXT]');
    console.log('See the comment at the top of bench/run.ts; BENCH_DATABASE_URL=postgres://... runs on PostgreSQL.');
    process.exit(0);
  }
  const quick = values.quick;
  return {
    products: count('products', values.products, quick ? 10_000 : 100_000, 1),
    customers: count('customers', values.customers, quick ? 100 : 1_000, 1),
    durationS: count('duration', values.duration, quick ? 3 : 10, 1),
    warmupS: count('warmup', values.warmup, quick ? 1 : 3, 0),
    connections: count('connections', values.connections, 50, 1),
    only: values.only,
  };
}

function count(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min) {
    console.error(`--${name} must be a whole number of at least ${min}, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

try {
  await main();
} catch (error) {
  if (!isCleaningUp()) console.error('bench failed:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await cleanUp();
}

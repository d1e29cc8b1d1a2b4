// The comparison modes: this checkout's API and another checkout's (--baseline DIR), this
// build without and with METRICS_PORT (--metrics-cost), or this build's plain order against
// its full checkout (--checkout-cost), side by side on one machine. Each API gets its own database, migrated by itself and seeded alike:
// the two builds may have different migrations, and Kysely's migrator refuses a database on
// which a migration it does not know was applied (the newer build's, for the older one).
// Every scenario then alternates between the two, round by round, so whatever the shared
// machine does meanwhile falls on both sides alike.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CompareReport, type ComparedScenario, type ComparedSide, compared } from './compare-report.js';
import { type BenchDatabase, createDatabase } from './database.js';
import { say } from './log.js';
import { type RunOptions, type Target, runScenario, startTarget } from './measure.js';
import { type ScenarioResult, commandLine, machineInfo, timestamp } from './report.js';
import { currentRss } from './rss.js';
import { type Scenario, type ScenarioContext, logIn, logInAs } from './scenarios.js';
import { type Catalogue, seedCatalogue } from './seed.js';
import { request } from './http.js';
import { type ApiSettings, measureStartup, startApi, stopServer } from './servers.js';

export const CURRENT_CHECKOUT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const STARTUP_RUNS = 3;

/** What one side runs: a checkout's build, with environment of its own on top of the usual. */
export interface SideSpec {
  dir: string;
  /** Undefined: this checkout's dist/server.js. */
  serverFile: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** What sets the side apart, for the report (e.g. "METRICS_PORT set"). */
  description?: string;
}

export interface CompareOptions extends RunOptions {
  baseline: SideSpec;
  current: SideSpec;
  /**
   * Measured rounds per side and scenario, in the order baseline, current, current, baseline,
   * baseline, current, ...: a machine that speeds up or slows down steadily during a scenario
   * (another job starting on the shared cores) then moves both sides' means alike, where strict
   * alternation (baseline, current, baseline, current) would always favour the same side.
   */
  rounds: number;
}

type SideName = 'baseline' | 'current';

/** One of the two APIs, with everything that is its own: database, catalogue ids, logged-in customers. */
interface Side {
  name: SideName;
  spec: SideSpec;
  settings: ApiSettings;
  database: BenchDatabase;
  catalogue: Catalogue;
}

interface RunningSide extends Side {
  target: Target;
  context: ScenarioContext;
  idleRssBytes: number;
  results: ScenarioResult[];
}

/** One row of the comparison: what each side runs, the same scenario but for --checkout-cost. */
export interface ScenarioPair {
  name: string;
  baseline: Scenario;
  current: Scenario;
}

export function samePair(scenario: Scenario): ScenarioPair {
  return { name: scenario.name, baseline: scenario, current: scenario };
}

/** `pairs`: the API scenarios to compare (the bare ceiling has nothing to compare). */
export async function compare(options: CompareOptions, pairs: ScenarioPair[], workDir: string): Promise<CompareReport> {
  const adminPassword = randomBytes(18).toString('base64url');
  // The baseline is prepared first: it is the side more likely to fail (an old build, a
  // missing install), and then fails before the longer work.
  const sides = [
    await prepareSide('baseline', options.baseline, adminPassword, workDir, options),
    await prepareSide('current', options.current, adminPassword, workDir, options),
  ];

  say(`measuring startup (${STARTUP_RUNS} starts each, alternating)`);
  const startupMs = await alternateStartups(sides);
  const running: RunningSide[] = [];
  for (const side of sides) running.push(await startSide(side, options.connections));

  const results: ComparedScenario[] = [];
  for (const pair of pairs) {
    const rounds: Record<SideName, ScenarioResult[]> = { baseline: [], current: [] };
    for (let round = 1; round <= options.rounds; round++) {
      for (const side of round % 2 === 1 ? running : [...running].reverse()) {
        const scenario = pair[side.name];
        say(`${scenario.name}: ${side.name} round ${round}/${options.rounds}, ${options.warmupS} s warm-up, ${options.durationS} s measured`);
        const result = await runScenario(scenario, side.target, side.context, options, side.results);
        side.results.push(result);
        rounds[side.name].push(result);
      }
    }
    results.push(compared(pair.name, rounds.baseline, rounds.current));
  }

  const counted: Partial<Record<SideName, number>> = {};
  for (const side of running) {
    const port = side.spec.env?.METRICS_PORT;
    if (port !== undefined) counted[side.name] = await requestsCounted(port);
  }
  const describe = (side: RunningSide): ComparedSide => ({
    dir: side.spec.dir,
    commit: gitHead(side.spec.dir),
    ...(side.spec.description ? { description: side.spec.description } : {}),
    ...(counted[side.name] !== undefined ? { requestsCounted: counted[side.name] } : {}),
    startupMs: startupMs[side.name],
    idleRssBytes: side.idleRssBytes,
    seedMs: side.catalogue.seedMs,
  });
  const [before, after] = running as [RunningSide, RunningSide];
  return {
    date: timestamp(),
    command: commandLine(),
    machine: machineInfo(),
    database: [...new Set(running.map((side) => side.database.label))].join(' and '),
    products: options.products,
    customers: options.customers,
    connections: options.connections,
    durationS: options.durationS,
    warmupS: options.warmupS,
    rounds: options.rounds,
    baseline: describe(before),
    current: describe(after),
    scenarios: results,
  };
}

/**
 * A database of the side's own, migrated by starting its API once, and seeded. The seed is
 * deterministic (a fixed random seed), so both sides get the same products, prices, customers
 * and carts with the same ids; only the timestamps move by the seconds between the two seeds.
 */
async function prepareSide(
  name: SideName,
  spec: SideSpec,
  adminPassword: string,
  workDir: string,
  options: RunOptions,
): Promise<Side> {
  // A directory each: its database file and the API's working directory (away from any .env).
  const sideDir = join(workDir, name);
  mkdirSync(sideDir);
  const database = await createDatabase(sideDir, process.env.BENCH_DATABASE_URL || undefined, name);
  const settings: ApiSettings = {
    databaseUrl: database.url,
    adminUsername: 'bench_admin',
    adminPassword,
    cwd: sideDir,
    name: `${name} API`,
    ...(spec.serverFile ? { serverFile: spec.serverFile } : {}),
    ...(spec.env ? { env: spec.env } : {}),
  };
  say(`${name}: migrating ${database.label} with ${spec.serverFile ?? 'dist/server.js'}${spec.description ? `, ${spec.description}` : ''}`);
  await stopServer(await startApi(settings));
  say(`${name}: seeding ${options.products.toLocaleString('en-US')} products and ${options.customers.toLocaleString('en-US')} customers`);
  const catalogue = await seedCatalogue(database, options);
  return { name, spec, settings, database, catalogue };
}

async function alternateStartups(sides: Side[]): Promise<Record<SideName, number[]>> {
  const startups: Record<SideName, number[]> = { baseline: [], current: [] };
  for (let i = 0; i < STARTUP_RUNS; i++) {
    for (const side of sides) startups[side.name].push(...(await measureStartup(side.settings, 1)));
  }
  return startups;
}

/** Starts the side's API for the scenarios and logs its customers in: tokens and ids are per API. */
async function startSide(side: Side, connections: number): Promise<RunningSide> {
  const target = await startTarget(() => startApi(side.settings));
  const idleRssBytes = currentRss(target.server.pid);
  const context: ScenarioContext = {
    productIds: side.catalogue.productIds,
    adminToken: await logInAs(target.server.url, side.settings.adminUsername, side.settings.adminPassword),
    customers: side.catalogue.customers,
    loggedIn: await logIn(target.server.url, side.catalogue.customers, connections),
    connections,
  };
  return { ...side, target, context, idleRssBytes, results: [] };
}

/**
 * The side's http_requests_total, all series together, from its METRICS_PORT: shows that the
 * side with metrics really counted its load. Since the last restart only, should it have had one.
 */
async function requestsCounted(port: string): Promise<number> {
  const response = await request(`http://127.0.0.1:${port}/metrics`);
  if (response.status !== 200) throw new Error(`GET /metrics on METRICS_PORT ${port} answered ${response.status}`);
  let total = 0;
  for (const line of response.body.split('\n')) {
    if (line.startsWith('http_requests_total{')) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** The checkout's HEAD commit, abbreviated; undefined when it is not a git checkout. */
function gitHead(dir: string): string | undefined {
  const git = spawnSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  return git.status === 0 ? git.stdout.trim() : undefined;
}

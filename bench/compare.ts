// The comparison mode (--baseline DIR): this checkout's API and another checkout's, side by
// side on one machine. Each API gets its own database, migrated by itself and seeded alike:
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
import { type ApiSettings, measureStartup, startApi, stopServer } from './servers.js';

const CURRENT_CHECKOUT = fileURLToPath(new URL('..', import.meta.url));
/**
 * Measured rounds per side and scenario, in the order baseline, current, current, baseline:
 * a machine that speeds up or slows down steadily during a scenario (another job starting
 * on the shared cores) then moves both sides' means alike, where strict alternation
 * (baseline, current, baseline, current) would always favour the same side.
 */
const ROUNDS = 2;
const STARTUP_RUNS = 3;

export interface CompareOptions extends RunOptions {
  /** The other checkout, with its own node_modules and a built dist/ (from baselineServer). */
  baseline: { dir: string; serverFile: string; stale: boolean };
}

type SideName = 'baseline' | 'current';

/** One of the two APIs, with everything that is its own: database, catalogue ids, logged-in customers. */
interface Side {
  name: SideName;
  dir: string;
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

/** `scenarios`: the API scenarios to compare (the bare ceiling has nothing to compare). */
export async function compare(options: CompareOptions, scenarios: Scenario[], workDir: string): Promise<CompareReport> {
  const { baseline } = options;
  if (baseline.stale) {
    say(`warning: ${baseline.dir}/dist/ is older than its sources; measuring it as built (npm run build there to change that)`);
  }
  const adminPassword = randomBytes(18).toString('base64url');
  // The baseline is prepared first: it is the side more likely to fail (an old build, a
  // missing install), and then fails before the longer work.
  const sides = [
    await prepareSide('baseline', baseline.dir, baseline.serverFile, adminPassword, workDir, options),
    await prepareSide('current', resolve(CURRENT_CHECKOUT), undefined, adminPassword, workDir, options),
  ];

  say(`measuring startup (${STARTUP_RUNS} starts each, alternating)`);
  const startupMs = await alternateStartups(sides);
  const running: RunningSide[] = [];
  for (const side of sides) running.push(await startSide(side, options.connections));

  const results: ComparedScenario[] = [];
  for (const scenario of scenarios) {
    const rounds: Record<SideName, ScenarioResult[]> = { baseline: [], current: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const side of round % 2 === 1 ? running : [...running].reverse()) {
        say(`${scenario.name}: ${side.name} round ${round}/${ROUNDS}, ${options.warmupS} s warm-up, ${options.durationS} s measured`);
        const result = await runScenario(scenario, side.target, side.context, options, side.results);
        side.results.push(result);
        rounds[side.name].push(result);
      }
    }
    results.push(compared(scenario.name, rounds.baseline, rounds.current));
  }

  const describe = (side: RunningSide): ComparedSide => ({
    dir: side.dir,
    commit: gitHead(side.dir),
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
    rounds: ROUNDS,
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
  dir: string,
  serverFile: string | undefined,
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
    ...(serverFile ? { serverFile } : {}),
  };
  say(`${name}: migrating ${database.label} with ${serverFile ?? 'dist/server.js'}`);
  await stopServer(await startApi(settings));
  say(`${name}: seeding ${options.products.toLocaleString('en-US')} products and ${options.customers.toLocaleString('en-US')} customers`);
  const catalogue = await seedCatalogue(database, options);
  return { name, dir, settings, database, catalogue };
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

/** The checkout's HEAD commit, abbreviated; undefined when it is not a git checkout. */
function gitHead(dir: string): string | undefined {
  const git = spawnSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  return git.status === 0 ? git.stdout.trim() : undefined;
}

/**
 * The benchmark: `npm run bench` (loopback only, bounded in time, cleans up after itself).
 *
 * It builds the API (tsc -p tsconfig.build.json, skipped when dist/ is newer than src/), starts it as a child process on a fresh
 * database to migrate it, seeds a catalogue straight into that database, measures startup
 * (3 starts), then runs every scenario of scenarios.ts with autocannon against the API and
 * against a bare node:http server (the ceiling), each after a warm-up, sampling the server's
 * peak RSS. Prints a markdown table.
 *
 * Outputs: only a full default run (no --quick, --only or --baseline, every number at its
 * default, no BENCH_DATABASE_URL) rewrites the published, committed bench/results.md and
 * bench/chart.svg (and bench/results/latest.json). Any other run writes bench/results/latest.json,
 * latest.md and latest.svg instead: bench/results/ is not committed, so a smoke run never
 * replaces the published figures. Either way the run ends by naming the files it wrote.
 *
 * Comparison (--baseline DIR): DIR is another checkout of this project (a git worktree of an
 * older commit, say) with its own node_modules and a built DIR/dist/server.js (it is not built
 * here: cd DIR && npm ci && npm run build). Both APIs run at once, each on its own database
 * (two temporary SQLite files, or two PostgreSQL databases), migrated by that API itself (the
 * newer one may have migrations the older one's migrator would refuse) and seeded alike. Every
 * scenario but the bare ceiling then runs 2 rounds per side (--rounds), alternating (baseline,
 * current, current, baseline, ...), each after its own warm-up; customers log in to each API
 * separately. It prints each side's req/s and p99 (mean of its rounds) and current/baseline, and
 * writes bench/results/compare-latest.md and compare-latest.json. --quick, --only and the
 * numbers below apply as usual (--duration and --warmup per round).
 *
 * The cost of metrics (--metrics-cost): the same comparison, between two APIs of this build,
 * the baseline without METRICS_PORT and the current one with it (each its own free port; its
 * /metrics is read at the end, to show it counted the load). Without --only it runs
 * GET /products/{id} alone, the scenario whose cost the metrics must keep under 5%.
 *
 * The cost of a full checkout (--checkout-cost): two APIs of this build again, the baseline
 * placing plain orders (no rates: a shop that sells as in part one), the current one orders
 * with an address, a shipping rate and California's tax; one row, rounds alternating as above.
 * The run's own pair (POST /orders and the checkout right after it, on one database) measures
 * the two at different moments of a shared machine; this puts them side by side.
 *
 * Events and webhooks (--webhooks): see bench/webhooks.ts. What a subscribed endpoint costs
 * POST /orders (alternating rounds, --rounds), the latency from an order's answer to its
 * delivery at a fast receiver on loopback (inline and by a worker, --rate orders a second),
 * and the deliveries per second of one worker clearing a backlog. Writes
 * bench/results/webhooks-latest.md and .json. What events themselves cost an order is a
 * comparison with a build from before them: --baseline DIR --only "POST /orders (2 lines)".
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
 *                      for the ratios, except in a comparison)
 *   --baseline DIR     compare this checkout's API with DIR's, side by side (see above)
 *   --metrics-cost     compare this build without and with METRICS_PORT, side by side (see above)
 *   --checkout-cost    compare this build's plain POST /orders with its full checkout (see above)
 *   --rounds N         measured rounds per side in a comparison or --webhooks (default 2)
 *   --webhooks         the events and webhooks measures (see above)
 *   --rate N           orders a second in --webhooks' latency measure (default 100)
 *   --help             this text
 *
 * Environment:
 *   BENCH_DATABASE_URL=postgres://user@host:port/db
 *                      run on PostgreSQL instead of a temporary SQLite file: a database
 *                      bench_<pid> (bench_<pid>_baseline and bench_<pid>_current in a
 *                      comparison) is created on that server and dropped afterwards.
 *
 * Example: npm run bench -- --quick
 *          BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench
 *          git worktree add ../shop-before HEAD~1 && (cd ../shop-before && npm ci && npm run build)
 *          npm run bench -- --quick --only "products/{id}" --baseline ../shop-before
 *          npm run bench -- --quick --metrics-cost --rounds 4
 *          npm run bench -- --quick --checkout-cost --rounds 6
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { cleanUp, cleanUpOnSignals, isCleaningUp, onCleanup } from './cleanup.js';
import { type ScenarioPair, type SideSpec, CURRENT_CHECKOUT, compare, samePair } from './compare.js';
import { compareMarkdown, writeCompareOutputs } from './compare-report.js';
import { createDatabase } from './database.js';
import { say } from './log.js';
import { type RunOptions, type Target, chosen, runScenario, startTarget } from './measure.js';
import { type Report, type ScenarioResult, commandLine, machineInfo, markdown, timestamp, writeOutputs } from './report.js';
import { currentRss } from './rss.js';
import { fakeStripeEnvironment } from './payments.js';
import { BY_ID, CHECKOUT_SCENARIO, ORDER_SCENARIO, type Scenario, type ScenarioContext, logIn, logInAs, scenarios } from './scenarios.js';
import { seedCatalogue } from './seed.js';
import { benchWebhooks, webhookMarkdown, writeWebhookOutputs } from './webhooks.js';
import {
  type ApiSettings,
  baselineServer,
  buildApi,
  measureStartup,
  startApi,
  freePort,
  startBareServer,
  stopServer,
} from './servers.js';

const STARTUP_RUNS = 3;

/** The published run's numbers; --quick's, where it differs. */
const FULL = { products: 100_000, customers: 1_000, durationS: 10, warmupS: 3, connections: 50 };
const QUICK = { products: 10_000, customers: 100, durationS: 3, warmupS: 1 };

interface Options extends RunOptions {
  baseline: string | undefined;
  metricsCost: boolean;
  checkoutCost: boolean;
  webhooks: boolean;
  rounds: number;
  steadyRate: number;
  /** Why this run must not replace the published results.md and chart.svg; empty for a full default run. */
  notPublishedBecause: string[];
}

async function main(): Promise<void> {
  const options = readOptions();
  // Both checked before the build and the seeding, so a typo fails in a second.
  const comparing = options.baseline !== undefined || options.metricsCost || options.checkoutCost;
  const picked: Scenario[] = options.checkoutCost
    ? []
    : options.metricsCost && options.only === undefined
      ? scenarios.filter((s) => s.name === BY_ID)
      : chosen(options.only, !comparing);
  const baseline = options.baseline === undefined ? undefined : baselineServer(options.baseline);
  cleanUpOnSignals();

  say('building the API (tsc -p tsconfig.build.json) unless dist/ is up to date');
  say(buildApi() ? 'built' : 'dist/ is up to date');

  const workDir = mkdtempSync(join(tmpdir(), 'ecommerce-bench-'));
  onCleanup(() => rmSync(workDir, { recursive: true, force: true }));

  if (options.webhooks) {
    const report = await benchWebhooks(options, workDir);
    console.log(`\n${webhookMarkdown(report)}`);
    showWritten(writeWebhookOutputs(report), []);
    return;
  }

  if (comparing) {
    const sides = baseline !== undefined ? baselineSides(baseline) : options.metricsCost ? await metricsSides() : checkoutSides();
    const pairs: ScenarioPair[] = options.checkoutCost ? [CHECKOUT_PAIR] : picked.map(samePair);
    const report = await compare({ ...options, ...sides }, pairs, workDir);
    console.log(`\n${compareMarkdown(report)}`);
    showWritten(writeCompareOutputs(report), []);
    return;
  }

  const database = await createDatabase(workDir, process.env.BENCH_DATABASE_URL || undefined);
  const api: ApiSettings = {
    databaseUrl: database.url,
    adminUsername: 'bench_admin',
    adminPassword: randomBytes(18).toString('base64url'),
    cwd: workDir,
    // The payment scenarios' Stripe is the fake of the tests, on loopback.
    env: await fakeStripeEnvironment(),
  };

  say(`migrating ${database.label}`);
  await stopServer(await startApi(api));
  say(`seeding ${options.products.toLocaleString('en-US')} products and ${options.customers.toLocaleString('en-US')} customers`);
  const catalogue = await seedCatalogue(database, options);
  say(`seeded in ${(catalogue.seedMs / 1000).toFixed(1)} s; measuring startup (${STARTUP_RUNS} starts)`);
  const startupMs = await measureStartup(api, STARTUP_RUNS);

  const targets: Record<'api' | 'bare', Target> = {
    api: await startTarget(() => startApi(api)),
    bare: await startTarget(() => startBareServer(workDir)),
  };
  const idleRssBytes = currentRss(targets.api.server.pid);
  const context: ScenarioContext = {
    productIds: catalogue.productIds,
    adminToken: await logInAs(targets.api.server.url, api.adminUsername, api.adminPassword),
    customers: catalogue.customers,
    loggedIn: await logIn(targets.api.server.url, catalogue.customers, options.connections),
    connections: options.connections,
  };

  const results: ScenarioResult[] = [];
  for (const scenario of picked) {
    say(`${scenario.name}: ${options.warmupS} s warm-up, ${options.durationS} s measured`);
    results.push(await runScenario(scenario, targets[scenario.server], context, options, results));
  }

  const report: Report = {
    date: timestamp(),
    command: commandLine(),
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
  const files = writeOutputs(report, { published: options.notPublishedBecause.length === 0 });
  console.log(`\n${markdown(report)}`);
  showWritten(files, options.notPublishedBecause);
}

/** --baseline DIR: that checkout's build against this one's. */
function baselineSides(baseline: ReturnType<typeof baselineServer>): { baseline: SideSpec; current: SideSpec } {
  if (baseline.stale) {
    say(`warning: ${baseline.dir}/dist/ is older than its sources; measuring it as built (npm run build there to change that)`);
  }
  return {
    baseline: { dir: baseline.dir, serverFile: baseline.serverFile },
    current: { dir: CURRENT_CHECKOUT, serverFile: undefined },
  };
}

/** --metrics-cost: this build twice, without and with METRICS_PORT. */
async function metricsSides(): Promise<{ baseline: SideSpec; current: SideSpec }> {
  const port = String(await freePort());
  return {
    baseline: { dir: CURRENT_CHECKOUT, serverFile: undefined, description: 'METRICS_PORT unset' },
    current: { dir: CURRENT_CHECKOUT, serverFile: undefined, env: { METRICS_PORT: port }, description: `METRICS_PORT=${port}` },
  };
}

/** --checkout-cost: this build twice, the plain order on one, the full checkout on the other. */
function checkoutSides(): { baseline: SideSpec; current: SideSpec } {
  return {
    baseline: { dir: CURRENT_CHECKOUT, serverFile: undefined, description: `${ORDER_SCENARIO.name}, no rates` },
    current: { dir: CURRENT_CHECKOUT, serverFile: undefined, description: CHECKOUT_SCENARIO.name },
  };
}

const CHECKOUT_PAIR: ScenarioPair = {
  name: `${ORDER_SCENARIO.name} vs with address, shipping and tax`,
  baseline: ORDER_SCENARIO,
  current: CHECKOUT_SCENARIO,
};

/** The files written, and why the published ones were left alone when they were. */
function showWritten(files: string[], notPublishedBecause: string[]): void {
  say(`wrote ${files.map((file) => relative(process.cwd(), file)).join(', ')}`);
  if (notPublishedBecause.length > 0) {
    say(`left bench/results.md and bench/chart.svg (the published full run) as they are: not a full default run (${notPublishedBecause.join(', ')})`);
  }
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
      baseline: { type: 'string' },
      'metrics-cost': { type: 'boolean', default: false },
      'checkout-cost': { type: 'boolean', default: false },
      rounds: { type: 'string' },
      webhooks: { type: 'boolean', default: false },
      rate: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'npm run bench -- [--quick] [--products N] [--customers N] [--duration S] [--warmup S] [--connections N] [--only TEXT] [--baseline DIR | --metrics-cost | --checkout-cost | --webhooks [--rate N]] [--rounds N]',
    );
    console.log('See the comment at the top of bench/run.ts; BENCH_DATABASE_URL=postgres://... runs on PostgreSQL.');
    console.log('Only a full default run rewrites bench/results.md and bench/chart.svg; any other writes under bench/results/.');
    process.exit(0);
  }
  const quick = values.quick;
  const options: RunOptions = {
    products: count('products', values.products, quick ? QUICK.products : FULL.products, 1),
    customers: count('customers', values.customers, quick ? QUICK.customers : FULL.customers, 1),
    durationS: count('duration', values.duration, quick ? QUICK.durationS : FULL.durationS, 1),
    warmupS: count('warmup', values.warmup, quick ? QUICK.warmupS : FULL.warmupS, 0),
    connections: count('connections', values.connections, FULL.connections, 1),
    only: values.only,
  };
  if (values.baseline === '') {
    console.error('--baseline needs the directory of another checkout, with node_modules and a built dist/');
    process.exit(2);
  }
  const metricsCost = values['metrics-cost'];
  const checkoutCost = values['checkout-cost'];
  const webhooks = values.webhooks;
  if ([metricsCost, checkoutCost, values.baseline !== undefined, webhooks].filter(Boolean).length > 1) {
    console.error('--baseline, --metrics-cost, --checkout-cost and --webhooks are each a run of its own: give one');
    process.exit(2);
  }
  if (checkoutCost && options.only !== undefined) {
    console.error('--checkout-cost runs its one pair: leave out --only');
    process.exit(2);
  }
  if (values.rounds !== undefined && !metricsCost && !checkoutCost && !webhooks && values.baseline === undefined) {
    console.error('--rounds is for a comparison (--baseline DIR, --metrics-cost or --checkout-cost) or --webhooks');
    process.exit(2);
  }
  if (values.rate !== undefined && !webhooks) {
    console.error('--rate is for --webhooks');
    process.exit(2);
  }
  const rounds = count('rounds', values.rounds, 2, 1);
  const steadyRate = count('rate', values.rate, 100, 1);
  const notPublishedBecause = [
    ...(quick ? ['--quick'] : []),
    ...(options.only !== undefined ? [`--only ${JSON.stringify(options.only)}`] : []),
    ...(values.baseline !== undefined ? ['--baseline'] : []),
    ...(metricsCost ? ['--metrics-cost'] : []),
    ...(checkoutCost ? ['--checkout-cost'] : []),
    ...(webhooks ? ['--webhooks'] : []),
    ...(quick ? [] : numbersOtherThanFull(options)),
    ...(process.env.BENCH_DATABASE_URL ? ['BENCH_DATABASE_URL'] : []),
  ];
  return { ...options, baseline: values.baseline, metricsCost, checkoutCost, webhooks, rounds, steadyRate, notPublishedBecause };
}

/** The numbers given that differ from the full run's (an explicit default keeps a run full). */
function numbersOtherThanFull(options: RunOptions): string[] {
  const numbers = [
    ['products', options.products, FULL.products],
    ['customers', options.customers, FULL.customers],
    ['duration', options.durationS, FULL.durationS],
    ['warmup', options.warmupS, FULL.warmupS],
    ['connections', options.connections, FULL.connections],
  ] as const;
  return numbers.filter(([, value, full]) => value !== full).map(([name, value]) => `--${name} ${value}`);
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

// One scenario measured against one server: a warm-up, the measured load (with the server's
// peak RSS sampled meanwhile), and after each a wait for the server to finish what the load
// left in flight. Shared by the usual run and the comparison of two builds (compare.ts).
import { cpuSeconds, waitUntilIdle } from './idle.js';
import { fire } from './load.js';
import { say } from './log.js';
import type { ScenarioResult } from './report.js';
import { PeakRss } from './rss.js';
import { type Scenario, type ScenarioContext, scenarios } from './scenarios.js';
import { type StartedServer, stopServer } from './servers.js';

/** How long a server may take to finish the work a load left in flight before it is restarted. */
const SETTLE_MAX_MS = 5_000;

export interface LoadSettings {
  durationS: number;
  warmupS: number;
}

/** What both modes take from the command line. */
export interface RunOptions extends LoadSettings {
  products: number;
  customers: number;
  connections: number;
  only: string | undefined;
}

/** A server under load, and how to start a fresh one should it stay busy after a load. */
export interface Target {
  server: StartedServer;
  restart: () => Promise<StartedServer>;
}

export async function startTarget(start: () => Promise<StartedServer>): Promise<Target> {
  return { server: await start(), restart: start };
}

/**
 * Every API scenario, or those named by --only; `withBare` puts the bare ceiling first, as
 * the ratios need it. A comparison (no bare ceiling) leaves out scenarios that prepare the
 * shop through routes a baseline may not have.
 */
export function chosen(only: string | undefined, withBare: boolean): Scenario[] {
  const comparing = !withBare;
  const wanted = (scenario: Scenario) =>
    scenario.server === 'api' && (only === undefined || scenario.name.includes(only)) && !(comparing && scenario.prepare);
  if (!scenarios.some(wanted)) {
    console.error(`--only "${only}" names no scenario; they are:\n${scenarios.map((s) => `  ${s.name}`).join('\n')}`);
    process.exit(2);
  }
  return scenarios.filter((scenario) => wanted(scenario) || (withBare && scenario.server === 'bare'));
}

/**
 * Runs `scenario` against `target`. `earlier` holds the results measured before on the same
 * side, where the bare server's (for the ratio) and the one compareWith names are found.
 */
export async function runScenario(
  scenario: Scenario,
  target: Target,
  context: ScenarioContext,
  load: LoadSettings,
  earlier: ScenarioResult[],
): Promise<ScenarioResult> {
  // No request gives up within a run: a slow route shows as latency, not as errors, and
  // abandoned work is bounded by one request per connection.
  const timeout = Math.max(load.durationS, load.warmupS) + 10;
  await scenario.prepare?.(target.server.url, context);
  // Warm-up and measurement each fire their own autocannon instances, built afresh, at the
  // server of the moment (a restart after the warm-up has a new port).
  const fireAll = (durationS: number) => {
    const { url } = target.server;
    return Promise.all([
      fire(url, { timeout, ...scenario.options(context) }, durationS),
      scenario.background ? fire(url, { timeout, ...scenario.background.options(context) }, durationS) : undefined,
    ]);
  };

  let restarted = false;
  if (load.warmupS > 0) {
    await fireAll(load.warmupS);
    restarted = await settle(target);
  }
  const rss = new PeakRss(target.server.pid);
  const cpuBefore = cpuSeconds(target.server.pid);
  const [measured, background] = await fireAll(load.durationS);
  const cpuAfter = cpuSeconds(target.server.pid);
  const peakRssBytes = rss.stop();
  const answered = measured.requests + (background?.requests ?? 0);
  const cpuUsPerRequest = cpuBefore !== undefined && cpuAfter !== undefined && answered > 0 ? ((cpuAfter - cpuBefore) * 1e6) / answered : undefined;
  restarted = (await settle(target)) || restarted;

  const bare = scenario.server === 'bare' ? measured : earlier.find((r) => r.server === 'bare');
  const compared = scenario.compareWith && earlier.find((r) => r.name === scenario.compareWith);
  const result: ScenarioResult = {
    name: scenario.name,
    server: scenario.server,
    ...measured,
    peakRssBytes,
    ...(cpuUsPerRequest !== undefined ? { cpuUsPerRequest } : {}),
    ratioToBare: bare && bare.requestsPerS > 0 ? measured.requestsPerS / bare.requestsPerS : 0,
    restarted,
    ...(background && scenario.background ? { background: { name: scenario.background.name, ...background } } : {}),
    ...(compared ? { comparedWith: { name: compared.name, p99Ms: compared.p99Ms, requestsPerS: compared.requestsPerS } } : {}),
  };
  showFailures(result, target.server);
  return result;
}

/** Waits for the server to finish what the last load left; restarts it when that takes too long. */
async function settle(target: Target): Promise<boolean> {
  if (await waitUntilIdle(target.server, SETTLE_MAX_MS)) return false;
  say(`  ${target.server.name} still busy ${SETTLE_MAX_MS / 1000} s after the load stopped: restarting it`);
  await stopServer(target.server, 0);
  target.server = await target.restart();
  return true;
}

/** Connection errors or 5xx answers: what the server printed says why. */
function showFailures(result: ScenarioResult, server: StartedServer): void {
  if (result.errors === 0 && !Object.keys(result.statusCodes).some((status) => status.startsWith('5'))) return;
  console.error(`  ${result.errors} errors, statuses ${JSON.stringify(result.statusCodes)}; ${server.name} printed:\n${server.output()}`);
}

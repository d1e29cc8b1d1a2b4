// The outputs of a comparison (--baseline DIR, --metrics-cost or --checkout-cost): per scenario, each build's requests per second
// and p99 latency (the mean of its rounds) and current over baseline, as a markdown table
// (printed, and written to bench/results/compare-latest.md) and every round's numbers as JSON
// (bench/results/compare-latest.json). Neither is committed.
import { writeFileSync } from 'node:fs';
import { type Report, type ScenarioResult, int, mb, mean, ms, rate, resultsFile, seconds, setupRows } from './report.js';

export interface ComparedSide {
  /** The checkout's directory and its HEAD commit (uncommitted changes are not told apart). */
  dir: string;
  commit: string | undefined;
  /** What sets the side apart when both run one build (--metrics-cost, --checkout-cost). */
  description?: string;
  /** With METRICS_PORT: its http_requests_total at the end, all series together. */
  requestsCounted?: number;
  startupMs: number[];
  idleRssBytes: number;
  seedMs: number;
}

export interface SideRounds {
  /** Means over the rounds. */
  requestsPerS: number;
  p99Ms: number;
  /** Undefined when a round has no CPU figure (no /proc). */
  cpuUsPerRequest: number | undefined;
  rounds: ScenarioResult[];
}

export interface ComparedScenario {
  name: string;
  baseline: SideRounds;
  current: SideRounds;
  /** Current over baseline requests per second: above 1 the current build is faster. */
  ratio: number;
  /**
   * The median over rounds of current's req/s over baseline's in the same round: the two are
   * run one after the other, so a machine whose load swings from round to round (shared cores)
   * moves a pair together, where it moves the means apart.
   */
  roundRatio: number;
  /** Current over baseline CPU time per request: below 1 the current build does less work. */
  cpuRatio: number | undefined;
}

export interface CompareReport extends Omit<Report, 'seedMs' | 'startupMs' | 'idleRssBytes' | 'scenarios'> {
  rounds: number;
  baseline: ComparedSide;
  current: ComparedSide;
  scenarios: ComparedScenario[];
}

export function compared(name: string, baseline: ScenarioResult[], current: ScenarioResult[]): ComparedScenario {
  const side = (rounds: ScenarioResult[]): SideRounds => {
    const cpu = rounds.map((r) => r.cpuUsPerRequest);
    return {
      requestsPerS: mean(rounds.map((r) => r.requestsPerS)),
      p99Ms: mean(rounds.map((r) => r.p99Ms)),
      cpuUsPerRequest: cpu.every((us) => us !== undefined) ? mean(cpu) : undefined,
      rounds,
    };
  };
  const before = side(baseline);
  const after = side(current);
  const pairs = baseline.map((b, i) => (b.requestsPerS > 0 ? (current[i]?.requestsPerS ?? 0) / b.requestsPerS : 0));
  return {
    name,
    baseline: before,
    current: after,
    ratio: before.requestsPerS > 0 ? after.requestsPerS / before.requestsPerS : 0,
    roundRatio: median(pairs),
    cpuRatio: before.cpuUsPerRequest && after.cpuUsPerRequest !== undefined ? after.cpuUsPerRequest / before.cpuUsPerRequest : undefined,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function compareMarkdown(report: CompareReport): string {
  const { machine } = report;
  const header = [
    '# Benchmark comparison',
    '',
    `\`${report.command}\`, ${report.date}. Loopback only; numbers from a shared machine are noisy, so read the ratios.`,
    `Both APIs ran at once, each on its own database seeded alike; every scenario alternated baseline and current`,
    `(baseline, current, current, baseline, …), ${report.rounds} rounds each, each after its own warm-up. Figures are the`,
    `mean of a side's rounds; the notes give each round's req/s in the order run. "Per round" is the median of current/baseline`,
    `within each round (the two sides measured back to back); CPU is the server's CPU time per request answered.`,
    '',
    ...setupRows(machine, report.database),
    `| data | ${int(report.products)} products, ${int(report.customers)} customers each |`,
    `| load | autocannon, ${report.connections} connections unless noted, ${report.durationS} s per round after ${report.warmupS} s of warm-up |`,
    `| baseline | ${sideLine(report.baseline)} |`,
    `| current | ${sideLine(report.current)} |`,
  ];
  const rows = [
    '| scenario | baseline req/s | current req/s | current/baseline | per round | baseline CPU µs/req | current CPU µs/req | CPU current/baseline | baseline p99 ms | current p99 ms | notes |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...report.scenarios.map(
      (s) =>
        `| ${s.name} | ${rate(s.baseline.requestsPerS)} | ${rate(s.current.requestsPerS)} | ${s.ratio.toFixed(2)}× | ${s.roundRatio.toFixed(2)}× | ${cpu(s.baseline.cpuUsPerRequest)} | ${cpu(s.current.cpuUsPerRequest)} | ${s.cpuRatio === undefined ? '–' : `${s.cpuRatio.toFixed(3)}×`} | ${ms(s.baseline.p99Ms)} | ${ms(s.current.p99Ms)} | ${notes(s, report.connections)} |`,
    ),
  ];
  return [...header, '', ...rows, ''].join('\n');
}

function cpu(us: number | undefined): string {
  return us === undefined ? '–' : us.toFixed(1);
}

function sideLine(side: ComparedSide): string {
  const commit = side.commit ? ` (HEAD ${side.commit})` : '';
  const description = side.description ? `, ${side.description}` : '';
  const counted = side.requestsCounted !== undefined ? `; its /metrics counted ${int(side.requestsCounted)} requests` : '';
  const startups = side.startupMs.map((t) => ms(t)).join(', ');
  return `${side.dir}${commit}${description}${counted}; startup ${ms(mean(side.startupMs))} ms (${startups}), idle RSS ${mb(side.idleRssBytes)} MB, seeded in ${seconds(side.seedMs)}`;
}

/** Each round's req/s, so the noise shows, and anything that went wrong on either side. */
function notes(s: ComparedScenario, runConnections: number): string {
  const parts: string[] = [];
  const first = s.baseline.rounds[0];
  if (first && first.connections !== runConnections) parts.push(`${first.connections} connections`);
  const rounds = (side: SideRounds) => side.rounds.map((r) => rate(r.requestsPerS)).join(' / ');
  parts.push(`rounds ${rounds(s.baseline)} vs ${rounds(s.current)}`);
  if (s.cpuRatio !== undefined) {
    const cpuRounds = (side: SideRounds) => side.rounds.map((r) => cpu(r.cpuUsPerRequest)).join(' / ');
    parts.push(`CPU µs/req ${cpuRounds(s.baseline)} vs ${cpuRounds(s.current)}`);
  }
  if (first?.background) {
    // The flood's own answers: a build that refuses it sooner (429) leaves the reads more CPU.
    const flood = (side: SideRounds) =>
      `${rate(mean(side.rounds.map((r) => r.background?.requestsPerS ?? 0)))} req/s (${tally(side.rounds.flatMap((r) => Object.entries(r.background?.statusCodes ?? {}))) || 'no answers'})`;
    parts.push(`beside it: ${first.background.name}, ${flood(s.baseline)} vs ${flood(s.current)}`);
  }
  for (const [label, side] of [['baseline', s.baseline], ['current', s.current]] as const) {
    const unexpected = tally(side.rounds.flatMap((r) => Object.entries(r.statusCodes).filter(([status]) => !status.startsWith('2'))));
    const errors = side.rounds.reduce((sum, r) => sum + r.errors, 0);
    const restarts = side.rounds.filter((r) => r.restarted).length;
    if (unexpected) parts.push(`${label} statuses: ${unexpected}`);
    if (errors > 0) parts.push(`${label} ${int(errors)} errors`);
    if (restarts > 0) parts.push(`${label} restarted ${restarts}× (still busy 5 s after a load)`);
  }
  return parts.join('; ');
}

function tally(entries: [string, number][]): string {
  const counts = new Map<string, number>();
  for (const [status, count] of entries) counts.set(status, (counts.get(status) ?? 0) + count);
  return [...counts].map(([status, count]) => `${int(count)}×${status}`).join(', ');
}

/** Writes results/compare-latest.md and .json; returns the files written. */
export function writeCompareOutputs(report: CompareReport): string[] {
  const files = [resultsFile('compare-latest.md'), resultsFile('compare-latest.json')] as const;
  writeFileSync(files[0], compareMarkdown(report));
  writeFileSync(files[1], JSON.stringify(report, null, 2) + '\n');
  return [...files];
}

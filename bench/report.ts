// The three outputs of a run: a markdown table (printed), the raw numbers as JSON and an SVG
// bar chart of requests per second. A full default run publishes the table and the chart
// (bench/results.md and bench/chart.svg, committed); every other run writes all three under
// bench/results/ (not committed), so a smoke run never overwrites the published figures.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { LoadResult } from './load.js';

export interface ScenarioResult extends LoadResult {
  name: string;
  server: 'bare' | 'api';
  peakRssBytes: number;
  /**
   * The server's CPU time (user and system, from /proc) during the measured load over the
   * requests it answered, background load included; absent without /proc. The server's own work
   * rather than the share of the machine it got, though a shared machine still moves it (caches,
   * a core taken mid-request).
   */
  cpuUsPerRequest?: number;
  /** Requests per second over the bare server's, measured in the same run. */
  ratioToBare: number;
  /** The server was still busy with abandoned requests 5 s after a load stopped, and was restarted. */
  restarted: boolean;
  background?: LoadResult & { name: string };
  comparedWith?: { name: string; p99Ms: number; requestsPerS: number };
}

export interface Report {
  date: string;
  command: string;
  machine: { cpu: string; cores: number; memoryGiB: number; os: string; node: string };
  database: string;
  products: number;
  customers: number;
  seedMs: number;
  connections: number;
  durationS: number;
  warmupS: number;
  /** Spawning `node dist/server.js` to its first 200 from /health, on a migrated database. */
  startupMs: number[];
  idleRssBytes: number;
  scenarios: ScenarioResult[];
}

/** The command as typed, give or take npm's quoting: `npm run bench -- --quick`. */
export function commandLine(): string {
  return `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim().replace(/ --$/, '');
}

/** Now, to the second, in UTC. */
export function timestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

export function machineInfo(): Report['machine'] {
  const cores = cpus();
  return {
    cpu: cores[0]?.model.trim() ?? 'unknown',
    cores: cores.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${process.platform} ${release()} ${process.arch}`,
    node: process.version,
  };
}

/** The first rows of a results table: the machine, Node and the database. */
export function setupRows(machine: Report['machine'], database: string): string[] {
  return [
    '| | |',
    '| --- | --- |',
    `| machine | ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os} |`,
    `| Node | ${machine.node} |`,
    `| database | ${database} |`,
  ];
}

export function markdown(report: Report): string {
  const { machine } = report;
  const startup = mean(report.startupMs);
  const header = [
    `# Benchmark results`,
    '',
    `\`${report.command}\`, ${report.date}. Loopback only; numbers from a shared machine are noisy.`,
    '',
    ...setupRows(machine, report.database),
    `| data | ${int(report.products)} products, ${int(report.customers)} customers (seeded in ${seconds(report.seedMs)}) |`,
    `| load | autocannon, ${report.connections} connections unless noted, ${report.durationS} s per scenario after ${report.warmupS} s of warm-up |`,
    `| API startup | ${ms(startup)} ms from spawn to the first 200 from /health (mean of ${report.startupMs.map((t) => ms(t)).join(', ')} ms; migrated, seeded database); idle RSS ${mb(report.idleRssBytes)} MB |`,
  ];
  const rows = [
    '| scenario | req/s | vs bare | p50 ms | p99 ms | non-2xx | errors | MB/s | peak RSS MB | notes |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...report.scenarios.map(
      (s) =>
        `| ${s.name} | ${rate(s.requestsPerS)} | ${s.ratioToBare.toFixed(2)}× | ${ms(s.p50Ms)} | ${ms(s.p99Ms)} | ${int(s.non2xx)} | ${int(s.errors)} | ${(s.bytesPerS / 1e6).toFixed(1)} | ${mb(s.peakRssBytes)} | ${notes(s, report.connections)} |`,
    ),
  ];
  return [...header, '', ...rows, ''].join('\n');
}

function notes(s: ScenarioResult, runConnections: number): string {
  const parts: string[] = [];
  if (s.connections !== runConnections) parts.push(`${s.connections} connections`);
  if (s.comparedWith) {
    const ratio = s.comparedWith.requestsPerS > 0 ? s.requestsPerS / s.comparedWith.requestsPerS : 0;
    parts.push(`${ratio.toFixed(2)}× the req/s of ${s.comparedWith.name}; p99 ${ms(s.p99Ms)} ms vs ${ms(s.comparedWith.p99Ms)} ms`);
  }
  if (s.background) {
    const statuses = Object.entries(s.background.statusCodes)
      .map(([status, count]) => `${int(count)}×${status}`)
      .join(', ');
    parts.push(
      `beside it: ${s.background.name}, ${rate(s.background.requestsPerS)} req/s (${statuses || 'no answers'}; 401 is the intended answer), ${int(s.background.errors)} errors`,
    );
  }
  if (s.timeouts > 0) parts.push(`${int(s.timeouts)} timeouts`);
  if (s.restarted) parts.push('server still busy with abandoned requests 5 s after the load stopped, so restarted');
  const unexpected = Object.entries(s.statusCodes).filter(([status]) => !status.startsWith('2'));
  if (unexpected.length > 0) parts.push(`statuses: ${unexpected.map(([status, count]) => `${int(count)}×${status}`).join(', ')}`);
  const bytesPerResponse = s.requests > 0 ? s.bytesPerS / s.requestsPerS : 0;
  if (bytesPerResponse >= 100_000) parts.push(`${int(s.requests)} responses of ${(bytesPerResponse / 1e6).toFixed(1)} MB`);
  return parts.join('; ');
}

const BAR_HEIGHT = 22;
const ROW_HEIGHT = 32;
const LABEL_WIDTH = 330;
const BAR_AREA = 420;
const WIDTH = LABEL_WIDTH + BAR_AREA + 110;

/** Horizontal bars of requests per second, the bare server first and in grey. */
export function svgChart(report: Report): string {
  const max = Math.max(...report.scenarios.map((s) => s.requestsPerS), 1);
  const top = 64;
  const height = top + report.scenarios.length * ROW_HEIGHT + 24;
  const bars = report.scenarios.map((s, i) => {
    const y = top + i * ROW_HEIGHT;
    const width = Math.max(1, (s.requestsPerS / max) * BAR_AREA);
    const fill = s.server === 'bare' ? '#9ca3af' : '#2563eb';
    return [
      `  <text x="${LABEL_WIDTH - 10}" y="${y + BAR_HEIGHT / 2 + 4}" text-anchor="end">${escapeXml(s.name)}</text>`,
      `  <rect x="${LABEL_WIDTH}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${fill}"/>`,
      `  <text x="${(LABEL_WIDTH + width + 6).toFixed(1)}" y="${y + BAR_HEIGHT / 2 + 4}">${rate(s.requestsPerS)}</text>`,
    ].join('\n');
  });
  const subtitle = `${report.machine.cpu}, ${report.machine.cores} cores · Node ${report.machine.node} · ${report.database} · ${int(report.products)} products · ${report.connections} connections, ${report.durationS} s each`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="13">`,
    `  <rect width="100%" height="100%" fill="#ffffff"/>`,
    `  <text x="16" y="24" font-size="16" font-weight="bold">Requests per second (higher is better), ${escapeXml(report.date)}</text>`,
    `  <text x="16" y="44" font-size="11" fill="#4b5563">${escapeXml(subtitle)}</text>`,
    ...bars,
    '</svg>',
    '',
  ].join('\n');
}

/**
 * Writes the outputs; returns the files written. Every run writes results/latest.json; a
 * `published` (full default) run rewrites results.md and chart.svg, any other run writes
 * results/latest.md and results/latest.svg instead.
 */
export function writeOutputs(report: Report, { published }: { published: boolean }): string[] {
  const files = {
    json: resultsFile('latest.json'),
    markdown: published ? benchFile('results.md') : resultsFile('latest.md'),
    chart: published ? benchFile('chart.svg') : resultsFile('latest.svg'),
  };
  writeFileSync(files.json, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(files.markdown, markdown(report));
  writeFileSync(files.chart, svgChart(report));
  return Object.values(files);
}

export function benchFile(name: string): string {
  return fileURLToPath(new URL(name, import.meta.url));
}

/** A file in bench/results/ (gitignored), which is created if need be. */
export function resultsFile(name: string): string {
  mkdirSync(benchFile('results/'), { recursive: true });
  return benchFile(`results/${name}`);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
}

export const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const rate = (n: number) => (n >= 100 ? int(n) : n.toFixed(1));
export const ms = (n: number) => (n >= 100 ? int(n) : String(Math.round(n * 10) / 10));
export const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
export const seconds = (msValue: number) => `${(msValue / 1000).toFixed(1)} s`;

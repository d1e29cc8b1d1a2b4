/// <reference path="./autocannon.d.ts" />
// One autocannon run, reduced to the numbers the report shows.
import autocannon from 'autocannon';

/** What a scenario asks autocannon for; the url and duration come from the runner. */
export type LoadOptions = Omit<autocannon.Options, 'url' | 'duration'>;

export interface LoadResult {
  connections: number;
  requests: number;
  durationS: number;
  requestsPerS: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
  bytesPerS: number;
  statusCodes: Record<string, number>;
}

/** autocannon's own default. */
const DEFAULT_CONNECTIONS = 10;

export async function fire(url: string, options: LoadOptions, durationS: number): Promise<LoadResult> {
  const result = await autocannon({ ...options, url, duration: durationS });
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([status, stats]) => [status, stats.count]),
  );
  return {
    connections: options.connections ?? DEFAULT_CONNECTIONS,
    requests: result.requests.total,
    durationS: result.duration,
    requestsPerS: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    bytesPerS: result.throughput.total / result.duration,
    statusCodes,
  };
}

/** A random element: spreads requests over the catalogue (uniformly, so caches get no favours). */
export function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T;
}

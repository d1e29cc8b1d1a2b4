/**
 * http_requests_total and http_request_duration_seconds, kept outside prom-client because
 * they are written on every request: prom-client validates and hashes a label object on every
 * inc() and observe(), where this table costs three Map lookups and a few additions (the
 * commit that made it has the figures).
 *
 * Invariants:
 * - One series per route pattern, method and status, made on its first request and never
 *   removed; the route is the router's pattern or "unmatched" and the method one Node's HTTP
 *   parser accepts, so their number is bounded by the route table, not by what clients send.
 * - A series' counts only grow; `count` is also the +Inf bucket, and each bucket below holds
 *   only the requests that fell in it (the text format's cumulative counts are summed when rendered).
 * - Rendered on a scrape, never in between: one thread, so a scrape sees each series whole.
 */

/** Upper bounds in seconds: most answers take a few milliseconds, so finer than prom-client's default below 5 ms. */
export const DURATION_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const REQUESTS = 'http_requests_total';
const DURATION = 'http_request_duration_seconds';

interface Series {
  /** The label pairs as the text format writes them: route="...",method="...",status="...". */
  labels: string;
  count: number;
  sum: number;
  /** Requests per bucket, not cumulative; one more than DURATION_BUCKETS for those above the last bound. */
  buckets: Float64Array;
}

export class RequestSeries {
  private readonly byRoute = new Map<string, Map<string, Map<number, Series>>>();
  /** In the order first seen, for rendering. */
  private readonly all: Series[] = [];

  record(route: string, method: string, status: number, seconds: number): void {
    let byMethod = this.byRoute.get(route);
    if (byMethod === undefined) {
      byMethod = new Map();
      this.byRoute.set(route, byMethod);
    }
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) {
      byStatus = new Map();
      byMethod.set(method, byStatus);
    }
    let series = byStatus.get(status);
    if (series === undefined) {
      series = { labels: labelPairs(route, method, status), count: 0, sum: 0, buckets: new Float64Array(DURATION_BUCKETS.length + 1) };
      byStatus.set(status, series);
      this.all.push(series);
    }
    series.count += 1;
    series.sum += seconds;
    let bucket = 0;
    while (bucket < DURATION_BUCKETS.length && seconds > (DURATION_BUCKETS[bucket] ?? Infinity)) bucket += 1;
    series.buckets[bucket] = (series.buckets[bucket] ?? 0) + 1;
  }

  /** Both metric families in Prometheus's text format (version 0.0.4), ending with a newline. */
  render(): string {
    const requests = [
      `# HELP ${REQUESTS} HTTP requests answered, by route pattern (unmatched for 404s), method and status.`,
      `# TYPE ${REQUESTS} counter`,
    ];
    const durations = [
      `# HELP ${DURATION} Time from receiving a request to the end of its answer, by route pattern, method and status.`,
      `# TYPE ${DURATION} histogram`,
    ];
    for (const series of this.all) {
      requests.push(`${REQUESTS}{${series.labels}} ${series.count}`);
      let cumulative = 0;
      DURATION_BUCKETS.forEach((bound, i) => {
        cumulative += series.buckets[i] ?? 0;
        durations.push(`${DURATION}_bucket{${series.labels},le="${bound}"} ${cumulative}`);
      });
      durations.push(`${DURATION}_bucket{${series.labels},le="+Inf"} ${series.count}`);
      durations.push(`${DURATION}_sum{${series.labels}} ${series.sum}`);
      durations.push(`${DURATION}_count{${series.labels}} ${series.count}`);
    }
    return `${requests.join('\n')}\n\n${durations.join('\n')}\n`;
  }
}

function labelPairs(route: string, method: string, status: number): string {
  return `route="${escapeLabel(route)}",method="${escapeLabel(method)}",status="${status}"`;
}

/** The text format's escapes in a label value: backslash, double quote and line feed. */
function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The Prometheus metrics of one app (METRICS_PORT). Each app has a registry of its own, so
 * several apps in one process (the tests) never share or collide on a counter. The functions
 * below take `Metrics | undefined`: with metrics off they cost one comparison, so callers
 * need not ask whether metrics are on.
 */
export interface Metrics {
  /** Everything /metrics answers: this app's metrics and the process's own figures. */
  readonly registry: Registry;
  readonly requests: Counter<RequestLabel>;
  readonly requestDuration: Histogram<RequestLabel>;
  readonly ordersPlaced: Counter;
  readonly deliveries: Counter<'outcome'>;
  /** Set by the events code; until then events_waiting reports 0. */
  eventsWaiting: () => Promise<number>;
  /** Told when eventsWaiting fails (the gauge then reads NaN and the rest of the scrape is answered). */
  onSourceError: (error: unknown) => void;
}

type RequestLabel = 'route' | 'method' | 'status';

/** What one webhook delivery attempt came to: a 2xx, given up for good, or to be tried again. */
export type DeliveryOutcome = 'succeeded' | 'failed' | 'retried';

/** The route label of a request no route matched: one value, whatever path a client makes up. */
export const UNMATCHED_ROUTE = 'unmatched';

// Most answers take a few milliseconds: buckets finer than prom-client's default below 5 ms.
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(): Metrics {
  // A copy of the process registry: the same default metric objects, plus this app's own.
  const registry = Registry.merge([processMetrics()]);
  const registers = [registry];
  const metrics: Metrics = {
    registry,
    requests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by route pattern (unmatched for 404s), method and status.',
      labelNames: ['route', 'method', 'status'],
      registers,
    }),
    requestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving a request to the end of its answer, by route pattern, method and status.',
      labelNames: ['route', 'method', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    ordersPlaced: new Counter({ name: 'orders_placed_total', help: 'Orders placed.', registers }),
    deliveries: new Counter({
      name: 'webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome: succeeded, failed (given up) or retried (tried again later).',
      labelNames: ['outcome'],
      registers,
    }),
    eventsWaiting: async () => 0,
    onSourceError: () => {},
  };
  new Gauge({
    name: 'events_waiting',
    help: 'Events recorded but not yet delivered to every subscribed webhook endpoint.',
    registers,
    // Asked at each scrape, never per event.
    async collect() {
      try {
        this.set(await metrics.eventsWaiting());
      } catch (error) {
        metrics.onSourceError(error);
        this.set(Number.NaN);
      }
    },
  });
  for (const outcome of ['succeeded', 'failed', 'retried'] as const) metrics.deliveries.inc({ outcome }, 0);
  return metrics;
}

/** Counts one request; `seconds` from its arrival to the end of its answer. */
export function recordRequest(metrics: Metrics, route: string, method: string, status: number, seconds: number): void {
  const labels = { route, method, status: String(status) };
  metrics.requests.inc(labels);
  metrics.requestDuration.observe(labels, seconds);
}

export function countOrderPlaced(metrics: Metrics | undefined): void {
  metrics?.ordersPlaced.inc();
}

export function countDelivery(metrics: Metrics | undefined, outcome: DeliveryOutcome): void {
  metrics?.deliveries.inc({ outcome });
}

/** Where events_waiting comes from: called at each scrape (so it should be one cheap query). */
export function setEventsWaitingSource(metrics: Metrics | undefined, source: () => Promise<number>): void {
  if (metrics) metrics.eventsWaiting = source;
}

let processRegistry: Registry | undefined;

/**
 * The process's own figures (CPU, memory, event loop lag, GC, handles), collected once per
 * process and shared by every app's registry. prom-client 15 sets no timer for them, but each
 * collectDefaultMetrics call starts an event-loop delay monitor and a GC observer that are
 * never stopped: one call per app would pile up a pair per app built in a test process.
 */
function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

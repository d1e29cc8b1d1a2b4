import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { RequestSeries } from './request-series.js';

/**
 * The Prometheus metrics of one app (METRICS_PORT). Each app has a registry of its own, so
 * several apps in one process (the tests) never share or collide on a counter. The functions
 * below take `Metrics | undefined`: with metrics off they cost one comparison, so callers
 * need not ask whether metrics are on.
 */
export interface Metrics {
  /** This app's metrics but the per-request ones, and the process's own figures. */
  readonly registry: Registry;
  /** http_requests_total and http_request_duration_seconds (see request-series.ts for why not in the registry). */
  readonly requests: RequestSeries;
  readonly ordersPlaced: Counter;
  readonly deliveries: Counter<'outcome'>;
  /** Set by the events code; until then events_waiting reports 0. */
  eventsWaiting: () => Promise<number>;
  /** Told when eventsWaiting fails (the gauge then reads NaN and the rest of the scrape is answered). */
  onSourceError: (error: unknown) => void;
}

/** What one webhook delivery attempt came to: a 2xx, given up for good, or to be tried again. */
export type DeliveryOutcome = 'succeeded' | 'failed' | 'retried';

/** The route label of a request no route matched: one value, whatever path a client makes up. */
export const UNMATCHED_ROUTE = 'unmatched';

export function createMetrics(): Metrics {
  // A copy of the process registry: the same default metric objects, plus this app's own.
  const registry = Registry.merge([processMetrics()]);
  const registers = [registry];
  const metrics: Metrics = {
    registry,
    requests: new RequestSeries(),
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
    help: 'Webhook deliveries waiting for an attempt: events not yet delivered to an endpoint subscribed to them.',
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
  metrics.requests.record(route, method, status, seconds);
}

/** What GET /metrics answers, in the registry's format (metrics.registry.contentType: Prometheus's text format). */
export async function renderMetrics(metrics: Metrics): Promise<string> {
  return `${await metrics.registry.metrics()}\n${metrics.requests.render()}`;
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

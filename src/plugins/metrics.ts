import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type Metrics, UNMATCHED_ROUTE, createMetrics, recordRequest, renderMetrics } from '../shared/metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's Prometheus metrics; undefined when METRICS_PORT is unset. */
    metrics: Metrics | undefined;
    /** Where GET /metrics is served (http://host:port) once the app is ready; undefined before, and when metrics are off. */
    metricsAddress(): string | undefined;
  }
}

export interface MetricsOptions {
  /** METRICS_PORT: unset turns metrics off; 0 takes any free port. */
  port: number | undefined;
  host: string;
}

/**
 * Prometheus metrics on a listener of their own (METRICS_PORT), never on the API port, so
 * they are not exposed wherever the API is. Off, the plugin adds no hook and opens nothing:
 * requests cost what they cost without it. Registered before the routes, whose requests its
 * hook then counts (404s under one route label, so a client cannot make up label values).
 */
export default fp(
  async function metricsPlugin(app: FastifyInstance, { port, host }: MetricsOptions) {
    if (port === undefined) {
      app.decorate('metrics', undefined);
      app.decorate('metricsAddress', () => undefined);
      return;
    }
    const metrics = createMetrics();
    metrics.onSourceError = (error) => app.log.warn({ err: error }, 'events_waiting could not be read for /metrics');
    const server = createServer((request, response) => void answer(metrics, request, response, app.log));
    app.decorate('metrics', metrics);
    app.decorate('metricsAddress', () => addressOf(server));

    // A callback, not an async function: no promise per request.
    app.addHook('onResponse', (request, reply, done) => {
      recordRequest(metrics, request.routeOptions.url ?? UNMATCHED_ROUTE, request.method, reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
    // Ready comes before the API listens (app.listen waits for it), so a taken METRICS_PORT stops the start.
    app.addHook('onReady', (done) => {
      server.once('error', done);
      server.listen(port, host, () => {
        server.off('error', done);
        done();
      });
    });
    app.addHook('onClose', (_instance, done) => {
      // A scraper keeps its connection open between scrapes; closing must not wait for it.
      server.close(() => done());
      server.closeAllConnections();
    });
  },
  { name: 'metrics' },
);

async function answer(metrics: Metrics, request: IncomingMessage, response: ServerResponse, log: FastifyBaseLogger): Promise<void> {
  const path = (request.url ?? '').split('?', 1)[0];
  if (path !== '/metrics') {
    plain(response, 404, 'Not found: the metrics are at /metrics');
  } else if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    plain(response, 405, 'Method not allowed');
  } else {
    try {
      const text = await renderMetrics(metrics);
      response.writeHead(200, { 'content-type': metrics.registry.contentType, 'content-length': Buffer.byteLength(text) });
      response.end(request.method === 'HEAD' ? undefined : text);
    } catch (error) {
      log.error({ err: error }, 'collecting the metrics failed');
      plain(response, 500, 'Collecting the metrics failed');
    }
  }
}

function plain(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  response.end(`${text}\n`);
}

function addressOf(server: Server): string | undefined {
  const address = server.address();
  if (address === null || typeof address === 'string') return undefined;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

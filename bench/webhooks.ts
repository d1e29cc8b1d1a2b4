// --webhooks: what events and their webhooks cost the shop, and how fast they arrive. One
// database (SQLite, or PostgreSQL with BENCH_DATABASE_URL), seeded like the main run, and a
// receiver on loopback in this process that answers 204 at once (a fast consumer):
//
// 1. Cost: POST /orders (2 lines) at full load with no endpoint active and with one endpoint
//    subscribed to order.placed, delivered inside the API process (the default), in
//    alternating rounds on one API. The endpoint is switched with PUT {active}, and after an
//    active round the run waits for the receiver to have every order placed in it.
// 2. Latency: orders at a steady rate well under capacity, delivered inline, then by one
//    `npm run worker` process (WEBHOOK_DELIVERY=worker): from the order's 201 answer to the
//    receiver. The commit comes before the answer, by at most the order's own latency, which
//    is shown beside it.
// 3. Throughput: orders placed at full load with no one delivering (WEBHOOK_DELIVERY=worker,
//    no worker), then one worker delivers the backlog: deliveries per second between the
//    first and the last arrival.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onCleanup } from './cleanup.js';
import { createDatabase } from './database.js';
import { request } from './http.js';
import { fire } from './load.js';
import type { RunOptions } from './measure.js';
import { say } from './log.js';
import { commandLine, int, machineInfo, mean, ms, rate, resultsFile, setupRows, timestamp } from './report.js';
import { ORDER_SCENARIO, type ScenarioContext, logIn, logInAs, twoLineOrder } from './scenarios.js';
import { seedCatalogue } from './seed.js';
import { type ApiSettings, type StartedServer, sleep, startApi, startWorker, stopServer } from './servers.js';

export interface WebhookBenchOptions extends Omit<RunOptions, 'only'> {
  rounds: number;
  /** Orders per second in the latency measure. */
  steadyRate: number;
}

interface CostRound {
  endpoint: 'none' | 'subscribed';
  requestsPerS: number;
  p99Ms: number;
  placed: number;
  /** With the endpoint: from the end of the load until the receiver had every order. */
  drainMs?: number;
}

interface Latency {
  delivery: 'inline' | 'worker';
  orders: number;
  /** The orders' own answers. */
  orderP50Ms: number;
  orderP99Ms: number;
  /** From each order's 201 to its delivery's arrival. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface WebhookReport {
  date: string;
  command: string;
  machine: ReturnType<typeof machineInfo>;
  database: string;
  products: number;
  connections: number;
  durationS: number;
  cost: { rounds: CostRound[]; none: number; subscribed: number; ratio: number; roundRatio: number };
  latency: Latency[];
  throughput: { deliveries: number; seconds: number; perS: number };
}

const RECEIVER_WAIT_MS = 120_000;

export async function benchWebhooks(options: WebhookBenchOptions, workDir: string): Promise<WebhookReport> {
  const receiver = await startFastReceiver();
  const database = await createDatabase(workDir, process.env.BENCH_DATABASE_URL || undefined);
  const adminPassword = randomBytes(18).toString('base64url');
  const settings = (delivery: 'inline' | 'worker'): ApiSettings => ({
    databaseUrl: database.url,
    adminUsername: 'bench_admin',
    adminPassword,
    cwd: workDir,
    env: { WEBHOOK_DELIVERY: delivery, WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' },
  });

  say(`migrating ${database.label}`);
  await stopServer(await startApi(settings('inline')));
  say(`seeding ${int(options.products)} products and ${int(options.customers)} customers`);
  const catalogue = await seedCatalogue(database, options);
  const shop = async (api: StartedServer): Promise<ScenarioContext> => ({
    productIds: catalogue.productIds,
    adminToken: await logInAs(api.url, 'bench_admin', adminPassword),
    customers: catalogue.customers,
    loggedIn: await logIn(api.url, catalogue.customers, options.connections),
    connections: options.connections,
  });

  const inline = await startApi(settings('inline'));
  const context = await shop(inline);
  const endpointId = await createEndpoint(inline.url, context.adminToken, receiver.url);
  const cost = await measureCost(inline, context, endpointId, receiver, options);
  const latency = [await measureLatency('inline', inline, context, receiver, options)];
  await stopServer(inline);

  const recording = await startApi(settings('worker'));
  const worker = await startWorker(settings('worker'));
  latency.push(await measureLatency('worker', recording, await shop(recording), receiver, options));
  await stopServer(worker);
  const throughput = await measureThroughput(recording, await shop(recording), receiver, options, () => startWorker(settings('worker')));
  await stopServer(recording);

  return {
    date: timestamp(),
    command: commandLine(),
    machine: machineInfo(),
    database: database.label,
    products: options.products,
    connections: options.connections,
    durationS: options.durationS,
    cost,
    latency,
    throughput,
  };
}

async function measureCost(
  api: StartedServer,
  context: ScenarioContext,
  endpointId: string,
  receiver: FastReceiver,
  options: WebhookBenchOptions,
): Promise<WebhookReport['cost']> {
  const orders = ORDER_SCENARIO.options(context);
  const rounds: CostRound[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    // none, subscribed, subscribed, none, ...: each side runs first in half the rounds.
    const order: CostRound['endpoint'][] = round % 2 === 1 ? ['none', 'subscribed'] : ['subscribed', 'none'];
    for (const endpoint of order) {
      say(`cost: round ${round}/${options.rounds}, ${endpoint === 'none' ? 'no endpoint' : 'an endpoint subscribed'}, ${options.warmupS} s warm-up, ${options.durationS} s measured`);
      await setEndpointActive(api.url, context.adminToken, endpointId, endpoint === 'subscribed');
      if (options.warmupS > 0) await fire(api.url, orders, options.warmupS);
      await receiver.drain(RECEIVER_WAIT_MS);
      const before = receiver.count();
      const result = await fire(api.url, orders, options.durationS);
      const placed = result.statusCodes['201'] ?? 0;
      const loadEnded = performance.now();
      const drained = endpoint === 'subscribed' ? await receiver.waitForCount(before + placed, RECEIVER_WAIT_MS) : undefined;
      rounds.push({
        endpoint,
        requestsPerS: result.requestsPerS,
        p99Ms: result.p99Ms,
        placed,
        ...(drained !== undefined ? { drainMs: drained - loadEnded } : {}),
      });
    }
  }
  await setEndpointActive(api.url, context.adminToken, endpointId, true);
  const side = (endpoint: CostRound['endpoint']) => rounds.filter((r) => r.endpoint === endpoint).map((r) => r.requestsPerS);
  const none = side('none');
  const subscribed = side('subscribed');
  const pairRatios = subscribed.map((value, i) => value / (none[i] ?? value)).sort((a, b) => a - b);
  return {
    rounds,
    none: mean(none),
    subscribed: mean(subscribed),
    ratio: mean(subscribed) / mean(none),
    roundRatio: pairRatios[Math.floor(pairRatios.length / 2)] ?? 1,
  };
}

/** `options.steadyRate` orders a second for the measured duration, each sent on time whatever the last one did. */
async function measureLatency(
  delivery: Latency['delivery'],
  api: StartedServer,
  context: ScenarioContext,
  receiver: FastReceiver,
  options: WebhookBenchOptions,
): Promise<Latency> {
  say(`latency: ${options.steadyRate} orders/s for ${options.durationS} s, delivered ${delivery === 'inline' ? 'by the API process' : 'by a worker process'}`);
  await receiver.drain(RECEIVER_WAIT_MS);
  const answered = new Map<number, number>();
  const orderMs: number[] = [];
  const total = options.steadyRate * options.durationS;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / options.steadyRate - performance.now();
    if (wait > 0) await sleep(wait);
    const customer = context.loggedIn[i % context.loggedIn.length]!;
    const sentAt = performance.now();
    inFlight.push(
      placeOrder(api.url, customer.token, twoLineOrder(context, customer)).then((id) => {
        const at = performance.now();
        answered.set(id, at);
        orderMs.push(at - sentAt);
      }),
    );
  }
  await Promise.all(inFlight);
  await receiver.waitFor([...answered.keys()], RECEIVER_WAIT_MS);
  const latencies = [...answered].map(([id, at]) => receiver.arrivedAt(id)! - at);
  return {
    delivery,
    orders: answered.size,
    orderP50Ms: percentile(orderMs, 0.5),
    orderP99Ms: percentile(orderMs, 0.99),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: Math.max(...latencies),
  };
}

async function measureThroughput(
  api: StartedServer,
  context: ScenarioContext,
  receiver: FastReceiver,
  options: WebhookBenchOptions,
  startDelivering: () => Promise<StartedServer>,
): Promise<WebhookReport['throughput']> {
  say(`throughput: ${options.durationS} s of orders with no one delivering, then one worker delivers them`);
  await receiver.drain(RECEIVER_WAIT_MS);
  const before = receiver.count();
  const placed = (await fire(api.url, ORDER_SCENARIO.options(context), options.durationS)).statusCodes['201'] ?? 0;
  receiver.startWindow();
  const worker = await startDelivering();
  await receiver.waitForCount(before + placed, RECEIVER_WAIT_MS);
  await stopServer(worker);
  const { deliveries, seconds } = receiver.window();
  return { deliveries, seconds, perS: (deliveries - 1) / seconds };
}

async function createEndpoint(apiUrl: string, adminToken: string, url: string): Promise<string> {
  const response = await request(`${apiUrl}/webhook-endpoints`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}` },
    json: { url, events: ['order.placed'] },
  });
  if (response.status !== 201) throw new Error(`creating the webhook endpoint: ${response.status} ${response.body}`);
  return String((JSON.parse(response.body) as { id: number | string }).id);
}

async function setEndpointActive(apiUrl: string, adminToken: string, id: string, active: boolean): Promise<void> {
  const response = await request(`${apiUrl}/webhook-endpoints/${id}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${adminToken}` },
    json: { active },
  });
  if (response.status !== 200) throw new Error(`PUT /webhook-endpoints/${id}: ${response.status} ${response.body}`);
}

async function placeOrder(apiUrl: string, token: string, body: { customer_id: number }): Promise<number> {
  const response = await request(`${apiUrl}/orders`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, json: body });
  if (response.status !== 201) throw new Error(`POST /orders: ${response.status} ${response.body}`);
  return (JSON.parse(response.body) as { id: number }).id;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

interface FastReceiver {
  url: string;
  count(): number;
  arrivedAt(orderId: number): number | undefined;
  /** Resolves with the time the count reached `count`. */
  waitForCount(count: number, timeoutMs: number): Promise<number>;
  waitFor(orderIds: number[], timeoutMs: number): Promise<void>;
  /** Waits until nothing has arrived for half a second (the last load's deliveries are in). */
  drain(timeoutMs: number): Promise<void>;
  /** Counts arrivals from now on, with the first and last arrival's time. */
  startWindow(): void;
  window(): { deliveries: number; seconds: number };
}

/** A consumer that answers 204 as soon as a delivery's body is in, and notes when each order's came. */
async function startFastReceiver(): Promise<FastReceiver> {
  const arrivals = new Map<number, number>();
  let count = 0;
  let lastArrival = 0;
  let windowed = { deliveries: 0, first: 0, last: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = performance.now();
      const delivery = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { order?: { id: number } } };
      if (delivery.data.order) arrivals.set(delivery.data.order.id, at);
      count++;
      lastArrival = at;
      if (windowed.deliveries++ === 0) windowed.first = at;
      windowed.last = at;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const until = async (done: () => boolean, timeoutMs: number, what: () => string) => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`the receiver: ${what()} within ${timeoutMs} ms`);
      await sleep(2);
    }
  };
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    count: () => count,
    arrivedAt: (orderId) => arrivals.get(orderId),
    async waitForCount(wanted, timeoutMs) {
      await until(() => count >= wanted, timeoutMs, () => `${count} of ${wanted} deliveries`);
      return lastArrival;
    },
    async waitFor(orderIds, timeoutMs) {
      await until(() => orderIds.every((id) => arrivals.has(id)), timeoutMs, () => `${orderIds.filter((id) => arrivals.has(id)).length} of ${orderIds.length} orders`);
    },
    async drain(timeoutMs) {
      await until(() => performance.now() - lastArrival > 500, timeoutMs, () => 'deliveries still arriving');
    },
    startWindow() {
      windowed = { deliveries: 0, first: 0, last: 0 };
    },
    window: () => ({ deliveries: windowed.deliveries, seconds: (windowed.last - windowed.first) / 1000 }),
  };
}

export function webhookMarkdown(report: WebhookReport): string {
  const { cost, throughput } = report;
  const lines = [
    `# Events and webhooks: ${report.date}`,
    '',
    ...setupRows(report.machine, report.database),
    `- ${int(report.products)} products; ${report.connections} connections at full load, ${report.durationS} s per measure`,
    `- \`${report.command}\``,
    '',
    '## POST /orders (2 lines): no endpoint, and one subscribed to order.placed (delivered in the API process)',
    '',
    '| round | endpoint | orders/s | p99 ms | placed | receiver had all after |',
    '| --- | --- | --- | --- | --- | --- |',
    ...cost.rounds.map(
      (r, i) => `| ${Math.floor(i / 2) + 1} | ${r.endpoint} | ${rate(r.requestsPerS)} | ${ms(r.p99Ms)} | ${int(r.placed)} | ${r.drainMs === undefined ? '' : `${ms(r.drainMs)} ms`} |`,
    ),
    '',
    `Subscribed over none: ${cost.ratio.toFixed(3)}× (means ${rate(cost.subscribed)} / ${rate(cost.none)}); median of the rounds' own ratios ${cost.roundRatio.toFixed(3)}×.`,
    '',
    '## Latency: from an order\'s 201 to its delivery at the receiver',
    '',
    '| delivered by | orders | order p50 / p99 ms | delivery p50 ms | p99 ms | max ms |',
    '| --- | --- | --- | --- | --- | --- |',
    ...report.latency.map(
      (l) => `| ${l.delivery === 'inline' ? 'the API process' : 'a worker process'} | ${int(l.orders)} | ${ms(l.orderP50Ms)} / ${ms(l.orderP99Ms)} | ${ms(l.p50Ms)} | ${ms(l.p99Ms)} | ${ms(l.maxMs)} |`,
    ),
    '',
    `## Throughput: one worker delivering a backlog`,
    '',
    `${int(throughput.deliveries)} deliveries in ${throughput.seconds.toFixed(2)} s: ${rate(throughput.perS)} deliveries/s.`,
    '',
  ];
  return lines.join('\n');
}

export function writeWebhookOutputs(report: WebhookReport): string[] {
  const files = [resultsFile('webhooks-latest.json'), resultsFile('webhooks-latest.md')];
  writeFileSync(files[0]!, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(files[1]!, webhookMarkdown(report));
  return files;
}

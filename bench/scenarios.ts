// What is measured: one entry per row of the report. Each builds its autocannon options from
// the seeded catalogue; random ids are drawn per request (setupRequest) and each connection
// acts as one logged-in customer (setupClient).
import type autocannon from 'autocannon';
import { request } from './http.js';
import { type LoadOptions, pick } from './load.js';
import { CUSTOMER_PASSWORD, SEARCH_TERMS } from './seed.js';
import { paidIntentEvents, placeOrders } from './payments.js';


/** Products each customer adds to its cart in the cart scenario. */
const CART_PRODUCTS = 50;
export interface Customer {
  id: number;
  username: string;
}

export interface LoggedInCustomer extends Customer {
  token: string;
}

export interface ScenarioContext {
  productIds: number[];
  /** The shop's admin, for a scenario's preparation. */
  adminToken: string;
  /** Every seeded customer. */
  customers: Customer[];
  /** The customers the connections act as (connection i is customer i, wrapping around). */
  loggedIn: LoggedInCustomer[];
  connections: number;
}

export interface Scenario {
  name: string;
  server: 'bare' | 'api';
  options(context: ScenarioContext): LoadOptions;
  /** Fired at the same server for the whole measurement, beside the measured load. */
  background?: { name: string; options(context: ScenarioContext): LoadOptions };
  /** The scenario whose req/s and p99 latency the report puts beside this one's (measured earlier in the run). */
  compareWith?: string;
  /**
   * Run before the scenario (its warm-up included), against the API it measures: what the
   * shop must hold for it. A scenario with one needs routes a baseline may not have, so a
   * comparison leaves it out.
   */
  prepare?(apiUrl: string, context: ScenarioContext): Promise<void>;
}

const FLOOD_CONNECTIONS = 10;
const PER_PAGE = 20;
const SEARCH_SORTS = ['price', '-price', 'product_name', '-created_at'] as const;
/** Searches page through the first few pages of matches, as people do. */
const SEARCH_MAX_PAGE = 5;
/**
 * The whole catalogue is one response of about 200 bytes per product (20 MB for 100,000),
 * seconds of CPU each. With 50 connections every one of them waits for all the others, so
 * none finishes within a scenario (and the server works on long after); two keep both cores
 * busy and let responses complete, which is what MB/s and peak RSS need.
 */
const CATALOGUE_CONNECTIONS = 2;

export const BY_ID = 'GET /products/{id}';

/** Also the load of the webhooks bench (webhooks.ts). */
export const ORDER_SCENARIO: Scenario = {
  name: 'POST /orders (2 lines)',
  server: 'api',
  options: (c) => ({
    connections: c.connections,
    setupClient: asCustomers(c, (customer) => randomJsonPost(customer, '/orders', () => twoLineOrder(c, customer))),
  }),
};

/**
 * Right after the plain order, on the same database, so the two are a like-for-like pair (and
 * --checkout-cost runs the two on two APIs alike, round by round). Once a shipping rate is
 * active, every order of a product that needs shipping must name an address and a rate: the
 * scenarios after this one place checkout orders too.
 */
export const CHECKOUT_SCENARIO: Scenario = {
  name: 'POST /orders with address, shipping and tax (2 lines)',
  server: 'api',
  prepare: prepareCheckout,
  options: (c) => ({
    connections: c.connections,
    setupClient: asCustomers(c, (customer) => randomJsonPost(customer, '/orders', () => checkoutOrder(c, customer))),
  }),
  compareWith: ORDER_SCENARIO.name,
};

export const scenarios: Scenario[] = [
  {
    name: 'bare node:http, small JSON (ceiling)',
    server: 'bare',
    options: (c) => ({ connections: c.connections }),
  },
  {
    name: BY_ID,
    server: 'api',
    options: (c) => ({ connections: c.connections, requests: [randomPath(() => `/products/${pick(c.productIds)}`)] }),
  },
  {
    name: `GET /products/p, random page of ${PER_PAGE}`,
    server: 'api',
    options: (c) => ({ connections: c.connections, requests: [randomNumberedPage(c)] }),
  },
  {
    name: `GET /products/p?sort=-created_at, random page of ${PER_PAGE}`,
    server: 'api',
    options: (c) => ({ connections: c.connections, requests: [randomNumberedPage(c, 'sort=-created_at&')] }),
  },
  {
    name: `GET /products/p, random page of ${PER_PAGE} by cursor (after)`,
    server: 'api',
    options: (c) => ({
      connections: c.connections,
      // The same random depths as above, reached with the keyset cursor a client gets as
      // `next`. The bench builds the cursor itself (sort, last value, last id) to jump
      // anywhere; clients treat it as opaque.
      requests: [randomPath(() => `/products/p?after=${idCursor(pick(c.productIds))}&per_page=${PER_PAGE}`)],
    }),
  },
  {
    name: 'GET /products/p?q=…&sort=… (search)',
    server: 'api',
    options: (c) => ({
      connections: c.connections,
      requests: [
        randomPath(() => {
          const page = 1 + Math.floor(Math.random() * SEARCH_MAX_PAGE);
          return `/products/p?q=${pick(SEARCH_TERMS)}&sort=${pick(SEARCH_SORTS)}&page=${page}&per_page=${PER_PAGE}`;
        }),
      ],
    }),
  },
  {
    name: 'GET /cart/{id} (authenticated)',
    server: 'api',
    options: (c) => ({
      connections: c.connections,
      setupClient: asCustomers(c, (customer) => ({ method: 'GET', path: `/cart/${customer.id}`, headers: bearer(customer) })),
    }),
  },
  {
    name: 'POST /cart/add',
    server: 'api',
    options: (c) => ({
      connections: c.connections,
      // Each customer adds from 50 products of its own, so its cart stays under the 100
      // products a cart may hold and each add is answered with a cart of up to 50 lines.
      setupClient: asCustomers(c, (customer) => {
        const own = Array.from({ length: CART_PRODUCTS }, (_, k) => c.productIds[(customer.id * CART_PRODUCTS + k) % c.productIds.length]!);
        return randomJsonPost(customer, '/cart/add', () => ({ customer_id: customer.id, product_id: pick(own), quantity: 1 }));
      }),
    }),
  },
  ORDER_SCENARIO,
  CHECKOUT_SCENARIO,
  {
    name: 'POST /orders/{id}/payments (Stripe, a new payment)',
    server: 'api',
    // Orders enough that every request of a default run opens a payment (a repeat would answer the open one).
    prepare: async (apiUrl, c) => {
      await prepareCheckout(apiUrl, c);
      ordersToPay = await placeOrders(apiUrl, c, PAYMENT_ORDERS, (customer) => checkoutOrder(c, customer));
    },
    options: (c) => ({
      connections: c.connections,
      setupClient: asCustomers(c, (customer) => {
        const orders = ordersToPay.get(customer.id) ?? [];
        let next = 0;
        return {
          method: 'POST',
          headers: { ...bearer(customer), 'content-type': 'application/json' },
          body: JSON.stringify({ provider: 'stripe' }),
          setupRequest: (req) => {
            req.path = `/orders/${orders[next++ % orders.length]}/payments`;
            return req;
          },
        };
      }),
    }),
    compareWith: ORDER_SCENARIO.name,
  },
  {
    name: 'POST /webhooks/stripe (payment_intent.succeeded: capture, order paid)',
    server: 'api',
    // Each event is another payment's, so each request captures and makes an order paid.
    prepare: async (apiUrl, c) => {
      await prepareCheckout(apiUrl, c);
      const orders = await placeOrders(apiUrl, c, PAYMENT_ORDERS, (customer) => checkoutOrder(c, customer));
      succeededEvents = await paidIntentEvents(apiUrl, c, orders);
    },
    options: (c) => {
      let next = 0;
      return {
        connections: c.connections,
        requests: [
          {
            method: 'POST',
            path: '/webhooks/stripe',
            setupRequest: (req) => {
              const event = succeededEvents[next++ % succeededEvents.length]!;
              req.body = event.payload;
              req.headers = { 'content-type': 'application/json', 'stripe-signature': event.signature };
              return req;
            },
          },
        ],
      };
    },
    compareWith: ORDER_SCENARIO.name,
  },
  {
    name: `${BY_ID} during a login flood`,
    server: 'api',
    options: (c) => ({ connections: c.connections, requests: [randomPath(() => `/products/${pick(c.productIds)}`)] }),
    background: {
      name: `POST /customers/login, wrong passwords, ${FLOOD_CONNECTIONS} connections`,
      options: (c) => ({
        connections: FLOOD_CONNECTIONS,
        requests: [
          {
            method: 'POST',
            path: '/customers/login',
            headers: { 'content-type': 'application/json' },
            setupRequest: (req) => {
              req.body = JSON.stringify({ username: pick(c.customers).username, password: 'not the password' });
              return req;
            },
          },
        ],
      }),
    },
    compareWith: BY_ID,
  },
  {
    name: 'GET /products (whole catalogue)',
    server: 'api',
    // A path in autocannon's top-level options is ignored (the url's wins), so it goes in requests.
    options: (c) => ({
      connections: Math.min(c.connections, CATALOGUE_CONNECTIONS),
      requests: [{ method: 'GET', path: '/products' }],
    }),
  },
];

const CHECKOUT_ADDRESS = {
  first_name: 'Ada',
  last_name: 'Lovelace',
  line1: '1 Market Street',
  city: 'San Francisco',
  region_code: 'CA',
  postal_code: '94105',
  country_code: 'US',
};

/** Orders each payment scenario prepares: more than a default run's requests, so none repeats. */
const PAYMENT_ORDERS = 20_000;
/** Each customer's orders waiting for a payment, and the signed events of paid ones (prepared by the payment scenarios). */
let ordersToPay = new Map<number, number[]>();
let succeededEvents: { payload: string; signature: string }[] = [];

/**
 * The shipping rate checkout orders name, made once per API by prepareCheckout. Keyed by the
 * API's context, which stays when a busy server is restarted on a new port (the same database,
 * where the rates already are).
 */
const checkoutRates = new WeakMap<ScenarioContext, Promise<number>>();
/** The shipping rate of the API the current scenario runs against. */
let checkoutRateId = 0;

/** A full checkout: the two lines, shipped to California at the prepared rate. */
function checkoutOrder(c: ScenarioContext, customer: Customer) {
  return { ...twoLineOrder(c, customer), shipping_address: CHECKOUT_ADDRESS, shipping_rate_id: checkoutRateId };
}

/** Gives the API a shipping rate to the US and California's sales tax (7.25 %, shipping taxed too), once. */
async function prepareCheckout(apiUrl: string, context: ScenarioContext): Promise<void> {
  if (!checkoutRates.has(context)) checkoutRates.set(context, createCheckoutRates(apiUrl, context.adminToken));
  checkoutRateId = await checkoutRates.get(context)!;
}

async function createCheckoutRates(apiUrl: string, adminToken: string): Promise<number> {
  const headers = { authorization: `Bearer ${adminToken}` };
  const rate = await request(`${apiUrl}/shipping-rates`, {
    method: 'POST',
    headers,
    json: { name: 'Standard', price: 4.99, countries: ['US'] },
  });
  if (rate.status !== 201) throw new Error(`creating the shipping rate: ${rate.status} ${rate.body}`);
  const tax = await request(`${apiUrl}/tax-rates`, {
    method: 'POST',
    headers,
    json: { name: 'California', country_code: 'US', region_code: 'CA', rate: 7.25 },
  });
  if (tax.status !== 201) throw new Error(`creating the tax rate: ${tax.status} ${tax.body}`);
  return (JSON.parse(rate.body) as { id: number }).id;
}

/** A token for this account (the admin's, for preparations). */
export async function logInAs(apiUrl: string, username: string, password: string): Promise<string> {
  const response = await request(`${apiUrl}/customers/login`, { method: 'POST', json: { username, password } });
  if (response.status !== 200) throw new Error(`login as ${username}: ${response.status} ${response.body}`);
  return (JSON.parse(response.body) as { auth_token: string }).auth_token;
}

/** Logs in as many customers as there are connections (fewer if fewer were seeded), a few at a time. */
export async function logIn(apiUrl: string, customers: Customer[], count: number): Promise<LoggedInCustomer[]> {
  const chosen = customers.slice(0, Math.min(count, customers.length));
  const loggedIn: LoggedInCustomer[] = [];
  const AT_ONCE = 4;
  for (let i = 0; i < chosen.length; i += AT_ONCE) {
    const batch = chosen.slice(i, i + AT_ONCE);
    loggedIn.push(...(await Promise.all(batch.map((customer) => logInOne(apiUrl, customer)))));
  }
  if (loggedIn.length === 0) throw new Error('no customers to log in as (--customers must be at least 1)');
  return loggedIn;
}

async function logInOne(apiUrl: string, customer: Customer): Promise<LoggedInCustomer> {
  return { ...customer, token: await logInAs(apiUrl, customer.username, CUSTOMER_PASSWORD) };
}

function idCursor(id: number): string {
  return Buffer.from(JSON.stringify(['id', id, id])).toString('base64url');
}

/** Any page of the whole catalogue, by number; `query` (ending in &) adds a sort. */
function randomNumberedPage(c: ScenarioContext, query = ''): autocannon.Request {
  const pages = Math.max(1, Math.ceil(c.productIds.length / PER_PAGE));
  return randomPath(() => `/products/p?${query}page=${1 + Math.floor(Math.random() * pages)}&per_page=${PER_PAGE}`);
}

function randomPath(path: () => string): autocannon.Request {
  return {
    method: 'GET',
    setupRequest: (req) => {
      req.path = path();
      return req;
    },
  };
}

function randomJsonPost(customer: LoggedInCustomer, path: string, body: () => unknown): autocannon.Request {
  return {
    method: 'POST',
    path,
    headers: { ...bearer(customer), 'content-type': 'application/json' },
    setupRequest: (req) => {
      req.body = JSON.stringify(body());
      return req;
    },
  };
}

/** Each connection (autocannon client) acts as the next logged-in customer. */
function asCustomers(
  context: ScenarioContext,
  requestFor: (customer: LoggedInCustomer) => autocannon.Request,
): (client: autocannon.Client) => void {
  let next = 0;
  return (client) => {
    const customer = context.loggedIn[next++ % context.loggedIn.length] as LoggedInCustomer;
    client.setRequests([requestFor(customer)]);
  };
}

function bearer(customer: LoggedInCustomer): Record<string, string> {
  return { authorization: `Bearer ${customer.token}` };
}

/** One unit of a random product and two of another, for the customer. */
export function twoLineOrder(c: ScenarioContext, customer: Customer) {
  const [first, second] = twoProducts(c.productIds);
  return {
    customer_id: customer.id,
    items: [
      { product_id: first, quantity: 1 },
      { product_id: second, quantity: 2 },
    ],
  };
}

function twoProducts(productIds: number[]): [number, number] {
  const first = pick(productIds);
  if (productIds.length < 2) return [first, first];
  let second = pick(productIds);
  while (second === first) second = pick(productIds);
  return [first, second];
}

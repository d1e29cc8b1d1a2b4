// What the payment scenarios (scenarios.ts) need: the fake Stripe of the tests on loopback,
// which the API is pointed at, and shops prepared through the API.
import { FAKE_STRIPE_KEY, FAKE_WEBHOOK_SECRET, type FakeStripe, startFakeStripe, stripeEvent } from '../test/helpers/fake-stripe.js';
import { onCleanup } from './cleanup.js';
import type { Customer, ScenarioContext } from './scenarios.js';

const PREPARE_AT_ONCE = 32;

let fake: FakeStripe | undefined;

/** Starts the fake Stripe for the run; the API's settings that point at it. */
export async function fakeStripeEnvironment(): Promise<NodeJS.ProcessEnv> {
  fake = await startFakeStripe({ after: onCleanup });
  return {
    PAYMENT_PROVIDERS: 'manual,stripe',
    STRIPE_SECRET_KEY: FAKE_STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET: FAKE_WEBHOOK_SECRET,
    STRIPE_API_URL: fake.url,
    ORDER_PAYMENT_TIMEOUT_S: '0',
  };
}

async function post(apiUrl: string, path: string, token: string, body: unknown): Promise<any> {
  const response = await fetch(apiUrl + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** Places `count` orders spread over the logged-in customers, a few at a time; each customer's order ids. */
export async function placeOrders(
  apiUrl: string,
  c: ScenarioContext,
  count: number,
  orderFor: (customer: Customer) => unknown,
): Promise<Map<number, number[]>> {
  const byCustomer = new Map<number, number[]>();
  for (let start = 0; start < count; start += PREPARE_AT_ONCE) {
    const batch = Array.from({ length: Math.min(PREPARE_AT_ONCE, count - start) }, (_, k) => c.loggedIn[(start + k) % c.loggedIn.length]!);
    const orders = await Promise.all(batch.map((customer) => post(apiUrl, '/orders', customer.token, orderFor(customer))));
    orders.forEach((order, k) => {
      const id = batch[k]!.id;
      byCustomer.set(id, [...(byCustomer.get(id) ?? []), order.id]);
    });
  }
  return byCustomer;
}

/** Opens a Stripe payment for each order, has the fake's buyer pay it, and signs the succeeded event of each. */
export async function paidIntentEvents(apiUrl: string, c: ScenarioContext, orders: Map<number, number[]>) {
  if (!fake) throw new Error('the fake Stripe was not started');
  const stripe = fake;
  const tokens = new Map(c.loggedIn.map((customer) => [customer.id, customer.token]));
  const pairs = [...orders].flatMap(([customerId, ids]) => ids.map((id) => [tokens.get(customerId)!, id] as const));
  const events: { payload: string; signature: string }[] = [];
  for (let start = 0; start < pairs.length; start += PREPARE_AT_ONCE) {
    const batch = pairs.slice(start, start + PREPARE_AT_ONCE);
    const payments = await Promise.all(batch.map(([token, id]) => post(apiUrl, `/orders/${id}/payments`, token, { provider: 'stripe' })));
    for (const payment of payments) {
      events.push(stripeEvent('payment_intent.succeeded', stripe.confirm(String(payment.client_secret).replace(/_secret_fake$/, ''))));
    }
  }
  return events;
}

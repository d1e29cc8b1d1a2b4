import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { Config } from '../../src/config.js';
import { adminToken, buildTestApp, call, createProduct, registerCustomer } from '../helpers/app.js';
import { FAKE_STRIPE_KEY, FAKE_WEBHOOK_SECRET, type FakeIntent, startFakeStripe, stripeEvent } from '../helpers/fake-stripe.js';

/** Stripe settings for a shop whose Stripe is the fake at `url`. */
export function stripeSettings(url: string, captureMethod: 'automatic' | 'manual' = 'automatic'): Partial<Config> {
  return {
    paymentProviders: ['manual', 'stripe'],
    stripe: { secretKey: FAKE_STRIPE_KEY, webhookSecret: FAKE_WEBHOOK_SECRET, apiUrl: new URL(url), captureMethod, timeoutMs: 2000, maxNetworkRetries: 1 },
  };
}

/**
 * A shop that takes manual and Stripe payments (Stripe being the fake on loopback): an
 * admin, a customer, a tracked product at 20.00 with 10 in stock, and the payment calls.
 */
export async function openPaymentShop(t: TestContext, options: { capture?: 'automatic' | 'manual'; overrides?: Partial<Config> } = {}) {
  const stripe = await startFakeStripe(t);
  const app = await buildTestApp(t, { ...stripeSettings(stripe.url, options.capture), ...options.overrides });
  const admin = await adminToken(app);
  const buyer = await registerCustomer(app);
  const customer = { id: buyer.customer.id as number, token: buyer.token };
  const product = await createProduct(app, admin, { price: 20, stock: 10 });

  const placeOrder = async (quantity = 1) => {
    const response = await call(app, 'POST', '/orders', {
      token: customer.token,
      body: { customer_id: customer.id, items: [{ product_id: product.id, quantity }] },
    });
    assert.equal(response.status, 201, `setup: placing an order: ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const pay = (orderId: number, provider: string, options: { token?: string; key?: string; body?: unknown } = {}) =>
    call(app, 'POST', `/orders/${orderId}/payments`, {
      token: options.token ?? customer.token,
      body: options.body ?? { provider },
      headers: options.key === undefined ? {} : { 'idempotency-key': options.key },
    });
  /** Opens a payment that must open: the setup of a test. */
  const opened = async (orderId: number, provider: string) => {
    const response = await pay(orderId, provider);
    assert.equal(response.status, 201, `setup: paying order ${orderId} with ${provider}: ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const paymentsOf = async (orderId: number) => {
    const response = await call(app, 'GET', `/orders/${orderId}/payments`, { token: admin });
    assert.equal(response.status, 200);
    return response.body;
  };
  const orderOf = async (orderId: number) => {
    const response = await call(app, 'GET', `/orders/${orderId}`, { token: admin });
    assert.equal(response.status, 200);
    return response.body;
  };
  const stockOf = async () => (await call(app, 'GET', `/products/${product.id}`)).body.stock;
  const sendWebhook = (payload: string, signature: string | undefined) =>
    call(app, 'POST', '/webhooks/stripe', {
      body: payload,
      headers: { 'content-type': 'application/json', ...(signature === undefined ? {} : { 'stripe-signature': signature }) },
    });
  /** Stripe tells the shop what an intent became. */
  const webhook = (type: string, intent: FakeIntent | object, options: { id?: string } = {}) => {
    const { payload, signature } = stripeEvent(type, intent, options);
    return sendWebhook(payload, signature);
  };
  /**
   * The events of a type recorded so far, read from the outbox (the feed shows them once
   * dispatched, which test apps leave to workers they do not run).
   */
  const eventsOf = async (type: string): Promise<{ type: string; data: any }[]> => {
    const rows = await app.db.selectFrom('events').select(['type', 'data']).where('type', '=', type).orderBy('seq').execute();
    return rows.map((row) => ({ type: row.type, data: JSON.parse(row.data) }));
  };
  /** Whatever the payments and the order look like now: what "nothing changed" compares. */
  const stateOf = async (orderId: number) => ({ order: await orderOf(orderId), payments: await paymentsOf(orderId), stock: await stockOf() });
  /** A Stripe payment's intent at the fake, by the payment's client secret. */
  const intentOf = (payment: { client_secret: string }) => stripe.intent(payment.client_secret.replace(/_secret_fake$/, ''));

  return { app, stripe, admin, customer, product, placeOrder, pay, opened, paymentsOf, orderOf, stockOf, sendWebhook, webhook, eventsOf, stateOf, intentOf };
}

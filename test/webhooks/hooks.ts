import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../src/config.js';
import { adminToken, buildTestApp, call, createProduct, registerCustomer } from '../helpers/app.js';

/** A shop that may deliver to loopback over plain http, as tests need (a real shop would not). */
export async function openWebhookShop(t: TestContext, overrides: Partial<Config> = {}) {
  const app = await buildTestApp(t, { webhookDelivery: 'inline', webhookAllowHttp: true, webhookAllowPrivateNetworks: true, ...overrides });
  const admin = await adminToken(app);
  const buyer = await registerCustomer(app);
  const product = await createProduct(app, admin, { stock: null });
  return {
    app,
    admin,
    buyer,
    async subscribe(url: string, events: string[] = ['order.placed']) {
      const response = await call(app, 'POST', '/webhook-endpoints', { token: admin, body: { url, events } });
      assert.equal(response.status, 201, JSON.stringify(response.body));
      return response.body as { id: number; secret: string };
    },
    async placeOrder() {
      const response = await call(app, 'POST', '/orders', {
        token: buyer.token,
        body: { customer_id: buyer.customer.id, items: [{ product_id: product.id, quantity: 1 }] },
      });
      assert.equal(response.status, 201, JSON.stringify(response.body));
      return response.body as { id: number };
    },
    async deliveries(endpointId: number) {
      const response = await call(app, 'GET', `/webhook-endpoints/${endpointId}/deliveries?per_page=100`, { token: admin });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      return response.body.items as any[];
    },
  };
}

export type WebhookShop = Awaited<ReturnType<typeof openWebhookShop>>;

export function bodyOf(app: FastifyInstance, text: string) {
  void app;
  return JSON.parse(text) as { type: string; timestamp: string; data: any };
}

import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { call } from '../helpers/app.js';

/** Creates a shipping rate as the admin; fields override a plain active rate to Germany. */
export async function createShippingRate(app: FastifyInstance, admin: string, fields: Record<string, unknown> = {}) {
  const response = await call(app, 'POST', '/shipping-rates', { token: admin, body: { name: 'Standard', price: 4.9, countries: ['DE'], ...fields } });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body;
}

/** Every shipping rate, as the admin reads them. */
export async function allShippingRates(app: FastifyInstance, admin: string) {
  const response = await call(app, 'GET', '/shipping-rates', { token: admin });
  assert.equal(response.status, 200);
  return response.body as Record<string, unknown>[];
}

import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { call } from '../helpers/app.js';

/** Creates a tax rate as the admin; fields override Germany's 19 % for the whole country. */
export async function createTaxRate(app: FastifyInstance, admin: string, fields: Record<string, unknown> = {}) {
  const response = await call(app, 'POST', '/tax-rates', { token: admin, body: { name: 'VAT', country_code: 'DE', rate: 19, ...fields } });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body;
}

/** Every tax rate, as anyone reads them. */
export async function allTaxRates(app: FastifyInstance) {
  const response = await call(app, 'GET', '/tax-rates');
  assert.equal(response.status, 200);
  return response.body as Record<string, unknown>[];
}

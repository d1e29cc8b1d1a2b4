import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../src/config.js';
import { adminToken, buildTestApp, call, createProduct, registerCustomer } from '../helpers/app.js';

export const CALIFORNIA = {
  first_name: 'Ada',
  last_name: 'Lovelace',
  line1: '1 Market Street',
  city: 'San Francisco',
  region_code: 'CA',
  postal_code: '94105',
  country_code: 'US',
};

export const BAVARIA = { first_name: 'Max', last_name: 'Muster', line1: 'Marienplatz 1', city: 'München', region_code: 'BY', country_code: 'DE' };

/** The answered form of an address sent without its optional fields. */
export function answered(address: Record<string, unknown>) {
  return { company: null, line2: null, region_code: null, postal_code: null, phone: null, ...address };
}

/**
 * A shop for checkout tests: an admin, a customer, and calls for rates and orders. Each
 * setup call must succeed; what a test checks it checks itself.
 */
export async function openCheckoutShop(t: TestContext, overrides: Partial<Config> = {}) {
  const app = await buildTestApp(t, { guestCartsMaxPerAddress: 1000, ...overrides });
  const admin = await adminToken(app);
  const registered = await registerCustomer(app);
  const buyer = { id: registered.customer.id as number, token: registered.token as string, email: registered.customer.email as string };

  const created = async (url: string, body: Record<string, unknown>) => {
    const response = await call(app, 'POST', url, { token: admin, body });
    assert.equal(response.status, 201, `setup: POST ${url} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const updated = async (url: string, body: Record<string, unknown>) => {
    const response = await call(app, 'PUT', url, { token: admin, body });
    assert.equal(response.status, 200, `setup: PUT ${url} ${JSON.stringify(response.body)}`);
    return response.body;
  };

  return {
    app,
    admin,
    buyer,
    product: (fields: Record<string, unknown> = {}) => createProduct(app, admin, { stock: null, ...fields }),
    shippingRate: (fields: Record<string, unknown> = {}) => created('/shipping-rates', { name: 'Standard', price: 4.99, countries: ['*'], ...fields }),
    taxRate: (fields: Record<string, unknown>) => created('/tax-rates', { name: 'VAT', ...fields }),
    updated,
    place: (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      call(app, 'POST', '/orders', { token: buyer.token, body: { customer_id: buyer.id, ...body }, headers }),
    quote: (body: Record<string, unknown>) => call(app, 'POST', '/orders/quote', { token: buyer.token, body: { customer_id: buyer.id, ...body } }),
    orderOf: async (id: number) => (await call(app, 'GET', `/orders/${id}`, { token: admin })).body,
  };
}

export type CheckoutShop = Awaited<ReturnType<typeof openCheckoutShop>>;

/** The fields a quote and the order placed from the same body share. */
export function moneyFieldsOf(body: Record<string, unknown>) {
  const { currency, items, subtotal, shipping_total, tax_total, total, prices_include_tax, shipping_address, billing_address, shipping, tax } = body;
  return { currency, items, subtotal, shipping_total, tax_total, total, prices_include_tax, shipping_address, billing_address, shipping, tax };
}

export function cents(amount: number): number {
  return Math.round(amount * 100);
}

export type App = FastifyInstance;

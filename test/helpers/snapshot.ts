import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { call } from './app.js';

/**
 * The one state snapshot: everything a client can read that a request could change, as an
 * admin reads it: every customer, the catalogue (with stock), every order with its history,
 * every customer's cart, and the shipping and tax rates. Tests take one before and one
 * after a request that must change nothing, and compare them.
 */
export async function shopState(app: FastifyInstance, adminToken: string) {
  const read = async (url: string) => {
    const response = await call(app, 'GET', url, { token: adminToken });
    assert.equal(response.status, 200, `reading ${url}: ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const customers: { id: number }[] = await read('/customers');
  const products = await read('/products');
  const orders: { id: number }[] = [];
  for (let page = 1; ; page += 1) {
    const { items, pages } = await read(`/orders/p?per_page=100&page=${page}`);
    orders.push(...items);
    if (page >= pages) break;
  }
  const histories = [];
  for (const order of orders) histories.push(await read(`/orders/track/${order.id}`));
  const carts = [];
  for (const customer of customers) carts.push(await read(`/cart/${customer.id}`));
  const shippingRates = await read('/shipping-rates');
  const taxRates = await read('/tax-rates');
  return { customers, products, orders, histories, carts, shippingRates, taxRates };
}

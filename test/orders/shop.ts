import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { type Caller, type Product, openShop } from '../cart/shop.js';
import { call } from '../helpers/app.js';
import { shopState } from '../helpers/snapshot.js';

export type { Caller, Product };

export const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

export interface OrderLine {
  product_id: number;
  quantity: number;
}

/**
 * The cart shop (admin, Ann, tracked Mug 19.99 x 10, untracked Pen 0.10) plus the
 * order calls and the reads that check the state after them.
 */
export async function openOrderShop(t: TestContext) {
  const shop = await openShop(t);
  const { app, admin } = shop;

  const place = (who: Caller, items: unknown, options: { customerId?: number; key?: string } = {}) =>
    call(app, 'POST', '/orders', {
      token: who.token,
      body: { customer_id: options.customerId ?? who.id, items },
      headers: options.key === undefined ? {} : { 'idempotency-key': options.key },
    });

  /** Places an order that must succeed: the setup of a test, not what it checks. */
  const placed = async (who: Caller, items: OrderLine[], options: { customerId?: number } = {}) => {
    const response = await place(who, items, options);
    assert.equal(response.status, 201, `setup: placing ${JSON.stringify(items)}: ${JSON.stringify(response.body)}`);
    return response.body;
  };

  const checkout = (who: Caller, options: { customerId?: number; key?: string } = {}) =>
    call(app, 'POST', '/orders/from_cart', {
      token: who.token,
      body: { customer_id: options.customerId ?? who.id },
      headers: options.key === undefined ? {} : { 'idempotency-key': options.key },
    });

  const setStatus = (id: number, body: Record<string, unknown>, who: Caller = admin) =>
    call(app, 'POST', `/orders/${id}/status`, { token: who.token, body });

  /** Moves an order along as an admin, insisting that each step works. */
  const moveTo = async (id: number, ...statuses: string[]) => {
    for (const status of statuses) {
      const response = await setStatus(id, status === 'shipped' ? { status, tracking_number: 'TRACK-1' } : { status });
      assert.equal(response.status, 200, `setup: moving order ${id} to ${status}: ${JSON.stringify(response.body)}`);
    }
  };

  const cancel = (id: number, who: Caller) => call(app, 'POST', `/orders/${id}/cancel`, { token: who.token });

  const orderOf = async (id: number) => {
    const response = await call(app, 'GET', `/orders/${id}`, { token: admin.token });
    assert.equal(response.status, 200, `reading order ${id}: ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const trackOf = async (id: number) => {
    const response = await call(app, 'GET', `/orders/track/${id}`, { token: admin.token });
    assert.equal(response.status, 200, `tracking order ${id}: ${JSON.stringify(response.body)}`);
    return response.body;
  };
  /** Every order, newest first, as an admin sees them. */
  const allOrders = async () => {
    const response = await call(app, 'GET', '/orders/p?per_page=100', { token: admin.token });
    assert.equal(response.status, 200, `listing orders: ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const orderCount = async (): Promise<number> => (await allOrders()).total;

  /** Everything an order can change (see shopState). */
  const snapshot = () => shopState(app, admin.token);

  return { ...shop, place, placed, checkout, setStatus, moveTo, cancel, orderOf, trackOf, allOrders, orderCount, snapshot };
}

/** An order line as the API shows it. */
/** A line of an order in a shop with no tax rates (part one's shop): its tax is 0. */
export function orderLine(item: Product, quantity: number, lineTotal: number, unitPrice = item.price) {
  return { product_id: item.id, product_name: item.product_name, unit_price: unitPrice, quantity, line_total: lineTotal, tax: 0 };
}

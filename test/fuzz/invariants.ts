import assert from 'node:assert/strict';
import type { ApiResponse } from '../helpers/app.js';
import { call } from '../helpers/app.js';
import { shorten } from './operations.js';
import type { World } from './world.js';
import { assertProblemShape } from '../helpers/problem.js';

// What must hold whatever a client sends. After each request: never a 5xx, every error an
// RFC 9457 problem, every money total in the answer the exact sum of its lines. After each
// property: no product's stock below zero, and every order ever placed adds up, to the cent.

const cents = (major: number) => Math.round(major * 100);

const PASSWORD_HASH = /\$argon2|\$scrypt/;

/**
 * What an error must not show about the server (unless the request itself sent it and it
 * is named back). Only errors: a listing may show what earlier requests stored.
 */
const LEAKS: [RegExp, string][] = [
  [/\bat [\w.<>]+ \(/, 'a stack frame'],
  [/\.(ts|js|mjs|cjs):\d+/, 'a source file position'],
  [/node_modules|\/src\//, 'a file path'],
];

/** Checks one answer. `request` describes what was sent, for the failure message; `sent` is its text. */
export function assertAnswerInvariants(response: ApiResponse, request: string, sent: string): void {
  const answer = `${response.status} ${shorten(typeof response.body === 'string' ? response.body : JSON.stringify(response.body), 500)}`;
  const context = `\n  request: ${request}\n  answer: ${answer}`;
  assert.ok(response.status < 500, `a ${response.status} answer${context}`);
  if (response.status >= 400) assertProblemShape(response, context);
  else if (response.status >= 200 && response.status < 300) assertMoneyAddsUp(response.body, context);
  const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  assert.doesNotMatch(text, PASSWORD_HASH, `the answer shows a password hash${context}`);
  if (response.status < 400) return;
  for (const [pattern, what] of LEAKS) {
    if (!pattern.test(sent)) assert.doesNotMatch(text, pattern, `the error shows ${what}${context}`);
  }
}

interface Line {
  quantity: number;
  line_total: number;
  unit_price?: number;
  price?: number;
  tax?: number;
}

/**
 * Anything in an answer that has lines and a total (an order, a cart, a page of orders) must
 * add up in whole cents; any stock shown must be null or a whole number of at least zero.
 */
function assertMoneyAddsUp(value: unknown, context: string): void {
  if (Array.isArray(value)) {
    for (const item of value) assertMoneyAddsUp(item, context);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  if ('stock' in record) {
    const stock = record.stock;
    assert.ok(stock === null || (Number.isInteger(stock) && (stock as number) >= 0), `stock ${stock} in an answer${context}`);
  }
  const items = record.items;
  // A page's total counts its items; an order's or a cart's is money.
  const isPage = 'pages' in record;
  if (!isPage && typeof record.total === 'number' && Array.isArray(items) && items.every((item) => item && 'line_total' in item)) {
    assertTotal(record as { total: number; items: Line[] }, context);
  }
  for (const child of Object.values(record)) assertMoneyAddsUp(child, context);
}

function assertTotal(order: { id?: number; total: number; items: Line[] } & Partial<Priced>, context: string): void {
  const what = order.id === undefined ? 'a cart' : `order ${order.id}`;
  for (const line of order.items) {
    const price = line.unit_price ?? line.price;
    assert.ok(typeof price === 'number', `a line of ${what} without a price${context}`);
    assert.equal(cents(line.line_total), cents(price) * line.quantity, `${what}: line ${JSON.stringify(line)} does not add up${context}`);
  }
  const sum = order.items.reduce((total, line) => total + cents(line.line_total), 0);
  if (order.subtotal === undefined) {
    assert.equal(cents(order.total), sum, `${what}: total ${order.total} is not the sum of its lines${context}`);
    return;
  }
  // An order or a quote: lines, then shipping and tax (contract, "Tax rates").
  assert.equal(cents(order.subtotal), sum, `${what}: subtotal ${order.subtotal} is not the sum of its lines${context}`);
  const taxes = order.items.reduce((total, line) => total + cents(line.tax ?? 0), 0) + cents(order.shipping?.tax ?? 0);
  assert.equal(cents(order.tax_total ?? 0), taxes, `${what}: tax_total is not the line taxes plus the shipping tax${context}`);
  assert.equal(cents(order.shipping_total ?? 0), cents(order.shipping?.price ?? 0), `${what}: shipping_total is not the rate's price${context}`);
  const total = sum + cents(order.shipping_total ?? 0) + (order.prices_include_tax ? 0 : cents(order.tax_total ?? 0));
  assert.equal(cents(order.total), total, `${what}: total ${order.total} is not subtotal + shipping (+ tax when prices exclude it)${context}`);
}

interface Priced {
  subtotal: number;
  shipping_total: number;
  tax_total: number;
  prices_include_tax: boolean;
  shipping: { price: number; tax: number } | null;
}

/** Reads the whole shop as the admin: every product's stock, every order's total. */
export async function assertShopInvariants(world: World): Promise<void> {
  const products = await call(world.app, 'GET', '/products', { token: world.admin.token });
  assert.equal(products.status, 200);
  for (const product of products.body as { id: number; stock: number | null }[]) {
    const { stock } = product;
    assert.ok(stock === null || (Number.isInteger(stock) && stock >= 0), `product ${product.id} has stock ${stock}`);
  }
  for (let page = 1; ; page += 1) {
    const orders = await call(world.app, 'GET', `/orders/p?page=${page}&per_page=100`, { token: world.admin.token });
    assert.equal(orders.status, 200, JSON.stringify(orders.body));
    for (const order of orders.body.items) assertTotal(order, '');
    if (page >= orders.body.pages) break;
  }
}

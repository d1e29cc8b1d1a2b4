import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { call } from '../helpers/app.js';
import { openOrderShop } from '../orders/shop.js';

/** Every customer's default password (test/helpers/app.ts registerCustomer). */
export const CUSTOMER_PASSWORD = 'customer-password';

/**
 * The order shop (admin, Ann, tracked Mug 19.99 x 10, untracked Pen 0.10) set up for an
 * attack: Ann is the victim, with 2 mugs in her cart and a pending order of 3 pens;
 * Mallory is a second, ordinary customer who attacks her. `everything()` reads all that
 * an attack could change: the catalogue, every order with its history, every cart and
 * every customer.
 */
export async function openAttackShop(t: TestContext) {
  const shop = await openOrderShop(t);
  const victim = shop.ann;
  const mallory = await shop.newCustomer();
  await shop.fill(victim, [[shop.mug, 2]]);
  const victimOrder = await shop.placed(victim, [{ product_id: shop.pen.id, quantity: 3 }]);
  return { ...shop, victim, mallory, victimOrder, everything: shop.snapshot };
}

export interface Operation {
  security?: Record<string, string[]>[];
  parameters?: { in: string; name: string; schema: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, unknown>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
  info: { version: string };
}

/** GET /openapi.json, insisting on a 200 JSON answer. */
export async function openapiDocument(app: FastifyInstance): Promise<OpenApiDocument> {
  const response = await call(app, 'GET', '/openapi.json');
  assert.equal(response.status, 200);
  assert.match(String(response.headers['content-type']), /^application\/json/);
  return response.body;
}

/** Every documented operation, keyed "METHOD /path/{param}". */
export function documentedOperations(doc: OpenApiDocument): Map<string, Operation> {
  const found = new Map<string, Operation>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) found.set(`${method.toUpperCase()} ${path}`, operation);
  }
  return found;
}

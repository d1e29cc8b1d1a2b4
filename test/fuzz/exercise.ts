import assert from 'node:assert/strict';
import type { ApiResponse } from '../helpers/app.js';
import { assertAnswerInvariants } from './invariants.js';
import { type FuzzRequest, type Operation, describe, send, toWire } from './operations.js';
import type { World } from './world.js';

/**
 * The fields whose rules go beyond what their schema can say, each in its operation's
 * description: a request the schemas allow may still fail these, and only these, as invalid.
 */
/** An address and its id are one or the other; a rate only for an order that needs shipping. */
const CHECKOUT_RULES = ['/body/shipping_address_id', '/body/billing_address_id', '/body/shipping_rate_id'];

const RULES_BEYOND_SCHEMA: Record<string, string[]> = {
  'PUT /customers/{id}': ['/body/current_password'],
  'POST /customers/password-reset/confirm': ['/body/token'],
  // An endpoint URL must also be https and on a public address (destination.ts).
  'POST /webhook-endpoints': ['/body/url'],
  'PUT /webhook-endpoints/{id}': ['/body/url'],
  'GET /products': ['/querystring/min_price'],
  'GET /products/p': ['/querystring/min_price', '/querystring/after'],
  'POST /orders': ['/body/items', ...CHECKOUT_RULES],
  'POST /orders/quote': ['/body/items', ...CHECKOUT_RULES],
  'POST /orders/from_cart': CHECKOUT_RULES,
  'POST /orders/from_cart/quote': CHECKOUT_RULES,
  'POST /carts/{cart_id}/checkout': CHECKOUT_RULES,
  'POST /carts/{cart_id}/checkout/quote': CHECKOUT_RULES,
  'POST /orders/{id}/status': ['/body/tracking_number'],
  'POST /shipping-rates': ['/body/min_subtotal'],
  'PUT /shipping-rates/{id}': ['/body/min_subtotal', '/body/max_subtotal'],
};

/** A NUL character is refused in any field (plugins/no-nul.ts): a rule of every route that no schema states. */
const NUL_REFUSAL = 'must not contain the NUL character (U+0000)';

/**
 * Sends one generated request and checks its answer: the invariants every answer keeps,
 * a 4xx for what is certainly invalid, and never a validation error for what the schema
 * allows (which also checks the generators against the server's own validator).
 * Returns undefined, without sending, for a request that would lock the admin out.
 */
export async function exercise(world: World, operation: Operation, request: FuzzRequest): Promise<ApiResponse | undefined> {
  const wire = toWire(world, operation, request);
  if (world.wouldLockOutAdmin(wire.method, wire.url, wire.json)) return undefined;
  const response = await send(world, wire);
  const description = describe(request, wire);
  const sent = `${wire.url} ${JSON.stringify(wire.headers)} ${String(wire.payload ?? '')}`;
  assertAnswerInvariants(response, description, sent);
  if (request.mustRefuse) {
    assert.ok(response.status >= 400 && response.status < 500, `an invalid request was not refused\n  request: ${description}\n  answer: ${response.status}`);
  }
  if (request.broken === undefined && response.body?.code === 'VALIDATION_FAILED') {
    const beyond = RULES_BEYOND_SCHEMA[operation.label] ?? [];
    const errors: { path: string; message: string }[] = response.body.errors ?? [];
    assert.ok(
      errors.length > 0 && errors.every((error) => beyond.includes(error.path) || error.message === NUL_REFUSAL),
      `a request valid by the document was refused as invalid\n  request: ${description}\n  answer: ${JSON.stringify(response.body)}`,
    );
  }
  // A write may have deleted the customer actor, changed its password or role.
  if (wire.method !== 'GET' && response.status < 300) await world.ensureActors();
  return response;
}

import assert from 'node:assert/strict';
import type { ApiResponse } from '../helpers/app.js';
import { assertAnswerInvariants } from './invariants.js';
import { type FuzzRequest, type Operation, describe, send, toWire } from './operations.js';
import type { World } from './world.js';

/**
 * The fields whose rules go beyond what their schema can say, each in its operation's
 * description: a request the schemas allow may still fail these, and only these, as invalid.
 */
const RULES_BEYOND_SCHEMA: Record<string, string[]> = {
  'PUT /customers/{id}': ['/body/current_password'],
  'GET /products': ['/querystring/min_price'],
  'GET /products/p': ['/querystring/min_price', '/querystring/after'],
  'POST /orders': ['/body/items'],
  'POST /orders/{id}/status': ['/body/tracking_number'],
};

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
    const paths: string[] = (response.body.errors ?? []).map((error: { path: string }) => error.path);
    assert.ok(
      paths.length > 0 && paths.every((path) => beyond.includes(path)),
      `a request valid by the document was refused as invalid\n  request: ${description}\n  answer: ${JSON.stringify(response.body)}`,
    );
  }
  // A write may have deleted the customer actor, changed its password or role.
  if (wire.method !== 'GET' && response.status < 300) await world.ensureActors();
  return response;
}

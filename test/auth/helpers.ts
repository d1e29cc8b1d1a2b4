import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { type ApiResponse, call } from '../helpers/app.js';
import { assertProblem } from '../helpers/problem.js';

/** A customer in any answer has exactly these fields: never a password, its hash or its token version. */
export const PUBLIC_CUSTOMER_FIELDS = ['created_at', 'customer_name', 'email', 'id', 'phone', 'role_id', 'username'];

export function assertPublicCustomer(customer: unknown): void {
  assert.ok(customer !== null && typeof customer === 'object', `not a customer: ${JSON.stringify(customer)}`);
  assert.deepEqual(Object.keys(customer).sort(), PUBLIC_CUSTOMER_FIELDS);
  assert.doesNotMatch(JSON.stringify(customer), /password|token_version|\$argon2|\$scrypt/);
}

let sequence = 0;

/** Valid fields for a new customer, different on every call; `overrides` replace or add fields. */
export function customerFields(overrides: Record<string, unknown> = {}) {
  sequence += 1;
  return {
    customer_name: `Person ${sequence}`,
    email: `person${sequence}@example.org`,
    phone: `+44 20 7946 ${String(sequence).padStart(4, '0')}`,
    username: `person-${sequence}`,
    password: `password-of-${sequence}`,
    ...overrides,
  };
}

export function attemptLogin(
  app: FastifyInstance,
  username: string,
  password: string,
  headers?: Record<string, string>,
): Promise<ApiResponse> {
  return call(app, 'POST', '/customers/login', { body: { username, password }, ...(headers ? { headers } : {}) });
}

/** Every live customer, as an admin sees them. */
export async function allCustomers(app: FastifyInstance, adminToken: string): Promise<any[]> {
  const response = await call(app, 'GET', '/customers', { token: adminToken });
  assert.equal(response.status, 200);
  return response.body;
}

/** The customer with this id as an admin sees it, or the 404 status when it is gone. */
export async function customerAsAdmin(app: FastifyInstance, adminToken: string, id: number): Promise<any> {
  const response = await call(app, 'GET', `/customers/${id}`, { token: adminToken });
  return response.status === 200 ? response.body : response.status;
}

/** Asserts a 401 problem+json for this token on a protected route. */
export async function assertTokenRefused(app: FastifyInstance, token: string, why = ''): Promise<void> {
  const response = await call(app, 'GET', '/customers/me', { headers: { authorization: `Bearer ${token}` } });
  assertProblem(response, 401);
  assert.equal(response.body.code, 'UNAUTHORIZED', why);
}

/** Asserts a 429 problem+json whose Retry-After is a whole number of seconds from 1 to `maxSeconds`. */
export function assertThrottled(response: ApiResponse, maxSeconds: number): void {
  assertProblem(response, 429);
  const retryAfter = String(response.headers['retry-after']);
  assert.match(retryAfter, /^[1-9]\d*$/, `Retry-After: ${retryAfter}`);
  assert.ok(Number(retryAfter) <= maxSeconds, `Retry-After ${retryAfter} > ${maxSeconds}`);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** A POST from a given client address (the `call` helper always comes from 127.0.0.1). */
export async function postFrom(app: FastifyInstance, remoteAddress: string, url: string, body: object): Promise<ApiResponse> {
  const response = await app.inject({ method: 'POST', url, remoteAddress, payload: body });
  return { status: response.statusCode, headers: response.headers, body: response.json() };
}

import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { call } from '../helpers/app.js';

/** A valid address with only the required fields. */
export const ADA = { first_name: 'Ada', last_name: 'Lovelace', line1: '1 Market Street', city: 'San Francisco', country_code: 'US' };

/** Every field, each filled. */
export const FULL = {
  first_name: 'Grace',
  last_name: 'Hopper',
  company: 'Navy',
  line1: 'Leopoldstraße 1',
  line2: 'Hinterhaus',
  city: 'München',
  region_code: 'BY',
  postal_code: '80802',
  country_code: 'DE',
  phone: '+49 89 0000',
};

/** The keys of an address book entry, sorted. */
export const ENTRY_KEYS = [
  'city',
  'company',
  'country_code',
  'created_at',
  'first_name',
  'id',
  'is_default',
  'last_name',
  'line1',
  'line2',
  'phone',
  'postal_code',
  'region_code',
];

/** The customer's book as `token` reads it (200 expected). */
export async function bookOf(app: FastifyInstance, token: string, customerId: number): Promise<Record<string, any>[]> {
  const response = await call(app, 'GET', `/customers/${customerId}/addresses`, { token });
  assert.equal(response.status, 200, `reading the book of ${customerId}: ${JSON.stringify(response.body)}`);
  return response.body;
}

/** Saves an address (201 expected) and answers the entry. */
export async function saveAddress(app: FastifyInstance, token: string, customerId: number, fields: Record<string, unknown> = {}) {
  const response = await call(app, 'POST', `/customers/${customerId}/addresses`, { token, body: { ...ADA, ...fields } });
  assert.equal(response.status, 201, `saving an address for ${customerId}: ${JSON.stringify(response.body)}`);
  return response.body as Record<string, any>;
}

/** The ids of the book's default addresses (at most one, always). */
export function defaultsOf(book: Record<string, any>[]): number[] {
  return book.filter((entry) => entry.is_default).map((entry) => entry.id);
}

import type { Db, Queryable, ShippingRateRow, ShippingRateRowUpdate } from '../../db/database.js';
import { inTransaction } from '../../db/engine.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { toCents, toMajor } from '../../shared/money.js';
import * as repo from './shipping.repository.js';
import { type CreateShippingRateBody, EVERYWHERE, type ShippingRateResponse, type UpdateShippingRateBody } from './shipping.schemas.js';

/** A shipping rate as the orders module prices with it: amounts in cents. */
export interface ShippingRate {
  id: number;
  name: string;
  priceCents: number;
  /** ISO 3166-1 alpha-2 codes, or ["*"] for every country. */
  countries: string[];
  /** Inclusive; null: no bound. */
  minSubtotalCents: number | null;
  maxSubtotalCents: number | null;
  active: boolean;
}

/** Who reads: customers and anonymous callers see active rates only, admins every rate. */
export interface Reader {
  seesInactive: boolean;
}

/**
 * The one eligibility rule (contract, "Shipping rates"): the rate is active, ships to the
 * country (or everywhere), and the subtotal lies within its bounds, both inclusive, a null
 * bound open.
 */
export function isEligible(rate: ShippingRate, country: string, subtotalCents: number): boolean {
  return (
    rate.active &&
    (rate.countries.includes(EVERYWHERE) || rate.countries.includes(country)) &&
    (rate.minSubtotalCents === null || subtotalCents >= rate.minSubtotalCents) &&
    (rate.maxSubtotalCents === null || subtotalCents <= rate.maxSubtotalCents)
  );
}

/** The rates an order to `country` with this subtotal may ship with, by id. A shop has a handful of rates, so isEligible picks among the active ones. */
export async function eligibleShippingRates(db: Queryable, country: string, subtotalCents: number): Promise<ShippingRate[]> {
  return eligibleAmong(await activeShippingRates(db), country, subtotalCents);
}

/** Of these rates, the ones an order to `country` with this subtotal may ship with (checkout's options). */
export function eligibleAmong(rates: ShippingRate[], country: string, subtotalCents: number): ShippingRate[] {
  return rates.filter((rate) => isEligible(rate, country, subtotalCents));
}

/** Every active rate, by id: what checkout chooses from (whether it ships at all, the rate named, the options). */
export async function activeShippingRates(db: Queryable): Promise<ShippingRate[]> {
  return (await repo.listShippingRates(db, { activeOnly: true })).map(toShippingRate);
}

/** Whether the shop ships at all: with no active rate, an order needs no shipping rate. */
export function activeShippingRateExists(db: Queryable): Promise<boolean> {
  return repo.activeShippingRateExists(db);
}

/** The rate with this id, active or not. */
export async function findShippingRate(db: Queryable, id: number): Promise<ShippingRate | undefined> {
  const row = await repo.findShippingRateById(db, id);
  return row && toShippingRate(row);
}

export async function listShippingRates(db: Db, reader: Reader): Promise<ShippingRateResponse[]> {
  const rows = await repo.listShippingRates(db, { activeOnly: !reader.seesInactive });
  return rows.map(toShippingRateResponse);
}

/** An inactive rate is not there for a reader who only sees active ones. */
export async function getShippingRate(db: Db, id: number, reader: Reader): Promise<ShippingRateResponse> {
  const row = await repo.findShippingRateById(db, id);
  if (!row || (row.active === 0 && !reader.seesInactive)) throw new NotFoundError('Shipping rate');
  return toShippingRateResponse(row);
}

export async function createShippingRate(db: Db, input: CreateShippingRateBody): Promise<ShippingRateResponse> {
  const min = centsOrNull(input.min_subtotal);
  const max = centsOrNull(input.max_subtotal);
  assertBoundsInOrder(min, max, 'min_subtotal');
  const now = new Date().toISOString();
  const row = await repo.insertShippingRate(db, {
    name: input.name,
    price_cents: toCents(input.price),
    countries: JSON.stringify(input.countries),
    min_subtotal_cents: min,
    max_subtotal_cents: max,
    active: input.active === false ? 0 : 1,
    created_at: now,
    updated_at: now,
  });
  return toShippingRateResponse(row);
}

/**
 * Any subset of the fields. A change to one bound is checked against the stored other
 * bound on the row locked for the update, so two updates at once (one raising the
 * minimum, one lowering the maximum) cannot together leave a minimum above the maximum.
 */
export function updateShippingRate(db: Db, id: number, patch: UpdateShippingRateBody): Promise<ShippingRateResponse> {
  const update = toRowUpdate(patch);
  return inTransaction(db, async (trx) => {
    const current = await repo.lockShippingRateById(trx, id);
    if (!current) throw new NotFoundError('Shipping rate');
    assertBoundsInOrder(
      update.min_subtotal_cents === undefined ? current.min_subtotal_cents : update.min_subtotal_cents,
      update.max_subtotal_cents === undefined ? current.max_subtotal_cents : update.max_subtotal_cents,
      patch.min_subtotal === undefined ? 'max_subtotal' : 'min_subtotal',
    );
    const row = await repo.updateShippingRateById(trx, id, update);
    if (!row) throw new NotFoundError('Shipping rate');
    return toShippingRateResponse(row);
  });
}

/** Placed orders keep their own copy of the rate's name and price. */
export async function deleteShippingRate(db: Db, id: number): Promise<void> {
  if (!(await repo.deleteShippingRateById(db, id))) throw new NotFoundError('Shipping rate');
}

/** A rate whose minimum is above its maximum could never apply; the field the client sent is the one named. */
function assertBoundsInOrder(min: number | null, max: number | null, sent: 'min_subtotal' | 'max_subtotal'): void {
  if (min === null || max === null || min <= max) return;
  throw sent === 'min_subtotal'
    ? new ValidationError('/body/min_subtotal', 'must not be greater than max_subtotal')
    : new ValidationError('/body/max_subtotal', 'must not be less than min_subtotal');
}

function toRowUpdate(patch: UpdateShippingRateBody): ShippingRateRowUpdate {
  const update: ShippingRateRowUpdate = { updated_at: new Date().toISOString() };
  if (patch.name !== undefined) update.name = patch.name;
  if (patch.price !== undefined) update.price_cents = toCents(patch.price);
  if (patch.countries !== undefined) update.countries = JSON.stringify(patch.countries);
  if (patch.min_subtotal !== undefined) update.min_subtotal_cents = centsOrNull(patch.min_subtotal);
  if (patch.max_subtotal !== undefined) update.max_subtotal_cents = centsOrNull(patch.max_subtotal);
  if (patch.active !== undefined) update.active = patch.active ? 1 : 0;
  return update;
}

function centsOrNull(amount: number | null | undefined): number | null {
  return amount === undefined || amount === null ? null : toCents(amount);
}

function majorOrNull(cents: number | null): number | null {
  return cents === null ? null : toMajor(cents);
}

function toShippingRate(row: ShippingRateRow): ShippingRate {
  return {
    id: row.id,
    name: row.name,
    priceCents: row.price_cents,
    countries: parseCountries(row.countries),
    minSubtotalCents: row.min_subtotal_cents,
    maxSubtotalCents: row.max_subtotal_cents,
    active: row.active === 1,
  };
}

function toShippingRateResponse(row: ShippingRateRow): ShippingRateResponse {
  const rate = toShippingRate(row);
  return {
    id: rate.id,
    name: rate.name,
    price: toMajor(rate.priceCents),
    countries: rate.countries,
    min_subtotal: majorOrNull(rate.minSubtotalCents),
    max_subtotal: majorOrNull(rate.maxSubtotalCents),
    active: rate.active,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** The column holds the JSON array this module wrote; anything else is a damaged row, not a client's mistake. */
function parseCountries(text: string): string[] {
  const countries: unknown = JSON.parse(text);
  if (!Array.isArray(countries) || !countries.every((country) => typeof country === 'string')) {
    throw new Error(`shipping_rates.countries is not an array of codes: ${text}`);
  }
  return countries;
}

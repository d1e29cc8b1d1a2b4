import type { Db, Queryable, TaxRateRow, TaxRateRowUpdate } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import { fromScaledInteger, toScaledInteger } from '../../shared/decimals.js';
import { ConflictError, NotFoundError } from '../../shared/errors.js';
import * as repo from './tax.repository.js';
import { type CreateTaxRateBody, RATE_DECIMALS, type TaxRateResponse, type UpdateTaxRateBody } from './tax.schemas.js';

/** A tax rate as the orders module prices with it. */
export interface TaxRate {
  id: number;
  name: string;
  countryCode: string;
  /** null: the whole country. */
  regionCode: string | null;
  /** Thousandths of a percent: 8.875 % is 8875, so tax is exact integer arithmetic. */
  rateThousandths: number;
  appliesToShipping: boolean;
}

/** The rate for this place (contract, "Tax rates"): the region's if one exists, else the whole country's, else none. */
export async function findTaxRateFor(db: Queryable, country: string, region: string | null): Promise<TaxRate | undefined> {
  const row = await repo.findTaxRateForPlace(db, country, region);
  return row && toTaxRate(row);
}

export async function listTaxRates(db: Db): Promise<TaxRateResponse[]> {
  return (await repo.listTaxRates(db)).map(toTaxRateResponse);
}

export async function createTaxRate(db: Db, input: CreateTaxRateBody): Promise<TaxRateResponse> {
  const now = new Date().toISOString();
  const region = input.region_code ?? null;
  const row = await refusingDuplicates(input.country_code, region, () =>
    repo.insertTaxRate(db, {
      name: input.name,
      country_code: input.country_code,
      region_code: region,
      rate_thousandths: toScaledInteger(input.rate, RATE_DECIMALS),
      applies_to_shipping: input.applies_to_shipping === false ? 0 : 1,
      created_at: now,
      updated_at: now,
    }),
  );
  return toTaxRateResponse(row);
}

/** Any subset of the fields; moving a rate to a country and region that already have one is 409. */
export async function updateTaxRate(db: Db, id: number, patch: UpdateTaxRateBody): Promise<TaxRateResponse> {
  const update: TaxRateRowUpdate = { updated_at: new Date().toISOString() };
  if (patch.name !== undefined) update.name = patch.name;
  if (patch.country_code !== undefined) update.country_code = patch.country_code;
  if (patch.region_code !== undefined) update.region_code = patch.region_code;
  if (patch.rate !== undefined) update.rate_thousandths = toScaledInteger(patch.rate, RATE_DECIMALS);
  if (patch.applies_to_shipping !== undefined) update.applies_to_shipping = patch.applies_to_shipping ? 1 : 0;
  const row = await refusingDuplicates(patch.country_code, patch.region_code, () => repo.updateTaxRateById(db, id, update));
  if (!row) throw new NotFoundError('Tax rate');
  return toTaxRateResponse(row);
}

export async function deleteTaxRate(db: Db, id: number): Promise<void> {
  if (!(await repo.deleteTaxRateById(db, id))) throw new NotFoundError('Tax rate');
}

/**
 * Runs a write and answers a broken unique index with 409 DUPLICATE: the index on (country,
 * region) decides, so two requests claiming one place at once get one 201 and one 409.
 */
async function refusingDuplicates<T>(country: string | undefined, region: string | null | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw new ConflictError(duplicateDetail(country, region), 'DUPLICATE');
  }
}

/** Names the place when the request did ("US-NY", "DE as a whole"); an update may have changed only one of the two. */
function duplicateDetail(country: string | undefined, region: string | null | undefined): string {
  if (country === undefined || region === undefined) return 'Another tax rate is already set for that country and region.';
  return `A tax rate for ${region === null ? `${country} as a whole` : `${country}-${region}`} already exists.`;
}

function toTaxRate(row: TaxRateRow): TaxRate {
  return {
    id: row.id,
    name: row.name,
    countryCode: row.country_code,
    regionCode: row.region_code,
    rateThousandths: row.rate_thousandths,
    appliesToShipping: row.applies_to_shipping === 1,
  };
}

function toTaxRateResponse(row: TaxRateRow): TaxRateResponse {
  return {
    id: row.id,
    name: row.name,
    country_code: row.country_code,
    region_code: row.region_code,
    rate: fromScaledInteger(row.rate_thousandths, RATE_DECIMALS),
    applies_to_shipping: row.applies_to_shipping === 1,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

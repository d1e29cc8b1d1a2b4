import { type Static, Type } from '@sinclair/typebox';
import { CountryCode, RegionCode } from '../addresses/addresses.schemas.js';
import { Id, Text, Timestamp, named, ref } from '../../shared/schemas.js';

/** How many decimals a rate may have: it is kept as an integer in thousandths of a percent. */
export const RATE_DECIMALS = 3;

/**
 * A percentage with at most three decimals. As with Money, the rule is `multipleOf` for any
 * JSON Schema validator, and the server also checks the number's shortest decimal text
 * (`x-decimals`), so 8.875000000000002 fails too.
 */
const Rate = Type.Number({
  minimum: 0,
  maximum: 100,
  multipleOf: 0.001,
  'x-decimals': RATE_DECIMALS,
  description:
    'A percentage from 0 to 100 with at most three decimals (a multiple of 0.001): 19, 7.25, 8.875. A validator reading ' +
    'multipleOf with binary floating point must allow for rounding (Ajv: multipleOfPrecision 6)',
  examples: [8.875],
});

const taxRateFields = {
  name: Text(100),
  country_code: CountryCode,
  region_code: Type.Optional(
    Type.Union([RegionCode, Type.Null()], { description: 'The subdivision (CA for California); null (the default): the whole country' }),
  ),
  rate: Rate,
  applies_to_shipping: Type.Optional(Type.Boolean({ description: "Whether shipping is taxed too; default true" })),
};

export const CreateTaxRateBody = named(
  'CreateTaxRateBody',
  Type.Object(taxRateFields, {
    additionalProperties: false,
    examples: [{ name: 'New York City', country_code: 'US', region_code: 'NY', rate: 8.875 }],
  }),
);
export type CreateTaxRateBody = Static<typeof CreateTaxRateBody>;

export const UpdateTaxRateBody = named(
  'UpdateTaxRateBody',
  Type.Partial(Type.Object(taxRateFields), { additionalProperties: false, examples: [{ rate: 7.25, applies_to_shipping: false }] }),
);
export type UpdateTaxRateBody = Static<typeof UpdateTaxRateBody>;

export const TaxRateResponse = named(
  'TaxRate',
  Type.Object(
    {
      id: Id,
      name: Type.String(),
      country_code: Type.String({ description: 'ISO 3166-1 alpha-2' }),
      region_code: Type.Union([Type.String(), Type.Null()], { description: 'null: the whole country' }),
      rate: Type.Number({ description: 'A percentage, three decimals at most, e.g. 8.875', examples: [8.875] }),
      applies_to_shipping: Type.Boolean(),
      created_at: Timestamp,
      updated_at: Timestamp,
    },
    {
      examples: [
        {
          id: 1,
          name: 'New York City',
          country_code: 'US',
          region_code: 'NY',
          rate: 8.875,
          applies_to_shipping: true,
          created_at: '2026-11-25T10:00:00.000Z',
          updated_at: '2026-11-25T10:00:00.000Z',
        },
      ],
    },
  ),
);
export type TaxRateResponse = Static<typeof TaxRateResponse>;

export const TaxRateList = Type.Array(ref(TaxRateResponse));

export const taxSchemas = [TaxRateResponse, CreateTaxRateBody, UpdateTaxRateBody];

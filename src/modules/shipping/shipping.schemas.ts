import { type Static, Type } from '@sinclair/typebox';
import { CountryCode } from '../addresses/addresses.schemas.js';
import { Id, Money, MoneyOut, Text, Timestamp, named, ref } from '../../shared/schemas.js';

/** The one entry of `countries` that stands for every country. */
export const EVERYWHERE = '*';

/** Either a list of countries or everywhere, never both: ["*", "DE"] is refused. */
const Countries = Type.Union(
  [
    Type.Array(CountryCode, { minItems: 1, maxItems: 250, uniqueItems: true }),
    Type.Array(Type.Literal(EVERYWHERE), { minItems: 1, maxItems: 1 }),
  ],
  { description: 'ISO 3166-1 alpha-2 codes (each once), or ["*"] alone for every country', examples: [['DE', 'AT']] },
);

const Bound = (description: string) => Type.Union([Money, Type.Null()], { description });

const shippingRateFields = {
  name: Text(100),
  price: Money,
  countries: Countries,
  min_subtotal: Type.Optional(Bound('The lowest order subtotal the rate applies to, inclusive; null (the default): no lower bound')),
  max_subtotal: Type.Optional(Bound('The highest order subtotal the rate applies to, inclusive; null (the default): no upper bound')),
  active: Type.Optional(Type.Boolean({ description: 'Only active rates are offered to customers; default true' })),
};

export const CreateShippingRateBody = named(
  'CreateShippingRateBody',
  Type.Object(shippingRateFields, {
    additionalProperties: false,
    examples: [{ name: 'Free over 50', price: 0, countries: ['DE', 'AT'], min_subtotal: 50 }],
  }),
);
export type CreateShippingRateBody = Static<typeof CreateShippingRateBody>;

export const UpdateShippingRateBody = named(
  'UpdateShippingRateBody',
  Type.Partial(Type.Object(shippingRateFields), { additionalProperties: false, examples: [{ price: 4.9, active: false }] }),
);
export type UpdateShippingRateBody = Static<typeof UpdateShippingRateBody>;

export const ShippingRateResponse = named(
  'ShippingRate',
  Type.Object(
    {
      id: Id,
      name: Type.String(),
      price: MoneyOut,
      countries: Type.Array(Type.String(), { description: 'ISO 3166-1 alpha-2 codes, or ["*"] for every country' }),
      min_subtotal: Type.Union([MoneyOut, Type.Null()], { description: 'Inclusive; null: no lower bound' }),
      max_subtotal: Type.Union([MoneyOut, Type.Null()], { description: 'Inclusive; null: no upper bound' }),
      active: Type.Boolean(),
      created_at: Timestamp,
      updated_at: Timestamp,
    },
    {
      examples: [
        {
          id: 1,
          name: 'Free over 50',
          price: 0,
          countries: ['DE', 'AT'],
          min_subtotal: 50,
          max_subtotal: null,
          active: true,
          created_at: '2026-11-25T10:00:00.000Z',
          updated_at: '2026-11-25T10:00:00.000Z',
        },
      ],
    },
  ),
);
export type ShippingRateResponse = Static<typeof ShippingRateResponse>;

export const ShippingRateList = Type.Array(ref(ShippingRateResponse));

export const shippingSchemas = [ShippingRateResponse, CreateShippingRateBody, UpdateShippingRateBody];

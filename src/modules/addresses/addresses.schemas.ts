import { type Static, Type } from '@sinclair/typebox';
import { COUNTRY_CODES } from '../../shared/countries.js';
import { Id, StringEnum, Text, Timestamp, named } from '../../shared/schemas.js';

/** An assigned ISO 3166-1 alpha-2 code in capitals; the whole list is in the document, so a client validates it too. */
export const CountryCode = StringEnum(COUNTRY_CODES, { description: 'ISO 3166-1 alpha-2, in capitals (DE, US)', examples: ['US'] });

/** The subdivision part of an ISO 3166-2 code: CA for US-CA (California), BY for DE-BY (Bavaria). */
export const RegionCode = Type.String({
  pattern: '^[A-Z0-9]{1,3}$',
  description: 'The subdivision part of an ISO 3166-2 code, 1 to 3 capitals or digits (CA for California); picks a tax rate',
  examples: ['CA'],
});

const NullableRegion = Type.Unsafe<string | null>({ ...RegionCode, type: ['string', 'null'] });

const OptionalText = (maxLength: number) =>
  Type.Optional(Type.String({ maxLength, description: 'Optional; an empty string clears it' }));

/** The fields of an address as a client sends them. */
export const addressFields = {
  first_name: Text(100),
  last_name: Text(100),
  company: OptionalText(200),
  line1: Text(200),
  line2: OptionalText(200),
  city: Text(100),
  region_code: Type.Optional(NullableRegion),
  postal_code: OptionalText(20),
  country_code: CountryCode,
  phone: OptionalText(30),
};

/** The document's example address, for every schema that holds one. */
export const ADDRESS_EXAMPLE = {
  first_name: 'Ada',
  last_name: 'Lovelace',
  line1: '1 Market Street',
  city: 'San Francisco',
  region_code: 'CA',
  postal_code: '94105',
  country_code: 'US',
};

export const AddressInput = named('AddressInput', Type.Object(addressFields, { additionalProperties: false, examples: [ADDRESS_EXAMPLE] }));
export type AddressInput = Static<typeof AddressInput>;

/** A string or null as one type list, not anyOf: the serializer would validate each branch on every answer. */
const Nullable = (maxLength: number) => Type.Unsafe<string | null>({ type: ['string', 'null'], maxLength });

/** An address as answered: every field present, the optional ones null when not given. */
export const Address = named(
  'Address',
  Type.Object(
    {
      first_name: Type.String(),
      last_name: Type.String(),
      company: Nullable(200),
      line1: Type.String(),
      line2: Nullable(200),
      city: Type.String(),
      region_code: NullableRegion,
      postal_code: Nullable(20),
      country_code: CountryCode,
      phone: Nullable(30),
    },
    { examples: [{ ...ADDRESS_EXAMPLE, company: null, line2: null, phone: null }] },
  ),
);
export type Address = Static<typeof Address>;

/** The answered form of an address a client sent: optional fields left out or empty become null. */
export function toAddress(input: AddressInput): Address {
  const orNull = (value: string | null | undefined) => (value === undefined || value === '' ? null : value);
  return {
    first_name: input.first_name,
    last_name: input.last_name,
    company: orNull(input.company),
    line1: input.line1,
    line2: orNull(input.line2),
    city: input.city,
    region_code: orNull(input.region_code),
    postal_code: orNull(input.postal_code),
    country_code: input.country_code,
    phone: orNull(input.phone),
  };
}

// Address itself is not a component: order answers inline it (see orders.schemas' Nullable).
export const addressSchemas = [AddressInput];

// The address book: a customer's saved addresses, at most one of them the default.

/** Addresses one customer may keep; one more is 409 ADDRESS_LIMIT. */
export const MAX_ADDRESSES_PER_CUSTOMER = 20;

const IsDefault = Type.Boolean({
  description: 'true makes this the default address, and the one that was stops being it; false: not the default',
});

export const CreateAddressBody = named(
  'CreateAddressBody',
  Type.Object(
    // The default is said in words: a `default` keyword makes generated clients require the field.
    { ...addressFields, is_default: Type.Optional({ ...IsDefault, description: `${IsDefault.description}. Default false` }) },
    { additionalProperties: false, examples: [{ ...ADDRESS_EXAMPLE, is_default: true }] },
  ),
);
export type CreateAddressBody = Static<typeof CreateAddressBody>;

export const UpdateAddressBody = named(
  'UpdateAddressBody',
  Type.Partial(Type.Object({ ...addressFields, is_default: IsDefault }), {
    additionalProperties: false,
    description: 'Any subset of the fields; an empty object changes nothing',
    examples: [{ line2: 'Floor 3', is_default: true }],
  }),
);
export type UpdateAddressBody = Static<typeof UpdateAddressBody>;

export const AddressBookEntry = named(
  'AddressBookEntry',
  Type.Object(
    {
      id: Id,
      ...Address.properties,
      is_default: Type.Boolean({ description: 'At most one address of a customer is the default' }),
      created_at: Timestamp,
    },
    {
      examples: [
        { id: 1, ...ADDRESS_EXAMPLE, company: null, line2: null, phone: null, is_default: true, created_at: '2026-11-25T10:00:00.000Z' },
      ],
    },
  ),
);
export type AddressBookEntry = Static<typeof AddressBookEntry>;

export const AddressBookParams = Type.Object({ id: Id, address_id: Id }, { additionalProperties: false });
export type AddressBookParams = Static<typeof AddressBookParams>;

export const addressBookSchemas = [AddressBookEntry, CreateAddressBody, UpdateAddressBody];

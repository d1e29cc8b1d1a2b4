import { type Static, type TSchema, Type } from '@sinclair/typebox';

export const MAX_ID = 2_147_483_647;
export const MAX_PRICE = 99_999_999.99;

export const Id = Type.Integer({ minimum: 1, maximum: MAX_ID });

export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
export type IdParams = Static<typeof IdParams>;

/**
 * A price in major units with at most two decimals. `x-money` is checked by our Ajv
 * keyword on the number's decimal text, because `multipleOf: 0.01` misjudges floats.
 */
export const Money = Type.Number({
  minimum: 0,
  maximum: MAX_PRICE,
  'x-money': true,
  description: 'Major units, at most two decimals, e.g. 19.99',
  examples: [19.99],
});

export const MoneyOut = Type.Number({ description: 'Major units, e.g. 19.99', examples: [19.99] });

export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601 UTC' });

/** A string that is not empty and not only white space. */
export function Text(maxLength: number, extra: object = {}) {
  return Type.String({ minLength: 1, maxLength, pattern: '\\S', ...extra });
}

export const PageQuery = {
  page: Type.Integer({ minimum: 1, maximum: MAX_ID, default: 1, description: 'From 1; past the end, items is empty' }),
  per_page: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
};

export function Page<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    page: Type.Integer(),
    per_page: Type.Integer(),
    total: Type.Integer({ description: 'Matching items on all pages' }),
    pages: Type.Integer({ description: 'Number of pages' }),
  });
}

export const Message = Type.Object({ message: Type.String() });

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'Stable machine-readable error code' }),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);
export type Problem = Static<typeof Problem>;

/** Reference to the shared problem schema, for every error status a route declares. */
export const ProblemRef = Type.Ref('Problem');

/** The error responses most routes can give, merged into each route's response map. */
export function problems(...statuses: number[]): Record<number, typeof ProblemRef> {
  return Object.fromEntries(statuses.map((status) => [status, ProblemRef]));
}

export function pageCount(total: number, perPage: number): number {
  return Math.ceil(total / perPage);
}

/** A string limited to a few values, as a plain JSON Schema enum (clearer errors than anyOf). */
export function StringEnum<const T extends readonly string[]>(values: T, options: object = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

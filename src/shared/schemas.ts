import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { ERROR_CODES } from './errors.js';

export const MAX_ID = 2_147_483_647;
export const MAX_PRICE = 99_999_999.99;

export const Id = Type.Integer({ minimum: 1, maximum: MAX_ID });

export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
export type IdParams = Static<typeof IdParams>;

/**
 * Ajv's tolerance for `multipleOf`: 0.01 is not exact in binary, so 19.99 / 0.01 is
 * 1998.9999999999998; within a millionth of a cent counts as a whole cent. Every amount up
 * to MAX_PRICE with two decimals passes and every one with three fails (validation.ts).
 */
export const MULTIPLE_OF_PRECISION = 6;

/**
 * A price in major units with at most two decimals. The rule is `multipleOf: 0.01`, which
 * any JSON Schema validator reads from the OpenAPI document (compared with a tolerance, as
 * MULTIPLE_OF_PRECISION says); the server also checks the number's shortest decimal text
 * (`x-money`), so 19.990000000000002 fails too.
 */
export const Money = Type.Number({
  minimum: 0,
  maximum: MAX_PRICE,
  multipleOf: 0.01,
  'x-money': true,
  description:
    'Major units with at most two decimals (a multiple of 0.01), from 0 to 99,999,999.99. A validator reading multipleOf ' +
    'with binary floating point must allow for rounding (Ajv: multipleOfPrecision 6), or it refuses amounts such as 19.99',
  examples: [12.5],
});

export const MoneyOut = Type.Number({ description: 'Major units, two decimals at most, e.g. 19.99', examples: [19.99] });

export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601 UTC', examples: ['2026-11-25T10:00:00.000Z'] });

/** A string that is not empty and not only white space. */
export function Text(maxLength: number, extra: object = {}) {
  return Type.String({ minLength: 1, maxLength, pattern: '\\S', ...extra });
}

export const PageQuery = {
  page: Type.Integer({ minimum: 1, maximum: MAX_ID, default: 1, description: 'From 1; past the end, items is empty' }),
  per_page: Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'Items per page, at most 100' }),
};

export const Message = named('Message', Type.Object({ message: Type.String() }, { examples: [{ message: 'Product deleted.' }] }));

export const Problem = named(
  'Problem',
  Type.Object(
    {
      type: Type.String({ description: 'Always about:blank: the status and code say what happened' }),
      title: Type.String(),
      status: Type.Integer({ minimum: 400, maximum: 599 }),
      detail: Type.String({ description: 'For people: what went wrong and what to do' }),
      code: Type.Unsafe<(typeof ERROR_CODES)[number]>({
        type: 'string',
        enum: [...ERROR_CODES],
        description: 'For programs: a stable machine-readable code',
      }),
      errors: Type.Optional(
        Type.Array(
          Type.Object({
            path: Type.String({ description: 'Where: /body/price, /querystring/page, /params/id, /headers/idempotency-key' }),
            message: Type.String(),
          }),
          { description: 'For a validation problem (code VALIDATION_FAILED): every field that failed' },
        ),
      ),
    },
    {
      description: 'RFC 9457 problem details',
      examples: [
        {
          type: 'about:blank',
          title: 'Bad Request',
          status: 400,
          detail: '/body/price must be an amount with at most two decimals',
          code: 'VALIDATION_FAILED',
          errors: [{ path: '/body/price', message: 'must be an amount with at most two decimals' }],
        },
      ],
    },
  ),
);
export type Problem = Static<typeof Problem>;

/** Reference to the shared problem schema, for every error status a route declares. */
export const ProblemRef = ref(Problem);

/** The error responses a route can give besides the ones every route of its kind gives (see the route-contract plugin). */
export function problems(...statuses: number[]): Record<number, typeof ProblemRef> {
  return Object.fromEntries(statuses.map((status) => [status, ProblemRef]));
}

/** A numbered page of `item`s, as every paged list answers it. */
export function PageOf<T extends TSchema>(item: T, noun: string) {
  return Type.Object({
    items: Type.Array(item),
    page: Type.Integer({ minimum: 1 }),
    per_page: Type.Integer({ minimum: 1 }),
    total: Type.Integer({ minimum: 0, description: `Matching ${noun} on all pages` }),
    pages: Type.Integer({ minimum: 0, description: 'Number of pages' }),
  });
}

export function pageCount(total: number, perPage: number): number {
  return Math.ceil(total / perPage);
}

/** A string limited to a few values, as a plain JSON Schema enum (clearer errors than anyOf). */
export function StringEnum<const T extends readonly string[]>(values: T, options: object = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/**
 * A schema with a name: it is added to the app once (app.ts) and appears in the OpenAPI
 * document under components/schemas, so a generated client has a type of that name.
 * Routes use it through `ref`.
 */
export function named<T extends TSchema>(id: string, schema: T): T & { $id: string } {
  return { ...schema, $id: id };
}

/** A reference to a named schema, typed as the schema itself. */
export function ref<T extends TSchema & { $id: string }>(schema: T) {
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id));
}

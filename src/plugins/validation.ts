import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler, FastifySchemaValidationError, FastifyServerOptions } from 'fastify';
import { hasAtMostDecimals } from '../shared/decimals.js';
import { MULTIPLE_OF_PRECISION } from '../shared/schemas.js';

// ajv-formats ships CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function createAjv(options: Options, shared: object[]): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: false, multipleOfPrecision: MULTIPLE_OF_PRECISION, ...options });
  addFormats(ajv);
  // Both checked on the number's shortest decimal text: 19.99 has two decimals, 19.999 and 1e-7
  // more. 'x-money' is 'x-decimals': 2 with its own message, so Money's document and errors stay as they were.
  ajv.addKeyword({
    keyword: 'x-money',
    type: 'number',
    schemaType: 'boolean',
    error: { message: 'must be an amount with at most two decimals' },
    validate: (enabled: boolean, value: number) => !enabled || hasAtMostDecimals(value, 2),
  });
  ajv.addKeyword({
    keyword: 'x-decimals',
    type: 'number',
    schemaType: 'number',
    error: { message: ({ schema }) => `must have at most ${schema} decimals` },
    validate: (decimals: number, value: number) => hasAtMostDecimals(value, decimals),
  });
  // The named schemas (app.addSchema), which route schemas reference by $ref.
  for (const schema of shared) ajv.addSchema(schema);
  return ajv;
}

type ObjectSchema = { properties?: Record<string, { type?: string }> };
const NUMBER_TEXT = { integer: /^-?\d+$/, number: /^-?\d+(\.\d+)?$/ };
type ValidatorFactory = NonNullable<NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']>;
type Validate = ((data: unknown) => boolean) & { errors?: FastifySchemaValidationError[] | null };

/**
 * Ajv coerces "1e3", "0x10" or " 7" to numbers. Ids and numbers in paths and query
 * strings must be written plainly, so their text is checked before Ajv coerces it.
 */
function withPlainNumbers(schema: ObjectSchema, validate: Validate): Validate {
  const numeric = Object.entries(schema.properties ?? {}).flatMap(([key, property]) =>
    property.type === 'integer' || property.type === 'number' ? [{ key, pattern: NUMBER_TEXT[property.type] }] : [],
  );
  if (numeric.length === 0) return validate;
  const checked: Validate = (data) => {
    const values = (data ?? {}) as Record<string, unknown>;
    const bad = numeric.find(({ key, pattern }) => typeof values[key] === 'string' && !pattern.test(values[key]));
    if (bad) {
      checked.errors = [
        { keyword: 'type', instancePath: `/${bad.key}`, schemaPath: '', params: {}, message: 'must be a number written in plain digits' },
      ];
      return false;
    }
    const valid = validate(data);
    checked.errors = validate.errors;
    return valid;
  };
  return checked;
}

/**
 * A validator compiled when its route is first called, not at start: compiling every
 * route's schemas at start is spent again by every process, for routes it may never
 * serve (the README's benchmark section has what this saved).
 */
function compiledOnFirstUse(compile: () => Validate): Validate {
  let validate: Validate | undefined;
  const onFirstUse: Validate = (data) => {
    validate ??= compile();
    const valid = validate(data);
    onFirstUse.errors = validate.errors;
    return valid;
  };
  return onFirstUse;
}

/**
 * The request validators, given to Fastify as its validator factory (so it does not load
 * its own Ajv set-up as well). Bodies are JSON and must already have the declared types:
 * no coercion, and unknown fields are errors rather than silently dropped (that is what
 * stops mass assignment). Query strings and path params are text on the wire, so they are
 * coerced to their types.
 */
export function validatorsCompiledOnFirstUse(): ValidatorFactory {
  // Fastify asks for a compiler once per plugin context, each time with the same named
  // schemas: one compiler serves every context with the same set of them, where an Ajv
  // pair per context would be made, and hold memory, a dozen times over.
  const compilers = new Map<string, FastifySchemaCompiler<unknown>>();
  const factory = (externalSchemas: Record<string, object> = {}) => {
    const key = Object.keys(externalSchemas).join('\n');
    let compile = compilers.get(key);
    if (!compile) {
      compile = compilerFor(Object.values(externalSchemas));
      compilers.set(key, compile);
    }
    return compile;
  };
  // Fastify types the factory after its own Ajv compiler; any function of this shape does.
  return factory as unknown as ValidatorFactory;
}

/** The Ajv instances too are made when the first validator is compiled: adding the named schemas checks each against the meta-schema. */
function compilerFor(shared: object[]): FastifySchemaCompiler<unknown> {
  let strict: Ajv | undefined;
  let coercing: Ajv | undefined;
  return ({ schema, httpPart }) =>
    compiledOnFirstUse(() => {
      if (httpPart === 'body') {
        strict ??= createAjv({ coerceTypes: false, removeAdditional: false, useDefaults: true }, shared);
        return strict.compile(schema as object) as Validate;
      }
      coercing ??= createAjv({ coerceTypes: true, removeAdditional: false, useDefaults: true }, shared);
      return withPlainNumbers(schema as ObjectSchema, coercing.compile(schema as object) as Validate);
    });
}

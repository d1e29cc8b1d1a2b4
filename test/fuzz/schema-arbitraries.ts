import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { hasAtMostDecimals } from '../../src/shared/decimals.js';
import { MULTIPLE_OF_PRECISION } from '../../src/shared/schemas.js';

// Turns the JSON Schemas of the OpenAPI document into fast-check arbitraries: values the
// schema accepts, and values it refuses. Only the subset the app's TypeBox schemas use is
// understood; anything else throws, so a new kind of schema cannot be fuzzed by accident
// with values that ignore it.

/** The JSON Schema keywords the app's request schemas use. */
type JsonType = 'object' | 'string' | 'integer' | 'number' | 'boolean' | 'null' | 'array';

export interface JsonSchema {
  /** One type, or a list ("string or null"), which is read as a branch per type. */
  type?: JsonType | JsonType[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  multipleOf?: number;
  default?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  /** Our Ajv keywords: a money amount, at most two decimals; a number with at most this many decimals (src/plugins/validation.ts). */
  'x-money'?: boolean;
  'x-decimals'?: number;
}

/**
 * Lets the caller steer a field by its name: an id field drawn from ids that exist, a
 * username drawn from real ones. The hint's values must be valid for the field's schema;
 * they are mixed with the schema's own values, the hint's weight against 1.
 */
export type FieldHint = (name: string, schema: JsonSchema) => fc.WeightedArbitrary<unknown> | undefined;

export interface ValidOptions {
  hint?: FieldHint;
  /** Header values are Latin-1 text without control characters. */
  headerSafe?: boolean;
}

// ---------------------------------------------------------------------------------------
// Checking values against a schema, the way the app does

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
/** An Ajv like the app's body validator: formats, multipleOf with its tolerance, our x-money and x-decimals keywords, no coercion. */
const ajv = addFormats(new Ajv({ strict: false, allErrors: false, multipleOfPrecision: MULTIPLE_OF_PRECISION }));
ajv.addKeyword({
  keyword: 'x-money',
  type: 'number',
  schemaType: 'boolean',
  validate: (enabled: boolean, value: number) => !enabled || hasAtMostDecimals(value, 2),
});
ajv.addKeyword({
  keyword: 'x-decimals',
  type: 'number',
  schemaType: 'number',
  validate: (decimals: number, value: number) => hasAtMostDecimals(value, decimals),
});

const compiled = new Map<string, ValidateFunction>();
const compiledByObject = new WeakMap<JsonSchema, ValidateFunction>();

/** Whether `value` is valid for `schema` (compiled once per schema). */
export function isValid(schema: JsonSchema, value: unknown): boolean {
  let validate = compiledByObject.get(schema);
  if (!validate) {
    const key = JSON.stringify(schema);
    validate = compiled.get(key) ?? ajv.compile(schema);
    compiled.set(key, validate);
    compiledByObject.set(schema, validate);
  }
  return validate(value) as boolean;
}

// ---------------------------------------------------------------------------------------
// Valid values

const KNOWN_KEYWORDS = new Set([
  ...['type', 'properties', 'required', 'additionalProperties', 'items', 'minItems', 'maxItems', 'uniqueItems'],
  ...['minLength', 'maxLength', 'pattern', 'format', 'enum', 'const', 'minimum', 'maximum', 'multipleOf'],
  ...['anyOf', 'oneOf', 'x-money', 'x-decimals', 'default', 'description', 'examples', 'example', 'title'],
]);

function assertUnderstood(schema: JsonSchema): void {
  const unknown = Object.keys(schema).filter((key) => !KNOWN_KEYWORDS.has(key));
  if (unknown.length > 0) throw new Error(`the fuzzer does not understand ${unknown.join(', ')} in ${JSON.stringify(schema)}`);
  if (schema.format !== undefined && !['email', 'date-time'].includes(schema.format)) {
    throw new Error(`the fuzzer does not understand format ${schema.format}`);
  }
}

/** `{type: [a, b], ...rest}` as `{anyOf: [{type: a, ...rest}, {type: b, ...rest}]}`; any other schema as it is. */
function typeListAsBranches(schema: JsonSchema): JsonSchema {
  if (!Array.isArray(schema.type)) return schema;
  const { type, ...rest } = schema;
  return { anyOf: type.map((one) => ({ ...rest, type: one })) };
}

/** Values `schema` accepts. */
export function validArbitrary(given: JsonSchema, options: ValidOptions = {}): fc.Arbitrary<unknown> {
  assertUnderstood(given);
  const schema = typeListAsBranches(given);
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return fc.oneof(...branches.map((branch) => validArbitrary(branch, options)));
  switch (schema.type) {
    case 'object':
      return objectArbitrary(schema, options);
    case 'array': {
      const item = validArbitrary(schema.items ?? {}, options);
      const minLength = schema.minItems ?? 0;
      const maxLength = schema.maxItems ?? 10;
      // Mostly short, so an order's lines all name products that exist; sometimes any length.
      const array = (lengths: { minLength: number; maxLength: number }) =>
        schema.uniqueItems ? fc.uniqueArray(item, { ...lengths, selector: (value) => JSON.stringify(value) }) : fc.array(item, lengths);
      const short = array({ minLength, maxLength: Math.min(maxLength, minLength + 2) });
      return fc.oneof({ weight: 3, arbitrary: short }, { weight: 1, arbitrary: array({ minLength, maxLength }) });
    }
    case 'string':
      return stringArbitrary(schema, options);
    case 'integer':
      return integerArbitrary(schema);
    case 'number':
      if (schema['x-money']) return decimalArbitrary(schema, 2);
      return schema['x-decimals'] === undefined ? numberArbitrary(schema) : decimalArbitrary(schema, schema['x-decimals']);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue();
  }
}

const ABSENT = Symbol('absent');

function objectArbitrary(schema: JsonSchema, options: ValidOptions): fc.Arbitrary<Record<string, unknown>> {
  const required = new Set(schema.required ?? []);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const own = validArbitrary(property, options);
    const hinted = options.hint?.(name, property);
    const value = hinted ? fc.oneof(hinted, { weight: 1, arbitrary: own }) : own;
    // An optional field is there half the time.
    model[name] = required.has(name) ? value : fc.option(value, { nil: ABSENT, freq: 2 });
  }
  return fc.record(model, { noNullPrototype: true }).map(
    (record) => Object.fromEntries(Object.entries(record).filter(([, value]) => value !== ABSENT)),
  );
}

function integerArbitrary(schema: JsonSchema): fc.Arbitrary<number> {
  const step = schema.multipleOf ?? 1;
  const min = Math.ceil((schema.minimum ?? -(2 ** 31)) / step);
  const max = Math.floor((schema.maximum ?? 2 ** 31 - 1) / step);
  return fc.integer({ min, max }).map((n) => n * step);
}

/** Whole hundredths (money) or thousandths (a tax rate), shown as decimals: 0.1, 19.99, 99999999.99, 8.875. */
function decimalArbitrary(schema: JsonSchema, decimals: number): fc.Arbitrary<number> {
  const scale = 10 ** decimals;
  const min = Math.ceil((schema.minimum ?? 0) * scale);
  const max = Math.floor((schema.maximum ?? 1e9) * scale);
  const everyValue = fc.integer({ min, max });
  const shopValues = fc.integer({ min, max: Math.min(max, 100 * scale) });
  return fc.oneof(shopValues, everyValue).map((units) => units / scale);
}

function numberArbitrary(schema: JsonSchema): fc.Arbitrary<number> {
  if (schema.multipleOf) return integerArbitrary(schema);
  return fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true, noDefaultInfinity: true });
}

/** One character at a time, from plain ASCII to anything Unicode has (control characters included). */
type Unit = 'grapheme-ascii' | 'grapheme' | 'binary';
const TEXT_UNITS: Unit[] = ['grapheme-ascii', 'grapheme', 'binary'];
const HEADER_UNITS: Unit[] = ['grapheme-ascii'];

function stringArbitrary(schema: JsonSchema, options: ValidOptions): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = schema.maxLength ?? minLength + 50;
  let candidates: fc.Arbitrary<string>;
  if (schema.format === 'email') {
    candidates = fc.emailAddress();
  } else if (schema.format === 'date-time') {
    candidates = fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }).map((d) => d.toISOString());
  } else if (schema.pattern && /^\^\[[^\]]+\][+*]\$$/.test(schema.pattern)) {
    // "^[A-Za-z0-9._-]+$": the character class, repeated within the length limits.
    const charClass = schema.pattern.slice(1, -2);
    candidates = fc.stringMatching(new RegExp(`^${charClass}{${minLength},${maxLength}}$`));
  } else if (schema.pattern?.startsWith('^') && schema.pattern.endsWith('$')) {
    // A whole-value pattern ("^evt_[0-9a-f]{32}$"): random text would almost never match it.
    candidates = fc.stringMatching(new RegExp(schema.pattern));
  } else {
    const units = options.headerSafe ? HEADER_UNITS : TEXT_UNITS;
    const lengths = { minLength, maxLength };
    candidates = fc.oneof(
      ...units.map((unit) => fc.string({ unit, ...lengths })),
      // The longest value allowed, where off-by-one limits live.
      fc.string({ unit: units[0]!, minLength: maxLength, maxLength }),
    );
  }
  // Lengths count code points, as Ajv does; a pattern like "\S" just filters.
  return candidates.filter((value) => isValid(schema, value));
}

// ---------------------------------------------------------------------------------------
// Invalid values

/** One value of each JSON type, to put where another type belongs. */
const ONE_OF_EACH_TYPE: Record<string, unknown[]> = {
  string: ['', '12', 'true', 'null'],
  integer: [0, -1, 12],
  number: [1.5, -0.5, 1e21],
  boolean: [true, false],
  null: [null],
  array: [[], [1], ['x']],
  object: [{}, { value: 1 }],
};

function allowedTypes(schema: JsonSchema): Set<string> {
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return new Set(branches.flatMap((branch) => [...allowedTypes(branch)]));
  if (schema.enum) return new Set(schema.enum.map((value) => (value === null ? 'null' : typeof value)));
  if (schema.type === 'number') return new Set(['number', 'integer']);
  if (Array.isArray(schema.type)) return new Set(schema.type.flatMap((type) => [...allowedTypes({ ...schema, type })]));
  return new Set(schema.type ? [schema.type] : Object.keys(ONE_OF_EACH_TYPE));
}

function wrongTypeArbitrary(schema: JsonSchema): fc.Arbitrary<unknown> {
  const allowed = allowedTypes(schema);
  const values = Object.entries(ONE_OF_EACH_TYPE)
    .filter(([type]) => !allowed.has(type))
    .flatMap(([, examples]) => examples);
  return values.length > 0 ? fc.constantFrom(...values) : fc.constant(Symbol('no wrong type'));
}

/** Characters that break a pattern, to build strings that fail it. */
const PATTERN_BREAKERS = [' ', '\t', '\n', '\u00a0', '\u2028', '!', '@', '/', '%', 'é', '😀', '\u0000'];

const invalidCache = new Map<string, fc.Arbitrary<unknown>>();

/** Values `schema` refuses: the wrong type, past a limit, off the pattern, not in the enum. */
export function invalidArbitrary(schema: JsonSchema): fc.Arbitrary<unknown> {
  const key = JSON.stringify(schema);
  let arbitrary = invalidCache.get(key);
  if (!arbitrary) {
    arbitrary = buildInvalidArbitrary(schema);
    invalidCache.set(key, arbitrary);
  }
  return arbitrary;
}

function buildInvalidArbitrary(given: JsonSchema): fc.Arbitrary<unknown> {
  const schema = typeListAsBranches(given);
  if (!schema.type && !schema.enum && !schema.anyOf && !schema.oneOf && !('const' in schema)) {
    throw new Error(`every value is valid for ${JSON.stringify(schema)}`);
  }
  const options: fc.Arbitrary<unknown>[] = [wrongTypeArbitrary(schema)];
  if ('const' in schema) options.push(fc.jsonValue({ maxDepth: 1 }));
  const branches = schema.anyOf ?? schema.oneOf;
  for (const branch of branches ?? []) options.push(invalidArbitrary(branch));
  if (schema.enum) options.push(fc.string().filter((value) => !schema.enum!.includes(value)));
  if (schema.enum?.every((value) => typeof value === 'string')) {
    options.push(fc.constantFrom(...schema.enum.map((value) => `${value}`.toUpperCase()), ...schema.enum.map((v) => ` ${v}`)));
  }
  if (schema.type === 'string' && !schema.enum) options.push(...invalidStrings(schema));
  if (schema.type === 'integer' || schema.type === 'number') options.push(...invalidNumbers(schema));
  if (schema.type === 'array') options.push(...invalidArrays(schema));
  // Only what the whole schema refuses (a branch's misfit may suit another branch).
  return fc.oneof(...options).filter((value) => typeof value !== 'symbol' && !isValid(schema, value));
}

function invalidStrings(schema: JsonSchema): fc.Arbitrary<unknown>[] {
  const options: fc.Arbitrary<unknown>[] = [];
  if (schema.maxLength !== undefined) {
    options.push(fc.string({ minLength: schema.maxLength + 1, maxLength: schema.maxLength + 3 }));
    options.push(fc.constant('é'.repeat(schema.maxLength + 1)));
  }
  if (schema.minLength !== undefined && schema.minLength > 0) {
    options.push(fc.string({ maxLength: schema.minLength - 1 }));
  }
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern, 'u');
    const breakers = PATTERN_BREAKERS.filter((character) => !pattern.test(character));
    // At most 8 characters, unless the schema asks for more (a guest cart id has exactly 28).
    const length = { minLength: Math.max(1, schema.minLength ?? 0), maxLength: Math.max(1, schema.minLength ?? 0, Math.min(schema.maxLength ?? 8, 8)) };
    if (breakers.length > 0) options.push(fc.string({ unit: fc.constantFrom(...breakers), ...length }));
    // One bad character in an otherwise good value.
    options.push(
      fc.tuple(validArbitrary(schema.maxLength === undefined ? schema : { ...schema, maxLength: Math.max(schema.minLength ?? 0, schema.maxLength - 1) }), fc.constantFrom(...PATTERN_BREAKERS))
        .map(([good, bad]) => `${good}${bad}`),
    );
  }
  if (schema.format === 'email') {
    options.push(fc.constantFrom('not-an-email', 'a@', '@example.com', 'a b@example.com', 'a@b@example.com', 'ann@example..com'));
  }
  if (schema.format === 'date-time') options.push(fc.constantFrom('yesterday', '2026-13-01T00:00:00Z', '1700000000'));
  return options;
}

function invalidNumbers(schema: JsonSchema): fc.Arbitrary<unknown>[] {
  const options: fc.Arbitrary<unknown>[] = [fc.constantFrom(1e300, -1e300, Number.MAX_SAFE_INTEGER + 2)];
  if (schema.minimum !== undefined) {
    options.push(fc.constantFrom(schema.minimum - 1, schema.minimum - 0.01, -(2 ** 31), -(2 ** 63)));
  }
  if (schema.maximum !== undefined) {
    options.push(fc.constantFrom(schema.maximum + 1, schema.maximum + 0.01, 2 ** 31, 2 ** 53, 2 ** 64));
  }
  if (schema.type === 'integer') options.push(fc.constantFrom(1.5, 0.1, 1 + Number.EPSILON));
  if (schema['x-money']) options.push(fc.constantFrom(19.999, 0.001, 1e-7, 0.1 + 0.2, 5e-324));
  if (schema['x-decimals'] !== undefined) {
    const oneDecimalTooMany = 10 ** -(schema['x-decimals'] + 1);
    options.push(fc.constantFrom(oneDecimalTooMany, 1 + oneDecimalTooMany, 1e-7, 0.1 + 0.2, 5e-324));
  }
  return options;
}

function invalidArrays(schema: JsonSchema): fc.Arbitrary<unknown>[] {
  const item = validArbitrary(schema.items ?? {});
  const options: fc.Arbitrary<unknown>[] = [fc.array(invalidArbitrary(schema.items ?? {}), { minLength: 1, maxLength: 3 })];
  if (schema.minItems !== undefined && schema.minItems > 0) options.push(fc.constant([]));
  if (schema.uniqueItems) options.push(item.map((value) => [value, value]));
  if (schema.maxItems !== undefined) {
    const tooMany = schema.maxItems + 1;
    options.push(fc.array(item, { minLength: tooMany, maxLength: tooMany }));
  }
  return options;
}

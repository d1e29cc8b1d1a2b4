import fc from 'fast-check';
import { type FuzzRequest, type Operation, RawText } from './operations.js';
import { type JsonSchema, invalidArbitrary, isValid } from './schema-arbitraries.js';
import { SELF, type World } from './world.js';

// Invalid requests are valid ones with one thing broken: a field of the wrong type or past
// its limits, a required field missing, a field too many, a prototype key, odd Unicode, a
// body that is not JSON or too big, a path id that is not plain digits, a header past its
// limits. Each says what it broke, and whether that is certainly invalid: then the answer
// must be a 4xx. (Some are only suspicious, like a charset parameter: anything but a 5xx.)

type Mutation = (request: FuzzRequest) => fc.Arbitrary<FuzzRequest> | undefined;

const KIB = 1024;

/** Requests with one thing broken, from valid requests of the operation. */
export function invalidRequestArbitrary(
  world: World,
  operation: Operation,
  valid: fc.Arbitrary<FuzzRequest>,
): fc.Arbitrary<FuzzRequest> {
  const { path, query, header } = operation.parameters;
  const mutations = [
    ...Object.entries(path.properties ?? {}).map(([name, schema]) => badPathText(name, schema)),
    ...Object.entries(query.properties ?? {}).map(([name, schema]) => badQueryText(name, schema)),
    ...Object.entries(header.properties ?? {}).map(([name, schema]) => badHeader(name, schema)),
    oddQuery,
    oddHeaders,
    ...(operation.body ? bodyMutations(world, operation.body) : [unexpectedBody]),
  ];
  return valid.chain((request) => fc.oneof(...mutations.flatMap((mutate) => mutate(request) ?? [])));
}

function broken(request: FuzzRequest, change: Partial<FuzzRequest> & { broken: string; mustRefuse: boolean }): FuzzRequest {
  return { ...request, ...change };
}

// ---------------------------------------------------------------------------------------
// Path, query and headers

/** Texts no integer path or query parameter should take (as they appear in the URL). */
const BAD_NUMBER_TEXTS = [
  ...['0', '-1', '-0', '1.5', '1e3', '0x10', '+7', '%207', '7%20', '07a', '1,2', '1%2F2', '2147483648', '9'.repeat(30)],
  ...['NaN', 'Infinity', 'null', 'true', 'abc', '%E2%82%AC', '%D9%A3', '%zz', '%', '%00', '%C0%AE', '9'.repeat(120)],
];

/** The value the server sees: percent-decoded, and in a query string "+" is a space. */
function decoded(text: string, where: 'path' | 'query'): string | undefined {
  try {
    return where === 'query' ? (new URLSearchParams(`x=${text}`).get('x') ?? '') : decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

const PLAIN_NUMBER = { integer: /^-?\d+$/, number: /^-?\d+(\.\d+)?$/ };

/** Whether the server's validator (plain digits, then the schema, on the decoded text) accepts it. */
function textIsValid(schema: JsonSchema, text: string, where: 'path' | 'query'): boolean {
  const value = decoded(text, where);
  if (value === undefined) return false;
  if (schema.type === 'integer' || schema.type === 'number') {
    return PLAIN_NUMBER[schema.type].test(value) && isValid(schema, Number(value));
  }
  // A boolean in a query string is written true or false (GET /orders/p?guest=true), and only so.
  if (schema.type === 'boolean') return value === 'true' || value === 'false';
  return isValid(schema, value);
}

/** Bad texts for a parameter: fixed ones for numbers, the schema's invalid values, any text. */
function badTexts(schema: JsonSchema): fc.Arbitrary<string> {
  const numeric = schema.type === 'integer' || schema.type === 'number';
  return fc.oneof(
    numeric ? fc.constantFrom(...BAD_NUMBER_TEXTS) : fc.constant('%zz'),
    invalidArbitrary(schema).map((value) => encodeURIComponent(typeof value === 'string' ? value : JSON.stringify(value))),
    fc.string({ unit: 'grapheme', maxLength: 40 }).map(encodeURIComponent),
  );
}

function badPathText(name: string, schema: JsonSchema): Mutation {
  const texts = badTexts(schema);
  return (request) =>
    texts.map((text) =>
      broken(request, {
        path: { ...request.path, [name]: new RawText(text) },
        broken: `path ${name} = "${text}"`,
        // An empty segment, or one holding a slash, may lead to another route.
        mustRefuse: text !== '' && !/[/?#]/.test(decoded(text, 'path') ?? '') && !textIsValid(schema, text, 'path'),
      }),
    );
}

function badQueryText(name: string, schema: JsonSchema): Mutation {
  const texts = badTexts(schema);
  return (request) =>
    texts.map((text) =>
      broken(request, {
        query: { ...request.query, [name]: new RawText(text) },
        broken: `query ${name} = "${text}"`,
        mustRefuse: !textIsValid(schema, text, 'query'),
      }),
    );
}

const unknownParameters = fc.tuple(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ maxLength: 20 }));
const oddQueryTexts = fc.constantFrom(
  '%zz',
  '=&=&',
  'a[b]=1',
  '__proto__[x]=1',
  'constructor[prototype][x]=1',
  `q=${'x'.repeat(9000)}`,
);

/** A parameter given twice, an unknown one, or a strange query string. */
const oddQuery: Mutation = (request) => {
  const names = Object.keys(request.query);
  const twice = names.length
    ? [
        fc.constantFrom(...names).map((name) => {
          const query = { ...request.query, [name]: [request.query[name], request.query[name]] };
          return broken(request, { query, broken: `query ${name} twice`, mustRefuse: false });
        }),
      ]
    : [];
  return fc.oneof(
    ...twice,
    unknownParameters.map(([name, value]) =>
      broken(request, { query: { ...request.query, [name]: value }, broken: `unknown query ${name}`, mustRefuse: false }),
    ),
    oddQueryTexts.map((text) => broken(request, { queryText: text, broken: `query ${text.slice(0, 30)}`, mustRefuse: false })),
  );
};

function badHeader(name: string, schema: JsonSchema): Mutation {
  const values = fc.constantFrom('', ' ', 'k'.repeat((schema.maxLength ?? 255) + 1), 'ü', '\t');
  return (request) =>
    values.map((value) =>
      broken(request, {
        headers: { ...request.headers, [name]: value },
        broken: `header ${name} = "${value.slice(0, 20)}"`,
        mustRefuse: !isValid(schema, value),
      }),
    );
}

const requestIds = fc.string({ unit: 'grapheme-ascii', maxLength: 300 });
const authorizations = fc.constantFrom(
  '',
  'Bearer',
  'Bearer x.y.z',
  'Basic YWRtaW46YWRtaW4=',
  // {"alg":"none"} . {"sub":"1","role":1,"ver":0} . no signature
  'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIiwicm9sZSI6MSwidmVyIjowfQ.',
  `Bearer ${'a'.repeat(8000)}`,
);

/** A bad Authorization (the public routes ignore it, so not certainly refused) or an odd request id. */
const oddHeaders: Mutation = (request) =>
  fc.oneof(
    authorizations.map((authorization) =>
      broken(request, {
        headers: { ...request.headers, authorization },
        broken: `authorization "${authorization.slice(0, 30)}"`,
        mustRefuse: false,
      }),
    ),
    requestIds.map((id) =>
      broken(request, { headers: { ...request.headers, 'x-request-id': id }, broken: `x-request-id "${id.slice(0, 30)}"`, mustRefuse: false }),
    ),
  );

// ---------------------------------------------------------------------------------------
// Bodies

type Pointer = (string | number)[];

/** A place in a JSON body, with the schema that governs it. */
interface Spot {
  pointer: Pointer;
  schema: JsonSchema;
  value: unknown;
}

/** Every place in a JSON value (with SELF sampled), down to the first three items of an array. */
function spots(value: unknown, schema: JsonSchema, pointer: Pointer = []): Spot[] {
  const here: Spot = { pointer, schema, value };
  const branch = (schema.anyOf ?? schema.oneOf)?.find((candidate) => isValid(candidate, value));
  if (branch) return [here, ...spots(value, branch, pointer).slice(1)];
  if (Array.isArray(value) && schema.items) {
    return [here, ...value.slice(0, 3).flatMap((item, index) => spots(item, schema.items!, [...pointer, index]))];
  }
  if (value !== null && typeof value === 'object') {
    const children = Object.entries(value).flatMap(([key, item]) => {
      const property = schema.properties?.[key];
      return property ? spots(item, property, [...pointer, key]) : [];
    });
    return [here, ...children];
  }
  return [here];
}

/** The value with SELF as some valid id, to check it against a schema. */
function sample(value: unknown): unknown {
  if (value === SELF) return 1;
  if (Array.isArray(value)) return value.map(sample);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, sample(item)]));
  }
  return value;
}

const REMOVE = Symbol('remove');

function ownProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  // Not `target[key] = value`: a key named __proto__ must stay an own key, and be sent.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A copy of `root` with the value at `pointer` replaced, added, or (given REMOVE) removed. */
function setAt(root: unknown, pointer: Pointer, value: unknown): unknown {
  if (pointer.length === 0) return value;
  const [head, ...rest] = pointer;
  const last = rest.length === 0;
  if (Array.isArray(root)) {
    const copy = [...root];
    if (last && value === REMOVE) copy.splice(head as number, 1);
    else copy[head as number] = setAt(root[head as number], rest, value);
    return copy;
  }
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(root as Record<string, unknown>)) {
    if (key !== head) ownProperty(copy, key, item);
    else if (!(last && value === REMOVE)) ownProperty(copy, key, setAt(item, rest, value));
  }
  if (last && value !== REMOVE && !Object.hasOwn(copy, head!)) ownProperty(copy, String(head), value);
  return copy;
}

function jsonOf(request: FuzzRequest): unknown {
  return request.body && 'json' in request.body ? request.body.json : undefined;
}

function withJson(request: FuzzRequest, schema: JsonSchema, json: unknown, what: string): FuzzRequest {
  return broken(request, { body: { json }, broken: what, mustRefuse: !isValid(schema, sample(json)) });
}

function withRaw(
  request: FuzzRequest,
  raw: string | Buffer,
  contentType: string | undefined,
  what: string,
  mustRefuse: boolean,
): FuzzRequest {
  return broken(request, { body: { raw, contentType }, broken: what, mustRefuse });
}

/** Whether the server could accept this text as a body: it parses (a byte order mark aside) and fits the schema. */
function parsesValid(schema: JsonSchema, raw: string | Buffer): boolean {
  const text = String(raw).replace(/^\uFEFF/, '');
  if (text === '') return isValid(schema, undefined);
  try {
    return isValid(schema, JSON.parse(text));
  } catch {
    return false;
  }
}

/** Keys a client must never set, and keys that look like JavaScript's own. */
const EXTRA_KEYS = ['role_id', 'id', 'password_hash', 'token_version', 'isAdmin', 'constructor', 'toString', 'prototype', ''];
const extraKeys = fc.oneof(fc.constantFrom(...EXTRA_KEYS), fc.string({ maxLength: 20 }));
const extraValues = fc.jsonValue({ maxDepth: 2 });
const pollutingKeys = fc.constantFrom(
  JSON.parse('{"__proto__": {"role_id": 1, "polluted": true}}') as Record<string, unknown>,
  JSON.parse('{"constructor": {"prototype": {"isAdmin": true}}}') as Record<string, unknown>,
);

/** NUL, lone surrogates, right-to-left override, emoji, line breaks, SQL and format strings, and any code point. */
const NASTY_STRINGS = ['\u0000', 'a\u0000b', '\uD800', '\uDFFF', '\u202E', '😀', 'Ω', '\r\n', "'; drop table products; --", '%s%n', '\\'];
const oddStrings = fc.oneof(fc.constantFrom(...NASTY_STRINGS), fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }));

const otherBodies = fc.jsonValue({ maxDepth: 3 });
const bodyTexts = fc.string({ maxLength: 60 });
const NOT_JSON_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x'];
const JSON_ISH_TYPES = ['application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json;charset=latin1', 'application/json-patch+json'];

/** Bodies no JSON client would send, each with what it is. */
const STRANGE_BODIES: [string | Buffer, string][] = [
  [Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), 'invalid UTF-8'],
  [`${'['.repeat(40_000)}${']'.repeat(40_000)}`, '40,000 nested arrays'],
  [`${'{"a":'.repeat(15_000)}1${'}'.repeat(15_000)}`, '15,000 nested objects'],
  [`{${Array.from({ length: 5000 }, (_, i) => `"k${i}":${i}`).join(',')}}`, '5,000 keys'],
];

function bodyMutations(world: World, schema: JsonSchema): Mutation[] {
  const spotsOf = (request: FuzzRequest) => spots(sample(jsonOf(request)), schema);
  const objectsOf = (request: FuzzRequest) =>
    spotsOf(request).filter(({ value }) => value !== null && typeof value === 'object' && !Array.isArray(value));
  const stringsOf = (request: FuzzRequest) => spotsOf(request).filter(({ value }) => typeof value === 'string');
  /** The JSON text of a body, with SELF as the sender's id. */
  const textOf = (request: FuzzRequest, json: unknown) => JSON.stringify(world.resolve(json, request.actor));
  const replaced = (request: FuzzRequest, pointer: Pointer, value: unknown) => setAt(jsonOf(request), pointer, value);

  const wrongValue: Mutation = (request) =>
    fc.constantFrom(...spotsOf(request)).chain((spot) =>
      invalidArbitrary(spot.schema).map((value) =>
        withJson(request, schema, replaced(request, spot.pointer, value), `${label(spot.pointer)} = ${short(value)}`),
      ),
    );

  const missingField: Mutation = (request) => {
    const required = objectsOf(request).flatMap((spot) => (spot.schema.required ?? []).map((key) => [...spot.pointer, key]));
    if (required.length === 0) return undefined;
    return fc
      .constantFrom(...required)
      .map((pointer) => withJson(request, schema, replaced(request, pointer, REMOVE), `${label(pointer)} missing`));
  };

  const extraField: Mutation = (request) => {
    const objects = objectsOf(request);
    if (objects.length === 0) return undefined;
    return fc.tuple(fc.constantFrom(...objects), extraKeys, extraValues).map(([spot, name, value]) => {
      const pointer = [...spot.pointer, name];
      return withJson(request, schema, replaced(request, pointer, value), `extra ${label(pointer)}`);
    });
  };

  const prototypeKey: Mutation = (request) => {
    const objects = objectsOf(request);
    if (objects.length === 0) return undefined;
    return fc.tuple(fc.constantFrom(...objects), pollutingKeys).map(([spot, keys]) => {
      const [name, value] = Object.entries(keys)[0]!;
      return withJson(request, schema, replaced(request, [...spot.pointer, name], value), `${name} in ${label(spot.pointer)}`);
    });
  };

  const oddString: Mutation = (request) => {
    const strings = stringsOf(request);
    if (strings.length === 0) return undefined;
    return fc.tuple(fc.constantFrom(...strings), oddStrings).map(([spot, value]) =>
      withJson(request, schema, replaced(request, spot.pointer, value), `${label(spot.pointer)} = ${short(value)}`),
    );
  };

  const hugeString: Mutation = (request) => {
    const places = [...stringsOf(request), ...objectsOf(request)];
    if (places.length === 0) return undefined;
    return fc.constantFrom(...places).map((spot) => {
      const pointer = typeof spot.value === 'string' ? spot.pointer : [...spot.pointer, 'padding'];
      const text = textOf(request, replaced(request, pointer, 'x'.repeat(200 * KIB)));
      return withRaw(request, text, 'application/json', `${label(pointer)} of 200 KiB`, true);
    });
  };

  const otherJson: Mutation = (request) => otherBodies.map((json) => withJson(request, schema, json, `the body is ${short(json)}`));

  const notJson: Mutation = (request) => {
    const text = textOf(request, jsonOf(request));
    const asJson = (raw: string | Buffer, what: string) => withRaw(request, raw, 'application/json', what, !parsesValid(schema, raw));
    return fc.oneof(
      bodyTexts.map((raw) => asJson(raw, `body text ${short(raw)}`)),
      fc.integer({ min: 1, max: Math.max(1, text.length - 1) }).map((cut) => asJson(text.slice(0, cut), `body cut at ${cut}`)),
      fc.constantFrom(...NOT_JSON_TYPES).map((type) => withRaw(request, text, type, `a valid body as ${type}`, true)),
      fc.constantFrom(...JSON_ISH_TYPES).map((type) => withRaw(request, text, type, `the body as ${type}`, false)),
      fc
        .constantFrom<[string | Buffer, string]>(
          [`\uFEFF${text}`, 'after a byte order mark'],
          [Buffer.from(text, 'utf16le'), 'UTF-16'],
          ...STRANGE_BODIES,
        )
        .map(([raw, what]) => asJson(raw, what)),
      fc.constant(withRaw(request, text, undefined, 'a valid body without content-type', false)),
    );
  };

  return [wrongValue, missingField, extraField, prototypeKey, oddString, hugeString, otherJson, notJson];
}

/** A body on a route that takes none (an empty JSON body counts as none). */
const unexpectedBodies = fc.constantFrom<[string, string]>(
  ['{}', 'application/json'],
  ['{"x":1}', 'application/json'],
  ['{', 'application/json'],
  ['', 'application/json'],
  ['x', 'text/plain'],
);
const unexpectedBody: Mutation = (request) =>
  unexpectedBodies.map(([raw, type]) => withRaw(request, raw, type, `a body ${raw || '(empty)'} as ${type}`, false));

function label(pointer: Pointer): string {
  return pointer.length === 0 ? 'the body' : `/${pointer.join('/')}`;
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import type { ApiResponse } from '../helpers/app.js';
import { sendRaw } from '../helpers/bad-input.js';
import { type JsonSchema, validArbitrary } from './schema-arbitraries.js';
import { ACTORS, type ActorName, type World } from './world.js';

// The routes to fuzz, read from the app's own OpenAPI document, and the requests made for
// them: generated, sent with app.inject, and described for a failure report.

type Location = 'path' | 'query' | 'header';

export interface Operation {
  method: string;
  /** The OpenAPI path template, e.g. /orders/{id}/cancel. */
  path: string;
  /** "POST /orders/{id}/cancel" */
  label: string;
  /** Path, query and header parameters, each gathered into one object schema. */
  parameters: Record<Location, JsonSchema>;
  body: JsonSchema | undefined;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/** Every operation the document lists: no hand-written list, so a new route is fuzzed from the day it is added. */
export function operationsOf(linked: Record<string, any>): Operation[] {
  const document = withComponentsInlined(linked);
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<Record<string, any>>(document.paths ?? {})) {
    for (const [method, operation] of Object.entries<Record<string, any>>(item)) {
      if (!HTTP_METHODS.includes(method)) continue;
      const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])];
      const body = operation.requestBody?.content?.['application/json']?.schema as JsonSchema | undefined;
      const unknownMedia = Object.keys(operation.requestBody?.content ?? {}).filter((type) => type !== 'application/json');
      if (unknownMedia.length > 0) throw new Error(`${method} ${path}: the fuzzer sends JSON only, not ${unknownMedia.join(', ')}`);
      operations.push({
        method: method.toUpperCase(),
        path,
        label: `${method.toUpperCase()} ${path}`,
        parameters: {
          path: parametersSchema(parameters, 'path'),
          query: parametersSchema(parameters, 'query'),
          header: parametersSchema(parameters, 'header'),
        },
        body,
      });
    }
  }
  return operations;
}

/** The document with every reference to a named schema replaced by the schema itself (they do not nest in cycles). */
function withComponentsInlined(document: Record<string, any>): Record<string, any> {
  const schemas: Record<string, unknown> = document.components?.schemas ?? {};
  const inline = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(inline);
    if (value === null || typeof value !== 'object') return value;
    const ref = (value as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
      const { $id: _id, ...schema } = schemas[ref.slice('#/components/schemas/'.length)] as Record<string, unknown>;
      return inline(schema);
    }
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, inline(item)]));
  };
  return { ...document, paths: inline(document.paths) };
}

/** Counted apart from operationsOf, to check that nothing was left out. */
export function countOperations(document: Record<string, any>): number {
  return Object.values<Record<string, unknown>>(document.paths ?? {}).reduce(
    (count, item) => count + Object.keys(item).filter((key) => HTTP_METHODS.includes(key)).length,
    0,
  );
}

function parametersSchema(parameters: Record<string, any>[], location: Location): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const parameter of parameters.filter((p) => p.in === location)) {
    properties[parameter.name] = parameter.schema;
    // The document marks `page` required because it has a default; the server fills it in.
    if (parameter.required && parameter.schema.default === undefined) required.push(parameter.name);
  }
  return { type: 'object', properties, required };
}

// ---------------------------------------------------------------------------------------
// Requests

/** Text put into a URL as it is (already percent-encoded, or deliberately malformed). */
export class RawText {
  constructor(readonly text: string) {}
}

export type Body =
  | { json: unknown }
  | { raw: string | Buffer; contentType: string | undefined };

export interface FuzzRequest {
  actor: ActorName;
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  /** Raw text added to the query string as it is. */
  queryText?: string;
  headers: Record<string, unknown>;
  body: Body | undefined;
  /** What a mutation broke, for the report; absent on a request valid by the schema. */
  broken?: string;
  /** The server must refuse it with a 4xx (what was broken is certainly invalid). */
  mustRefuse: boolean;
}

/** Requests that every schema of the operation accepts, from any of the actors given. */
export function validRequestArbitrary(
  world: World,
  operation: Operation,
  actors: readonly ActorName[] = ACTORS,
): fc.Arbitrary<FuzzRequest> {
  const hint = world.hintFor(operation.path);
  return fc.record({
    actor: fc.constantFrom(...actors),
    path: validArbitrary(operation.parameters.path, { hint }) as fc.Arbitrary<Record<string, unknown>>,
    query: validArbitrary(operation.parameters.query, { hint }) as fc.Arbitrary<Record<string, unknown>>,
    headers: validArbitrary(operation.parameters.header, { hint, headerSafe: true }) as fc.Arbitrary<Record<string, unknown>>,
    body: operation.body ? validArbitrary(operation.body, { hint }).map((json): Body => ({ json })) : fc.constant(undefined),
    mustRefuse: fc.constant(false),
  });
}

/** The request as it goes over the wire (SELF resolved, text encoded). */
export interface Wire {
  method: string;
  url: string;
  headers: Record<string, string>;
  token: string | undefined;
  payload: string | Buffer | undefined;
  contentType: string | undefined;
  /** The JSON body after SELF was resolved, when it is JSON. */
  json?: unknown;
}

function urlText(value: unknown): string {
  return value instanceof RawText ? value.text : encodeURIComponent(String(value));
}

export function toWire(world: World, operation: Operation, request: FuzzRequest): Wire {
  // RawText is sent as it is; anything else has its SELF resolved, then is percent-encoded.
  const resolved = (value: unknown) => (value instanceof RawText ? value : world.resolve(value, request.actor));
  const path = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => urlText(resolved(request.path[name])));
  const query = Object.entries(request.query)
    .flatMap(([name, value]) => (Array.isArray(value) ? value.map((item) => [name, item]) : [[name, value]]))
    .map(([name, value]) => `${encodeURIComponent(String(name))}=${urlText(resolved(value))}`)
    .concat(request.queryText === undefined ? [] : [request.queryText])
    .join('&');
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
  // A mutated Authorization header replaces the actor's token.
  const token = 'authorization' in headers ? undefined : world.tokenFor(request.actor);
  const url = query ? `${path}?${query}` : path;
  const wire: Wire = { method: operation.method, url, headers, token, payload: undefined, contentType: undefined };
  if (request.body && 'json' in request.body) {
    wire.json = world.resolve(request.body.json, request.actor);
    wire.payload = JSON.stringify(wire.json);
    wire.contentType = 'application/json';
  } else if (request.body) {
    wire.payload = request.body.raw;
    wire.contentType = request.body.contentType;
  }
  return wire;
}

export async function send(world: World, wire: Wire): Promise<ApiResponse> {
  return sendRaw(world.app, wire.method as InjectOptions['method'], wire.url, {
    token: wire.token,
    headers: wire.headers,
    ...(wire.payload === undefined ? {} : { payload: wire.payload }),
    ...(wire.contentType === undefined ? {} : { contentType: wire.contentType }),
  });
}

/** A request in a failure message: who sent what, shortened. */
export function describe(request: FuzzRequest, wire: Wire): string {
  const payload = wire.payload === undefined ? '' : ` ${shorten(String(wire.payload), 300)}`;
  const headers = Object.keys(wire.headers).length ? ` headers ${shorten(JSON.stringify(wire.headers), 200)}` : '';
  const type = wire.contentType === undefined ? '' : ` (${wire.contentType})`;
  const broken = request.broken ? `, broken: ${request.broken}` : '';
  return `${request.actor}: ${wire.method} ${shorten(wire.url, 300)}${headers}${payload}${type}${broken}`;
}

export function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

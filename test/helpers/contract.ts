import assert from 'node:assert/strict';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { MULTIPLE_OF_PRECISION } from '../../src/shared/schemas.js';

// ajv-formats ships CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/**
 * Every answer the test suite receives is checked against the app's own OpenAPI document:
 * the status is one the document lists for that operation, the content type is the one it
 * names, the body is valid against its schema, and the headers it promises are there. The
 * request helpers (call, sendRaw, listen) run this on every response, so the document can
 * never drift from what the server does without some test failing.
 */

type Schema = Record<string, unknown>;

interface MediaType {
  schema?: Schema;
}

interface DocumentedResponse {
  content?: Record<string, MediaType>;
  headers?: Record<string, unknown>;
}

interface Operation {
  responses: Record<string, DocumentedResponse>;
}

interface Document {
  paths: Record<string, Record<string, Operation>>;
  components?: Record<string, unknown>;
}

/** The document, its paths as matchers, and the validators compiled from it so far. */
interface Contract {
  templates: { path: string; segments: (string | null)[] }[];
  document: Document;
  ajv: Ajv2020;
  validators: Map<string, ValidateFunction>;
}

export interface Answer {
  status: number;
  headers: Record<string, unknown>;
  /** The body as it arrived, or undefined when there was none. */
  text: string | undefined;
}

/** Routes the document leaves out on purpose: the document itself and its browser. */
const UNDOCUMENTED = /^\/(openapi\.json|docs)(\/|$)/;

const contracts = new WeakMap<FastifyInstance, Contract>();

/**
 * Contracts by the text of their document. Most tests build an app of their own, and each
 * app's document is the same as the last one's: compiling Ajv's validators for it again
 * was a fifth of a typical test file's CPU. An app whose document differs in anything
 * (another configuration, another route) gets a contract of its own.
 */
const contractsByDocument = new Map<string, Contract>();

/** Asserts that `answer` is one the document allows for `method url`; throws naming the difference. */
export function assertDocumented(app: FastifyInstance, method: string, url: string, answer: Answer): void {
  // The router resolves dot segments as a URL does (`/./customers` is /customers).
  const path = new URL(url.split('?')[0] ?? url, 'http://localhost').pathname;
  const upper = method.toUpperCase();
  if (upper === 'HEAD' || upper === 'OPTIONS' || UNDOCUMENTED.test(path)) return;
  const contract = contractOf(app);
  const template = matchingTemplate(contract, path);
  const operation = template ? contract.document.paths[template]?.[upper.toLowerCase()] : undefined;
  const where = `${upper} ${url} → ${answer.status}`;
  if (!operation) {
    // No documented operation has this method and path: the router's own 404.
    assert.equal(answer.status, 404, `${where}: no documented operation answers this, yet it was not 404`);
    assertProblemMedia(answer, where);
    return;
  }
  const documented = operation.responses[String(answer.status)];
  assert.ok(documented, `${where}: the document lists only ${Object.keys(operation.responses).join(', ')} for ${upper} ${template}`);
  assertHeaders(answer, documented, where);
  const [mediaType, media] = Object.entries(documented.content ?? {})[0] ?? [];
  if (!mediaType) return;
  assert.ok(
    String(answer.headers['content-type'] ?? '').startsWith(mediaType),
    `${where}: content type ${String(answer.headers['content-type'])}, the document says ${mediaType}`,
  );
  if (!media?.schema) return;
  const validate = validatorFor(contract, `${upper} ${template} ${answer.status}`, media.schema);
  const body = parse(answer.text, where);
  assert.ok(validate(body), `${where}: the body does not match the document: ${contract.ajv.errorsText(validate.errors)}\n${answer.text?.slice(0, 2000)}`);
}

function contractOf(app: FastifyInstance): Contract {
  let contract = contracts.get(app);
  if (!contract) {
    const text = JSON.stringify(app.swagger());
    contract = contractsByDocument.get(text);
    if (!contract) {
      // Its own copy of the document, which no test can change under the other apps sharing it.
      contract = compiledContract(JSON.parse(text) as Document);
      contractsByDocument.set(text, contract);
    }
    contracts.set(app, contract);
  }
  return contract;
}

function compiledContract(document: Document): Contract {
  const ajv = new Ajv2020({ strict: false, allErrors: true, multipleOfPrecision: MULTIPLE_OF_PRECISION });
  addFormats(ajv);
  ajv.addSchema({ $id: 'document', components: document.components }, 'document');
  const templates = Object.keys(document.paths).map((path) => ({
    path,
    segments: path.split('/').map((segment) => (/^\{.+\}$/.test(segment) ? null : segment)),
  }));
  return { templates, document, ajv, validators: new Map() };
}

/** The documented path a concrete path falls under; literal segments win over parameters, as in the router. */
function matchingTemplate(contract: Contract, path: string): string | undefined {
  const segments = path.split('/');
  let best: { path: string; literals: number } | undefined;
  for (const template of contract.templates) {
    if (template.segments.length !== segments.length) continue;
    // A parameter matches any segment, even an empty one, as in the router (`/customers/` is GET /customers/{id}).
    const fits = template.segments.every((literal, i) => literal === null || literal === segments[i]);
    if (!fits) continue;
    const literals = template.segments.filter((segment) => segment !== null).length;
    if (!best || literals > best.literals) best = { path: template.path, literals };
  }
  return best?.path;
}

function validatorFor(contract: Contract, key: string, schema: Schema): ValidateFunction {
  let validate = contract.validators.get(key);
  if (!validate) {
    validate = contract.ajv.compile(pointedAtDocument(schema) as Schema);
    contract.validators.set(key, validate);
  }
  return validate;
}

/** A response schema's references to components, made to point into the document added to Ajv. */
function pointedAtDocument(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pointedAtDocument);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) =>
      key === '$ref' && typeof item === 'string' && item.startsWith('#/') ? [key, `document${item}`] : [key, pointedAtDocument(item)],
    ),
  );
}

/** X-Request-Id on every answer, Retry-After where the document promises it (429, 503). */
function assertHeaders(answer: Answer, documented: DocumentedResponse, where: string): void {
  for (const name of Object.keys(documented.headers ?? {})) {
    if (name === 'Idempotent-Replayed') continue; // sent only on a replay
    assert.ok(answer.headers[name.toLowerCase()] !== undefined, `${where}: the document promises the header ${name}, which is missing`);
  }
}

function assertProblemMedia(answer: Answer, where: string): void {
  assert.match(String(answer.headers['content-type'] ?? ''), /^application\/problem\+json/, `${where}: not problem+json`);
}

function parse(text: string | undefined, where: string): unknown {
  try {
    return text === undefined || text === '' ? undefined : JSON.parse(text);
  } catch {
    assert.fail(`${where}: the body is not JSON: ${text?.slice(0, 200)}`);
  }
}

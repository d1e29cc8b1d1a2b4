import assert from 'node:assert/strict';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { type ApiResponse, call } from './app.js';

/**
 * Sends a raw body (text or bytes) with the content type given, or none at all, so a test
 * can send what a JSON client never would: broken JSON, forms, bare strings, huge bodies.
 */
export async function sendRaw(
  app: FastifyInstance,
  method: InjectOptions['method'],
  url: string,
  options: { token?: string; payload?: string | Buffer; contentType?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.contentType) headers['content-type'] = options.contentType;
  const response = await app.inject({
    method,
    url,
    headers,
    ...(options.payload === undefined ? {} : { payload: options.payload }),
  });
  const contentType = String(response.headers['content-type'] ?? '');
  let body: unknown = response.body;
  if (/json/.test(contentType)) {
    try {
      body = response.json();
    } catch {
      // Left as text: the assertion on the problem shape reports it.
    }
  }
  return { status: response.statusCode, headers: response.headers, body };
}

/** What must never reach a client: a stack trace, file paths, SQL text, driver errors or a password hash. */
const LEAKS: [RegExp, string][] = [
  [/\$argon2|\$scrypt/, 'a password hash'],
  [/\bat [\w.<>]+ \(/, 'a stack frame'],
  [/\.(ts|js|mjs|cjs):\d+/, 'a source file position'],
  [/node_modules|\/work\/|\/src\//, 'a file path'],
  [/\bselect\b.+\bfrom\b|\binsert into\b|\bupdate\b.+\bset\b|\bdelete from\b/i, 'SQL text'],
  [/sqlite|SQLITE_|postgres|kysely|better-sqlite3/i, 'a database driver name'],
];

/** Internal column names; an answer may only name one when the request itself did (an unknown field is named back). */
const COLUMNS = ['password_hash', 'token_version'];

/**
 * Asserts an RFC 9457 problem+json answer with exactly `status` (or any 4xx when omitted),
 * whose text leaks nothing from inside the server. `sent` is the request's own text.
 */
export function assertProblem(response: ApiResponse, status?: number, sent = ''): void {
  const summary = `${response.status} ${typeof response.body === 'string' ? response.body : JSON.stringify(response.body)}`;
  if (status === undefined) {
    assert.ok(response.status >= 400 && response.status < 500, `expected a 4xx, got ${summary}`);
  } else {
    assert.equal(response.status, status, `expected ${status}, got ${summary}`);
  }
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/, `not problem+json: ${summary}`);
  const body = response.body as Record<string, unknown>;
  assert.equal(typeof body, 'object', `the body is not a JSON object: ${summary}`);
  assert.equal(typeof body.type, 'string', `no type: ${summary}`);
  assert.equal(typeof body.title, 'string', `no title: ${summary}`);
  assert.equal(typeof body.detail, 'string', `no detail: ${summary}`);
  assert.equal(body.status, response.status, `body.status differs from the status: ${summary}`);
  const text = JSON.stringify(body);
  for (const [pattern, what] of LEAKS) assert.doesNotMatch(text, pattern, `the answer shows ${what}: ${summary}`);
  for (const column of COLUMNS) {
    if (!sent.includes(column)) assert.ok(!text.includes(column), `the answer names ${column}: ${summary}`);
  }
}

/** Everything a client can read about customers and products, to compare before and after. */
export async function catalogueAndCustomers(app: FastifyInstance, adminToken: string) {
  const customers = await call(app, 'GET', '/customers', { token: adminToken });
  const products = await call(app, 'GET', '/products');
  assert.equal(customers.status, 200);
  assert.equal(products.status, 200);
  return { customers: customers.body as unknown[], products: products.body as unknown[] };
}

/** Values of the wrong JSON type for a field whose valid value is `valid`. */
export function wrongTypes(valid: unknown, options: { nullable?: boolean } = {}): unknown[] {
  const values: unknown[] = [true, [valid], { value: valid }];
  if (typeof valid === 'string') values.push(12345);
  if (typeof valid === 'number') values.push(String(valid));
  if (!options.nullable) values.push(null);
  return values;
}

/** A short label for a value in a test name. */
export function label(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** The keys Object.prototype should never gain from a request body. */
export const POLLUTION_MARKERS = ['polluted', 'role_id', 'isAdmin'] as const;

export function assertPrototypeClean(): void {
  for (const key of POLLUTION_MARKERS) {
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, key), false, `Object.prototype gained ${key}`);
    assert.equal(({} as Record<string, unknown>)[key], undefined, `a fresh object inherits ${key}`);
  }
}

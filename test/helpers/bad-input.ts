import assert from 'node:assert/strict';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { ApiResponse } from './app.js';
import { assertDocumented } from './contract.js';

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
  assertDocumented(app, String(method), url, { status: response.statusCode, headers: response.headers, text: response.body });
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

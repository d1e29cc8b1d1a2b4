import assert from 'node:assert/strict';
import type { ApiResponse } from './app.js';

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

export interface ExpectedProblem {
  /** The stable error code the answer must carry. */
  code?: string;
  /** The request's own text: an answer may name back what it was sent (an unknown field), nothing else. */
  sent?: string;
  /** What was tried, for the failure message. */
  what?: string;
}

/**
 * The one problem assertion: an RFC 9457 problem+json answer with exactly `status` (any 4xx
 * when omitted) and, when given, `code`, whose text leaks nothing from inside the server.
 */
export function assertProblem(response: ApiResponse, status?: number, expected: ExpectedProblem = {}): void {
  const summary = `${expected.what ? `${expected.what}: ` : ''}${response.status} ${typeof response.body === 'string' ? response.body : JSON.stringify(response.body)}`;
  if (status === undefined) {
    assert.ok(response.status >= 400 && response.status < 500, `expected a 4xx, got ${summary}`);
  } else {
    assert.equal(response.status, status, `expected ${status}, got ${summary}`);
  }
  assertProblemShape(response, summary);
  if (expected.code !== undefined) assert.equal(response.body.code, expected.code, `expected code ${expected.code}, got ${summary}`);
  const text = JSON.stringify(response.body);
  for (const [pattern, leak] of LEAKS) assert.doesNotMatch(text, pattern, `the answer shows ${leak}: ${summary}`);
  for (const column of COLUMNS) {
    if (!(expected.sent ?? '').includes(column)) assert.ok(!text.includes(column), `the answer names ${column}: ${summary}`);
  }
}

/** The shape alone: problem+json, a JSON object with type, title and detail, and the answer's own status. */
export function assertProblemShape(response: ApiResponse, context: string): void {
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/, `not problem+json: ${context}`);
  const body = response.body as Record<string, unknown>;
  assert.ok(body !== null && typeof body === 'object', `the body is not a JSON object: ${context}`);
  for (const field of ['type', 'title', 'detail'] as const) assert.equal(typeof body[field], 'string', `no string ${field}: ${context}`);
  assert.equal(body.status, response.status, `body.status differs from the status: ${context}`);
}

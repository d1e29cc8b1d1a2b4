import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ValidationError } from '../shared/errors.js';

// An escaped NUL in JSON text: `\u0000` after an even number of backslashes (an odd run
// would be an escaped backslash followed by the letters "u0000").
const JSON_NUL = /(?:^|[^\\])(?:\\\\)*\\u0000/i;
const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';

/**
 * PostgreSQL text cannot hold U+0000 (it fails the query); SQLite can. So that one input
 * gets one answer on both, a NUL is refused with a validation problem naming the field,
 * wherever a client can put one: in a path parameter or a query value (the URL holds
 * `%00`), and in a JSON body (see `assertNoJsonNul`, used by the json-body parser). The URL
 * is checked in an onRequest hook, where the router has already parsed params and query:
 * the app has onRequest hooks anyway, and a first preValidation hook would cost every
 * request a step.
 */
export default fp(
  async function noNul(app: FastifyInstance) {
    app.addHook('onRequest', (request, _reply, done) => {
      if (!request.url.includes('%00')) return done();
      const found = nulIn(request.params, '/params') ?? nulIn(declaredQuery(request), '/querystring');
      done(found === undefined ? undefined : new ValidationError(found, NUL_MESSAGE));
    });
  },
  { name: 'no-nul' },
);

/**
 * For the json-body parser: the parsed body, or a validation problem naming the first
 * field (or key) with a NUL. The raw text is searched first, which costs nothing when,
 * as nearly always, there is none.
 */
export function assertNoJsonNul(text: string, body: unknown): void {
  if (!JSON_NUL.test(text)) return;
  const found = nulIn(body, '/body');
  if (found !== undefined) throw new ValidationError(found, NUL_MESSAGE);
}

/** The query values the route declares: the others are never read (nor stored), so a NUL in them harms nothing. */
function declaredQuery(request: FastifyRequest): Record<string, unknown> {
  const declared = (request.routeOptions.schema?.querystring as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  const query = (request.query ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.keys(declared).filter((key) => key in query).map((key) => [key, query[key]]));
}

/** The JSON Pointer of the first string (or object key) holding a NUL, or undefined. */
function nulIn(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = nulIn(item, `${path}/${index}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const here = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      if (key.includes('\u0000')) return here;
      const found = nulIn(item, here);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

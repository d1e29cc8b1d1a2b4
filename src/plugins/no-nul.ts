import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { BadRequestError } from '../shared/errors.js';

// An escaped NUL in JSON text: `\u0000` after an even number of backslashes (an odd run
// would be an escaped backslash followed by the letters "u0000").
const JSON_NUL = /(?:^|[^\\])(?:\\\\)*\\u0000/i;

/**
 * PostgreSQL text cannot hold U+0000 (it fails the query); SQLite can. So that one input
 * gets one answer on both, NUL is refused with 400 wherever a client can put it: in the
 * URL (path and query, as %00) and in a JSON body (checked as raw text by the json-body
 * parser, before parsing).
 */
export default fp(
  async function noNul(app: FastifyInstance) {
    app.addHook('onRequest', (request, _reply, done) => {
      done(request.url.includes('%00') ? nulRefused() : undefined);
    });
  },
  { name: 'no-nul' },
);

export function assertNoJsonNul(text: string): void {
  if (JSON_NUL.test(text)) throw nulRefused();
}

function nulRefused() {
  return new BadRequestError('Text may not contain the NUL character (U+0000).');
}

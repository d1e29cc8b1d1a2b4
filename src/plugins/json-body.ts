import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import secureJson from 'secure-json-parse';
import { AppError } from '../shared/errors.js';
import { assertNoJsonNul } from './no-nul.js';

/**
 * Bodies are JSON only: any other content type is answered 415. An empty JSON body is no
 * body, so a bodiless route (cancel) accepts it while a route that needs one answers 400
 * from its schema. `__proto__` and `constructor.prototype` keys are refused (400) rather
 * than dropped, with a reason the error plugin can name; a NUL anywhere is refused naming its field.
 */
export default fp(
  async function jsonBody(app: FastifyInstance) {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
      if (body === '') return done(null, undefined);
      try {
        const parsed: unknown = secureJson.parse(body as string, undefined, { protoAction: 'error', constructorAction: 'error' });
        assertNoJsonNul(body as string, parsed);
        done(null, parsed);
      } catch (error) {
        done(error instanceof AppError ? error : Object.assign(error as Error, { statusCode: 400 }), undefined);
      }
    });
  },
  { name: 'json-body' },
);

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { problems } from '../../shared/schemas.js';
import { problemBody, sendProblem } from '../../plugins/errors.js';

const Status = Type.Object({ status: Type.Literal('ok') });
const tags = ['operations'];

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    { schema: { tags, summary: 'The process is up', response: { 200: Status } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: { tags, summary: 'The database answers', response: { 200: Status, ...problems(503) } },
    },
    async (request, reply) => {
      try {
        await sql`select 1`.execute(app.db);
        return { status: 'ok' as const };
      } catch (error) {
        request.log.warn({ err: error }, 'database is not answering');
        return sendProblem(reply, problemBody(503, 'NOT_READY', 'The database is not answering.'));
      }
    },
  );
};

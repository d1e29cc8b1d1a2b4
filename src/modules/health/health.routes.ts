import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { problemBody, sendProblem } from '../../plugins/errors.js';
import { named, problems, ref } from '../../shared/schemas.js';

export const Health = named('Health', Type.Object({ status: Type.Literal('ok') }, { examples: [{ status: 'ok' }] }));
const tags = ['operations'];
const NOT_READY_RETRY_S = 5;

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    {
      config: { database: false },
      schema: {
        tags,
        operationId: 'health',
        summary: 'The process is up',
        description: 'Answers while the process runs, whatever the database does.',
        response: { 200: ref(Health) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags,
        operationId: 'ready',
        summary: 'The database answers',
        description: '503 while the database does not answer.',
        response: { 200: ref(Health), ...problems(503) },
      },
    },
    async (request, reply) => {
      try {
        await sql`select 1`.execute(app.db);
        return { status: 'ok' as const };
      } catch (error) {
        request.log.warn({ err: error }, 'database is not answering');
        reply.header('retry-after', String(NOT_READY_RETRY_S));
        return sendProblem(reply, problemBody(503, 'NOT_READY', 'The database is not answering.'));
      }
    },
  );
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { adminOnly } from '../../shared/routes.js';
import { problems, ref } from '../../shared/schemas.js';
import { EventList, ListEventsQuery } from './events.schemas.js';
import { type EventPresenter, listEvents } from './events.service.js';

export const eventsRoutes: FastifyPluginAsyncTypebox<{ present: EventPresenter }> = async (app, { present }) => {
  const routes: FastifyPluginAsyncTypebox = async (scope) => {
    scope.get(
      '/events',
      {
        schema: {
          tags: ['events'],
          operationId: 'listEvents',
          summary: 'The event feed, oldest first (admin)',
          description:
            'For consumers that poll instead of (or besides) receiving webhooks, and to catch up after an outage: ask with after set to ' +
            'the id of the last event read. Events are kept EVENT_RETENTION_DAYS days (30). An after that names no kept event is 404 (read again without after). ' +
            'A customer.password_reset_requested event shows its token only when type names that type.',
          querystring: ListEventsQuery,
          response: { 200: ref(EventList), ...problems(400, 404) },
        },
      },
      async (request) => listEvents(scope.db, request.query, present),
    );
  };
  await app.register(adminOnly(routes));
};

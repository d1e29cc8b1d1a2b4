import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { adminOnly } from '../../shared/routes.js';
import { IdParams, Message, problems, ref } from '../../shared/schemas.js';
import {
  CreateWebhookEndpointBody,
  CreatedWebhookEndpoint,
  DeliveryAccepted,
  DeliveryPage,
  ListDeliveriesQuery,
  UpdateWebhookEndpointBody,
  WebhookEndpointList,
  WebhookEndpointResponse,
  WebhookSecret,
} from './webhooks.schemas.js';
import * as service from './webhooks.service.js';

const tags = ['webhooks'];

export interface WebhookRoutesOptions {
  rules: service.DestinationRules;
  /** Tells the delivery worker there is work now (a test ping, a redelivery). */
  wake: () => void;
}

export const webhooksRoutes: FastifyPluginAsyncTypebox<WebhookRoutesOptions> = async (app, { rules, wake }) => {
  const routes: FastifyPluginAsyncTypebox = async (scope) => {
    scope.post(
      '/webhook-endpoints',
      {
        schema: {
          tags,
          operationId: 'createWebhookEndpoint',
          summary: 'Subscribe an endpoint to events (admin)',
          description:
            'The answer holds the signing secret, shown only here and on rotation. url must be absolute https (http only with ' +
            'WEBHOOK_ALLOW_HTTP=true) and not on a loopback, private or otherwise non-public address (unless WEBHOOK_ALLOW_PRIVATE_NETWORKS=true).',
          body: ref(CreateWebhookEndpointBody),
          response: { 201: ref(CreatedWebhookEndpoint), ...problems(400) },
        },
      },
      async (request, reply) => reply.code(201).send(await service.createEndpoint(scope.db, rules, request.body)),
    );

    scope.get(
      '/webhook-endpoints',
      {
        schema: {
          tags,
          operationId: 'listWebhookEndpoints',
          summary: 'Webhook endpoints, by id (admin)',
          description: 'Every endpoint, active or not, without its secret.',
          response: { 200: WebhookEndpointList },
        },
      },
      async () => service.listEndpoints(scope.db),
    );

    scope.get(
      '/webhook-endpoints/:id',
      {
        schema: {
          tags,
          operationId: 'getWebhookEndpoint',
          summary: 'Get a webhook endpoint (admin; without its secret)',
          description: 'disabled_reason says why the shop disabled it (a 410 answer, or no success for WEBHOOK_DISABLE_AFTER_S).',
          params: IdParams,
          response: { 200: ref(WebhookEndpointResponse), ...problems(404) },
        },
      },
      async (request) => service.getEndpoint(scope.db, request.params.id),
    );

    scope.put(
      '/webhook-endpoints/:id',
      {
        schema: {
          tags,
          operationId: 'updateWebhookEndpoint',
          summary: 'Change a webhook endpoint (admin, any subset of fields)',
          description: 'active: true re-enables an endpoint the shop disabled. Deliveries already recorded keep their events.',
          params: IdParams,
          body: ref(UpdateWebhookEndpointBody),
          response: { 200: ref(WebhookEndpointResponse), ...problems(400, 404) },
        },
      },
      async (request) => {
        const endpoint = await service.updateEndpoint(scope.db, rules, request.params.id, request.body);
        wake();
        return endpoint;
      },
    );

    scope.delete(
      '/webhook-endpoints/:id',
      {
        schema: {
          tags,
          operationId: 'deleteWebhookEndpoint',
          summary: 'Delete a webhook endpoint and its deliveries (admin)',
          description: 'Nothing more is sent to it.',
          params: IdParams,
          response: { 200: ref(Message), ...problems(404) },
        },
      },
      async (request) => {
        await service.deleteEndpoint(scope.db, request.params.id);
        return { message: 'Webhook endpoint deleted.' };
      },
    );

    scope.post(
      '/webhook-endpoints/:id/rotate-secret',
      {
        schema: {
          tags,
          operationId: 'rotateWebhookSecret',
          summary: 'Give an endpoint a new signing secret (admin)',
          description: 'For 24 hours deliveries carry a signature by each secret, so the receiver can switch without losing one.',
          params: IdParams,
          response: { 200: ref(WebhookSecret), ...problems(404) },
        },
      },
      async (request) => service.rotateSecret(scope.db, request.params.id),
    );

    scope.post(
      '/webhook-endpoints/:id/test',
      {
        schema: {
          tags,
          operationId: 'testWebhookEndpoint',
          summary: 'Send a ping event to one endpoint now (admin)',
          description: 'Records a ping event and its one delivery, to this endpoint only; follow it with the deliveries route.',
          params: IdParams,
          response: { 202: ref(DeliveryAccepted), ...problems(404) },
        },
      },
      async (request, reply) => {
        const accepted = await service.sendTestPing(scope.db, request.params.id);
        wake();
        return reply.code(202).send(accepted);
      },
    );

    scope.get(
      '/webhook-endpoints/:id/deliveries',
      {
        schema: {
          tags,
          operationId: 'listWebhookDeliveries',
          summary: "An endpoint's deliveries, newest first (admin)",
          description: 'status filters on pending, succeeded or failed. A delivery keeps its attempts, last status code and last error.',
          params: IdParams,
          querystring: ListDeliveriesQuery,
          response: { 200: ref(DeliveryPage), ...problems(404) },
        },
      },
      async (request) => service.pageDeliveries(scope.db, request.params.id, request.query),
    );

    scope.post(
      '/webhook-deliveries/:id/redeliver',
      {
        schema: {
          tags,
          operationId: 'redeliverWebhook',
          summary: 'Attempt a delivery once more, now (admin)',
          description: 'Same event, same webhook-id. A delivery whose endpoint is disabled is 409: enable the endpoint first.',
          params: IdParams,
          response: { 202: ref(Message), ...problems(404, 409) },
        },
      },
      async (request, reply) => {
        await service.redeliver(scope.db, request.params.id);
        wake();
        return reply.code(202).send({ message: 'Redelivery scheduled.' });
      },
    );
  };
  await app.register(adminOnly(routes));
};

import { type Static, Type } from '@sinclair/typebox';
import { Id, PageQuery, StringEnum, Text, Timestamp, named, ref } from '../../shared/schemas.js';
import { EVENT_TYPES } from '../events/events.schemas.js';

/** The one entry of `events` that stands for every type (but those sent only by name). */
export const ALL_EVENTS = '*';

export const MAX_URL_LENGTH = 2000;

const EventType = StringEnum(EVENT_TYPES, { description: 'An event type' });

const Events = Type.Union(
  [
    Type.Array(EventType, { minItems: 1, maxItems: EVENT_TYPES.length, uniqueItems: true }),
    Type.Array(Type.Literal(ALL_EVENTS), { minItems: 1, maxItems: 1 }),
  ],
  {
    description: 'The event types to receive (each once), or ["*"] alone for every type but customer.password_reset_requested, which goes only to endpoints that name it',
    examples: [['order.placed', 'order.paid']],
  },
);

const endpointFields = {
  url: Type.String({ minLength: 1, maxLength: MAX_URL_LENGTH, description: 'An absolute https URL (http only with WEBHOOK_ALLOW_HTTP=true) on a public address' }),
  events: Events,
  description: Type.Optional(Type.Union([Text(500), Type.Null()], { description: 'For people; null by default' })),
  active: Type.Optional(Type.Boolean({ description: 'Only active endpoints receive events; default true. true re-enables a disabled endpoint.' })),
};

export const CreateWebhookEndpointBody = named(
  'CreateWebhookEndpointBody',
  Type.Object(endpointFields, {
    additionalProperties: false,
    examples: [{ url: 'https://erp.example.com/hooks/shop', events: ['order.placed', 'order.paid'], description: 'ERP' }],
  }),
);
export type CreateWebhookEndpointBody = Static<typeof CreateWebhookEndpointBody>;

export const UpdateWebhookEndpointBody = named(
  'UpdateWebhookEndpointBody',
  Type.Partial(Type.Object(endpointFields), { additionalProperties: false, examples: [{ active: true }] }),
);
export type UpdateWebhookEndpointBody = Static<typeof UpdateWebhookEndpointBody>;

const endpointResponseFields = {
  id: Id,
  url: Type.String(),
  events: Type.Array(Type.String()),
  description: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean(),
  disabled_reason: Type.Union([Type.String(), Type.Null()], { description: 'Why the shop disabled the endpoint; null when it did not' }),
  created_at: Timestamp,
  updated_at: Timestamp,
};

const ENDPOINT_EXAMPLE = {
  id: 1,
  url: 'https://erp.example.com/hooks/shop',
  events: ['order.placed', 'order.paid'],
  description: 'ERP',
  active: true,
  disabled_reason: null,
  created_at: '2026-12-01T10:00:00.000Z',
  updated_at: '2026-12-01T10:00:00.000Z',
};

const SECRET_EXAMPLE = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

export const WebhookEndpointResponse = named(
  'WebhookEndpoint',
  Type.Object(endpointResponseFields, { examples: [ENDPOINT_EXAMPLE] }),
);
export type WebhookEndpointResponse = Static<typeof WebhookEndpointResponse>;

export const CreatedWebhookEndpoint = named(
  'CreatedWebhookEndpoint',
  Type.Object(
    { ...endpointResponseFields, secret: Type.String({ description: 'Shown only here and on rotation: keep it to verify deliveries' }) },
    { examples: [{ ...ENDPOINT_EXAMPLE, secret: SECRET_EXAMPLE }] },
  ),
);
export type CreatedWebhookEndpoint = Static<typeof CreatedWebhookEndpoint>;

export const WebhookEndpointList = Type.Array(ref(WebhookEndpointResponse));

export const WebhookSecret = named(
  'WebhookSecret',
  Type.Object(
    { secret: Type.String({ description: 'The new secret; for 24 hours deliveries are signed with the old one too' }) },
    { examples: [{ secret: SECRET_EXAMPLE }] },
  ),
);

export const DeliveryAccepted = named(
  'DeliveryAccepted',
  Type.Object({ delivery_id: Id }, { examples: [{ delivery_id: 12 }] }),
);

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;

export const WebhookDeliveryResponse = named(
  'WebhookDelivery',
  Type.Object(
    {
      id: Id,
      event_id: Type.String(),
      event_type: Type.String(),
      status: StringEnum(DELIVERY_STATUSES),
      attempts: Type.Integer({ minimum: 0 }),
      last_attempt_at: Type.Union([Timestamp, Type.Null()]),
      next_attempt_at: Type.Union([Timestamp, Type.Null()], { description: 'null once the delivery has succeeded or failed' }),
      last_status_code: Type.Union([Type.Integer(), Type.Null()], { description: "The receiver's last HTTP status; null if it never answered" }),
      last_error: Type.Union([Type.String(), Type.Null()]),
      created_at: Timestamp,
    },
    {
      examples: [
        {
          id: 12,
          event_id: 'evt_3f1c0a9e8b7d4c2a9e8b7d4c2a9e8b7d',
          event_type: 'order.placed',
          status: 'succeeded',
          attempts: 1,
          last_attempt_at: '2026-12-01T10:00:00.120Z',
          next_attempt_at: null,
          last_status_code: 200,
          last_error: null,
          created_at: '2026-12-01T10:00:00.100Z',
        },
      ],
    },
  ),
);
export type WebhookDeliveryResponse = Static<typeof WebhookDeliveryResponse>;

export const ListDeliveriesQuery = Type.Object(
  { status: Type.Optional(StringEnum(DELIVERY_STATUSES)), ...PageQuery },
  { additionalProperties: false },
);
export type ListDeliveriesQuery = Static<typeof ListDeliveriesQuery>;

export const DeliveryPage = named(
  'WebhookDeliveryPage',
  Type.Object({
    items: Type.Array(ref(WebhookDeliveryResponse)),
    page: Type.Integer(),
    per_page: Type.Integer(),
    total: Type.Integer(),
    pages: Type.Integer(),
  }),
);

export const webhookSchemas = [
  CreateWebhookEndpointBody,
  UpdateWebhookEndpointBody,
  WebhookEndpointResponse,
  CreatedWebhookEndpoint,
  WebhookSecret,
  DeliveryAccepted,
  WebhookDeliveryResponse,
  DeliveryPage,
];

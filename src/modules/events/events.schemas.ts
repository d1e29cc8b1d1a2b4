import { type Static, Type } from '@sinclair/typebox';
import { StringEnum, Timestamp, named, ref } from '../../shared/schemas.js';

/** Every event the shop records (the contract's table), and what each one's data holds. */
export const EVENT_TYPES = [
  'order.placed',
  'order.paid',
  'order.shipped',
  'order.delivered',
  'order.cancelled',
  'order.refunded',
  'payment.captured',
  'payment.failed',
  'customer.created',
  'customer.password_reset_requested',
  'product.out_of_stock',
  'ping',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Types that carry a secret go only to endpoints that name them, never to "*" (a reset
 * token in the hands of every subscriber would let any of them take over the account).
 * Migration 0013's SQLite trigger (events_fan_out) repeats this list: a type added here
 * needs a migration that changes it.
 */
export const SENT_ONLY_BY_NAME: readonly EventType[] = ['customer.password_reset_requested'];

/** Why an order was cancelled, as its event says. */
export type CancelReason = 'customer' | 'admin' | 'payment_timeout';

export const EVENT_ID_PATTERN = '^evt_[0-9a-f]{32}$';

export const EventResponse = named(
  'Event',
  Type.Object(
    {
      id: Type.String({ pattern: EVENT_ID_PATTERN, description: 'Unique forever; the webhook-id of its deliveries' }),
      type: StringEnum(EVENT_TYPES),
      created_at: Timestamp,
      data: Type.Object({}, { additionalProperties: true, description: "The event's data, as the contract's table of events says" }),
    },
    {
      examples: [
        { id: 'evt_3f1c0a9e8b7d4c2a9e8b7d4c2a9e8b7d', type: 'ping', created_at: '2026-12-01T10:00:00.000Z', data: {} },
      ],
    },
  ),
);
export type EventResponse = Static<typeof EventResponse>;

export const MAX_EVENTS_PER_PAGE = 1000;

export const ListEventsQuery = Type.Object(
  {
    type: Type.Optional(StringEnum(EVENT_TYPES, { description: 'Only events of this type' })),
    after: Type.Optional(Type.String({ pattern: EVENT_ID_PATTERN, description: 'The id of the last event already read; omitted: from the oldest kept' })),
    limit: Type.Integer({ minimum: 1, maximum: MAX_EVENTS_PER_PAGE, default: 100, description: 'At most this many events (1 to 1,000)' }),
  },
  { additionalProperties: false },
);
export type ListEventsQuery = Static<typeof ListEventsQuery>;

export const EventList = named(
  'EventList',
  Type.Object({
    items: Type.Array(ref(EventResponse), { description: 'Oldest first' }),
    has_more: Type.Boolean({ description: 'Whether more events follow the last one: ask again with after set to its id' }),
  }),
);

export const eventSchemas = [EventResponse, EventList];

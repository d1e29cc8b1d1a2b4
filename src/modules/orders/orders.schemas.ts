import { type Static, Type } from '@sinclair/typebox';
import { ORDER_STATUSES } from '../../db/database.js';
import { Id, MoneyOut, PageQuery, StringEnum, Text, Timestamp, named, ref } from '../../shared/schemas.js';
import { Quantity } from '../cart/cart.schemas.js';

export const MAX_ORDER_LINES = 100;

const OrderLine = Type.Object({ product_id: Id, quantity: Quantity }, { additionalProperties: false });

export const PlaceOrderBody = named(
  'PlaceOrderBody',
  Type.Object(
    {
      customer_id: Id,
      items: Type.Array(OrderLine, {
        minItems: 1,
        maxItems: MAX_ORDER_LINES,
        description: 'The same product twice is merged into one line',
      }),
    },
    { additionalProperties: false, examples: [{ customer_id: 2, items: [{ product_id: 1, quantity: 2 }] }] },
  ),
);
export type PlaceOrderBody = Static<typeof PlaceOrderBody>;

export const OrderFromCartBody = named(
  'OrderFromCartBody',
  Type.Object({ customer_id: Id }, { additionalProperties: false, examples: [{ customer_id: 2 }] }),
);
export type OrderFromCartBody = Static<typeof OrderFromCartBody>;

/** Fastify reads header names in lower case; the document spells them as the contract does (openapi plugin). */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'Repeat a request with the same key and body to get the first answer; nothing new is placed',
      examples: ['6f1c1e1a-checkout-1'],
    }),
  ),
});
export type IdempotencyHeaders = Static<typeof IdempotencyHeaders>;

export const OrderStatusSchema = StringEnum(ORDER_STATUSES);

const placed = '2026-11-25T10:00:00.000Z';

export const OrderResponse = named(
  'Order',
  Type.Object(
    {
      id: Id,
      customer_id: Id,
      status: OrderStatusSchema,
      created_at: Timestamp,
      updated_at: Timestamp,
      items: Type.Array(
        Type.Object({
          product_id: Id,
          product_name: Type.String({ description: 'As it was when the order was placed' }),
          unit_price: { ...MoneyOut, description: 'As it was when the order was placed' },
          quantity: Type.Integer({ minimum: 1 }),
          line_total: MoneyOut,
        }),
      ),
      total: MoneyOut,
    },
    {
      examples: [
        {
          id: 1,
          customer_id: 2,
          status: 'pending',
          created_at: placed,
          updated_at: placed,
          items: [{ product_id: 1, product_name: 'Mug', unit_price: 12.5, quantity: 2, line_total: 25 }],
          total: 25,
        },
      ],
    },
  ),
);
export type OrderResponse = Static<typeof OrderResponse>;

export const TrackingResponse = named(
  'OrderTracking',
  Type.Object(
    {
      order_id: Id,
      status: OrderStatusSchema,
      tracking_number: Type.Union([Type.String(), Type.Null()]),
      history: Type.Array(
        Type.Object({ status: OrderStatusSchema, at: Timestamp, note: Type.Union([Type.String(), Type.Null()]) }),
      ),
    },
    {
      examples: [
        {
          order_id: 1,
          status: 'shipped',
          tracking_number: '1Z999AA10123456784',
          history: [
            { status: 'pending', at: placed, note: 'Order placed' },
            { status: 'paid', at: '2026-11-25T10:05:00.000Z', note: null },
            { status: 'shipped', at: '2026-11-26T09:00:00.000Z', note: null },
          ],
        },
      ],
    },
  ),
);
export type TrackingResponse = Static<typeof TrackingResponse>;

export const OrderPage = named(
  'OrderPage',
  Type.Object({
    items: Type.Array(ref(OrderResponse)),
    page: Type.Integer({ minimum: 1 }),
    per_page: Type.Integer({ minimum: 1 }),
    total: Type.Integer({ minimum: 0, description: 'Matching orders on all pages' }),
    pages: Type.Integer({ minimum: 0, description: 'Number of pages' }),
  }),
);

export const ListOrdersQuery = Type.Object({
  ...PageQuery,
  customer_id: Type.Optional({ ...Id, description: "Only this customer's orders (admins; a customer sees only its own)" }),
});
export type ListOrdersQuery = Static<typeof ListOrdersQuery>;

export const ChangeStatusBody = named(
  'ChangeStatusBody',
  Type.Object(
    {
      status: OrderStatusSchema,
      tracking_number: Type.Optional(Text(100, { description: 'Only with status shipped' })),
      note: Type.Optional(Text(500)),
    },
    { additionalProperties: false, examples: [{ status: 'shipped', tracking_number: '1Z999AA10123456784' }] },
  ),
);
export type ChangeStatusBody = Static<typeof ChangeStatusBody>;

export const orderSchemas = [OrderResponse, OrderPage, TrackingResponse, PlaceOrderBody, OrderFromCartBody, ChangeStatusBody];

import { type Static, Type } from '@sinclair/typebox';
import { Id, MoneyOut, PageQuery, StringEnum, Text, Timestamp } from '../../shared/schemas.js';
import { Quantity } from '../cart/cart.schemas.js';
import { ORDER_STATUSES } from './order-status.js';

export const MAX_ORDER_LINES = 100;

const OrderLine = Type.Object({ product_id: Id, quantity: Quantity }, { additionalProperties: false });

export const PlaceOrderBody = Type.Object(
  {
    customer_id: Id,
    items: Type.Array(OrderLine, {
      minItems: 1,
      maxItems: MAX_ORDER_LINES,
      description: 'The same product twice is merged into one line',
    }),
  },
  { additionalProperties: false },
);
export type PlaceOrderBody = Static<typeof PlaceOrderBody>;

export const OrderFromCartBody = Type.Object({ customer_id: Id }, { additionalProperties: false });
export type OrderFromCartBody = Static<typeof OrderFromCartBody>;

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'Repeat a request with the same key and body to get the first answer; nothing new is placed',
    }),
  ),
});
export type IdempotencyHeaders = Static<typeof IdempotencyHeaders>;

export const OrderStatusSchema = StringEnum(ORDER_STATUSES);

export const OrderResponse = Type.Object({
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
      quantity: Type.Integer(),
      line_total: MoneyOut,
    }),
  ),
  total: MoneyOut,
});
export type OrderResponse = Static<typeof OrderResponse>;

export const TrackingResponse = Type.Object({
  order_id: Id,
  status: OrderStatusSchema,
  tracking_number: Type.Union([Type.String(), Type.Null()]),
  history: Type.Array(
    Type.Object({ status: OrderStatusSchema, at: Timestamp, note: Type.Union([Type.String(), Type.Null()]) }),
  ),
});
export type TrackingResponse = Static<typeof TrackingResponse>;

export const ListOrdersQuery = Type.Object({
  ...PageQuery,
  customer_id: Type.Optional({ ...Id, description: "Only this customer's orders (admins; a customer sees only its own)" }),
});
export type ListOrdersQuery = Static<typeof ListOrdersQuery>;

export const ChangeStatusBody = Type.Object(
  {
    status: OrderStatusSchema,
    tracking_number: Type.Optional(Text(100, { description: 'Only with status shipped' })),
    note: Type.Optional(Text(500)),
  },
  { additionalProperties: false },
);
export type ChangeStatusBody = Static<typeof ChangeStatusBody>;

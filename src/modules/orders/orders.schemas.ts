import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { ORDER_PAYMENT_STATUSES, ORDER_STATUSES } from '../../db/database.js';
import { Id, MoneyOut, PageOf, PageQuery, StringEnum, Text, Timestamp, named, ref } from '../../shared/schemas.js';
import { ADDRESS_EXAMPLE, Address, AddressInput } from '../addresses/addresses.schemas.js';
import { Quantity } from '../cart/cart.schemas.js';
import { Email } from '../customers/customers.schemas.js';

export const MAX_ORDER_LINES = 100;

const OrderLine = Type.Object({ product_id: Id, quantity: Quantity }, { additionalProperties: false });

/** The optional fields of checkout (contract, "Placing an order, in full"), beside each placing route's own. */
const checkoutFields = {
  email: Type.Optional({ ...Email, description: "Where the order's mail goes; defaults to the customer's email" }),
  shipping_address: Type.Optional(ref(AddressInput)),
  shipping_address_id: Type.Optional({ ...Id, description: "One of the customer's addresses, instead of shipping_address" }),
  billing_address: Type.Optional({ ...ref(AddressInput), description: 'Defaults to the shipping address' }),
  billing_address_id: Type.Optional({ ...Id, description: "One of the customer's addresses, instead of billing_address" }),
  shipping_rate_id: Type.Optional({ ...Id, description: 'Required when the order needs shipping (400 SHIPPING_REQUIRED); it must be eligible (409)' }),
  note: Type.Optional(Type.String({ maxLength: 1000, description: "The customer's note" })),
};

/** What every placing route may carry besides its own fields; the guest's form has no address ids. */
export type CheckoutFields = {
  email?: string;
  shipping_address?: AddressInput;
  shipping_address_id?: number;
  billing_address?: AddressInput;
  billing_address_id?: number;
  shipping_rate_id?: number;
  note?: string;
};

const shipped = { shipping_address: ADDRESS_EXAMPLE, shipping_rate_id: 1 };

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
      ...checkoutFields,
    },
    { additionalProperties: false, examples: [{ customer_id: 2, items: [{ product_id: 1, quantity: 2 }], ...shipped }] },
  ),
);
export type PlaceOrderBody = Static<typeof PlaceOrderBody>;

export const OrderFromCartBody = named(
  'OrderFromCartBody',
  Type.Object({ customer_id: Id, ...checkoutFields }, { additionalProperties: false, examples: [{ customer_id: 2, ...shipped }] }),
);
export type OrderFromCartBody = Static<typeof OrderFromCartBody>;

const { shipping_address_id: _s, billing_address_id: _b, email: _e, ...guestFields } = checkoutFields;

export const GuestCheckoutBody = named(
  'GuestCheckoutBody',
  Type.Object(
    { email: { ...Email, description: "Where the order's mail goes" }, ...guestFields },
    { additionalProperties: false, examples: [{ email: 'ada@example.com', ...shipped }] },
  ),
);
export type GuestCheckoutBody = Static<typeof GuestCheckoutBody>;

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

const orderExample = {
  id: 1,
  customer_id: 2,
  status: 'pending',
  created_at: placed,
  updated_at: placed,
  currency: 'USD',
  email: 'ada@example.com',
  note: null,
  items: [{ product_id: 1, product_name: 'Mug', unit_price: 12.5, quantity: 2, line_total: 25, tax: 2.22 }],
  subtotal: 25,
  shipping_total: 4.99,
  tax_total: 2.22,
  total: 32.21,
  prices_include_tax: false,
  shipping_address: { ...shipped.shipping_address, company: null, line2: null, phone: null },
  billing_address: { ...shipped.shipping_address, company: null, line2: null, phone: null },
  shipping: { rate_id: 1, name: 'Standard', price: 4.99, tax: 0 },
  tax: { name: 'California', rate: 8.875 },
  payment_status: 'unpaid',
  amount_paid: 0,
  amount_refunded: 0,
};

/**
 * A value or null, as one JSON Schema type list rather than anyOf: the serializer picks an
 * anyOf branch by validating the value against each, which every order answer would pay
 * for (placing an order was a fifth slower so). Named schemas are inlined here for that
 * reason: a $ref cannot take null beside it.
 */
function Nullable<T extends TSchema>(schema: T) {
  const { $id: _, examples: _examples, ...inline } = schema as T & { $id?: string; examples?: unknown };
  return Type.Unsafe<Static<T> | null>({ ...inline, type: [inline.type as string, 'null'] });
}

/** The money fields of an order and of a quote: the same sums, so a quote shows exactly what placing charges. */
const moneyFields = {
  currency: Type.String({ description: 'ISO 4217 (SHOP_CURRENCY)', examples: ['USD'] }),
  items: Type.Array(
    Type.Object({
      product_id: Id,
      product_name: Type.String({ description: 'As it was when the order was placed' }),
      unit_price: { ...MoneyOut, description: 'As it was when the order was placed' },
      quantity: Type.Integer({ minimum: 1 }),
      line_total: MoneyOut,
      tax: { ...MoneyOut, description: 'The tax in (or on) this line, rounded once per line' },
    }),
  ),
  subtotal: { ...MoneyOut, description: 'The sum of the line totals' },
  shipping_total: MoneyOut,
  tax_total: { ...MoneyOut, description: 'The line taxes plus the shipping tax' },
  total: { ...MoneyOut, description: 'What the customer pays: subtotal + shipping_total, plus tax_total when prices exclude tax' },
  prices_include_tax: Type.Boolean(),
  shipping_address: Nullable(Address),
  billing_address: Nullable(Address),
  shipping: Nullable(
    Type.Object({ rate_id: Id, name: Type.String(), price: MoneyOut, tax: MoneyOut }, { description: 'The rate as it was when the order was placed' }),
  ),
  tax: Nullable(
    Type.Object(
      { name: Type.String(), rate: Type.Number({ description: 'Percent, up to three decimals', examples: [8.875] }) },
      { description: 'The tax rate as it was when the order was placed' },
    ),
  ),
};

const orderFields = {
  id: Id,
  customer_id: Nullable({ ...Id, description: "null for a guest's order" }),
  status: OrderStatusSchema,
  created_at: Timestamp,
  updated_at: Timestamp,
  email: Type.String(),
  note: Nullable(Type.String()),
  ...moneyFields,
  payment_status: StringEnum(ORDER_PAYMENT_STATUSES, {
    description: 'paid once what was captured covers the total; partially_refunded or refunded as refunds follow; authorized while money is held but not captured',
  }),
  amount_paid: { ...MoneyOut, description: 'Captured by all its payments' },
  amount_refunded: { ...MoneyOut, description: 'Refunded of that' },
};

export const OrderResponse = named('Order', Type.Object(orderFields, { examples: [orderExample] }));
export type OrderResponse = Static<typeof OrderResponse>;

export const GuestOrderResponse = named(
  'GuestOrder',
  Type.Object(
    {
      ...orderFields,
      order_token: Type.String({
        description: 'The key to this order for its guest: pass ?order_token= to read, track or cancel it. Answered only here.',
      }),
    },
    { examples: [{ ...orderExample, customer_id: null, order_token: 'mVh3b0d2bQ3J7rW4nQk1S9fA6uXyZcLe0pTgHiJkLmN' }] },
  ),
);
export type GuestOrderResponse = Static<typeof GuestOrderResponse>;

const {
  id: _id,
  customer_id: _c,
  status: _st,
  created_at: _ca,
  updated_at: _ua,
  email: _em,
  note: _n,
  payment_status: _ps,
  amount_paid: _ap,
  amount_refunded: _ar,
  ...quoteExample
} = orderExample;

export const QuoteResponse = named(
  'Quote',
  Type.Object(
    {
      ...moneyFields,
      shipping_options: Type.Array(Type.Object({ id: Id, name: Type.String(), price: MoneyOut }), {
        description: 'The rates eligible for the shipping address and subtotal; [] without an address',
      }),
    },
    {
      description: 'What placing the same body would charge; nothing is placed',
      examples: [{ ...quoteExample, shipping_options: [{ id: 1, name: 'Standard', price: 4.99 }] }],
    },
  ),
);
export type QuoteResponse = Static<typeof QuoteResponse>;

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

export const OrderPage = named('OrderPage', PageOf(ref(OrderResponse), 'orders'));

export const OrderTokenQuery = Type.Object({
  order_token: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: "A guest's order token, instead of a bearer token (a wrong one is 404)" }),
  ),
});

export const ListOrdersQuery = Type.Object({
  ...PageQuery,
  customer_id: Type.Optional({ ...Id, description: "Only this customer's orders (admins; a customer sees only its own)" }),
  status: Type.Optional({ ...OrderStatusSchema, description: 'Only orders in this state' }),
  payment_status: Type.Optional(StringEnum(ORDER_PAYMENT_STATUSES, { description: 'Only orders whose payment_status is this' })),
  guest: Type.Optional(Type.Boolean({ description: "true: only guests' orders (customer_id null); false: only customers'" })),
  q: Type.Optional(Text(254, { description: 'Search: an order id (123 or #123), or a piece of the email, regardless of case' })),
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

export const CancelOrderBody = named(
  'CancelOrderBody',
  Type.Object(
    {
      refund: Type.Optional(
        Type.Boolean({
          description: 'Admins, for an order with captured money: true refunds all of it through the provider that took it, false keeps it',
        }),
      ),
    },
    { additionalProperties: false, examples: [{ refund: true }] },
  ),
);
export type CancelOrderBody = Static<typeof CancelOrderBody>;

export const orderSchemas = [
  CancelOrderBody,
  OrderResponse,
  GuestOrderResponse,
  QuoteResponse,
  OrderPage,
  TrackingResponse,
  PlaceOrderBody,
  OrderFromCartBody,
  GuestCheckoutBody,
  ChangeStatusBody,
];

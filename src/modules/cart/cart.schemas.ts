import { type Static, Type } from '@sinclair/typebox';
import { Id, MoneyOut, named } from '../../shared/schemas.js';

export const MAX_LINE_QUANTITY = 1000;
/** Products one cart may hold at once: as many as one order's lines, so a full cart checks out as one order. */
export const MAX_CART_LINES = 100;
export const Quantity = Type.Integer({ minimum: 1, maximum: MAX_LINE_QUANTITY });

export const AddToCartBody = named(
  'AddToCartBody',
  Type.Object(
    { customer_id: Id, product_id: Id, quantity: Quantity },
    { additionalProperties: false, examples: [{ customer_id: 2, product_id: 1, quantity: 2 }] },
  ),
);
export type AddToCartBody = Static<typeof AddToCartBody>;

export const RemoveFromCartBody = named(
  'RemoveFromCartBody',
  Type.Object(
    {
      customer_id: Id,
      product_id: Id,
      quantity: Type.Optional({ ...Quantity, description: 'How many to take off; without it the whole line goes' }),
    },
    { additionalProperties: false, examples: [{ customer_id: 2, product_id: 1, quantity: 1 }] },
  ),
);
export type RemoveFromCartBody = Static<typeof RemoveFromCartBody>;

export const CartParams = Type.Object({ customer_id: Id }, { additionalProperties: false });
export type CartParams = Static<typeof CartParams>;

export const CartResponse = named(
  'Cart',
  Type.Object(
    {
      customer_id: Id,
      items: Type.Array(
        Type.Object({
          product_id: Id,
          product_name: Type.String(),
          price: { ...MoneyOut, description: 'Current unit price' },
          quantity: Type.Integer({ minimum: 1 }),
          line_total: MoneyOut,
        }),
      ),
      total: MoneyOut,
    },
    {
      examples: [
        { customer_id: 2, items: [{ product_id: 1, product_name: 'Mug', price: 12.5, quantity: 2, line_total: 25 }], total: 25 },
      ],
    },
  ),
);
export type CartResponse = Static<typeof CartResponse>;

export const cartSchemas = [CartResponse, AddToCartBody, RemoveFromCartBody];

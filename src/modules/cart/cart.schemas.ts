import { type Static, Type } from '@sinclair/typebox';
import { Id, MoneyOut } from '../../shared/schemas.js';

export const MAX_LINE_QUANTITY = 1000;
export const Quantity = Type.Integer({ minimum: 1, maximum: MAX_LINE_QUANTITY });

export const AddToCartBody = Type.Object(
  { customer_id: Id, product_id: Id, quantity: Quantity },
  { additionalProperties: false },
);
export type AddToCartBody = Static<typeof AddToCartBody>;

export const RemoveFromCartBody = Type.Object(
  {
    customer_id: Id,
    product_id: Id,
    quantity: Type.Optional({ ...Quantity, description: 'How many to take off; without it the whole line goes' }),
  },
  { additionalProperties: false },
);
export type RemoveFromCartBody = Static<typeof RemoveFromCartBody>;

export const CartParams = Type.Object({ customer_id: Id }, { additionalProperties: false });
export type CartParams = Static<typeof CartParams>;

export const CartResponse = Type.Object({
  customer_id: Id,
  items: Type.Array(
    Type.Object({
      product_id: Id,
      product_name: Type.String(),
      price: { ...MoneyOut, description: 'Current unit price' },
      quantity: Type.Integer(),
      line_total: MoneyOut,
    }),
  ),
  total: MoneyOut,
});
export type CartResponse = Static<typeof CartResponse>;

import { type Static, Type } from '@sinclair/typebox';
import { Id, MoneyOut, Timestamp, named } from '../../shared/schemas.js';

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

/** A cart's lines, of live products only, by product id, priced from the catalogue as it is now. */
const CartLines = Type.Array(
  Type.Object({
    product_id: Id,
    product_name: Type.String(),
    price: { ...MoneyOut, description: 'Current unit price' },
    quantity: Type.Integer({ minimum: 1 }),
    line_total: MoneyOut,
  }),
);

export const CartResponse = named(
  'Cart',
  Type.Object(
    {
      customer_id: Id,
      items: CartLines,
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

// Guest carts: the same lines and rules, reached by the cart's id instead of a customer.

/** Random bytes in a guest cart's id: 168 bits, more than the contract's 128, in 28 base64url characters. */
export const GUEST_CART_ID_BYTES = 21;
const GUEST_CART_ID_LENGTH = Math.ceil((GUEST_CART_ID_BYTES * 8) / 6);

export const GuestCartId = Type.String({
  pattern: '^[A-Za-z0-9_-]+$',
  minLength: GUEST_CART_ID_LENGTH,
  maxLength: GUEST_CART_ID_LENGTH,
  description: `The guest cart's id and only key: ${GUEST_CART_ID_LENGTH} random base64url characters, as POST /carts answered`,
  examples: ['q3Zt0vJxW8m2LkR7yN4bA1cD5eF9'],
});

export const GuestCartParams = Type.Object({ cart_id: GuestCartId }, { additionalProperties: false });
export type GuestCartParams = Static<typeof GuestCartParams>;

export const AddToGuestCartBody = named(
  'AddToGuestCartBody',
  Type.Object({ product_id: Id, quantity: Quantity }, { additionalProperties: false, examples: [{ product_id: 1, quantity: 2 }] }),
);
export type AddToGuestCartBody = Static<typeof AddToGuestCartBody>;

export const RemoveFromGuestCartBody = named(
  'RemoveFromGuestCartBody',
  Type.Object(
    { product_id: Id, quantity: Type.Optional({ ...Quantity, description: 'How many to take off; without it the whole line goes' }) },
    { additionalProperties: false, examples: [{ product_id: 1, quantity: 1 }] },
  ),
);
export type RemoveFromGuestCartBody = Static<typeof RemoveFromGuestCartBody>;

export const GuestCartResponse = named(
  'GuestCart',
  Type.Object(
    {
      cart_id: GuestCartId,
      items: CartLines,
      total: MoneyOut,
      expires_at: { ...Timestamp, description: 'ISO 8601 UTC; every change moves it on by GUEST_CART_TTL_S (default 30 days)' },
    },
    {
      examples: [
        {
          cart_id: 'q3Zt0vJxW8m2LkR7yN4bA1cD5eF9',
          items: [{ product_id: 1, product_name: 'Mug', price: 12.5, quantity: 2, line_total: 25 }],
          total: 25,
          expires_at: '2026-12-25T10:00:00.000Z',
        },
      ],
    },
  ),
);
export type GuestCartResponse = Static<typeof GuestCartResponse>;

export const cartSchemas = [CartResponse, AddToCartBody, RemoveFromCartBody, GuestCartResponse, AddToGuestCartBody, RemoveFromGuestCartBody];

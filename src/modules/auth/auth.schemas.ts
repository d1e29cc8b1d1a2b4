import { type Static, Type } from '@sinclair/typebox';
import { named } from '../../shared/schemas.js';
import { Email, Password } from '../customers/customers.schemas.js';

// Login takes any non-empty strings: a malformed username is just a wrong username (401),
// so the answer never tells which usernames could exist.
export const LoginBody = named(
  'LoginBody',
  Type.Object(
    {
      username: Type.String({ minLength: 1, maxLength: 200 }),
      password: Type.String({ minLength: 1, maxLength: 128 }),
    },
    { additionalProperties: false, examples: [{ username: 'ann', password: 'correct horse' }] },
  ),
);
export type LoginBody = Static<typeof LoginBody>;

export const LoginResponse = named(
  'LoginResponse',
  Type.Object(
    {
      status: Type.Literal('success'),
      message: Type.String(),
      auth_token: Type.String({ description: 'HS256 JWT; send as Authorization: Bearer <token>' }),
    },
    { examples: [{ status: 'success', message: 'Logged in.', auth_token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIyIn0.c2lnbmF0dXJl' }] },
  ),
);
export type LoginResponse = Static<typeof LoginResponse>;

export const PasswordResetBody = named(
  'PasswordResetBody',
  Type.Object(
    { email: Email },
    { additionalProperties: false, examples: [{ email: 'ann@example.com' }] },
  ),
);
export type PasswordResetBody = Static<typeof PasswordResetBody>;

// The token is any non-empty string: a malformed one is just an unknown one, with the one
// answer every unusable token gets.
export const PasswordResetConfirmBody = named(
  'PasswordResetConfirmBody',
  Type.Object(
    {
      token: Type.String({ minLength: 1, maxLength: 256, description: 'The token of the customer.password_reset_requested event' }),
      password: Password,
    },
    { additionalProperties: false, examples: [{ token: 'q8Jb1V3n0m9GgXo7zV6y5Yk2cE4uWt1rSa0dLhPfNiM', password: 'a new correct horse' }] },
  ),
);
export type PasswordResetConfirmBody = Static<typeof PasswordResetConfirmBody>;

export const authSchemas = [LoginBody, LoginResponse, PasswordResetBody, PasswordResetConfirmBody];

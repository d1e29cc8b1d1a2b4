import { type Static, Type } from '@sinclair/typebox';
import { named } from '../../shared/schemas.js';

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

export const authSchemas = [LoginBody, LoginResponse];

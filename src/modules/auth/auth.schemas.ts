import { type Static, Type } from '@sinclair/typebox';

// Login takes any non-empty strings: a malformed username is just a wrong username (401),
// so the answer never tells which usernames could exist.
export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 200 }),
    password: Type.String({ minLength: 1, maxLength: 128 }),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const LoginResponse = Type.Object({
  status: Type.Literal('success'),
  message: Type.String(),
  auth_token: Type.String({ description: 'HS256 JWT; send as Authorization: Bearer <token>' }),
});
export type LoginResponse = Static<typeof LoginResponse>;

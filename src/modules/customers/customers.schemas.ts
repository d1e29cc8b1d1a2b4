import { type Static, Type } from '@sinclair/typebox';
import { Id, Text, Timestamp } from '../../shared/schemas.js';

export const Username = Type.String({
  minLength: 3,
  maxLength: 50,
  pattern: '^[A-Za-z0-9._-]+$',
  description: '3 to 50 letters, digits, ".", "_" or "-"; unique regardless of case',
});
export const Email = Type.String({ format: 'email', maxLength: 254, description: 'Unique regardless of case' });
export const Password = Type.String({ minLength: 8, maxLength: 128, description: '8 to 128 characters' });
const Phone = Type.Union([Type.String({ minLength: 1, maxLength: 30 }), Type.Null()]);
const RoleId = Type.Integer({ minimum: 1, maximum: 2, description: '1 admin, 2 customer' });

const customerFields = {
  customer_name: Text(200),
  email: Email,
  phone: Type.Optional(Phone),
  username: Username,
  password: Password,
};

export const RegisterCustomerBody = Type.Object(customerFields, { additionalProperties: false });
export type RegisterCustomerBody = Static<typeof RegisterCustomerBody>;

export const CreateCustomerBody = Type.Object(
  { ...customerFields, role_id: Type.Optional(RoleId) },
  { additionalProperties: false },
);
export type CreateCustomerBody = Static<typeof CreateCustomerBody>;

export const UpdateCustomerBody = Type.Partial(CreateCustomerBody, { additionalProperties: false });
export type UpdateCustomerBody = Static<typeof UpdateCustomerBody>;

/** The public face of a customer: never the password hash or token version. */
export const CustomerResponse = Type.Object({
  id: Id,
  customer_name: Type.String(),
  email: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()]),
  username: Type.String(),
  role_id: Type.Integer(),
  created_at: Timestamp,
});
export type CustomerResponse = Static<typeof CustomerResponse>;

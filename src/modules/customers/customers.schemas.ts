import { type Static, Type } from '@sinclair/typebox';
import { ROLE_ADMIN, ROLE_CUSTOMER, type RoleId } from '../../shared/access.js';
import { Id, PageOf, PageQuery, Text, Timestamp, named, ref } from '../../shared/schemas.js';

export const Username = Type.String({
  minLength: 3,
  maxLength: 50,
  pattern: '^[A-Za-z0-9._-]+$',
  description: '3 to 50 letters, digits, ".", "_" or "-"; unique regardless of case',
});
export const Email = Type.String({ format: 'email', maxLength: 254, description: 'Unique regardless of case' });
export const Password = Type.String({ minLength: 8, maxLength: 128, description: '8 to 128 characters' });
const Phone = Type.Union([Type.String({ minLength: 1, maxLength: 30 }), Type.Null()]);
const Role = Type.Unsafe<RoleId>({ type: 'integer', enum: [ROLE_ADMIN, ROLE_CUSTOMER], description: '1 admin, 2 customer' });

const customerFields = {
  customer_name: Text(200),
  email: Email,
  phone: Type.Optional(Phone),
  username: Username,
  password: Password,
};

const ann = { customer_name: 'Ann Lee', email: 'ann@example.com', phone: '+1 555 0100', username: 'ann' };

export const RegisterCustomerBody = named(
  'RegisterCustomerBody',
  Type.Object(customerFields, { additionalProperties: false, examples: [{ ...ann, password: 'correct horse' }] }),
);
export type RegisterCustomerBody = Static<typeof RegisterCustomerBody>;

export const CreateCustomerBody = named(
  'CreateCustomerBody',
  Type.Object(
    { ...customerFields, role_id: Type.Optional(Role) },
    { additionalProperties: false, examples: [{ ...ann, password: 'correct horse', role_id: 2 }] },
  ),
);
export type CreateCustomerBody = Static<typeof CreateCustomerBody>;

export const UpdateCustomerBody = named(
  'UpdateCustomerBody',
  Type.Partial(
    Type.Object({
      ...customerFields,
      role_id: Role,
      current_password: Type.String({
        minLength: 1,
        maxLength: 128,
        description: 'Your password as it is now: needed to change your own password, email or username',
      }),
    }),
    { additionalProperties: false, examples: [{ email: 'ann.lee@example.com', current_password: 'correct horse' }] },
  ),
);
export type UpdateCustomerBody = Static<typeof UpdateCustomerBody>;

/** The public face of a customer: never the password hash or token version. */
export const CustomerResponse = named(
  'Customer',
  Type.Object(
    {
      id: Id,
      customer_name: Type.String(),
      email: Type.String(),
      phone: Type.Union([Type.String(), Type.Null()]),
      username: Type.String(),
      role_id: Role,
      created_at: Timestamp,
    },
    { examples: [{ id: 2, ...ann, role_id: 2, created_at: '2026-11-25T10:00:00.000Z' }] },
  ),
);
export type CustomerResponse = Static<typeof CustomerResponse>;

export const ListCustomersQuery = Type.Object({
  ...PageQuery,
  q: Type.Optional(Text(254, { description: 'Search: a piece of the name, username or email, regardless of case' })),
});
export type ListCustomersQuery = Static<typeof ListCustomersQuery>;

export const CustomerPage = named('CustomerPage', PageOf(ref(CustomerResponse), 'customers'));

export const customerSchemas = [CustomerResponse, CustomerPage, RegisterCustomerBody, CreateCustomerBody, UpdateCustomerBody];

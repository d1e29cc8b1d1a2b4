import { randomBytes } from 'node:crypto';
import type { CustomerRow, CustomerRowUpdate, Db } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import { inTransaction } from '../../db/transaction.js';
import { type Actor, ROLE_ADMIN, ROLE_CUSTOMER, assertSelfOrAdmin, isAdmin } from '../../shared/access.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../shared/errors.js';
import { hashPassword } from '../../shared/passwords.js';
import { emptyCart } from '../cart/cart.service.js';
import * as repo from './customers.repository.js';
import type { CreateCustomerBody, CustomerResponse, UpdateCustomerBody } from './customers.schemas.js';

export function toCustomerResponse(row: CustomerRow): CustomerResponse {
  return {
    id: row.id,
    customer_name: row.customer_name,
    email: row.email,
    phone: row.phone,
    username: row.username,
    role_id: row.role_id,
    created_at: row.created_at,
  };
}

export async function createCustomer(db: Db, input: CreateCustomerBody): Promise<CustomerResponse> {
  const now = new Date().toISOString();
  const row = await withIdentityConflicts(db, input, 0, async () =>
    repo.insertCustomer(db, {
      customer_name: input.customer_name,
      email: input.email,
      phone: input.phone ?? null,
      username: input.username,
      password_hash: await hashPassword(input.password),
      role_id: input.role_id ?? ROLE_CUSTOMER,
      created_at: now,
      updated_at: now,
    }),
  );
  return toCustomerResponse(row);
}

export async function listCustomers(db: Db): Promise<CustomerResponse[]> {
  return (await repo.listCustomers(db)).map(toCustomerResponse);
}

export async function getCustomer(db: Db, actor: Actor, id: number): Promise<CustomerResponse> {
  assertSelfOrAdmin(actor, id);
  return toCustomerResponse(await findLiveCustomer(db, id));
}

export async function updateCustomer(
  db: Db,
  actor: Actor,
  id: number,
  patch: UpdateCustomerBody,
): Promise<CustomerResponse> {
  assertSelfOrAdmin(actor, id);
  if (patch.role_id !== undefined && patch.role_id !== actor.role_id && !isAdmin(actor)) {
    throw new ForbiddenError('Only an admin can change a role.');
  }
  const current = await findLiveCustomer(db, id);
  const demotesAdmin = current.role_id === ROLE_ADMIN && patch.role_id === ROLE_CUSTOMER;

  const { password, ...fields } = patch;
  const update: CustomerRowUpdate = { ...fields, updated_at: new Date().toISOString() };
  if (password !== undefined) {
    update.password_hash = await hashPassword(password);
    // Every token issued before this change stops working.
    update.token_version = current.token_version + 1;
  }
  const row = await withIdentityConflicts(db, patch, id, () =>
    inTransaction(db, async (trx) => {
      if (demotesAdmin) await assertNotLastAdmin(trx);
      return repo.updateCustomerById(trx, id, update);
    }),
  );
  if (!row) throw new NotFoundError('Customer');
  return toCustomerResponse(row);
}

/** Soft delete: the row stays so its orders stay readable (to admins); its tokens stop working; its cart is emptied. */
export async function deleteCustomer(db: Db, actor: Actor, id: number): Promise<void> {
  assertSelfOrAdmin(actor, id);
  const current = await findLiveCustomer(db, id);
  const now = new Date().toISOString();
  await inTransaction(db, async (trx) => {
    if (current.role_id === ROLE_ADMIN) await assertNotLastAdmin(trx);
    await repo.updateCustomerById(trx, id, { deleted_at: now, updated_at: now, token_version: current.token_version + 1 });
    await emptyCart(trx, id);
  });
}

/**
 * The check for any route whose path or body names a customer: a customer may name only
 * itself (403 otherwise); an admin may name any live customer (404 for an unknown one).
 */
export async function assertMayActFor(db: Db, actor: Actor, customerId: number): Promise<void> {
  assertSelfOrAdmin(actor, customerId);
  if (actor.id !== customerId) await findLiveCustomer(db, customerId);
}

/** What the auth hook needs to accept a token, or undefined for a deleted or unknown customer. */
export function findTokenHolder(db: Db, id: number) {
  return repo.findTokenHolderById(db, id);
}

export function findCustomerForLogin(db: Db, username: string): Promise<CustomerRow | undefined> {
  return repo.findCustomerByUsername(db, username);
}

export interface BootstrapAdmin {
  username: string;
  /** Set only when the password was generated, so it can be shown once. */
  generatedPassword?: string;
}

/** On an empty database, creates the first admin; otherwise does nothing. */
export async function ensureBootstrapAdmin(
  db: Db,
  username: string,
  password: string | undefined,
): Promise<BootstrapAdmin | undefined> {
  if ((await repo.countCustomers(db)) > 0) return undefined;
  const generatedPassword = password === undefined ? randomBytes(18).toString('base64url') : undefined;
  try {
    await createCustomer(db, {
      customer_name: 'Administrator',
      email: `${username}@localhost.invalid`,
      username,
      password: password ?? generatedPassword!,
      role_id: ROLE_ADMIN,
    });
  } catch (error) {
    // Another process starting at the same moment created it first.
    if (error instanceof ConflictError) return undefined;
    throw error;
  }
  return { username, generatedPassword };
}

async function findLiveCustomer(db: Db, id: number): Promise<CustomerRow> {
  const row = await repo.findCustomerById(db, id);
  if (!row) throw new NotFoundError('Customer');
  return row;
}

/** Call inside the transaction that removes or demotes the admin. */
async function assertNotLastAdmin(trx: Db): Promise<void> {
  if ((await repo.lockLiveAdmins(trx)) <= 1) {
    throw new ConflictError('The last admin cannot be removed or demoted.', 'LAST_ADMIN');
  }
}

/** Runs a write and turns a unique-index violation into a 409 that names the taken field. */
async function withIdentityConflicts<T>(
  db: Db,
  identity: { username?: string; email?: string },
  exceptId: number,
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const taken = await repo.findTakenIdentity(db, identity.username, identity.email, exceptId);
    const field = taken.username ? 'username' : taken.email ? 'email' : 'username or email';
    throw new ConflictError(`That ${field} is already taken.`, 'DUPLICATE');
  }
}

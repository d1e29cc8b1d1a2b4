import { randomBytes } from 'node:crypto';
import type { CustomerRow, CustomerRowUpdate, Db, Queryable, Trx } from '../../db/database.js';
import { inTransaction } from '../../db/engine.js';
import { isUniqueViolation } from '../../db/errors.js';
import { type Actor, ROLE_ADMIN, ROLE_CUSTOMER, assertSelfOrAdmin, isAdmin } from '../../shared/access.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../shared/errors.js';
import { type HashingClients, hashPassword } from '../../shared/passwords.js';
import { recordEvent } from '../events/events.service.js';
import * as repo from './customers.repository.js';
import { pageCount } from '../../shared/schemas.js';
import type { CreateCustomerBody, CustomerResponse, ListCustomersQuery, UpdateCustomerBody } from './customers.schemas.js';

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

/** A new customer. The cheap checks come first: a taken username or email is a 409 before any hashing. */
export async function createCustomer(db: Db, input: CreateCustomerBody, clients: HashingClients): Promise<CustomerResponse> {
  await assertIdentityFree(db, input, 0);
  const now = new Date().toISOString();
  const passwordHash = await hashPassword(input.password, clients);
  // The customer and its customer.created event commit together, or neither does.
  return withIdentityConflicts(db, input, 0, () =>
    inTransaction(db, async (trx) => {
      const row = await repo.insertCustomer(trx, {
        customer_name: input.customer_name,
        email: input.email,
        phone: input.phone ?? null,
        username: input.username,
        password_hash: passwordHash,
        role_id: input.role_id ?? ROLE_CUSTOMER,
        created_at: now,
        updated_at: now,
      });
      const customer = toCustomerResponse(row);
      await recordEvent(trx, 'customer.created', { customer }, now);
      return customer;
    }),
  );
}

export async function listCustomers(db: Db): Promise<CustomerResponse[]> {
  return (await repo.listCustomers(db)).map(toCustomerResponse);
}

export async function pageCustomers(db: Db, query: ListCustomersQuery) {
  const [rows, total] = await Promise.all([
    repo.findCustomersPage(db, query.q, query.per_page, (query.page - 1) * query.per_page),
    repo.countLiveCustomers(db, query.q),
  ]);
  return { items: rows.map(toCustomerResponse), page: query.page, per_page: query.per_page, total, pages: pageCount(total, query.per_page) };
}

export async function getCustomer(db: Db, actor: Actor, id: number): Promise<CustomerResponse> {
  assertSelfOrAdmin(actor, id);
  return toCustomerResponse(await findLiveCustomer(db, id));
}

/**
 * What a change of one's own password, email or username must pass besides the customer's
 * own rules; the auth module provides it (it owns failed logins and throttles), so this
 * module does not depend on it.
 */
export interface SelfChangeGuard {
  /** Counts a caller's look-up of which usernames or emails are taken; 429 past the limit. */
  countIdentityProbe(actor: Actor, address: string): Promise<void>;
  /** 403 (counted as a failed login) unless `password` is the customer's own; 429 while its logins are throttled. */
  verifyCurrentPassword(customer: CustomerRow, password: string, address: string): Promise<void>;
}

export interface UpdateContext {
  guard: SelfChangeGuard;
  /** The caller's address, for throttles and the hashing share. */
  address: string;
}

/**
 * Any subset of a customer's fields. Changing one's own password, email or username needs
 * the current password; an admin changing another customer needs none. Every check runs
 * before any password is hashed, cheapest first, so a request that will fail costs no
 * hashing, and a new password is hashed only once everything else has passed.
 */
export async function updateCustomer(
  db: Db,
  actor: Actor,
  id: number,
  patch: UpdateCustomerBody,
  context: UpdateContext,
): Promise<CustomerResponse> {
  assertSelfOrAdmin(actor, id);
  if (patch.role_id !== undefined && patch.role_id !== actor.role_id && !isAdmin(actor)) {
    throw new ForbiddenError('Only an admin can change a role.');
  }
  const { password, current_password: currentPassword, ...fields } = patch;
  const ownCredentials = actor.id === id && (password !== undefined || fields.email !== undefined || fields.username !== undefined);
  const proof = ownCredentials ? requiredCurrentPassword(currentPassword) : undefined;
  const probesIdentity = fields.email !== undefined || fields.username !== undefined;
  if (probesIdentity && !isAdmin(actor)) await context.guard.countIdentityProbe(actor, context.address);
  const current = await findLiveCustomer(db, id);
  await assertIdentityFree(db, fields, id);
  if (proof !== undefined) await context.guard.verifyCurrentPassword(current, proof, context.address);

  const update: CustomerRowUpdate = { ...fields, updated_at: new Date().toISOString() };
  if (password !== undefined) update.password_hash = await hashPassword(password, [`address:${context.address}`, `customer:${actor.id}`]);
  const row = await withIdentityConflicts(db, fields, id, () =>
    inTransaction(db, async (trx) => {
      if (patch.role_id === ROLE_CUSTOMER) await assertNotLastAdmin(trx, id);
      // A new password ends every token issued before it.
      return repo.updateCustomerById(trx, id, update, password !== undefined);
    }),
  );
  if (!row) throw new NotFoundError('Customer');
  return toCustomerResponse(row);
}

/**
 * Soft delete, inside the caller's transaction: the row stays so its orders stay readable
 * (to admins); its tokens stop working. What else leaves with a customer (its cart) is the
 * use case's (use-cases/delete-customer.ts).
 */
export async function deleteCustomer(trx: Trx, actor: Actor, id: number): Promise<void> {
  assertSelfOrAdmin(actor, id);
  await assertNotLastAdmin(trx, id);
  const now = new Date().toISOString();
  const row = await repo.updateCustomerById(trx, id, { deleted_at: now, updated_at: now }, true);
  if (!row) throw new NotFoundError('Customer');
}

/**
 * The check for any route whose path or body names a customer: a customer may name only
 * itself (403 otherwise); an admin may name any live customer (404 for an unknown one).
 */
export async function assertMayActFor(db: Queryable, actor: Actor, customerId: number): Promise<void> {
  assertSelfOrAdmin(actor, customerId);
  if (actor.id !== customerId) await findLiveCustomer(db, customerId);
}

/** What the auth hook needs to accept a token, or undefined for a deleted or unknown customer. */
export function findTokenHolder(db: Db, id: number) {
  return repo.findTokenHolderById(db, id);
}

/** For the orders module: the cap on each customer's pending orders (see customers.repository). */
export const takePendingOrderSlot = repo.takePendingOrderSlot;
export const releasePendingOrderSlot = repo.releasePendingOrderSlot;
export const pendingRoomStep = repo.pendingRoomStep;
export const countPendingStep = repo.countPendingStep;

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
  const chosen = password ?? randomBytes(18).toString('base64url');
  try {
    await createCustomer(
      db,
      { customer_name: 'Administrator', email: `${username}@localhost.invalid`, username, password: chosen, role_id: ROLE_ADMIN },
      ['bootstrap'],
    );
  } catch (error) {
    // Another process starting at the same moment created it first.
    if (error instanceof ConflictError) return undefined;
    throw error;
  }
  return password === undefined ? { username, generatedPassword: chosen } : { username };
}

function requiredCurrentPassword(currentPassword: string | undefined): string {
  if (currentPassword === undefined) {
    throw new ValidationError('/body/current_password', 'is required to change your own password, email or username');
  }
  return currentPassword;
}

async function findLiveCustomer(db: Queryable, id: number): Promise<CustomerRow> {
  const row = await repo.findCustomerById(db, id);
  if (!row) throw new NotFoundError('Customer');
  return row;
}

/**
 * Refuses to remove or demote the last admin. When the customer is an admin, the live
 * admins' rows are locked and only then counted, so of two requests removing the last two
 * admins, the second sees the first's change. (One read as not an admin cannot be the last
 * admin: one promoted meanwhile has the locked admins beside it.)
 */
async function assertNotLastAdmin(trx: Trx, id: number): Promise<void> {
  if ((await repo.findCustomerById(trx, id))?.role_id !== ROLE_ADMIN) return;
  const admins = await repo.lockLiveAdmins(trx);
  if (admins.includes(id) && admins.length <= 1) {
    throw new ConflictError('The last admin cannot be removed or demoted.', 'LAST_ADMIN');
  }
}

/** 409 naming the field when a live customer other than `exceptId` holds the username or email. */
async function assertIdentityFree(db: Queryable, identity: { username?: string; email?: string }, exceptId: number): Promise<void> {
  const taken = await repo.findTakenIdentity(db, identity.username, identity.email, exceptId);
  if (taken.username || taken.email) {
    throw new ConflictError(`That ${taken.username ? 'username' : 'email'} is already taken.`, 'DUPLICATE');
  }
}

/**
 * Runs a write and turns a unique-index violation into a 409 that names the taken field:
 * the index decides when two requests claim one name at once, after assertIdentityFree let both through.
 */
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
    await assertIdentityFree(db, identity, exceptId);
    throw new ConflictError('That username or email is already taken.', 'DUPLICATE');
  }
}

import { ForbiddenError } from './errors.js';

export const ROLE_ADMIN = 1;
export const ROLE_CUSTOMER = 2;
export type RoleId = typeof ROLE_ADMIN | typeof ROLE_CUSTOMER;

/** Who is calling: set by the auth hook from a verified token and the live customer row. */
export interface Actor {
  id: number;
  role_id: RoleId;
}

export function isAdmin(actor: Actor): boolean {
  return actor.role_id === ROLE_ADMIN;
}

/** The one ownership rule: a customer acts only on itself; an admin on anyone. */
export function assertSelfOrAdmin(actor: Actor, customerId: number): void {
  if (actor.id !== customerId && !isAdmin(actor)) {
    throw new ForbiddenError('You may only act on your own account.');
  }
}

export function assertAdmin(actor: Actor): void {
  if (!isAdmin(actor)) throw new ForbiddenError('This needs an admin account.');
}

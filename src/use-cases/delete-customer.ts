import type { Db } from '../db/database.js';
import { inTransaction } from '../db/engine.js';
import type { Actor } from '../shared/access.js';
import { emptyCart } from '../modules/cart/cart.service.js';
import { deleteCustomer } from '../modules/customers/customers.service.js';

/**
 * A customer is deleted (by an admin, or by itself): it can no longer log in, its tokens
 * stop working and its cart is emptied, in one transaction; its orders stay, readable by
 * admins. The cart depends on customers, not the other way round, so this story lives
 * above both.
 */
export async function deleteCustomerAndCart(db: Db, actor: Actor, customerId: number): Promise<void> {
  await inTransaction(db, async (trx) => {
    await deleteCustomer(trx, actor, customerId);
    await emptyCart(trx, customerId);
  });
}

import type { Db } from '../db/database.js';
import { inTransaction } from '../db/engine.js';
import type { Actor } from '../shared/access.js';
import { deleteAddressBook } from '../modules/addresses/addresses.service.js';
import { emptyCart } from '../modules/cart/cart.service.js';
import { deleteCustomer } from '../modules/customers/customers.service.js';

/**
 * A customer is deleted (by an admin, or by itself): it can no longer log in, its tokens
 * stop working, its cart is emptied and its address book deleted (personal data it no
 * longer needs), in one transaction; its orders stay, readable by admins, with their own
 * copies of its addresses. The cart and the address book depend on customers, not the
 * other way round, so this story lives above them.
 */
export async function deleteCustomerAndCart(db: Db, actor: Actor, customerId: number): Promise<void> {
  await inTransaction(db, async (trx) => {
    await deleteCustomer(trx, actor, customerId);
    await emptyCart(trx, customerId);
    await deleteAddressBook(trx, customerId);
  });
}

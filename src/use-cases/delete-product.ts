import type { Db } from '../db/database.js';
import { inTransaction } from '../db/engine.js';
import { removeProductFromCarts } from '../modules/cart/cart.service.js';
import { deleteProduct, productsChanged } from '../modules/products/products.service.js';

/**
 * An admin deletes a product: it leaves the catalogue and every cart at once (one
 * transaction), while orders that hold it keep their copy of its name and price. The cart
 * depends on the catalogue, not the other way round, so this story lives above both.
 */
export async function deleteProductEverywhere(db: Db, productId: number): Promise<void> {
  // Cart lines first, then the product: the order a checkout locks them in, so the two cannot deadlock.
  await inTransaction(db, async (trx) => {
    await removeProductFromCarts(trx, productId);
    await deleteProduct(trx, productId);
  });
  productsChanged(db);
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileOnce } from '../../src/db/compile-once.js';
import { adminToken, buildTestApp, createProduct } from '../helpers/app.js';

// compileOnce binds values by name, read off the compiled SQL: two queries that state the
// same conditions in another order bind the same values to the same columns. (Bound by
// position, as it once was, the second would compare the name with the price.)

const byNameThenPrice = compileOnce((db, p: { name: string; cents: number }) =>
  db.selectFrom('products').select('id').where('product_name', '=', p.name).where('price_cents', '=', p.cents),
);
const byPriceThenName = compileOnce((db, p: { name: string; cents: number }) =>
  db.selectFrom('products').select('id').where('price_cents', '=', p.cents).where('product_name', '=', p.name),
);
const withAConstant = compileOnce((db, p: { id: number }) =>
  db.selectFrom('products').select('id').where('id', '=', p.id).where('product_name', '!=', 'never this name'),
);

test('when two compiled queries state their conditions in either order, then each binds every value to its own column', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const mug = await createProduct(app, admin, { product_name: 'Mug', price: 12.5 });
  await createProduct(app, admin, { product_name: 'Mug', price: 3 });

  for (let run = 0; run < 2; run += 1) {
    // The second run reuses the compiled SQL with new values.
    const values = { name: 'Mug', cents: 1250 };
    assert.deepEqual((await byNameThenPrice(app.db, values)).rows, [{ id: mug.id }], `run ${run}`);
    assert.deepEqual((await byPriceThenName(app.db, values)).rows, [{ id: mug.id }], `run ${run}`);
  }
  assert.deepEqual((await byPriceThenName(app.db, { name: 'Mug', cents: 1 })).rows, []);
  assert.deepEqual((await withAConstant(app.db, { id: mug.id })).rows, [{ id: mug.id }], 'a value that is no parameter stays a constant');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { adminToken, buildTestApp, call, createProduct, registerCustomer } from '../helpers/app.js';
import { onPostgres } from '../helpers/database.js';

const skip = !onPostgres && 'named prepared statements are a PostgreSQL matter (runs in the PostgreSQL pass)';

// One connection, so the statements the requests prepared are the ones the checks see.
const ONE_CONNECTION = { databasePoolSize: 1 };

test('when the API reads a product on PostgreSQL, then the statement is prepared once on the connection and reused', { skip }, async (t) => {
  const app = await buildTestApp(t, ONE_CONNECTION);
  const mug = await createProduct(app, await adminToken(app), { product_name: 'Mug', price: 4.5, stock: 3 });

  for (let i = 0; i < 3; i += 1) {
    const response = await call(app, 'GET', `/products/${mug.id}`);
    assert.equal(response.status, 200);
    assert.equal(response.body.product_name, 'Mug');
  }

  const prepared = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(app.db);
  const byId = prepared.rows.filter((row) => /from "products" where "id" = \$1/.test(row.statement));
  assert.equal(byId.length, 1, `one prepared product lookup, got: ${JSON.stringify(prepared.rows)}`);
});

test(
  'when a migration adds a column to products while the API runs, then reads and orders go on working',
  { skip },
  async (t) => {
    const app = await buildTestApp(t, ONE_CONNECTION);
    const admin = await adminToken(app);
    const mug = await createProduct(app, admin, { product_name: 'Mug', price: 4.5, stock: 3 });
    const { customer, token } = await registerCustomer(app);
    const order = { customer_id: customer.id, items: [{ product_id: mug.id, quantity: 1 }] };
    // Prepares the product reads of both paths: the lookup alone, and inside an order's transaction.
    assert.equal((await call(app, 'GET', `/products/${mug.id}`)).status, 200);
    assert.equal((await call(app, 'POST', '/orders', { token, body: order })).status, 201);

    // Their plans now return one column too few: PostgreSQL refuses to run them as they are.
    await sql`alter table products add column colour text`.execute(app.db);

    // The order first: its stale read aborts its transaction, which is run again.
    const placed = await call(app, 'POST', '/orders', { token, body: order });
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    assert.equal(placed.body.total, 4.5);
    const read = await call(app, 'GET', `/products/${mug.id}`);
    assert.equal(read.status, 200, JSON.stringify(read.body));
    assert.equal(read.body.stock, 1);

    // A lone read, outside a transaction, is run again at once: a second column makes it stale.
    await sql`alter table products add column size text`.execute(app.db);
    const again = await call(app, 'GET', `/products/${mug.id}`);
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.stock, 1);
  },
);

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { inTransaction } from '../../src/db/engine.js';
import { adminToken, buildTestApp, createProduct } from '../helpers/app.js';
import { onPostgres } from '../helpers/database.js';

test(
  'when two transactions deadlock on PostgreSQL, then the loser is retried and both complete',
  { skip: !onPostgres && 'deadlocks need row locks held across connections (runs in the PostgreSQL pass)' },
  async (t) => {
    const app = await buildTestApp(t);
    const token = await adminToken(app);
    const first = await createProduct(app, token, { stock: 100 });
    const second = await createProduct(app, token, { stock: 100 });
    let attempts = 0;

    // Each locks one row, waits for the other to lock its row, then wants the other's row:
    // PostgreSQL breaks the cycle with 40P01 and inTransaction runs the loser again.
    const takeBoth = (a: number, b: number) =>
      inTransaction(app.db, async (trx) => {
        attempts += 1;
        await sql`update products set stock = stock - 1 where id = ${a}`.execute(trx);
        await sql`select pg_sleep(0.2)`.execute(trx);
        await sql`update products set stock = stock - 1 where id = ${b}`.execute(trx);
      });
    await Promise.all([takeBoth(first.id, second.id), takeBoth(second.id, first.id)]);

    assert.ok(attempts >= 3, `one transaction was retried (attempts: ${attempts})`);
    const rows = await app.db.selectFrom('products').select('stock').where('id', 'in', [first.id, second.id]).execute();
    assert.deepEqual(rows.map((row) => row.stock), [98, 98]);
  },
);

// Fills the migrated database directly, far faster than through the API: one transaction of
// prepared inserts on SQLite, multi-row INSERT ... SELECT FROM unnest(...) batches on PostgreSQL.
// The columns are those of src/db/migrations; money is integer cents.
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
// The API's own hashing, so customers log in at exactly the cost real ones do.
import { hashPassword } from '../src/shared/passwords.js';
import type { BenchDatabase } from './database.js';

export const CUSTOMER_PASSWORD = 'bench customer password';
const CART_LINES_PER_CUSTOMER = 3;
/** Never runs out, however many orders a run places (the API's own maximum). */
const STOCK = 1_000_000_000;
const ROLE_CUSTOMER = 2;
const PG_BATCH_ROWS = 5_000;

const ADJECTIVES = ['red', 'blue', 'green', 'black', 'white', 'steel', 'wooden', 'glass', 'cotton', 'leather', 'tiny', 'large', 'classic', 'modern', 'vintage', 'smart'];
const NOUNS = ['mug', 'pen', 'lamp', 'chair', 'desk', 'shirt', 'shoe', 'bag', 'clock', 'bottle', 'plate', 'knife', 'towel', 'pillow', 'book', 'cable'];
/** Each matches about 1/16 of the catalogue's names. */
export const SEARCH_TERMS = [...ADJECTIVES, ...NOUNS];

export interface Catalogue {
  productIds: number[];
  customers: { id: number; username: string }[];
  seedMs: number;
}

interface ProductRow {
  product_name: string;
  description: string;
  price_cents: number;
  stock: number;
  created_at: string;
}

interface CustomerRow {
  customer_name: string;
  email: string;
  username: string;
  created_at: string;
}

interface CartRow {
  customer_id: number;
  product_id: number;
  quantity: number;
}

export async function seedCatalogue(
  database: BenchDatabase,
  counts: { products: number; customers: number },
): Promise<Catalogue> {
  const startedAt = performance.now();
  const random = mulberry32(20251125);
  const now = Date.now();
  const products = Array.from({ length: counts.products }, (_, i) => makeProduct(i, counts.products, now, random));
  const customers = Array.from({ length: counts.customers }, (_, i) => makeCustomer(i, now));
  const passwordHash = await hashPassword(CUSTOMER_PASSWORD, ['bench-seed']);
  const timestamp = new Date(now).toISOString();
  const seeded = { products, customers, passwordHash, timestamp, random };

  const catalogue =
    database.kind === 'sqlite' ? seedSqlite(database.path, seeded) : await seedPostgres(database.url, seeded);
  return { ...catalogue, seedMs: performance.now() - startedAt };
}

interface Seeded {
  products: ProductRow[];
  customers: CustomerRow[];
  passwordHash: string;
  timestamp: string;
  random: () => number;
}

function seedSqlite(path: string, seeded: Seeded): Omit<Catalogue, 'seedMs'> {
  const db = new SqliteDatabase(path);
  try {
    db.pragma('busy_timeout = 5000');
    const insertProduct = db.prepare(
      `insert into products (product_name, description, price_cents, stock, created_at, updated_at)
       values (@product_name, @description, @price_cents, @stock, @created_at, @created_at)`,
    );
    const insertCustomer = db.prepare(
      `insert into customers (customer_name, email, phone, username, password_hash, role_id, token_version, created_at, updated_at)
       values (@customer_name, @email, null, @username, ?, ${ROLE_CUSTOMER}, 0, @created_at, @created_at)`,
    );
    const insertCartLine = db.prepare(
      `insert into cart_items (customer_id, product_id, quantity, added_at) values (@customer_id, @product_id, @quantity, ?)`,
    );

    return db.transaction(() => {
      for (const product of seeded.products) insertProduct.run(product);
      for (const customer of seeded.customers) insertCustomer.run(seeded.passwordHash, customer);
      const productIds = db.prepare('select id from products order by id').pluck().all() as number[];
      const customers = db
        .prepare(`select id, username from customers where role_id = ${ROLE_CUSTOMER} order by id`)
        .all() as Catalogue['customers'];
      for (const line of cartLines(customers, productIds, seeded.random)) insertCartLine.run(seeded.timestamp, line);
      return { productIds, customers };
    })();
  } finally {
    db.close();
  }
}

async function seedPostgres(url: string, seeded: Seeded): Promise<Omit<Catalogue, 'seedMs'>> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query('begin');
    for (const batch of batches(seeded.products, PG_BATCH_ROWS)) {
      await db.query(
        `insert into products (product_name, description, price_cents, stock, created_at, updated_at)
         select n, d, p, s, c, c from unnest($1::text[], $2::text[], $3::bigint[], $4::integer[], $5::text[]) as t(n, d, p, s, c)`,
        [column(batch, 'product_name'), column(batch, 'description'), column(batch, 'price_cents'), column(batch, 'stock'), column(batch, 'created_at')],
      );
    }
    for (const batch of batches(seeded.customers, PG_BATCH_ROWS)) {
      await db.query(
        `insert into customers (customer_name, email, phone, username, password_hash, role_id, token_version, created_at, updated_at)
         select n, e, null, u, $4, ${ROLE_CUSTOMER}, 0, c, c from unnest($1::text[], $2::text[], $3::text[], $5::text[]) as t(n, e, u, c)`,
        [column(batch, 'customer_name'), column(batch, 'email'), column(batch, 'username'), seeded.passwordHash, column(batch, 'created_at')],
      );
    }
    const productIds = (await db.query<{ id: number }>('select id from products order by id')).rows.map((row) => row.id);
    const customers = (
      await db.query<{ id: number; username: string }>(`select id, username from customers where role_id = ${ROLE_CUSTOMER} order by id`)
    ).rows;
    for (const batch of batches(cartLines(customers, productIds, seeded.random), PG_BATCH_ROWS)) {
      await db.query(
        `insert into cart_items (customer_id, product_id, quantity, added_at)
         select c, p, q, $4 from unnest($1::integer[], $2::integer[], $3::integer[]) as t(c, p, q)`,
        [column(batch, 'customer_id'), column(batch, 'product_id'), column(batch, 'quantity'), seeded.timestamp],
      );
    }
    await db.query('commit');
    // What autovacuum would do soon after a bulk load; without it the first plans are guesses.
    await db.query('analyze');
    return { productIds, customers };
  } finally {
    await db.end();
  }
}

function makeProduct(i: number, count: number, now: number, random: () => number): ProductRow {
  const adjective = pick(ADJECTIVES, random);
  const noun = pick(NOUNS, random);
  return {
    product_name: `${adjective[0]?.toUpperCase()}${adjective.slice(1)} ${noun} ${i + 1}`,
    description: `A ${adjective} ${noun} for every day.`,
    price_cents: 99 + Math.floor(random() * 99_900),
    stock: STOCK,
    // One a minute, oldest first, so sort=-created_at has something to order.
    created_at: new Date(now - (count - i) * 60_000).toISOString(),
  };
}

function makeCustomer(i: number, now: number): CustomerRow {
  return {
    customer_name: `Bench Customer ${i + 1}`,
    email: `customer${i + 1}@bench.example`,
    username: `customer${i + 1}`,
    created_at: new Date(now).toISOString(),
  };
}

/** A few lines in every cart, so GET /cart/{id} has something to price. */
function cartLines(customers: { id: number }[], productIds: number[], random: () => number): CartRow[] {
  return customers.flatMap((customer) => {
    const chosen = new Set<number>();
    while (chosen.size < Math.min(CART_LINES_PER_CUSTOMER, productIds.length)) chosen.add(pick(productIds, random));
    return [...chosen].map((product_id) => ({ customer_id: customer.id, product_id, quantity: 1 + Math.floor(random() * 3) }));
  });
}

function* batches<T>(rows: T[], size: number): Generator<T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

function column<T, K extends keyof T>(rows: T[], key: K): T[K][] {
  return rows.map((row) => row[key]);
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** A small seeded generator, so every run seeds the same catalogue. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

import { pathToFileURL } from 'node:url';
import { Migrator, sql } from 'kysely';
import { loadConfigFromProcess } from '../config.js';
import { connectDatabase } from './connect.js';
import type { Db } from './database.js';
import { engineOf } from './engine.js';
import { migrations } from './migrations/index.js';

/** Applies every pending migration; throws (and applies nothing more) on the first failure. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    // Kysely looks for its bookkeeping tables in every schema; pin them to ours, or a
    // second schema in the same database (another shop, a test) would be mistaken for this one.
    migrationTableSchema: await currentPostgresSchema(db),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

async function currentPostgresSchema(db: Db): Promise<string | undefined> {
  if (engineOf(db).name !== 'postgres') return undefined;
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema;
}

// `npm run migrate`: apply pending migrations to DATABASE_URL and exit.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const db = await connectDatabase(loadConfigFromProcess());
  try {
    const applied = await migrateToLatest(db);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
  } finally {
    await db.destroy();
  }
}

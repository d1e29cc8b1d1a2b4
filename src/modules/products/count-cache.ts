import type { Db } from '../../db/database.js';

const TTL_MS = 1000;
const MAX_ENTRIES = 1000;

/**
 * Every page of the catalogue answers `total`, and counting live products scans an index
 * (milliseconds on 100,000 products: most of a page's cost). Counts are kept for a second
 * per database and filter, and dropped at once when this process changes a product; a
 * change made by another process shows in totals within that second.
 */
export class CountCache {
  private readonly byDb = new WeakMap<Db, Map<string, { total: number; until: number }>>();

  async get(db: Db, key: string, count: () => Promise<number>): Promise<number> {
    const counts = this.countsOf(db);
    const now = Date.now();
    const cached = counts.get(key);
    if (cached && cached.until > now) return cached.total;
    const total = await count();
    if (counts.size >= MAX_ENTRIES) counts.clear();
    counts.set(key, { total, until: now + TTL_MS });
    return total;
  }

  forget(db: Db): void {
    this.byDb.delete(db);
  }

  private countsOf(db: Db) {
    let counts = this.byDb.get(db);
    if (!counts) {
      counts = new Map();
      this.byDb.set(db, counts);
    }
    return counts;
  }
}

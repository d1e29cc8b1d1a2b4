import type { Db } from '../../db/database.js';

interface Entry<T> {
  value: Promise<T>;
  until: number;
}

/**
 * Facts about catalogue listings that cost a pass over many rows to work out and may be a
 * moment old: a listing's total, where its deep pages start. Each is kept for `ttlMs` per
 * database and key, worked out once for all the requests that ask at the same time, and
 * dropped at once when this process changes a product; a change made by another process
 * shows within `ttlMs`. A failed lookup is not kept.
 */
export class ListingCache<T> {
  private readonly byDb = new WeakMap<Db, Map<string, Entry<T>>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  get(db: Db, key: string, load: () => Promise<T>): Promise<T> {
    const entries = this.entriesOf(db);
    const now = Date.now();
    const cached = entries.get(key);
    if (cached && cached.until > now) return cached.value;
    const entry = { value: load(), until: now + this.ttlMs };
    if (entries.size >= this.maxEntries) entries.clear();
    entries.set(key, entry);
    entry.value.catch(() => {
      if (entries.get(key) === entry) entries.delete(key);
    });
    return entry.value;
  }

  forget(db: Db): void {
    this.byDb.delete(db);
  }

  private entriesOf(db: Db): Map<string, Entry<T>> {
    let entries = this.byDb.get(db);
    if (!entries) {
      entries = new Map();
      this.byDb.set(db, entries);
    }
    return entries;
  }
}

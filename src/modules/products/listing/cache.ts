import type { Db } from '../../../db/database.js';

interface Entry<T> {
  value: Promise<T>;
  until: number;
}

/**
 * A fact is kept this many times as long as working it out took, so that keeping any one
 * listing's facts fresh costs at most about 1% of the process's time, however large the
 * catalogue (a count that takes 70 ms is kept 7 s).
 */
const KEPT_PER_MS_OF_WORK = 100;

/**
 * Facts about catalogue listings that cost a pass over many rows to work out and may be a
 * moment old: a listing's total, where its deep pages start. Each is kept per database and
 * key for at least `minTtlMs` (longer when it was costly, see KEPT_PER_MS_OF_WORK), worked
 * out once for all the requests that ask meanwhile, and dropped at once when this process
 * changes a product; a change made by another process shows when the fact expires. A failed
 * lookup is not kept. `now` is the clock (tests give their own).
 */
export class ListingCache<T> {
  private readonly byDb = new WeakMap<Db, Map<string, Entry<T>>>();

  constructor(
    private readonly minTtlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(db: Db, key: string, load: () => Promise<T>): Promise<T> {
    const entries = this.entriesOf(db);
    const cached = entries.get(key);
    if (cached && cached.until > this.now()) return cached.value;
    const startedAt = this.now();
    // Shared by every request that asks while it is being worked out.
    const entry: Entry<T> = { value: load(), until: Number.POSITIVE_INFINITY };
    if (entries.size >= this.maxEntries) entries.clear();
    entries.set(key, entry);
    entry.value.then(
      () => {
        const took = this.now() - startedAt;
        entry.until = startedAt + Math.max(this.minTtlMs, took * KEPT_PER_MS_OF_WORK);
      },
      () => {
        if (entries.get(key) === entry) entries.delete(key);
      },
    );
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

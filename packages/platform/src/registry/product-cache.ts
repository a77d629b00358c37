import type { Database } from "../storage/database.js";

interface Entry<T> {
  revision: number;
  value: T;
}

/**
 * Product reads kept per store, keyed by the product's revision (every publish bumps it, ADR 0008).
 * An embedded store belongs to this one process, and every write goes through `publishProduct`,
 * which forgets the product once its transaction settles: reads are answered with no query at all.
 * A server store may have other replicas publishing, so a read first asks for the revision (one
 * primary-key lookup instead of four queries) and reloads when it moved.
 */
export class ProductCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  /** Bumped by every forget: a load that started before it must not store what it read. */
  private epoch = 0;

  constructor(
    /** True when every write to the store passes through this process (embedded PGlite). */
    readonly ownsWrites: boolean,
    // Documents are kilobytes each: a thousand of the most recently loaded products bound the memory.
    private readonly capacity = 1_000,
  ) {}

  /**
   * The cached value when it is still current, else `load()`'s. `revision()` reads the stored
   * revision (undefined: no such product); it is skipped when this process owns every write.
   */
  async read(
    id: string,
    revision: () => Promise<number | undefined>,
    load: () => Promise<{ revision: number; value: T }>,
  ): Promise<T> {
    const cached = this.entries.get(id);
    if (cached && this.ownsWrites) return cached.value;
    const epoch = this.epoch;
    if (cached && (await revision()) === cached.revision) return cached.value;
    const loaded = await load();
    if (epoch === this.epoch) this.store(id, loaded);
    return loaded.value;
  }

  forget(id: string): void {
    this.epoch++;
    this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }

  private store(id: string, entry: Entry<T>): void {
    this.entries.delete(id);
    this.entries.set(id, entry);
    // Maps keep insertion order: the first key is the one stored longest ago.
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}

const caches = new WeakMap<Database, ProductCache<unknown>>();

/** The product cache of one open store (created on first use). */
export function productCacheOf<T>(db: Database): ProductCache<T> {
  let cache = caches.get(db);
  if (!cache) {
    cache = new ProductCache<unknown>(db.driver === "pglite");
    caches.set(db, cache);
  }
  return cache as ProductCache<T>;
}

/** Called by every write to a product, after its transaction settled (committed or not). */
export function forgetProduct(db: Database, id: string): void {
  caches.get(db)?.forget(id);
}

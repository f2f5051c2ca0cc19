import { LRUCache } from 'lru-cache';

export type ReadCacheOutcome = 'hit' | 'stale_hit' | 'miss';

interface Entry {
  version: string;
  /** When the answer's read began (ms): it holds the marts as of then or later. */
  readAt: number;
  answer: object;
}

/**
 * Dashboard answers per replica, one per (view, tenant, query), each with the tenant's mart
 * version it was read at. An answer is served while the version is the same; with
 * `maxStalenessMs` > 0 also after a change, while it is younger than that (a tenant whose marts
 * change every second would otherwise never be served from the cache).
 */
export class ReadCache {
  private readonly entries: LRUCache<string, Entry>;

  constructor(
    maxEntries: number,
    private readonly maxStalenessMs: number,
  ) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  get(key: string, version: string, now: number): { outcome: ReadCacheOutcome; answer?: object } {
    const entry = this.entries.get(key);
    if (entry?.version === version) return { outcome: 'hit', answer: entry.answer };
    if (entry && now - entry.readAt < this.maxStalenessMs)
      return { outcome: 'stale_hit', answer: entry.answer };
    return { outcome: 'miss' };
  }

  /** Keeps an answer read from `readAt` at `version`, unless one read later is already kept. */
  set(key: string, version: string, readAt: number, answer: object): void {
    const kept = this.entries.peek(key);
    if (kept && kept.readAt > readAt) return;
    this.entries.set(key, { version, readAt, answer });
  }
}

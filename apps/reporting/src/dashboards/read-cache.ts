import { LRUCache } from 'lru-cache';

interface Entry {
  version: string;
  /** When the answer's read began (ms): it holds the marts as of then or later. */
  readAt: number;
  /** The latest time its version was seen current (ms): nothing it shows had changed then. */
  currentAt: number;
  answer: object;
}

/**
 * Dashboard answers per replica, one per (view, tenant, query), each with the version of what it
 * was read from. An answer is served while that version is current; with `maxStalenessMs` > 0 it is
 * also served without asking for the version, while it was current less than that long ago (a
 * tenant whose marts change every second would otherwise never be served from the cache, and
 * every read would still ask the database for the version).
 */
export class ReadCache {
  private readonly entries: LRUCache<string, Entry>;

  constructor(
    maxEntries: number,
    private readonly maxStalenessMs: number,
  ) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  /** The answer, if its version was current within the staleness allowed (none when that is 0). */
  recent(key: string, now: number): object | undefined {
    const entry = this.entries.get(key);
    return entry && now - entry.currentAt < this.maxStalenessMs ? entry.answer : undefined;
  }

  /** The answer, if it was read at `version`, which was current at `seenAt`. */
  get(key: string, version: string, seenAt: number): object | undefined {
    const entry = this.entries.get(key);
    if (entry?.version !== version) return undefined;
    entry.currentAt = Math.max(entry.currentAt, seenAt);
    return entry.answer;
  }

  /** Keeps an answer read from `readAt` at `version`, unless one read later is already kept. */
  set(key: string, version: string, readAt: number, answer: object): void {
    const kept = this.entries.peek(key);
    if (kept && kept.readAt > readAt) return;
    this.entries.set(key, { version, readAt, currentAt: readAt, answer });
  }
}

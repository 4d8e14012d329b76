/**
 * The in-function cache of a warm instance: serialised representations keyed
 * by the normalised upstream request, bounded by entries and bytes (LRU),
 * with a fresh TTL, stale-while-revalidate (served at once, refreshed in the
 * background), stale-if-error for a bounded time, and single-flight: any
 * number of concurrent misses for one key make one upstream call. Each
 * entry keeps the cache tags of what it holds as data, so that a change
 * can drop exactly the entries it concerns.
 *
 * The resilience/ layer holds generic mechanisms (this cache, the retry
 * policy, the circuit breaker) that know nothing of ButterCMS or Netlify;
 * it may import core/ and butter/failure.ts only.
 */

interface CacheTimes {
  /** Served without asking upstream. */
  ttlMs: number;
  /** After ttl: served at once while one background refresh runs. */
  staleWhileRevalidateMs: number;
  /** After ttl: served when a refresh fails. */
  staleIfErrorMs: number;
}

interface CacheOptions<T = unknown> extends CacheTimes {
  maxEntries: number;
  maxBytes: number;
  /** Whether a loaded value may be kept (default: always); one that may not is still returned. */
  keep?: (value: T) => boolean;
  now?: () => number;
}

type CacheOutcome = "hit" | "miss" | "stale" | "stale-if-error";

interface Entry<T> {
  value: T;
  tags: readonly string[];
  bytes: number;
  storedAt: number;
}

export class ResponseCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly inflight = new Map<string, { promise: Promise<T>; tags: readonly string[] }>();
  private totalBytes = 0;
  /** Bumped by every deletion, so a load started before a purge does not store its (older) value. */
  private generation = 0;
  private readonly now: () => number;

  constructor(
    private readonly options: CacheOptions<T>,
    private readonly sizeOf: (value: T) => number,
  ) {
    this.now = options.now ?? (() => Date.now());
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Whether anything (fresh or stale) is kept for `key`. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The value for `key` if it is fresh, without any async work (the hot path); else undefined. */
  peekFresh(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry || this.now() - entry.storedAt >= this.options.ttlMs) return undefined;
    this.touch(key, entry);
    return entry.value;
  }

  /** The value for `key` if it was stored less than `maxAgeMs` ago, fresh or not; else undefined. */
  peekWithin(key: string, maxAgeMs: number): T | undefined {
    const entry = this.entries.get(key);
    if (!entry || this.now() - entry.storedAt >= maxAgeMs) return undefined;
    this.touch(key, entry);
    return entry.value;
  }

  /**
   * The value for `key`, loading it at most once at a time. `background`
   * receives the refresh promise of a stale hit (e.g. `context.waitUntil`).
   */
  async get(
    key: string,
    load: () => Promise<T>,
    background: (work: Promise<unknown>) => void = () => {},
    tags: readonly string[] = [],
  ): Promise<{ value: T; outcome: CacheOutcome }> {
    const entry = this.entries.get(key);
    const age = entry ? this.now() - entry.storedAt : Number.POSITIVE_INFINITY;
    if (entry && age < this.options.ttlMs) {
      this.touch(key, entry);
      return { value: entry.value, outcome: "hit" };
    }
    if (entry && age < this.options.ttlMs + this.options.staleWhileRevalidateMs) {
      this.touch(key, entry);
      // The refresh's failure is already logged by whoever maps it; the stale copy stays.
      background(this.load(key, load, tags).catch(() => undefined));
      return { value: entry.value, outcome: "stale" };
    }
    try {
      return { value: await this.load(key, load, tags), outcome: "miss" };
    } catch (error) {
      const current = this.entries.get(key);
      if (current && this.now() - current.storedAt < this.options.ttlMs + this.options.staleIfErrorMs) {
        return { value: current.value, outcome: "stale-if-error" };
      }
      throw error;
    }
  }

  /** Drops every entry (and load in flight) that carries `tag`; returns how many entries. */
  deleteTagged(tag: string): number {
    let dropped = 0;
    this.generation += 1;
    for (const [key, { tags }] of [...this.inflight]) if (tags.includes(tag)) this.inflight.delete(key);
    for (const [key, entry] of [...this.entries]) {
      if (entry.tags.includes(tag)) {
        this.remove(key);
        dropped += 1;
      }
    }
    return dropped;
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
    this.inflight.clear();
    this.totalBytes = 0;
  }

  private load(key: string, load: () => Promise<T>, tags: readonly string[]): Promise<T> {
    const running = this.inflight.get(key);
    if (running) return running.promise;
    const generation = this.generation;
    const promise = load()
      .then((value) => {
        const keep = this.options.keep?.(value) ?? true;
        if (keep && generation === this.generation) this.store(key, value, tags);
        return value;
      })
      .finally(() => {
        if (this.inflight.get(key)?.promise === promise) this.inflight.delete(key);
      });
    this.inflight.set(key, { promise, tags });
    return promise;
  }

  private touch(key: string, entry: Entry<T>): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
  }

  private store(key: string, value: T, tags: readonly string[]): void {
    const bytes = this.sizeOf(value);
    this.remove(key);
    if (bytes > this.options.maxBytes) return;
    this.entries.set(key, { value, tags, bytes, storedAt: this.now() });
    this.totalBytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.options.maxEntries && this.totalBytes <= this.options.maxBytes) break;
      this.entries.delete(oldest);
      this.totalBytes -= entry.bytes;
    }
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
  }
}

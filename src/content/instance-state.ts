/**
 * What one warm instance keeps between requests, in one place: its response
 * cache (tags kept as data), its view of the shared site state, and the
 * hooks that drop derived state when a locale's generation moves or when a
 * test resets the instance. Everything else in content/ that an instance
 * holds (indexes, change effects) registers here.
 */
import type { Representation } from "../http/representation.ts";
import { ResponseCache } from "../resilience/response-cache.ts";
import { SiteStateView } from "./site-state.ts";

/** In-function cache lifetimes; short, so an instance that cannot see Blobs does not serve old copies for long. */
export const CACHE_TIMES = {
  ttlMs: 30_000,
  staleWhileRevalidateMs: 300_000,
  staleIfErrorMs: 86_400_000,
};
const CACHE_BOUNDS = { maxEntries: 500, maxBytes: 16 * 1024 * 1024 };

/** A representation, or `null` for "ButterCMS has no such thing" (worth caching too). */
export type CachedRead = Representation | null;

const sizeOf = (value: CachedRead) => (value ? value.body.length + value.etag.length : 16);
/** Copies not known to be current are served, never kept: the next request tries again. */
const keep = (value: CachedRead) => !value?.freshness || value.freshness.kind === "current";

export const siteState = new SiteStateView();
export const responseCache = new ResponseCache<CachedRead>({ ...CACHE_TIMES, ...CACHE_BOUNDS, keep }, sizeOf);

const generationListeners: ((localeKey: string) => void)[] = [];
const resetListeners: (() => void)[] = [];

/** What a generation change of a locale drops in this instance: everything derived from its posts. */
export function onGenerationChange(listener: (localeKey: string) => void): void {
  generationListeners.push(listener);
}

/** State to forget when the instance is reset (tests, benchmarks). */
export function onInstanceReset(listener: () => void): void {
  resetListeners.push(listener);
}

siteState.onChange((previous, next) => {
  for (const [localeKey, generation] of Object.entries(next.generations)) {
    if (previous.generations[localeKey] === generation) continue;
    for (const listener of generationListeners) listener(localeKey);
  }
});

/** Forgets all instance state: cache entries, shared-state view, and whatever registered. For tests and benchmarks. */
export function resetInstanceState(): void {
  responseCache.clear();
  siteState.reset();
  for (const listener of resetListeners) listener();
}

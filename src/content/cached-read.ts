/**
 * The content/ layer: how the backend obtains ButterCMS content, as a whole
 * (docs/architecture.md, "Caching layers"). Above resilience/ (generic
 * mechanisms) and below blog/ (what each endpoint answers); it may import
 * core/, butter/, http/representation.ts, resilience/ and netlify/.
 *
 * This module is one instance's cached read: its response cache in front
 * (tags kept as data), ButterCMS behind `callButter`, the shared site state
 * checked at most every STATE_CHECK_MS (a new generation of a locale drops
 * this instance's entries for it), and the last-known-good copy in Blobs
 * when ButterCMS fails and the instance has nothing. Preview reads skip all
 * of it: they never read or write shared entries or Blobs.
 */
import { ButterFailure } from "../butter/failure.ts";
import type { Config } from "../core/config.ts";
import { notFound } from "../core/errors.ts";
import { log } from "../core/log.ts";
import type { Representation } from "../http/representation.ts";
import { openSharedStore, type SharedStore } from "../netlify/blobs.ts";
import { type FunctionContext, runInBackground } from "../netlify/context.ts";
import { ResponseCache } from "../resilience/response-cache.ts";
import type { LocaleKey } from "./cache-tags.ts";
import { forgetChangeRecords, unchangedSince } from "./change-records.ts";
import { completeOwedPurge } from "./owed-purge.ts";
import {
  claimRefresh,
  refreshedCopy,
  releaseClaim,
  SHARED_COPY_MAX_AGE_MS,
  type SharedCopyKey,
  type StoredCopy,
  shareCopy,
  sharedCopy,
  storedCopy,
} from "./shared-copies.ts";
import { SiteStateView } from "./site-state.ts";
import { callButter, resetBreaker } from "./upstream.ts";

/** In-function cache lifetimes; short, so an instance that cannot see Blobs does not serve old copies for long. */
export const CACHE_TIMES = {
  ttlMs: 30_000,
  staleWhileRevalidateMs: 300_000,
  staleIfErrorMs: 86_400_000,
};
export const CACHE_BOUNDS = { maxEntries: 500, maxBytes: 16 * 1024 * 1024 };

/** A representation, or `null` for "ButterCMS has no such thing" (worth caching too). */
export type CachedRead = Representation | null;

/**
 * How current what is served is known to be: `current` (this instance saw
 * the shared state within STATE_CHECK_MS), `unverified` (it could not:
 * short CDN lifetime), or a last-known-good copy from Blobs (ButterCMS
 * failed), with when ButterCMS gave it.
 */
export type Freshness =
  | { kind: "current" }
  | { kind: "unverified" }
  | { kind: "last-known-good"; since: string };

export interface Served {
  representation: Representation;
  freshness: Freshness;
}

/** What a read endpoint answers from: a representation, how current it is, and whether it is a preview. */
export interface ReadResult {
  representation: Representation;
  /** Default: current. */
  freshness?: Freshness;
  /** Preview responses must never reach a shared cache. */
  preview?: boolean;
}

const sizeOf = (value: CachedRead) => (value ? value.body.length + value.etag.length : 16);

export const siteState = new SiteStateView();
/** Copies not known to be current are served, never kept: the next request tries again. */
const keep = (value: CachedRead) => !value || (!value.staleSince && !value.unverified);
export const responseCache = new ResponseCache<CachedRead>({ ...CACHE_TIMES, ...CACHE_BOUNDS, keep }, sizeOf);

/** What a generation change of a locale drops in this instance: everything derived from its posts. */
const generationListeners: ((localeKey: string) => void)[] = [];
export function onGenerationChange(listener: (localeKey: string) => void): void {
  generationListeners.push(listener);
}

siteState.onChange((previous, next) => {
  for (const [localeKey, generation] of Object.entries(next.generations)) {
    if (previous.generations[localeKey] === generation) continue;
    for (const listener of generationListeners) listener(localeKey);
  }
});

/** Forgets all instance state: cache entries, breaker, shared-state view. For tests and benchmarks. */
export function resetInstanceState(): void {
  responseCache.clear();
  resetBreaker();
  siteState.reset();
  forgetChangeRecords();
  for (const listener of resetListeners) listener();
}
const resetListeners: (() => void)[] = [];
export function onInstanceReset(listener: () => void): void {
  resetListeners.push(listener);
}

export interface ReadScope {
  config: Config;
  context: FunctionContext;
}

/**
 * The shared state, read at most every STATE_CHECK_MS. Also the moment an
 * instance completes a CDN purge that is owed (in the background).
 */
export async function checkSiteState(scope: ReadScope): Promise<Freshness> {
  if (siteState.isCurrent()) return CURRENT;
  const store = openSharedStore(scope.config.content.storeName);
  if (!store) return UNVERIFIED; // no Blobs here at all (plain tests, benchmarks)
  const view = await siteState.current(store);
  if (view.state.owedPurge && view.state.owedPurge.nextAt <= Date.now()) {
    runInBackground(scope.context, completeOwedPurge(store, siteState));
  }
  return view.verified ? CURRENT : UNVERIFIED;
}

const CURRENT: Freshness = { kind: "current" };
/**
 * A response built this long after the shared state was last seen may come
 * from before a publish whose second purge (SECOND_PURGE_DELAY_MS after the
 * webhook) has already passed: it gets the short CDN lifetime.
 */
const LATE_AFTER_MS = 3_000;
const UNVERIFIED: Freshness = { kind: "unverified" };

/** One ButterCMS call through the quota gate, retries and breaker. */
export const fromButter = <T>(config: Config, call: () => Promise<T>): Promise<T> =>
  callButter(config, siteState, call);

export interface ReadOptions extends ReadScope {
  /** The normalised request: equal requests must give equal keys. */
  key: string;
  /** The cache tags of what is read (`Representation.tags`), kept with the entry. */
  tags: readonly string[];
  /** Where every instance shares this answer (and finds it during outages); none for post reads. */
  shared?: SharedCopyKey | undefined;
}

/** The generation of the locale a copy embeds posts of (0 for none), and the last unpublish's. */
function generationsOf(locale: LocaleKey | null): { current: number; removed: number } {
  if (locale === null) return { current: 0, removed: 0 };
  const { state } = siteState.peek();
  return { current: state.generations[locale] ?? 0, removed: state.removals?.[locale] ?? 0 };
}

/**
 * A copy is current at its own generation, and at a later one when no change
 * in between can have altered it (change-records.ts): a publish then costs
 * no ButterCMS call for the searches and filtered feeds it cannot touch.
 */
async function stillCurrent(
  store: SharedStore,
  shared: SharedCopyKey,
  copy: StoredCopy,
  generation: number,
): Promise<boolean> {
  if (copy.generation === generation) return true;
  if (!shared.dependsOn || shared.locale === null || copy.generation > generation) return false;
  const refs = siteState.peek().state.changes?.[shared.locale] ?? [];
  const range = { from: copy.generation, to: generation };
  return unchangedSince(store, refs, range, shared.dependsOn, copy.representation.body);
}

/**
 * The shared copy while ButterCMS fails: any generation since the locale's
 * last unpublish (older ones may still list a post that is gone), or null.
 */
async function lastKnownGood(config: Config, shared: SharedCopyKey): Promise<Served | null> {
  const store = config.content.lastKnownGood ? openSharedStore(config.content.storeName) : null;
  if (!store) return null;
  const copy = await sharedCopy(store, shared);
  if (!copy || copy.generation < generationsOf(shared.locale).removed) return null;
  return {
    representation: copy.representation,
    freshness: { kind: "last-known-good", since: copy.fetchedAt },
  };
}

/** Whether a failure is ButterCMS failing (served from last-known-good) rather than answering. */
export const isOutage = (error: unknown): boolean => error instanceof ButterFailure && !error.isNotFound;

/**
 * A public read: this instance's fresh copy, else a load through the
 * response cache (single flight, stale-while-revalidate, stale-if-error),
 * else the last-known-good copy in Blobs when ButterCMS fails.
 */
export async function read(options: ReadOptions, load: () => Promise<CachedRead>): Promise<Served | null> {
  const { shared } = options;
  const store = shared ? openSharedStore(options.config.content.storeName) : null;
  // Nothing here for this key and the shared state due: read both at once (one round trip when cold).
  let prefetched =
    shared && store && !siteState.isCurrent() && !responseCache.has(options.key)
      ? storedCopy(store, shared) // never rejects: a slot that cannot be read counts as empty
      : undefined;
  const checked = siteState.isCurrent() ? CURRENT : await checkSiteState(options);
  const seenAt = siteState.peek().checkedAt;
  const fresh = responseCache.peekFresh(options.key);
  if (fresh !== undefined) return fresh && { representation: fresh, freshness: checked };
  const loadAndKeep = async () => {
    if (!shared || !store) return load();
    // Another instance may have asked ButterCMS already for this generation.
    const generation = generationsOf(shared.locale).current;
    const early = prefetched;
    prefetched = undefined;
    const lookup = await (early ?? storedCopy(store, shared));
    const stored = lookup.own;
    const copy = stored?.value;
    const age = copy ? Date.now() - Date.parse(copy.fetchedAt) : Number.POSITIVE_INFINITY;
    if (copy && age < SHARED_COPY_MAX_AGE_MS && (await stillCurrent(store, shared, copy, generation))) {
      return copy.representation;
    }
    if (stored && !(await claimRefresh(store, stored))) {
      const refreshed = await refreshedCopy(store, stored, generation);
      return refreshed ?? { ...stored.value.representation, unverified: true };
    }
    let value: CachedRead;
    try {
      value = await load();
    } catch (error) {
      if (stored) runInBackground(options.context, releaseClaim(store, stored));
      throw error;
    }
    if (value) runInBackground(options.context, shareCopy(store, shared, value, generation, lookup));
    return value;
  };
  try {
    const { value, outcome } = await responseCache.get(
      options.key,
      loadAndKeep,
      (work) => runInBackground(options.context, work),
      options.tags,
    );
    if (outcome === "stale-if-error") {
      log("warn", "ButterCMS failed; served this instance's stale copy", { key: options.key });
      return value && { representation: value, freshness: UNVERIFIED };
    }
    // A slow load may have started from a view older than the webhook's second purge: keep it short.
    const freshness = Date.now() - seenAt > LATE_AFTER_MS ? UNVERIFIED : checked;
    return value && { representation: value, freshness };
  } catch (error) {
    if (!shared || !isOutage(error)) throw error;
    const copy = await lastKnownGood(options.config, shared);
    if (!copy) throw error;
    log("warn", "ButterCMS failed; served the last-known-good copy from Netlify Blobs", { key: options.key });
    return copy;
  }
}

/** `read` for loads that always produce a representation (lists, searches, feeds). */
export async function readExisting(
  options: ReadOptions,
  load: () => Promise<Representation>,
): Promise<Served> {
  const served = await read(options, load);
  if (!served) throw notFound();
  return served;
}

/** `null` when the error is ButterCMS's 404, so "not found" is cached like any answer. */
export async function nullIfNotFound<T>(work: Promise<T>): Promise<T | null> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof ButterFailure && error.isNotFound) return null;
    throw error;
  }
}

/** A stable key for a request: the operation and its params, sorted. */
export function requestKey(op: string, params: Record<string, unknown>): string {
  const pairs = Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== null)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`);
  return `${op}?${pairs.join("&")}`;
}

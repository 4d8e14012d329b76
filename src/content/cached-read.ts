/**
 * The content/ layer: how the backend obtains ButterCMS content, as a whole
 * (docs/architecture.md, "Caching layers"). Above resilience/ (generic
 * mechanisms) and below blog/ (what each endpoint answers); it may import
 * core/, butter/, http/, resilience/ and netlify/.
 *
 * This module is a public read: this instance's response cache in front,
 * then the shared copy in Blobs if the read has one (current at this
 * generation, or unaltered since: copy-dependency.ts), then ButterCMS; and
 * when ButterCMS fails, the last-known-good copy (last-known-good.ts).
 * Preview reads never come here: they never read or write shared entries.
 */
import { required } from "../core/config.ts";
import { notFound } from "../core/errors.ts";
import { log } from "../core/log.ts";
import { CURRENT, type Freshness, lastKnownGood, UNVERIFIED } from "../http/freshness.ts";
import { marked, type Representation } from "../http/representation.ts";
import { openSharedStore, type SharedStore } from "../netlify/blobs.ts";
import { runInBackground } from "../netlify/context.ts";
import { unaltered } from "./copy-dependency.ts";
import { recordsBetween } from "./index-changes.ts";
import { type CachedRead, responseCache, siteState } from "./instance-state.ts";
import { withoutRemoved } from "./last-known-good.ts";
import type { LocaleKey } from "./locale.ts";
import type { ReadScope } from "./read-scope.ts";
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
import { readSiteState } from "./site-state.ts";
import { checkSiteState, knownSiteState } from "./state-check.ts";
import { isOutage } from "./upstream.ts";

export type { ReadScope } from "./read-scope.ts";

/** What a read endpoint answers from: a representation (with its freshness), and whether it is a preview. */
export interface ReadResult {
  representation: Representation;
  /** Preview responses must never reach a shared cache. */
  preview?: boolean;
}

/**
 * A response built this long after the shared state was last seen may come
 * from before a publish whose second purge (SECOND_PURGE_DELAY_MS after the
 * webhook) has already passed: it gets the short CDN lifetime.
 */
const LATE_AFTER_MS = 3_000;
/** The least time a last-known-good read gets once ButterCMS has failed: the alternative is an error. */
const LAST_KNOWN_GOOD_MIN_WAIT_MS = 2_000;

/** A read this instance caches under `key`. */
interface InstanceRead extends ReadScope {
  /** The normalised request: equal requests must give equal keys. */
  key: string;
  /** The cache tags of what is read (`Representation.tags`), kept with the entry. */
  tags: readonly string[];
}

interface ReadOptions extends InstanceRead {
  /** Where every instance shares this answer (and finds it during outages); none for post reads. */
  shared?: SharedCopyKey | undefined;
}

const generationOf = (locale: LocaleKey | null): number =>
  locale === null ? 0 : (siteState.peek().state.generations[locale] ?? 0);

/**
 * A copy is current at its own generation, and at a later one when the
 * change records in between say no change can have altered it.
 */
async function stillCurrent(store: SharedStore, shared: SharedCopyKey, copy: StoredCopy, generation: number) {
  if (copy.generation === generation) return true;
  const { dependsOn, locale } = shared;
  if (!dependsOn || locale === null || copy.generation > generation) return false;
  const refs = siteState.peek().state.changes?.[locale] ?? [];
  const records = await recordsBetween(store, refs, copy.generation, generation).catch(() => null);
  return records?.every((record) => unaltered(record.effects, dependsOn)) ?? false;
}

/**
 * The shared copy while ButterCMS fails, without the posts removed since it
 * was made; null when there is none or it cannot be made so. The read gets
 * the time left before the request's deadline.
 */
async function lastKnownGoodCopy(options: ReadOptions, shared: SharedCopyKey, startedAt: number) {
  const { config } = options;
  const store = config.content.lastKnownGood ? openSharedStore(config.content.storeName) : null;
  if (!store) return null;
  const left = required(config.upstream).deadlineMs - (Date.now() - startedAt);
  const patient = { timeoutMs: Math.max(LAST_KNOWN_GOOD_MIN_WAIT_MS, left) };
  // Never seen the shared state here: the posts removed lately are not known without it.
  if (siteState.peek().checkedAt === 0) {
    const state = await readSiteState(store, patient).catch(() => null);
    if (!state) return null;
    siteState.adopt(state);
  }
  const copy = await sharedCopy(store, shared, patient);
  if (!copy) return null;
  const representation = withoutRemoved(shared, copy, removalsOf(shared));
  return representation && marked(representation, lastKnownGood(copy.fetchedAt));
}

/** The posts of the copy's locale removed lately, as this instance last saw the shared state. */
const removalsOf = (shared: SharedCopyKey) =>
  shared.locale === null ? [] : (siteState.peek().state.removed?.[shared.locale] ?? []);

/**
 * Where there is no Blobs at all (plain tests, benchmarks), `unverified`
 * only says so: the copy is as current as the instance's own index it came
 * from, rebuilt every CACHE_TIMES.ttlMs, so it is kept like a current one
 * (and still served unverified, `checked` says so). A last-known-good copy
 * stays marked and is never kept.
 */
const keptAsCurrent = (value: CachedRead): CachedRead =>
  value?.freshness?.kind === "unverified" ? { ...value, freshness: undefined } : value;

/** The instance-cache key each representation was answered from (`answerKey`). */
const answeredFrom = new WeakMap<Representation, string>();

function answered(key: string, representation: Representation): Representation {
  answeredFrom.set(representation, key);
  return representation;
}

/**
 * The hot path of every public read, without any I/O: this instance's
 * fresh copy of `key` when the shared state was seen within STATE_CHECK_MS
 * (or there is no Blobs at all), marked as current as that view; undefined
 * when it takes more (`null`: ButterCMS has no such thing). Its caller
 * knows `key` already: the answer is not recorded for `answerKey`.
 */
export function cachedAnswer(scope: ReadScope, key: string): Representation | null | undefined {
  const known = knownSiteState(scope);
  if (!known) return undefined;
  const hit = responseCache.peekFresh(key);
  return hit === undefined ? undefined : hit && marked(hit, known);
}

/**
 * The instance-cache key a representation was answered from: what a
 * request that asks the same again can go to at once (`cachedAnswer`).
 */
export const answerKey = (representation: Representation): string | undefined =>
  answeredFrom.get(representation);

/**
 * What a read with a shared copy adds to the instance's read: the stored
 * copy read alongside the state check, the copy itself when it is still
 * current (else one instance asks ButterCMS and shares its answer), and the
 * last-known-good copy when ButterCMS fails. Only `readExisting` brings it:
 * functions that never share a copy (the posts) do not carry it.
 */
interface Sharing {
  /** Starts reading the stored copy (a cold instance: alongside the state check). */
  prefetch(): void;
  load(load: () => Promise<CachedRead>): Promise<CachedRead>;
  lastKnownGood(startedAt: number): Promise<Representation | null>;
}

function sharing(options: ReadOptions, shared: SharedCopyKey, store: SharedStore): Sharing {
  let prefetched: ReturnType<typeof storedCopy> | undefined;
  return {
    prefetch() {
      prefetched = storedCopy(store, shared); // never rejects: a slot that cannot be read counts as empty
    },
    async load(load) {
      // Another instance may have asked ButterCMS already for this generation.
      const generation = generationOf(shared.locale);
      const early = prefetched;
      prefetched = undefined;
      const lookup = await (early ?? storedCopy(store, shared));
      const stored = lookup.own;
      const copy = stored?.value;
      const age = copy ? Date.now() - Date.parse(copy.fetchedAt) : Number.POSITIVE_INFINITY;
      // A view that never saw the shared state knows no generation: no copy can be judged current by it.
      const judged = siteState.peek().checkedAt > 0;
      if (
        copy &&
        judged &&
        age < SHARED_COPY_MAX_AGE_MS &&
        (await stillCurrent(store, shared, copy, generation))
      ) {
        return copy.representation;
      }
      const claimed = stored !== null && (await claimRefresh(store, stored));
      if (stored && !claimed) {
        const refreshed = await refreshedCopy(store, stored, generation);
        if (refreshed) return refreshed;
        // Not refreshed in time: the old copy, short-lived, but never with a post removed since it was made.
        const old = withoutRemoved(shared, stored.value, removalsOf(shared));
        if (old) return marked(old, UNVERIFIED);
      }
      let value: CachedRead;
      try {
        value = await load();
      } catch (error) {
        if (stored && claimed) runInBackground(options.context, releaseClaim(store, stored));
        throw error;
      }
      if (value) runInBackground(options.context, shareCopy(store, shared, value, generation, lookup));
      return value;
    },
    lastKnownGood: (startedAt) => lastKnownGoodCopy(options, shared, startedAt),
  };
}

/**
 * A public read: this instance's fresh copy, else a load through the
 * response cache (single flight, stale-while-revalidate, stale-if-error),
 * with `withSharing` what a shared copy adds. The representation carries
 * its freshness.
 */
async function readThrough(
  options: InstanceRead,
  load: () => Promise<CachedRead>,
  withSharing?: (store: SharedStore) => Sharing,
): Promise<Representation | null> {
  const hit = cachedAnswer(options, options.key);
  if (hit !== undefined) return hit;
  const startedAt = Date.now();
  const blobs = openSharedStore(options.config.content.storeName);
  const shared = blobs && withSharing ? withSharing(blobs) : null;
  // Nothing here for this key and the shared state due: read both at once (one round trip when cold).
  if (shared && !siteState.isCurrent() && !responseCache.has(options.key)) shared.prefetch();
  const checked: Freshness = siteState.isCurrent() ? CURRENT : await checkSiteState(options);
  const seenAt = siteState.peek().checkedAt;
  const fresh = responseCache.peekFresh(options.key);
  if (fresh !== undefined) return fresh && answered(options.key, marked(fresh, checked));
  if (blobs && checked.kind === "unverified") {
    // Blobs failing: no instance can learn of a change, nor share a copy. This instance's own copy is
    // trusted as long as a shared one would be, short-lived at the CDN, rather than asking ButterCMS
    // again every CACHE_TIMES.ttlMs on every instance (docs/architecture.md, "Outages").
    const held = responseCache.peekWithin(options.key, SHARED_COPY_MAX_AGE_MS);
    if (held !== undefined) return held && marked(held, UNVERIFIED);
  }
  const loadAndShare = async (): Promise<CachedRead> => {
    // Without Blobs at all nothing can ever be verified: kept like a current copy, served unverified.
    if (!blobs) return keptAsCurrent(await load());
    return shared ? shared.load(load) : load();
  };
  try {
    const { value, outcome } = await responseCache.get(
      options.key,
      loadAndShare,
      (work) => runInBackground(options.context, work),
      options.tags,
    );
    if (outcome === "stale-if-error") {
      log("warn", "butter.stale_copy_served", "ButterCMS failed; served this instance's stale copy", {
        key: options.key,
      });
      return value && marked(value, UNVERIFIED);
    }
    // A slow load may have started from a view older than the webhook's second purge: keep it short.
    const freshness = Date.now() - seenAt > LATE_AFTER_MS ? UNVERIFIED : checked;
    return value && answered(options.key, marked(value, freshness));
  } catch (error) {
    if (!shared || !isOutage(error)) throw error;
    const copy = await shared.lastKnownGood(startedAt);
    if (!copy) throw error;
    log(
      "warn",
      "butter.last_known_good_served",
      "ButterCMS failed; served the last-known-good copy from Netlify Blobs",
      {
        key: options.key,
        since: copy.freshness?.kind === "last-known-good" ? copy.freshness.since : undefined,
      },
    );
    return copy;
  }
}

/** A public read with no shared copy (a post, a list page: the index and the post store share them). */
export function read(options: InstanceRead, load: () => Promise<CachedRead>): Promise<Representation | null> {
  return readThrough(options, load);
}

/**
 * A public read for loads that always produce a representation (term
 * lists, searches, feeds), through its shared copy when it has one, and
 * from its last-known-good copy when ButterCMS fails.
 */
export async function readExisting(options: ReadOptions, load: () => Promise<Representation>) {
  const { shared } = options;
  const served = await readThrough(
    options,
    load,
    shared ? (store) => sharing(options, shared, store) : undefined,
  );
  if (!served) throw notFound();
  return served;
}

/** A stable key for a request: the operation and its params, sorted. */
export function requestKey(op: string, params: Record<string, unknown>): string {
  // On every request, warm hits too: one pass, and most names and values need no encoding.
  let key = `${op}?`;
  let first = true;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    if (value === undefined || value === null) continue;
    key += `${first ? "" : "&"}${encoded(name)}=${encoded(String(value))}`;
    first = false;
  }
  return key;
}

/** What `encodeURIComponent` leaves as it is. */
const UNRESERVED = /^[\w.!~*'()-]*$/;
const encoded = (text: string): string => (UNRESERVED.test(text) ? text : encodeURIComponent(text));

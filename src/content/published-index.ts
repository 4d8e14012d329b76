/**
 * The published index of a locale, as one instance holds it: every
 * published post without its body, in ButterCMS's order. List pages,
 * filters, `count`, pages past the end, slug existence, neighbours and
 * related posts are answered from it, so what a client invents costs no
 * ButterCMS call (docs/architecture.md, "The published index").
 *
 * How an instance gets it and keeps it current:
 * - warm, one change behind: it applies that change's record (a kilobyte);
 * - cold, or more than CHANGES_KEPT behind: it reads the snapshot (a small
 *   manifest and chunks under a megabyte each, those it holds skipped),
 *   then the records after it;
 * - a new site with no snapshot: one instance builds it from ButterCMS
 *   (claimed), the others wait for it; no reader ever rebuilds an index
 *   that exists: reconciliation (reconcile.ts) keeps it in line with
 *   ButterCMS;
 * - Blobs failing: it keeps serving what it holds, not known to be current
 *   (a short CDN lifetime), and asks ButterCMS only if it holds nothing;
 * - no Blobs at all (plain tests, benchmarks): its own index from
 *   ButterCMS, rebuilt every CACHE_TIMES.ttlMs.
 */
import { log } from "../core/log.ts";
import { sleep } from "../core/sleep.ts";
import { CURRENT, type Freshness, lastKnownGood, UNVERIFIED } from "../http/freshness.ts";
import {
  BLOBS_BULK_TIMEOUT_MS,
  BlobsUnavailable,
  openSharedStore,
  type SharedStore,
  type StoredValue,
} from "../netlify/blobs.ts";
import { postsTag } from "./cache-tags.ts";
import { applyRecord, forgetChangeRecords, recordsBetween } from "./index-changes.ts";
import { fetchAllPosts } from "./index-fetch.ts";
import {
  buildClaimKey,
  type IndexedPost,
  type IndexManifest,
  manifestKey,
  readSnapshot,
  type Snapshot,
  writeSnapshot,
} from "./index-snapshot.ts";
import {
  CACHE_TIMES,
  onGenerationChange,
  onInstanceReset,
  responseCache,
  siteState,
} from "./instance-state.ts";
import type { LocaleKey } from "./locale.ts";
import type { ReadScope } from "./read-scope.ts";
import { readSiteState } from "./site-state.ts";
import { checkSiteState } from "./state-check.ts";
import { isOutage } from "./upstream.ts";

export interface PublishedIndex {
  locale: LocaleKey;
  generation: number;
  posts: readonly IndexedPost[];
  positions: ReadonlyMap<string, number>;
  freshness: Freshness;
}

interface Held {
  index: PublishedIndex;
  /** The snapshot chunks it was read from, by key: not read again when a newer snapshot lists them. */
  chunks: ReadonlyMap<string, readonly IndexedPost[]>;
  /** When this instance got it (epoch ms). */
  loadedAt: number;
  /** Built by this instance from ButterCMS, not read from Blobs. */
  own: boolean;
  /** When what it was built from was last compared in full with ButterCMS (epoch ms). */
  comparedAt: number;
}

/** A read's time limit once the short one failed (Blobs slowed by load). */
const SLOW_READ_MS = 1_000;
/** How long a claim to build a new site's first index stands before another instance may take it over. */
const BUILD_CLAIM_MS = 30_000;
/** How long a reader waits for another instance's first build, and how often it looks. */
const BUILD_WAIT_MS = 15_000;
const BUILD_POLL_MS = 250;
/** An index that could not be brought to the site's generation is tried again at most this often. */
const RETRY_BEHIND_MS = 5_000;

const held = new Map<LocaleKey, Held>();
const loading = new Map<LocaleKey, Promise<Held>>();
const manifests = new Map<LocaleKey, { read: Promise<StoredValue<IndexManifest> | null>; at: number }>();
const PREFETCH_FRESH_MS = 1_000;

onGenerationChange((locale) => responseCache.deleteTagged(postsTag(locale)));
onInstanceReset(() => {
  held.clear();
  loading.clear();
  manifests.clear();
  forgetChangeRecords();
});

function indexOf(locale: LocaleKey, generation: number, posts: readonly IndexedPost[], freshness: Freshness) {
  const positions = new Map(posts.map((post, position) => [post.slug, position]));
  return { locale, generation, posts, positions, freshness };
}

const withFreshness = (index: PublishedIndex, freshness: Freshness): PublishedIndex =>
  index.freshness === freshness ? index : { ...index, freshness };

/**
 * Starts reading the snapshot's manifest when this instance holds no index:
 * it is needed whatever the shared state says, so a cold instance reads
 * both at once (one round trip, not two).
 */
export function prefetchIndex(scope: ReadScope, locale: LocaleKey): void {
  if (held.has(locale) || loading.has(locale)) return;
  const pending = manifests.get(locale);
  if (pending && Date.now() - pending.at < PREFETCH_FRESH_MS) return;
  const store = openSharedStore(scope.config.content.storeName);
  if (!store) return;
  const read = store.get<IndexManifest>(manifestKey(locale));
  read.catch(() => undefined); // awaited where it is used
  manifests.set(locale, { read, at: Date.now() });
}

function takePrefetched(locale: LocaleKey) {
  const early = manifests.get(locale);
  manifests.delete(locale);
  return early && Date.now() - early.at < PREFETCH_FRESH_MS ? early.read : undefined;
}

/** The published index of `locale`, with how current it is known to be. */
export async function publishedIndex(scope: ReadScope, locale: LocaleKey): Promise<PublishedIndex> {
  prefetchIndex(scope, locale);
  const checked = await checkSiteState(scope);
  const store = openSharedStore(scope.config.content.storeName);
  const mine = held.get(locale);
  if (!store) return ownIndex(scope, locale, mine);
  if (checked.kind !== "current") {
    // Blobs failing or slow: what this instance holds, short-lived; else the snapshot, given
    // more time than a warm read gets; ButterCMS only when neither answers.
    // The early manifest read had the short limit: it is read again rather than trusted.
    takePrefetched(locale)?.catch(() => undefined);
    if (mine) return withFreshness(mine.index, UNVERIFIED);
    return (await once(locale, () => fromSlowBlobs(scope, store, locale))).index;
  }
  const target = siteState.peek().state.generations[locale] ?? 0;
  if (mine && !mine.own) {
    const current = mine.index.freshness === CURRENT;
    if (current && mine.index.generation === target) {
      takePrefetched(locale);
      return mine.index;
    }
    // Not brought up to date a moment ago: served short-lived rather than read again on every request.
    if (!current && Date.now() - mine.loadedAt < RETRY_BEHIND_MS) {
      takePrefetched(locale);
      return mine.index;
    }
  }
  return (await once(locale, () => catchUp(scope, store, locale, target, mine))).index;
}

/** One load per locale at a time: concurrent requests share it. */
async function once(locale: LocaleKey, load: () => Promise<Held>): Promise<Held> {
  let pending = loading.get(locale);
  if (!pending) {
    pending = load()
      .then((result) => {
        held.set(locale, result);
        return result;
      })
      .finally(() => loading.delete(locale));
    loading.set(locale, pending);
  }
  return pending;
}

/** `posts` at generation `from` brought to `to` by the records between; null when they cannot be read. */
async function applyRecords(
  store: SharedStore,
  locale: LocaleKey,
  posts: readonly IndexedPost[],
  from: number,
  to: number,
): Promise<readonly IndexedPost[] | null> {
  if (from === to) return posts;
  const refs = siteState.peek().state.changes?.[locale] ?? [];
  const records = await recordsBetween(store, refs, from, to);
  if (!records) return null;
  return records.reduce<readonly IndexedPost[]>((current, record) => applyRecord(current, record), posts);
}

async function catchUp(
  scope: ReadScope,
  store: SharedStore,
  locale: LocaleKey,
  target: number,
  mine: Held | undefined,
): Promise<Held> {
  const early = takePrefetched(locale);
  try {
    if (mine && !mine.own && mine.index.generation < target) {
      const posts = await applyRecords(store, locale, mine.index.posts, mine.index.generation, target);
      if (posts) return fresh(locale, target, posts, mine, CURRENT);
    }
    // Once more, with more time, when a read failed (slow Blobs) or a chunk was retired meanwhile.
    const snapshot: Snapshot | null = await readSnapshot(store, locale, mine?.chunks, early).catch(() =>
      readSnapshot(store, locale, mine?.chunks, undefined, "slow"),
    );
    if (!snapshot) return await firstBuild(scope, store, locale, target);
    return await fromSnapshot(store, locale, snapshot, target);
  } catch (error) {
    // Blobs failed part way: keep what this instance holds, not known to be current.
    if (mine) {
      log(
        "warn",
        "index.update_failed",
        "Could not bring the published index up to date from Netlify Blobs",
        {
          locale,
          error: (error as Error).message,
        },
      );
      return { ...mine, index: withFreshness(mine.index, UNVERIFIED), loadedAt: Date.now() };
    }
    // Nothing held: the reads again with more time, or ButterCMS.
    if (error instanceof BlobsUnavailable) return fromSlowBlobs(scope, store, locale);
    throw error;
  }
}

async function fromSnapshot(
  store: SharedStore,
  locale: LocaleKey,
  snapshot: Snapshot,
  target: number,
): Promise<Held> {
  const at = snapshot.manifest.generation;
  const source = { chunks: snapshot.chunks, comparedAt: snapshot.manifest.comparedAt };
  if (at >= target) return fresh(locale, at, snapshot.posts, source, CURRENT);
  const posts = await applyRecords(store, locale, snapshot.posts, at, target);
  if (posts) return fresh(locale, target, posts, source, CURRENT);
  // More changes than the site state lists since the last snapshot (compaction failed): serve it, short-lived.
  log(
    "warn",
    "index.snapshot_behind",
    "The published index snapshot is further behind than the change records reach",
    {
      locale,
      snapshotGeneration: at,
      generation: target,
    },
  );
  return fresh(locale, at, snapshot.posts, source, UNVERIFIED);
}

function fresh(
  locale: LocaleKey,
  generation: number,
  posts: readonly IndexedPost[],
  source: Pick<Held, "chunks" | "comparedAt">,
  freshness: Freshness,
): Held {
  const index = indexOf(locale, generation, posts, freshness);
  return { index, chunks: source.chunks, comparedAt: source.comparedAt, loadedAt: Date.now(), own: false };
}

/**
 * A new site's first index: built from ButterCMS by the one instance that
 * claims it; the others wait for its snapshot (BUILD_WAIT_MS at most).
 */
async function firstBuild(scope: ReadScope, store: SharedStore, locale: LocaleKey, target: number) {
  if (!(await claimBuild(store, locale))) {
    const deadline = Date.now() + BUILD_WAIT_MS;
    while (Date.now() < deadline) {
      await sleep(BUILD_POLL_MS);
      const snapshot = await readSnapshot(store, locale).catch(() => null);
      if (snapshot)
        return fromSnapshot(store, locale, snapshot, siteState.peek().state.generations[locale] ?? 0);
    }
    log(
      "warn",
      "index.first_build_wait_expired",
      "Waited for another instance to build the first published index; building it here",
      {
        locale,
      },
    );
  }
  try {
    // Claimed just after another instance finished: its snapshot is there now.
    const built = await readSnapshot(store, locale);
    if (built)
      return await fromSnapshot(store, locale, built, siteState.peek().state.generations[locale] ?? 0);
    const { posts } = await fetchAllPosts(scope, locale);
    // At the generation seen before asking ButterCMS: records after it apply on top.
    const written = await writeSnapshot(
      store,
      locale,
      posts,
      { generation: target, comparedAt: Date.now() },
      null,
    );
    if (!written) {
      const theirs = await readSnapshot(store, locale);
      if (theirs) return fromSnapshot(store, locale, theirs, siteState.peek().state.generations[locale] ?? 0);
    }
    log("info", "index.first_build", "Built the first published index from ButterCMS", {
      locale,
      posts: posts.length,
    });
    return fresh(locale, target, posts, { chunks: new Map(), comparedAt: Date.now() }, CURRENT);
  } finally {
    await store.delete(buildClaimKey(locale)).catch(() => undefined);
  }
}

async function claimBuild(store: SharedStore, locale: LocaleKey): Promise<boolean> {
  const key = buildClaimKey(locale);
  const claim = { since: Date.now() };
  if (await store.set(key, claim, { ifNew: true }).catch(() => false)) return true;
  const existing = await store.get<{ since: number }>(key).catch(() => null);
  if (!existing) return true;
  if (Date.now() - existing.value.since < BUILD_CLAIM_MS) return false;
  return store.set(key, claim, existing.etag ? { ifMatch: existing.etag } : {}).catch(() => false);
}

/**
 * The snapshot brought to the generation the shared state says, both read
 * with the time limits of `patience`; null when either cannot be read (an
 * index that may still list a post removed since is never served).
 */
async function upToDate(store: SharedStore, locale: LocaleKey, patience: "slow" | "outage") {
  const limit = { timeoutMs: patience === "slow" ? SLOW_READ_MS : BLOBS_BULK_TIMEOUT_MS };
  const [state, snapshot] = await Promise.all([
    readSiteState(store, limit).catch(() => null),
    readSnapshot(store, locale, undefined, undefined, patience).catch(() => null),
  ]);
  if (!state || !snapshot) return null;
  const at = snapshot.manifest.generation;
  const target = Math.max(at, state.generations[locale] ?? 0);
  const refs = state.changes?.[locale] ?? [];
  const records = await recordsBetween(store, refs, at, target, limit).catch(() => null);
  if (!records) return null;
  const posts = records.reduce<readonly IndexedPost[]>(
    (held, record) => applyRecord(held, record),
    snapshot.posts,
  );
  return {
    posts,
    generation: target,
    source: { chunks: snapshot.chunks, comparedAt: snapshot.manifest.comparedAt },
  };
}

/**
 * A cold instance whose short reads failed (Blobs slowed by load): the
 * state and the snapshot again with SLOW_READ_MS each; ButterCMS when they
 * do not answer even so. Known to be what the shared state says, but not
 * checked within STATE_CHECK_MS: short-lived.
 */
async function fromSlowBlobs(scope: ReadScope, store: SharedStore, locale: LocaleKey): Promise<Held> {
  const found = await upToDate(store, locale, "slow");
  if (!found) return buildOwn(scope, locale, undefined);
  return fresh(locale, found.generation, found.posts, found.source, UNVERIFIED);
}

/** Without Blobs: this instance's own index, from ButterCMS. */
async function ownIndex(
  scope: ReadScope,
  locale: LocaleKey,
  mine: Held | undefined,
): Promise<PublishedIndex> {
  if (mine && Date.now() - mine.loadedAt < CACHE_TIMES.ttlMs) return withFreshness(mine.index, UNVERIFIED);
  return (await once(locale, () => buildOwn(scope, locale, mine))).index;
}

async function buildOwn(scope: ReadScope, locale: LocaleKey, previous: Held | undefined): Promise<Held> {
  try {
    const { posts } = await fetchAllPosts(scope, locale);
    const now = Date.now();
    return {
      index: indexOf(locale, 0, posts, UNVERIFIED),
      chunks: new Map(),
      comparedAt: now,
      loadedAt: now,
      own: true,
    };
  } catch (error) {
    if (!isOutage(error)) throw error;
    if (previous) {
      const since = new Date(previous.loadedAt).toISOString();
      return { ...previous, index: withFreshness(previous.index, lastKnownGood(since)) };
    }
    // Blobs may still answer even though the shared state could not be verified: it gets all the time.
    const store = openSharedStore(scope.config.content.storeName);
    const found = store ? await upToDate(store, locale, "outage") : null;
    if (!found) throw error;
    const since = new Date(found.source.comparedAt).toISOString();
    return fresh(locale, found.generation, found.posts, found.source, lastKnownGood(since));
  }
}

/** When the snapshot this instance's index came from was last compared with ButterCMS (0: unknown). */
export const indexComparedAt = (locale: LocaleKey): number => held.get(locale)?.comparedAt ?? 0;

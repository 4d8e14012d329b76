/**
 * The published index of a locale: every published post without its body,
 * in ButterCMS's order, fetched in pages of 100. List pages, filters,
 * `count`, pages past the end, slug existence and related posts are
 * answered from it, so what a client invents costs no ButterCMS call
 * (docs/architecture.md, "The published index").
 *
 * Shared through Blobs (`index/<locale>`, with the generation it belongs
 * to): the webhook patches it (one ButterCMS call per changed post) and
 * bumps the locale's generation; instances reload it from Blobs when they
 * see a new generation, and one instance at a time rebuilds it from
 * ButterCMS every FULL_REFRESH_MS to heal drift. Without Blobs each
 * instance builds its own, kept CACHE_TIMES.ttlMs.
 */
import { listPosts } from "../butter/client.ts";
import type { Post } from "../butter/types.ts";
import { log } from "../core/log.ts";
import { openSharedStore, type SharedStore, type StoredValue } from "../netlify/blobs.ts";
import { DEFAULT_LOCALE, type LocaleKey, postsTag } from "./cache-tags.ts";
import {
  CACHE_TIMES,
  checkSiteState,
  type Freshness,
  fromButter,
  isOutage,
  onGenerationChange,
  onInstanceReset,
  type ReadScope,
  responseCache,
  siteState,
} from "./cached-read.ts";
import { updateSiteState } from "./site-state.ts";

export const FULL_REFRESH_MS = 10 * 60_000;
const PAGE_SIZE = 100;
/** A rebuild claimed by another instance is trusted this long before someone else tries. */
const REFRESH_CLAIM_MS = 30_000;

/** A published post as lists carry it (no body). */
export type IndexedPost = Post;

interface StoredIndex {
  generation: number;
  builtAt: number;
  refreshingSince?: number;
  posts: IndexedPost[];
}

export interface PublishedIndex {
  locale: LocaleKey;
  generation: number;
  builtAt: number;
  /** When this instance got it (epoch ms). */
  loadedAt: number;
  posts: readonly IndexedPost[];
  positions: ReadonlyMap<string, number>;
  /** Set when ButterCMS failed and this is the last copy Blobs had: when it was built. */
  staleSince?: string;
  /** True while another instance rebuilds it: consistent with every patch, but not known to be current. */
  unverified?: boolean;
}

export const indexKey = (locale: LocaleKey): string => `index/${locale}`;

const instanceIndexes = new Map<LocaleKey, PublishedIndex>();
const loading = new Map<LocaleKey, Promise<PublishedIndex>>();

onGenerationChange((locale) => {
  instanceIndexes.delete(locale);
  responseCache.deleteTagged(postsTag(locale));
});
onInstanceReset(() => {
  instanceIndexes.clear();
  loading.clear();
  prefetches.clear();
});

function indexOf(
  locale: LocaleKey,
  stored: StoredIndex,
  staleSince?: string,
  unverified?: boolean,
): PublishedIndex {
  const positions = new Map(stored.posts.map((post, position) => [post.slug, position]));
  return {
    locale,
    generation: stored.generation,
    builtAt: stored.builtAt,
    loadedAt: Date.now(),
    posts: stored.posts,
    positions,
    ...(staleSince ? { staleSince } : {}),
    ...(unverified ? { unverified } : {}),
  };
}

/** The locale parameter ButterCMS gets: none for the default locale. */
export const upstreamLocale = (locale: LocaleKey): string | undefined =>
  locale === DEFAULT_LOCALE ? undefined : locale;

/** Every published post of `locale`, without bodies: one ButterCMS call per 100 posts. */
async function fetchAll(scope: ReadScope, locale: LocaleKey): Promise<IndexedPost[]> {
  const posts: IndexedPost[] = [];
  for (let page = 1; ; page++) {
    const list = await fromButter(scope.config, () =>
      listPosts(
        scope.config,
        { page, page_size: PAGE_SIZE, exclude_body: true, locale: upstreamLocale(locale) },
        false,
      ),
    );
    posts.push(...list.data.filter((post) => post.status === undefined || post.status === "published"));
    if (list.meta.next_page === null || list.data.length === 0) return uniqueBySlug(posts);
  }
}

/** A publish between two page fetches shifts the pages: a post may come twice (kept where first seen). */
function uniqueBySlug(posts: IndexedPost[]): IndexedPost[] {
  const seen = new Set<string>();
  return posts.filter((post) => !seen.has(post.slug) && seen.add(post.slug) !== undefined);
}

function usable(index: PublishedIndex | undefined, generation: number, verified: boolean): boolean {
  if (!index || index.staleSince || index.unverified) return false;
  const now = Date.now();
  if (!verified) return now - index.loadedAt < CACHE_TIMES.ttlMs;
  return index.generation >= generation && now - index.builtAt < FULL_REFRESH_MS;
}

type IndexRead = Promise<StoredValue<StoredIndex> | null | undefined>;

async function rebuildShared(
  scope: ReadScope,
  store: SharedStore,
  locale: LocaleKey,
  generation: number,
  prefetched?: IndexRead,
): Promise<PublishedIndex> {
  const key = indexKey(locale);
  const read = (): IndexRead => store.get<StoredIndex>(key).catch(() => undefined);
  let stored = await (prefetched ?? read());
  // Read before the shared state was: a patch may have landed in between.
  if (prefetched && (stored?.value.generation ?? -1) < generation) stored = await read();
  const current = stored?.value;
  if (current && current.generation >= generation && Date.now() - current.builtAt < FULL_REFRESH_MS) {
    return indexOf(locale, current);
  }
  // Someone else is rebuilding it: the old copy is consistent with every patch, not known to be current.
  if (
    current &&
    stored &&
    current.refreshingSince &&
    Date.now() - current.refreshingSince < REFRESH_CLAIM_MS
  ) {
    return indexOf(locale, current, undefined, true);
  }
  if (current && stored) {
    const claimed = await store
      .set(key, { ...current, refreshingSince: Date.now() }, { ifMatch: stored.etag })
      .catch(() => false);
    if (!claimed) return indexOf(locale, current, undefined, true);
  }
  try {
    const posts = await fetchAll(scope, locale);
    // A webhook patched the index while this rebuild asked ButterCMS: what it fetched may predate
    // that change, the patched index does not. Keep the latter; the next reader rebuilds again.
    const latest = current ? await read() : undefined;
    if (current && latest && latest.value.generation !== current.generation) {
      return indexOf(locale, latest.value, undefined, true);
    }
    // ButterCMS differs from the index (a webhook lost, or overtaken by this rebuild): a new
    // generation with no change record, so no shared copy from before is taken as current.
    const drifted = current !== undefined && fingerprint(current.posts) !== fingerprint(posts);
    const bumped = drifted ? await bumpGeneration(store, locale).catch(() => 0) : 0;
    const fresh: StoredIndex = {
      generation: Math.max(generation, current?.generation ?? 0, bumped),
      builtAt: Date.now(),
      posts,
    };
    // Only over the index read just now: a patch landing in between wins (readers then rebuild).
    const written = await store
      .set(key, fresh, latest?.etag ? { ifMatch: latest.etag } : undefined)
      .catch((error: Error) => {
        log("warn", "Could not share the published index through Netlify Blobs", { error: error.message });
        return true;
      });
    if (!written) {
      const patched = await read();
      if (patched) return indexOf(locale, patched.value, undefined, true);
    }
    return indexOf(locale, fresh);
  } catch (error) {
    if (current && isOutage(error)) return indexOf(locale, current, new Date(current.builtAt).toISOString());
    throw error;
  }
}

/** What of the index a change record would describe: which posts, which version, where they are listed. */
const fingerprint = (posts: readonly IndexedPost[]) =>
  posts
    .map((post) =>
      [
        post.slug,
        post.updated,
        post.published,
        post.author?.slug,
        ...(post.categories ?? []).map((term) => term.slug),
        "|",
        ...(post.tags ?? []).map((term) => term.slug),
      ].join(" "),
    )
    .join("\n");

async function bumpGeneration(store: SharedStore, locale: LocaleKey): Promise<number> {
  const state = await updateSiteState(store, (old) => ({
    ...old,
    generations: { ...old.generations, [locale]: (old.generations[locale] ?? 0) + 1 },
  }));
  siteState.adopt(state);
  return state.generations[locale] ?? 0;
}

async function load(
  scope: ReadScope,
  locale: LocaleKey,
  generation: number,
  verified: boolean,
  prefetched?: IndexRead,
) {
  const store = verified ? openSharedStore(scope.config.content.storeName) : null;
  if (store) return rebuildShared(scope, store, locale, generation, prefetched);
  const previous = instanceIndexes.get(locale);
  try {
    const posts = await fetchAll(scope, locale);
    return indexOf(locale, { generation, builtAt: Date.now(), posts });
  } catch (error) {
    if (!isOutage(error)) throw error;
    if (previous) return { ...previous, staleSince: new Date(previous.builtAt).toISOString() };
    // Blobs may still answer even though the shared state could not be verified.
    const copy = await openSharedStore(scope.config.content.storeName)
      ?.get<StoredIndex>(indexKey(locale))
      .catch(() => null);
    if (copy) return indexOf(locale, copy.value, new Date(copy.value.builtAt).toISOString());
    throw error;
  }
}

const prefetches = new Map<LocaleKey, { read: IndexRead; at: number }>();
const PREFETCH_FRESH_MS = 1_000;

/**
 * Starts reading the shared index when this instance has none: it is needed
 * whatever the shared state says, so a cold instance reads both at once (one
 * round trip, not two). `publishedIndex` takes the read over.
 */
export function prefetchIndex(scope: ReadScope, locale: LocaleKey): void {
  if (instanceIndexes.has(locale) || loading.has(locale)) return;
  const pending = prefetches.get(locale);
  if (pending && Date.now() - pending.at < PREFETCH_FRESH_MS) return;
  const store = openSharedStore(scope.config.content.storeName);
  if (!store) return;
  prefetches.set(locale, {
    read: store.get<StoredIndex>(indexKey(locale)).catch(() => undefined),
    at: Date.now(),
  });
}

/** The published index of `locale` and how current it is known to be. */
export async function publishedIndex(
  scope: ReadScope,
  locale: LocaleKey,
): Promise<{ index: PublishedIndex; freshness: Freshness }> {
  prefetchIndex(scope, locale);
  const early = prefetches.get(locale);
  prefetches.delete(locale);
  // A read started for a request that did not need it after all is too old to trust.
  const prefetched = early && Date.now() - early.at < PREFETCH_FRESH_MS ? early.read : undefined;
  const freshness = await checkSiteState(scope);
  const view = siteState.peek();
  const generation = view.state.generations[locale] ?? 0;
  const verified = freshness.kind === "current" && view.verified;
  const mine = instanceIndexes.get(locale);
  if (usable(mine, generation, verified)) return { index: mine as PublishedIndex, freshness };
  let pending = loading.get(locale);
  if (!pending) {
    pending = load(scope, locale, generation, verified, prefetched).finally(() => loading.delete(locale));
    loading.set(locale, pending);
  }
  const index = await pending;
  if (!index.staleSince && !index.unverified) instanceIndexes.set(locale, index);
  const known: Freshness = index.unverified ? { kind: "unverified" } : freshness;
  return {
    index,
    freshness: index.staleSince ? { kind: "last-known-good", since: index.staleSince } : known,
  };
}

/**
 * The webhook's patch: puts `post` (published) in its place, or removes
 * `slug`, in the shared index, at `generation`. Nothing to patch when no
 * index is stored yet (the next reader builds it, change included).
 * Returns what it replaced: the post's entry (null when it was not listed)
 * and the generation the index had; undefined when there was no index.
 */
export async function patchSharedIndex(
  store: SharedStore,
  locale: LocaleKey,
  slug: string,
  post: IndexedPost | null | "unknown",
  generation: number,
): Promise<{ previous: IndexedPost | null; generation: number } | undefined> {
  const key = indexKey(locale);
  for (let attempt = 0; attempt < 4; attempt++) {
    const stored = await store.get<StoredIndex>(key);
    if (!stored) return undefined;
    const replaced = {
      previous: stored.value.posts.find((candidate) => candidate.slug === slug) ?? null,
      generation: stored.value.generation,
    };
    const posts = stored.value.posts.filter((candidate) => candidate.slug !== slug);
    if (post && post !== "unknown") posts.splice(insertionPoint(posts, post), 0, post);
    // ButterCMS could not say what the post is now: keep the index, but have the next reader rebuild it.
    const next: StoredIndex =
      post === "unknown"
        ? { ...stored.value, generation, builtAt: 0 }
        : { ...stored.value, generation, posts };
    if (await store.set(key, next, { ifMatch: stored.etag })) return replaced;
  }
  // Could not patch: drop it, so that the next reader rebuilds it from ButterCMS.
  await store.delete(key);
  return undefined;
}

const sortKey = (post: IndexedPost) => String(post.published ?? "");

/** ButterCMS lists newest published first. */
function insertionPoint(posts: IndexedPost[], post: IndexedPost): number {
  const key = sortKey(post);
  const position = posts.findIndex((candidate) => sortKey(candidate) < key);
  return position === -1 ? posts.length : position;
}

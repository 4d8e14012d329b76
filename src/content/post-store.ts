/**
 * Published posts with their bodies, shared through Blobs
 * (`post/<locale>/<slug>`): written by the webhook when a post changes and
 * by the first instance that needs one, so a post costs one ButterCMS call
 * per change for the whole site, not one per instance. A stored copy is used
 * while its `updated` matches the published index; when ButterCMS fails, an
 * older copy is the last-known-good one. Drafts never enter it: only posts
 * that the published index lists, and that ButterCMS says are published.
 */
import { retrievePost } from "../butter/client.ts";
import type { Post } from "../butter/types.ts";
import { type Freshness, lastKnownGood } from "../http/freshness.ts";
import { BLOBS_BULK_TIMEOUT_MS, openSharedStore, type SharedStore } from "../netlify/blobs.ts";
import { runInBackground } from "../netlify/context.ts";
import type { IndexedPost } from "./index-snapshot.ts";
import { type LocaleKey, upstreamLocale } from "./locale.ts";
import type { ReadScope } from "./read-scope.ts";
import { callButter, isOutage, nullIfNotFound } from "./upstream.ts";

interface StoredPost {
  post: Post;
  fetchedAt: string;
}

export const postKey = (locale: LocaleKey, slug: string): string => `post/${locale}/${slug}`;

export async function storePost(store: SharedStore, locale: LocaleKey, post: Post): Promise<void> {
  const stored: StoredPost = { post, fetchedAt: new Date().toISOString() };
  await store.set(postKey(locale, post.slug), stored);
}

export async function forgetPost(store: SharedStore, locale: LocaleKey, slug: string): Promise<void> {
  await store.delete(postKey(locale, slug));
}

/** The stored copy of a post, or null (throws BlobsUnavailable). */
export async function storedPost(store: SharedStore, locale: LocaleKey, slug: string): Promise<Post | null> {
  return (await store.get<StoredPost>(postKey(locale, slug)))?.value.post ?? null;
}

/** A published post with its body, or null when ButterCMS no longer has it published. */
type StoredPostLookup = Promise<{ value: StoredPost } | null>;

/**
 * The stored copy of a post, if any, never failing: started early, alongside
 * the index read, so that a cold instance waits for one round trip, not two.
 */
export function lookUpStoredPost(scope: ReadScope, locale: LocaleKey, slug: string): StoredPostLookup {
  const store = openSharedStore(scope.config.content.storeName);
  return store ? store.get<StoredPost>(postKey(locale, slug)).catch(() => null) : Promise.resolve(null);
}

export async function publishedPost(
  scope: ReadScope,
  locale: LocaleKey,
  entry: IndexedPost,
  lookup: StoredPostLookup = lookUpStoredPost(scope, locale, entry.slug),
): Promise<{ post: Post; freshness?: Freshness } | null> {
  const store = openSharedStore(scope.config.content.storeName);
  const stored = await lookup;
  if (stored && stored.value.post.updated === entry.updated) return { post: stored.value.post };
  try {
    const detail = await nullIfNotFound(
      callButter(scope.config, () => retrievePost(scope.config, entry.slug, false, upstreamLocale(locale))),
    );
    if (detail?.data.status !== "published") return null;
    if (store)
      runInBackground(
        scope.context,
        storePost(store, locale, detail.data).catch(() => undefined),
      );
    return { post: detail.data };
  } catch (error) {
    if (!store || !scope.config.content.lastKnownGood || !isOutage(error)) throw error;
    // The first read may have timed out under load: once ButterCMS has failed, it gets longer.
    const known =
      stored ??
      (await store
        .get<StoredPost>(postKey(locale, entry.slug), { timeoutMs: BLOBS_BULK_TIMEOUT_MS })
        .catch(() => null));
    if (!known) throw error;
    return { post: known.value.post, freshness: lastKnownGood(known.value.fetchedAt) };
  }
}

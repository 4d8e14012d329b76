/**
 * Purging Netlify's CDN by cache tag. Netlify injects
 * NETLIFY_PURGE_API_TOKEN into deployed functions; under `netlify dev` the
 * purge is only logged by the library. Each tag may be purged at most twice
 * per 5 s (then 429): callers record what they could not purge (content/).
 */

/**
 * Purges `tags` (never an empty list: that purges nothing); throws when Netlify refuses.
 * The library is imported on the first purge: readers, which purge only what is owed, rarely
 * do, and their cold start does not wait for it.
 */
export async function purgeTags(tags: readonly string[]): Promise<void> {
  if (tags.length === 0) return;
  const { purgeCache } = await import("@netlify/functions");
  await purgeCache({ tags: [...tags] });
}

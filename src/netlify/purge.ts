/**
 * Purging Netlify's CDN by cache tag. Netlify injects
 * NETLIFY_PURGE_API_TOKEN into deployed functions; under `netlify dev` the
 * purge is only logged by the library. Each tag may be purged at most twice
 * per 5 s (then 429): callers record what they could not purge (content/).
 */
import { purgeCache } from "@netlify/functions";

/** Purges `tags` (never an empty list: that purges nothing); throws when Netlify refuses. */
export async function purgeTags(tags: readonly string[]): Promise<void> {
  if (tags.length === 0) return;
  await purgeCache({ tags: [...tags] });
}

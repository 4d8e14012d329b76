/**
 * Cache headers for responses. Public reads are cached by Netlify's durable
 * CDN cache and revalidated by browsers; everything private or failed is
 * `private, no-store` with no CDN directives.
 */

export interface CdnTimes {
  maxAge: number;
  staleWhileRevalidate: number;
}

export interface PublicCacheOptions {
  /** Netlify-Cache-Tag values, e.g. `["posts", "post:hello"]`, so a purge can be exact. */
  tags: readonly string[];
  /** The documented query parameters; other query strings do not split the cache. */
  varyQuery: readonly string[];
  /** True when ALLOWED_ORIGINS is set: the CORS answer then depends on Origin. */
  varyOrigin: boolean;
  cdn: CdnTimes;
}

export const PRIVATE_NO_STORE = { "Cache-Control": "private, no-store" } as const;

export function publicCacheHeaders(options: PublicCacheOptions): Record<string, string> {
  // With no documented parameters every query string is a 400 (never cached): nothing to vary on.
  const vary = options.varyQuery.length ? [`query=${options.varyQuery.join("|")}`] : [];
  if (options.varyOrigin) vary.push("header=Origin");
  const headers: Record<string, string> = {
    "Cache-Control": "public, max-age=0, must-revalidate",
    "Netlify-CDN-Cache-Control": `public, durable, s-maxage=${options.cdn.maxAge}, stale-while-revalidate=${options.cdn.staleWhileRevalidate}`,
    "Netlify-Cache-Tag": options.tags.join(","),
  };
  if (vary.length) headers["Netlify-Vary"] = vary.join(",");
  return headers;
}

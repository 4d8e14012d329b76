/**
 * Cache headers for responses. Public reads are cached by Netlify's durable
 * CDN cache and revalidated by browsers; everything private or failed is
 * `private, no-store` with no CDN directives. A copy not known to be
 * current (this instance could not see the shared state) or served from
 * the last-known-good store gets a short CDN lifetime and no
 * stale-while-revalidate (docs/architecture.md, "Freshness").
 */
import type { Freshness } from "./freshness.ts";

interface CdnTimes {
  maxAge: number;
  staleWhileRevalidate: number;
}

/** CDN lifetime of a copy this instance could not verify against the shared state. */
const UNVERIFIED_MAX_AGE = 5;
/** CDN lifetime of a last-known-good copy served while ButterCMS fails: ButterCMS is asked again soon. */
const LAST_KNOWN_GOOD_MAX_AGE = 30;

interface PublicCacheOptions {
  /** Netlify-Cache-Tag values, e.g. `["posts", "post:hello"]`, so a purge can be exact. */
  tags: readonly string[];
  /** The documented query parameters; other query strings do not split the cache. */
  varyQuery: readonly string[];
  /** True when ALLOWED_ORIGINS is set: the CORS answer then depends on Origin. */
  varyOrigin: boolean;
  cdn: CdnTimes;
  /** Default: current. */
  freshness?: Freshness["kind"];
}

/** `Cache-Control` of everything private or failed: previews, sessions, problems, anything not a public read. */
export const PRIVATE_NO_STORE = "private, no-store";

function cdnDirective(cdn: CdnTimes, freshness: Freshness["kind"]): string {
  if (freshness === "current") {
    return `public, durable, s-maxage=${cdn.maxAge}, stale-while-revalidate=${cdn.staleWhileRevalidate}`;
  }
  const cap = freshness === "unverified" ? UNVERIFIED_MAX_AGE : LAST_KNOWN_GOOD_MAX_AGE;
  return `public, durable, s-maxage=${Math.min(cdn.maxAge, cap)}`;
}

export function publicCacheHeaders(options: PublicCacheOptions): Record<string, string> {
  // With no documented parameters every query string is a 400 (never cached): nothing to vary on.
  const vary = options.varyQuery.length ? [`query=${options.varyQuery.join("|")}`] : [];
  if (options.varyOrigin) vary.push("header=Origin");
  const headers: Record<string, string> = {
    "Cache-Control": "public, max-age=0, must-revalidate",
    "Netlify-CDN-Cache-Control": cdnDirective(options.cdn, options.freshness ?? "current"),
    "Netlify-Cache-Tag": options.tags.join(","),
  };
  if (vary.length) headers["Netlify-Vary"] = vary.join(",");
  return headers;
}

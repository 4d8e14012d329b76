/** Representations (a serialised body with its ETag, tags and freshness), and plain JSON responses. */
import { strongEtag } from "./etag.ts";
import { type Freshness, leastFresh } from "./freshness.ts";

export const JSON_TYPE = "application/json; charset=utf-8";

/**
 * A serialised body with its strong ETag and its cache tags: what the
 * in-function cache keeps and what a response is built from. The tags are
 * stated once, here; the CDN header, the cache and purges read them.
 */
export interface Representation {
  body: string;
  etag: string;
  /** Netlify-Cache-Tag values: what a purge must name to drop every copy of this. */
  tags: readonly string[];
  /** Default: JSON. */
  contentType?: string;
  /** How current what it was built from is known to be; absent: current. */
  freshness?: Freshness;
}

/**
 * The unverified twin of each representation marked so: a warm instance that
 * cannot see the shared state serves the same object on every hit, so what
 * is built once per representation (its response headers) stays built.
 */
const unverifiedTwins = new WeakMap<Representation, Representation>();

/** `representation` built from parts not all known to be current: it is as fresh as the least fresh. */
export function marked(
  representation: Representation,
  ...parts: readonly (Freshness | undefined)[]
): Representation {
  const freshness = leastFresh(representation.freshness, ...parts);
  if (freshness.kind === "current" || freshness === representation.freshness) return representation;
  if (freshness.kind !== "unverified" || representation.freshness) return { ...representation, freshness };
  let twin = unverifiedTwins.get(representation);
  if (!twin) {
    twin = { ...representation, freshness };
    unverifiedTwins.set(representation, twin);
  }
  return twin;
}

export function represent(value: unknown, tags: readonly string[], contentType?: string): Representation {
  return representText(JSON.stringify(value), tags, contentType);
}

export function representText(body: string, tags: readonly string[], contentType?: string): Representation {
  return { body, etag: strongEtag(body), tags, ...(contentType ? { contentType } : {}) };
}

export function jsonResponse(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "Content-Type": JSON_TYPE, ...headers },
  });
}

/**
 * How current a representation is known to be: the one freshness type of
 * the backend. The read path says it, representations carry it, and the
 * cache headers follow it (docs/architecture.md, "Freshness"):
 *
 * - `current`: built from what the shared site state said within
 *   STATE_CHECK_MS: the full CDN lifetime;
 * - `unverified`: built from data not known to be current (Blobs
 *   unreachable, another instance refreshing it): a few seconds at the CDN;
 * - `last-known-good`: a copy served while ButterCMS fails, with when
 *   ButterCMS gave it: a short CDN lifetime and `X-Content-Stale`.
 */
export type Freshness =
  | { readonly kind: "current" }
  | { readonly kind: "unverified" }
  | { readonly kind: "last-known-good"; readonly since: string };

export const CURRENT: Freshness = { kind: "current" };
export const UNVERIFIED: Freshness = { kind: "unverified" };
export const lastKnownGood = (since: string): Freshness => ({ kind: "last-known-good", since });

const RANK = { current: 0, unverified: 1, "last-known-good": 2 } as const;

/**
 * The freshness of something built from parts: the least fresh part wins,
 * and of two last-known-good parts the older one.
 */
export function leastFresh(...parts: readonly (Freshness | undefined)[]): Freshness {
  let worst: Freshness = CURRENT;
  for (const part of parts) {
    if (!part) continue;
    if (RANK[part.kind] > RANK[worst.kind]) worst = part;
    else if (
      part.kind === "last-known-good" &&
      worst.kind === "last-known-good" &&
      part.since < worst.since
    ) {
      worst = part;
    }
  }
  return worst;
}

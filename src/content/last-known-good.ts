/**
 * A shared copy as the last-known-good answer while ButterCMS fails. A copy
 * made before a post was unpublished may still list that post: it is
 * served without it, never with it (docs/architecture.md, "Outages").
 *
 * The site state lists the posts removed lately (REMOVALS_KEPT per locale),
 * with their `url` when known. A search lists posts as JSON objects with a
 * slug: those are dropped exactly. A feed lists them as XML items linking
 * to the post's `url`: the items naming that URL (or, when it is not
 * known, a link ending in the slug) are dropped. Whatever cannot be
 * decided (a removal older than those kept, a link still ending in the
 * slug once those items are gone) makes the copy unusable: an error, never
 * a removed post that is recognisable as one.
 */
import { type Representation, represent, representText } from "../http/representation.ts";
import type { SharedCopyKey, StoredCopy } from "./shared-copies.ts";
import { REMOVALS_KEPT, type Removal } from "./site-state.ts";

const xmlEscape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const ITEM = /<(item|entry|url)\b[^>]*>[\s\S]*?<\/\1>/g;

/** Link ends that name `slug` as the last path segment of a URL. */
const slugEnds = (slug: string) => [`/${slug}<`, `/${slug}/<`, `/${slug}"`, `/${slug}/"`];

function withoutItems(xml: string, removed: readonly Removal[]): string | null {
  let body = xml;
  for (const { slug, url } of removed) {
    // By its URL when known; else by a link whose last path segment is its slug.
    const names = url === null ? slugEnds(slug) : [url, xmlEscape(url)];
    body = body.replace(ITEM, (item) => (names.some((name) => item.includes(name)) ? "" : item));
    // Still named, or named by slug in a way this does not recognise: cannot be sure it is gone.
    if ([...names, ...slugEnds(slug)].some((name) => body.includes(name))) return null;
  }
  return body;
}

function withoutPosts(json: string, removed: readonly Removal[]): unknown | null {
  const value = JSON.parse(json) as { data?: unknown; meta?: { count?: unknown } };
  if (!Array.isArray(value.data)) return null;
  const gone = new Set(removed.map((removal) => removal.slug));
  const data = value.data.filter((post) => !gone.has((post as { slug?: unknown }).slug as string));
  const dropped = value.data.length - data.length;
  if (dropped === 0) return value;
  const meta =
    value.meta && typeof value.meta.count === "number"
      ? { ...value.meta, count: value.meta.count - dropped }
      : value.meta;
  return { ...value, meta, data };
}

/**
 * The copy's representation without the posts removed since it was made,
 * or null when that cannot be decided. `removals` is the locale's list from
 * the site state, oldest first.
 */
export function withoutRemoved(
  shared: SharedCopyKey,
  copy: StoredCopy,
  removals: readonly Removal[],
): Representation | null {
  const since = removals.filter((removal) => removal.generation > copy.generation);
  if (since.length === 0 || shared.lists === "none") return copy.representation;
  // The list is full and starts after the copy: an older removal may have been forgotten.
  const forgotten =
    removals.length >= REMOVALS_KEPT && (removals[0] as Removal).generation > copy.generation + 1;
  if (forgotten) return null;
  const { representation } = copy;
  if (shared.lists === "xml") {
    const body = withoutItems(representation.body, since);
    if (body === null) return null;
    return body === representation.body
      ? representation
      : representText(body, representation.tags, representation.contentType);
  }
  const value = withoutPosts(representation.body, since);
  if (value === null) return null;
  return represent(value, representation.tags, representation.contentType);
}

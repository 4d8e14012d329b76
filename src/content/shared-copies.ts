/**
 * Copies of ButterCMS's answers that every instance shares through Netlify
 * Blobs (`copy/...`): term lists, feeds and searches. An instance that misses
 * reads the shared copy first and asks ButterCMS only when there is none for
 * the current generation of its locale, so a publish costs one call per
 * distinct request for the whole site, not one per instance; and when
 * ButterCMS fails, the copy is the last-known-good answer.
 *
 * Bounded whatever clients send: term lists and unfiltered feeds are a fixed
 * set of keys; filtered feeds and searches (keys clients invent) go to a
 * fixed number of slots by hash, each holding the last request that landed
 * there (the exact request is stored with it and checked on read).
 */
import type { Representation } from "../http/representation.ts";
import { DEFAULT_LOCALE, type LocaleKey, type TERM_TAGS } from "./cache-tags.ts";
import { type CopyDependency, searchDependency } from "./change-records.ts";

/** Where a read's shared copy lives, and what it belongs to. */
export interface SharedCopyKey {
  /** The blob key. */
  blob: string;
  /** The exact normalised request: a slot holds one request at a time. */
  exact: string;
  /** The locale whose posts the answer embeds (its generation decides whether a copy is current); null: none. */
  locale: LocaleKey | null;
  /** What of a post change can alter it; absent: every change of `locale` (change-records.ts). */
  dependsOn?: CopyDependency | undefined;
}

export interface StoredCopy {
  exact: string;
  representation: Representation;
  /** When ButterCMS gave it (ISO 8601). */
  fetchedAt: string;
  /** The locale's generation when it was fetched. */
  generation: number;
  /** Set while one instance asks ButterCMS for a newer one (epoch ms). */
  refreshingSince?: number;
}

/** A current shared copy is used for this long at most (categories change without a post event). */
export const SHARED_COPY_MAX_AGE_MS = 5 * 60_000;
export const SEARCH_SLOTS = 256;
export const FILTERED_FEED_SLOTS = 64;

/** FNV-1a: a stable, cheap spread of client-invented keys over the slots. */
function slot(text: string, slots: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % slots;
}

export const SHARED_COPIES = {
  /**
   * A term list without recent posts (those come from the index). Tags and
   * authors are all listed, whatever the posts; categories only with a
   * published post, so a change of a post's categories makes the list old.
   */
  terms: (resource: keyof typeof TERM_TAGS, exact: string): SharedCopyKey =>
    resource === "category"
      ? {
          blob: `copy/terms/${resource}`,
          exact,
          locale: DEFAULT_LOCALE,
          dependsOn: { kind: "category-list" },
        }
      : { blob: `copy/terms/${resource}`, exact, locale: null },
  feed: (
    type: string,
    locale: LocaleKey,
    filter: { category?: string | undefined; tag?: string | undefined },
    exact: string,
  ): SharedCopyKey => {
    const filtered = filter.category !== undefined || filter.tag !== undefined;
    return filtered
      ? {
          blob: `copy/feed/${locale}/${type}/slot-${slot(exact, FILTERED_FEED_SLOTS)}`,
          exact,
          locale,
          dependsOn: { kind: "terms", ...filter },
        }
      : { blob: `copy/feed/${locale}/${type}`, exact, locale };
  },
  search: (locale: LocaleKey, query: string, exact: string): SharedCopyKey => ({
    blob: `copy/search/${locale}/slot-${slot(exact, SEARCH_SLOTS)}`,
    exact,
    locale,
    dependsOn: searchDependency(query),
  }),
};

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

/** Where a read's shared copy lives, and what it belongs to. */
export interface SharedCopyKey {
  /** The blob key. */
  blob: string;
  /** The exact normalised request: a slot holds one request at a time. */
  exact: string;
  /** The locale whose posts the answer embeds (its generation decides whether a copy is current); null: none. */
  locale: LocaleKey | null;
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
  terms: (resource: keyof typeof TERM_TAGS, withRecentPosts: boolean, exact: string): SharedCopyKey => ({
    blob: `copy/terms/${resource}${withRecentPosts ? "/recent_posts" : ""}`,
    exact,
    locale: withRecentPosts ? DEFAULT_LOCALE : null,
  }),
  feed: (type: string, locale: LocaleKey, filtered: boolean, exact: string): SharedCopyKey => ({
    blob: filtered
      ? `copy/feed/${locale}/${type}/slot-${slot(exact, FILTERED_FEED_SLOTS)}`
      : `copy/feed/${locale}/${type}`,
    exact,
    locale,
  }),
  search: (locale: LocaleKey, exact: string): SharedCopyKey => ({
    blob: `copy/search/${locale}/slot-${slot(exact, SEARCH_SLOTS)}`,
    exact,
    locale,
  }),
};

/**
 * The cache tag vocabulary, stated once: a representation carries these
 * (`Representation.tags`), the CDN header and this instance's cache read
 * them from there, and the webhook purges the same names. Tags live in
 * content/ because a generation change drops this instance's entries by
 * them, below blog/.
 *
 * The default locale keeps the plain names (`posts`, `post:<slug>`); another
 * locale suffixes them (`posts:es`, `post:<slug>:es`), so a localized
 * publish purges only its locale.
 */
import type { TermResource } from "../butter/types.ts";
import { DEFAULT_LOCALE, type LocaleKey } from "./locale.ts";

const suffix = (locale: LocaleKey) => (locale === DEFAULT_LOCALE ? "" : `:${locale}`);

/** Every response derived from a locale's posts. */
export const postsTag = (locale: LocaleKey): string => `posts${suffix(locale)}`;
/** One post's own responses (the post, its related posts). */
export const postTag = (slug: string, locale: LocaleKey): string => `post:${slug}${suffix(locale)}`;

export const SEARCH_TAG = "search";
export const FEEDS_TAG = "feeds";
export const OPENAPI_TAG = "openapi";
export const TERM_TAGS = {
  category: "categories",
  tag: "tags",
  author: "authors",
} as const satisfies Record<TermResource, string>;

/** What a change of one post purges: everything derived from its locale's posts, and its own. */
export const tagsForPostChange = (slug: string, locale: LocaleKey): string[] => [
  postsTag(locale),
  postTag(slug, locale),
];

/**
 * Everything a blog frontend reads besides posts: categories, tags and
 * authors (optionally with their recent posts), post search, and the RSS,
 * Atom and sitemap feeds. Each read is cached like posts are; everything
 * that embeds posts also carries its locale's posts tag, so that a publish
 * purges it. Term lists and unfiltered feeds are kept as last-known-good
 * copies (a fixed, small set of keys); searches and filtered feeds are not,
 * since clients invent their keys.
 */
import { listTerms, retrieveFeed, searchPosts } from "../butter/client.ts";
import { pageOrPastTheEnd } from "../butter/pagination.ts";
import type { FeedType, Post, TermList } from "../butter/types.ts";
import { DEFAULT_LOCALE, FEEDS_TAG, postsTag, SEARCH_TAG, TERM_TAGS } from "../content/cache-tags.ts";
import {
  fromButter,
  type ReadResult,
  type ReadScope,
  readExisting,
  requestKey,
} from "../content/cached-read.ts";
import { publishedIndex, upstreamLocale } from "../content/published-index.ts";
import { SHARED_COPIES } from "../content/shared-copies.ts";
import type { ParamSpec, ParsedQuery } from "../http/query.ts";
import { represent, representText } from "../http/representation.ts";
import { withSrcset } from "./images.ts";
import { LOCALE_PARAM, localeKey } from "./locale.ts";

export const TERMS_QUERY = {
  include: { type: "enum", values: ["recent_posts"] },
} as const satisfies Record<string, ParamSpec>;

export const SEARCH_QUERY = {
  q: { type: "text", minLength: 1, maxLength: 200 },
  page: { type: "integer", min: 1, max: 100_000, default: 1 },
  page_size: { type: "integer", min: 1, max: 100, default: 10 },
  exclude_body: { type: "boolean", default: true },
  locale: LOCALE_PARAM,
} as const satisfies Record<string, ParamSpec>;

/** Feeds can be narrowed to a category or tag (ButterCMS's documented filters), the sitemap too. */
export const FEED_QUERY = {
  category: { type: "slug" },
  tag: { type: "slug" },
  locale: LOCALE_PARAM,
} as const satisfies Record<string, ParamSpec>;

export const FEED_CONTENT_TYPES: Record<FeedType, string> = {
  rss: "application/rss+xml; charset=utf-8",
  atom: "application/atom+xml; charset=utf-8",
  sitemap: "application/xml; charset=utf-8",
};

export const isFeedType = (value: string): value is FeedType => Object.hasOwn(FEED_CONTENT_TYPES, value);

export type TermResource = keyof typeof TERM_TAGS;

/** At most this many recent posts per term, as ButterCMS documents. */
export const MAX_RECENT_POSTS = 10;

/**
 * The shape of an embedded recent post that we state and control
 * (openapi.json `RecentPost`): ButterCMS may send the documented minimal
 * items or richer ones; we keep these fields when present, never a body,
 * never a status, and never a post that is not published.
 */
const RECENT_POST_FIELDS = ["slug", "title", "published", "summary", "featured_image", "url"] as const;

function recentPost(item: unknown): Record<string, unknown> | null {
  if (!item || typeof item !== "object") return null;
  const source = item as Record<string, unknown>;
  if (typeof source.slug !== "string" || typeof source.title !== "string") return null;
  const out: Record<string, unknown> = {};
  for (const field of RECENT_POST_FIELDS) if (field in source) out[field] = source[field];
  return out;
}

function normaliseRecentPosts(list: TermList, published: ReadonlyMap<string, number>): TermList {
  return {
    data: list.data.map((term) => {
      if (!Array.isArray(term.recent_posts)) return term;
      const recent = term.recent_posts
        .map(recentPost)
        .filter(
          (post): post is Record<string, unknown> => post !== null && published.has(post.slug as string),
        )
        .slice(0, MAX_RECENT_POSTS);
      return { ...term, recent_posts: recent };
    }),
  };
}

export async function termListRepresentation(
  scope: ReadScope,
  resource: TermResource,
  includeRecentPosts: boolean,
): Promise<ReadResult> {
  const key = requestKey(resource, { include: includeRecentPosts ? "recent_posts" : undefined });
  const tags = includeRecentPosts ? [TERM_TAGS[resource], postsTag(DEFAULT_LOCALE)] : [TERM_TAGS[resource]];
  const shared = SHARED_COPIES.terms(resource, includeRecentPosts, key);
  return readExisting({ ...scope, key, tags, shared }, async () => {
    const terms = fromButter(scope.config, () => listTerms(scope.config, resource, includeRecentPosts));
    if (!includeRecentPosts) return represent(await terms, tags);
    // Both at once: the index only tells which embedded posts are published.
    const [list, { index }] = await Promise.all([terms, publishedIndex(scope, DEFAULT_LOCALE)]);
    return represent(normaliseRecentPosts(list, index.positions), tags);
  });
}

/** One key per search: case and runs of white space do not make new ones. */
export const normaliseSearch = (q: string): string => q.toLowerCase().replace(/\s+/g, " ").trim();

export async function searchRepresentation(
  scope: ReadScope,
  query: ParsedQuery<typeof SEARCH_QUERY>,
): Promise<ReadResult> {
  const locale = localeKey(scope.config, query.locale);
  const tags = [postsTag(locale), SEARCH_TAG];
  const params = {
    query: normaliseSearch(query.q),
    page_size: query.page_size,
    exclude_body: query.exclude_body,
    locale: upstreamLocale(locale),
  };
  const key = requestKey("searchPosts", { ...params, page: query.page });
  return readExisting({ ...scope, key, tags, shared: SHARED_COPIES.search(locale, key) }, async () => {
    const list = await pageOrPastTheEnd(query.page, query.page_size, (page) =>
      fromButter(scope.config, () => searchPosts(scope.config, { ...params, page })),
    );
    // ButterCMS's relevance order and `rank` pass through untouched.
    return represent({ ...list, data: list.data.map((post: Post) => withSrcset(post)) }, tags);
  });
}

export async function feedRepresentation(
  scope: ReadScope,
  type: FeedType,
  filters: ParsedQuery<typeof FEED_QUERY>,
): Promise<ReadResult> {
  const locale = localeKey(scope.config, filters.locale);
  const tags = [postsTag(locale), FEEDS_TAG];
  const upstream = { category_slug: filters.category, tag_slug: filters.tag, locale: upstreamLocale(locale) };
  const key = requestKey(`feed:${type}`, upstream);
  const unfiltered = !filters.category && !filters.tag;
  const shared = SHARED_COPIES.feed(type, locale, !unfiltered, key);
  return readExisting({ ...scope, key, tags, shared }, async () => {
    const xml = await fromButter(scope.config, () => retrieveFeed(scope.config, type, upstream));
    return representText(xml, tags, FEED_CONTENT_TYPES[type]);
  });
}

/**
 * Everything a blog frontend reads besides posts: categories, tags and
 * authors (optionally with their recent posts), post search, and the RSS,
 * Atom and sitemap feeds. Each read is cached like posts are; everything
 * that embeds posts also carries its locale's posts tag, so that a publish
 * purges it. ButterCMS's answers are shared copies in Blobs
 * (content/shared-copies.ts), kept across a publish that cannot have
 * changed them; recent posts are computed from the published index.
 */
import { listTerms, retrieveFeed, searchPosts } from "../butter/client.ts";
import { pageOrPastTheEnd } from "../butter/pagination.ts";
import type { FeedType, Post, PostSummary, TermList, TermResource } from "../butter/types.ts";
import { FEEDS_TAG, postsTag, SEARCH_TAG, TERM_TAGS } from "../content/cache-tags.ts";
import { type ReadResult, type ReadScope, readExisting, requestKey } from "../content/cached-read.ts";
import { responseCache } from "../content/instance-state.ts";
import { DEFAULT_LOCALE, LOCALE_PARAM, localeKey, upstreamLocale } from "../content/locale.ts";
import { type PublishedIndex, prefetchIndex, publishedIndex } from "../content/published-index.ts";
import { SHARED_COPIES } from "../content/shared-copies.ts";
import { callButter } from "../content/upstream.ts";
import type { ParamSpec, ParsedQuery } from "../http/query.ts";
import { marked, represent, representText } from "../http/representation.ts";
import { withSrcset } from "./images.ts";

const TERMS_QUERY = {
  include: { type: "enum", values: ["recent_posts"] },
} as const satisfies Record<string, ParamSpec>;

const SEARCH_QUERY = {
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

const FEED_CONTENT_TYPES: Record<FeedType, string> = {
  rss: "application/rss+xml; charset=utf-8",
  atom: "application/atom+xml; charset=utf-8",
  sitemap: "application/xml; charset=utf-8",
};

export const isFeedType = (value: string): value is FeedType => Object.hasOwn(FEED_CONTENT_TYPES, value);

/** At most this many recent posts per term, as ButterCMS documents. */
const MAX_RECENT_POSTS = 10;

/**
 * An embedded recent post (openapi.json `RecentPost`): the fields ButterCMS
 * documents for `include=recent_posts` (slug, title, published), and the
 * summary, image and URL the index has too; never a body or a status.
 */
const recentPost = (post: PostSummary) => ({
  slug: post.slug,
  title: post.title,
  published: post.published ?? null,
  summary: post.summary ?? "",
  featured_image: post.featured_image ?? null,
  url: post.url ?? "",
});

const termSlugs = (post: PostSummary, resource: TermResource): string[] => {
  if (resource === "author") return post.author ? [post.author.slug] : [];
  return (resource === "category" ? post.categories : post.tags)?.map((term) => term.slug) ?? [];
};

/**
 * `include=recent_posts` as ButterCMS documents it, computed from the
 * published index: each term's newest published posts (the index is in
 * ButterCMS's order, newest first), at most MAX_RECENT_POSTS. A publish
 * then costs no ButterCMS call for the term lists.
 */
function withRecentPosts(list: TermList, resource: TermResource, index: PublishedIndex): TermList {
  const recent = new Map<string, ReturnType<typeof recentPost>[]>();
  for (const post of index.posts) {
    for (const slug of termSlugs(post, resource)) {
      const bucket = recent.get(slug) ?? [];
      if (bucket.length < MAX_RECENT_POSTS) bucket.push(recentPost(post));
      recent.set(slug, bucket);
    }
  }
  return { data: list.data.map((term) => ({ ...term, recent_posts: recent.get(String(term.slug)) ?? [] })) };
}

/**
 * A term list as ButterCMS gives it (without recent posts), shared as a
 * copy like every list. A publish can add a term (a category's first
 * published post, a post's new tag or author): this instance drops its
 * entry with the posts (the shared copy then decides whether ButterCMS is
 * asked again). The CDN purges the category list with the posts, since a
 * category also leaves it; `/api/tags` and `/api/authors` change only when
 * someone adds a tag or author, which no webhook reports, so purging them on
 * every publish would only cost refills (their lists with recent posts are
 * purged).
 */
function termList(scope: ReadScope, resource: TermResource) {
  const key = requestKey(resource, {});
  const instanceTags = [TERM_TAGS[resource], postsTag(DEFAULT_LOCALE)];
  const cdnTags = resource === "category" ? instanceTags : [TERM_TAGS[resource]];
  const shared = SHARED_COPIES.terms(resource, key);
  return readExisting({ ...scope, key, tags: instanceTags, shared }, async () =>
    represent(await callButter(scope.config, () => listTerms(scope.config, resource, false)), cdnTags),
  );
}

async function termListRepresentation(
  scope: ReadScope,
  resource: TermResource,
  includeRecentPosts: boolean,
): Promise<ReadResult> {
  if (!includeRecentPosts) return { representation: await termList(scope, resource) };
  const key = requestKey(resource, { include: "recent_posts" });
  const tags = [TERM_TAGS[resource], postsTag(DEFAULT_LOCALE)];
  // Nothing here for this key: the list and the index alongside the shared state (one round trip when cold).
  let early: ReturnType<typeof termList> | undefined;
  if (!responseCache.has(key)) {
    prefetchIndex(scope, DEFAULT_LOCALE);
    early = termList(scope, resource);
    early.catch(() => undefined); // awaited below, where a failure counts
  }
  const representation = await readExisting({ ...scope, key, tags }, async () => {
    const started = early ?? termList(scope, resource);
    early = undefined;
    const [list, index] = await Promise.all([started, publishedIndex(scope, DEFAULT_LOCALE)]);
    const terms = JSON.parse(list.body) as TermList;
    return marked(represent(withRecentPosts(terms, resource, index), tags), list.freshness, index.freshness);
  });
  return { representation };
}

/**
 * The query and read of `/api/categories`, `/api/tags` or `/api/authors`:
 * the three differ only in the resource they list.
 */
export const termListReader = (resource: TermResource) => ({
  query: TERMS_QUERY,
  read: (scope: ReadScope, query: ParsedQuery<typeof TERMS_QUERY>) =>
    termListRepresentation(scope, resource, query.include === "recent_posts"),
});

/** One key per search: case and runs of white space do not make new ones. */
const normaliseSearch = (q: string): string => q.toLowerCase().replace(/\s+/g, " ").trim();

async function searchRepresentation(
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
  const shared = SHARED_COPIES.search(locale, key);
  const representation = await readExisting({ ...scope, key, tags, shared }, async () => {
    const list = await pageOrPastTheEnd(query.page, query.page_size, (page) =>
      callButter(scope.config, () => searchPosts(scope.config, { ...params, page })),
    );
    // ButterCMS's relevance order and `rank` pass through untouched.
    return represent({ ...list, data: list.data.map((post: Post) => withSrcset(post)) }, tags);
  });
  return { representation };
}

/** The query and read of `/api/search`. */
export const searchReader = { query: SEARCH_QUERY, read: searchRepresentation };

export async function feedRepresentation(
  scope: ReadScope,
  type: FeedType,
  filters: ParsedQuery<typeof FEED_QUERY>,
): Promise<ReadResult> {
  const locale = localeKey(scope.config, filters.locale);
  const tags = [postsTag(locale), FEEDS_TAG];
  const upstream = { category_slug: filters.category, tag_slug: filters.tag, locale: upstreamLocale(locale) };
  const key = requestKey(`feed:${type}`, upstream);
  const shared = SHARED_COPIES.feed(type, locale, { category: filters.category, tag: filters.tag }, key);
  const representation = await readExisting({ ...scope, key, tags, shared }, async () => {
    const xml = await callButter(scope.config, () => retrieveFeed(scope.config, type, upstream));
    return representText(xml, tags, FEED_CONTENT_TYPES[type]);
  });
  return { representation };
}

/**
 * Everything a blog frontend reads besides posts: categories, tags and
 * authors (optionally with their recent posts), post search, and the RSS,
 * Atom and sitemap feeds. Each read is cached and tagged like posts are, and
 * everything that embeds posts also carries the `posts` tag, so that a
 * publish purges it.
 */
import { listTerms, retrieveFeed, searchPosts } from "../butter/client.ts";
import type { FeedType } from "../butter/types.ts";
import type { Config } from "../core/config.ts";
import { strongEtag } from "../http/etag.ts";
import type { FunctionContext } from "../netlify/context.ts";
import { pageOrPastTheEnd } from "../butter/pagination.ts";
import { POSTS_TAG } from "./posts.ts";
import type { ParamSpec, ParsedQuery } from "../http/query.ts";
import { type Representation, represent } from "../http/representation.ts";
import { readRepresentation, requestKey } from "../resilience/cached-read.ts";

export const TERMS_QUERY = {
  include: { type: "enum", values: ["recent_posts"] },
} as const satisfies Record<string, ParamSpec>;

export const SEARCH_QUERY = {
  q: { type: "text", minLength: 1, maxLength: 200, required: true },
  page: { type: "integer", min: 1, max: 100_000, default: 1 },
  page_size: { type: "integer", min: 1, max: 100, default: 10 },
} as const satisfies Record<string, ParamSpec>;

/** RSS and Atom can be narrowed to a category or tag; the sitemap lists every post. */
export const FEED_QUERY = {
  category: { type: "slug" },
  tag: { type: "slug" },
} as const satisfies Record<string, ParamSpec>;
export const SITEMAP_QUERY = {} as const satisfies Record<string, ParamSpec>;

export const FEED_TYPES: Record<FeedType, { contentType: string; query: Record<string, ParamSpec> }> = {
  rss: { contentType: "application/rss+xml; charset=utf-8", query: FEED_QUERY },
  atom: { contentType: "application/atom+xml; charset=utf-8", query: FEED_QUERY },
  sitemap: { contentType: "application/xml; charset=utf-8", query: SITEMAP_QUERY },
};

export const isFeedType = (value: string): value is FeedType => Object.hasOwn(FEED_TYPES, value);

export type TermResource = "category" | "tag" | "author";

/** The cache tag of each list: what a purge names. */
export const TERM_TAGS: Record<TermResource, string> = {
  category: "categories",
  tag: "tags",
  author: "authors",
};

export const termTags = (resource: TermResource, includeRecentPosts: boolean): string[] =>
  includeRecentPosts ? [TERM_TAGS[resource], POSTS_TAG] : [TERM_TAGS[resource]];

interface ReadScope {
  config: Config;
  context: FunctionContext;
}

export async function termListRepresentation(
  { config, context }: ReadScope,
  resource: TermResource,
  includeRecentPosts: boolean,
): Promise<Representation> {
  const key = requestKey(resource, { include: includeRecentPosts ? "recent_posts" : undefined });
  const tags = termTags(resource, includeRecentPosts);
  return readRepresentation({ key, tags, preview: false, config, context }, async () =>
    represent(await listTerms(config, resource, includeRecentPosts)),
  );
}

export const SEARCH_TAGS = [POSTS_TAG, "search"];

export async function searchRepresentation(
  { config, context }: ReadScope,
  query: ParsedQuery<typeof SEARCH_QUERY>,
): Promise<Representation> {
  const params = { query: query.q, page: query.page, page_size: query.page_size };
  const key = requestKey("searchPosts", params);
  return readRepresentation({ key, tags: SEARCH_TAGS, preview: false, config, context }, async () =>
    represent(
      await pageOrPastTheEnd(params.page, params.page_size, (page) =>
        searchPosts(config, { ...params, page }),
      ),
    ),
  );
}

export const FEED_TAGS = [POSTS_TAG, "feeds"];

export async function feedRepresentation(
  { config, context }: ReadScope,
  type: FeedType,
  filters: { category?: string | undefined; tag?: string | undefined },
): Promise<Representation> {
  const upstream = { category_slug: filters.category, tag_slug: filters.tag };
  const key = requestKey(`feed:${type}`, upstream);
  return readRepresentation({ key, tags: FEED_TAGS, preview: false, config, context }, async () => {
    const xml = await retrieveFeed(config, type, upstream);
    return { body: xml, etag: strongEtag(xml) };
  });
}

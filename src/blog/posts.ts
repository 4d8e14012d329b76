/**
 * The posts domain: the public query of each posts endpoint and its answer.
 * Public answers come from the published index and the shared post store
 * (src/content/), so a slug that is not published, a page past the end or
 * any filter combination costs no ButterCMS call, and a public request never
 * fetches an unpublished post. Previews ask ButterCMS directly and are never
 * cached or stored.
 *
 * The blog/ layer: what each endpoint answers. It may import core/, http/,
 * butter/, content/ and netlify/context.ts.
 */
import { listPosts, retrievePost } from "../butter/client.ts";
import { pageOrPastTheEnd, pastTheEnd } from "../butter/pagination.ts";
import { SLUG_PATTERN, SLUG_REASON } from "../butter/slug.ts";
import type { Post, PostDetail, PostList, PostSummary } from "../butter/types.ts";
import { postsTag, postTag } from "../content/cache-tags.ts";
import { type ReadResult, type ReadScope, read, requestKey } from "../content/cached-read.ts";
import { responseCache } from "../content/instance-state.ts";
import { LOCALE_PARAM, type LocaleKey, localeKey, upstreamLocale } from "../content/locale.ts";
import { lookUpStoredPost, publishedPost } from "../content/post-store.ts";
import {
  indexComparedAt,
  type PublishedIndex,
  prefetchIndex,
  publishedIndex,
} from "../content/published-index.ts";
import { reconcileIfForgotten } from "../content/reconcile.ts";
import { callButter, nullIfNotFound } from "../content/upstream.ts";
import { invalidParameters, notFound } from "../core/errors.ts";
import { type Freshness, leastFresh } from "../http/freshness.ts";
import type { ParamSpec, ParsedQuery } from "../http/query.ts";
import { marked, represent } from "../http/representation.ts";
import type { RequestScope } from "../http/request-scope.ts";
import { type FunctionContext, pathParam } from "../netlify/context.ts";
import { withSrcset } from "./images.ts";

export const LIST_POSTS_QUERY = {
  page: { type: "integer", min: 1, max: 100_000, default: 1 },
  page_size: { type: "integer", min: 1, max: 100, default: 10 },
  category: { type: "slug" },
  tag: { type: "slug" },
  author: { type: "slug" },
  exclude_body: { type: "boolean", default: true },
  locale: LOCALE_PARAM,
  preview: { type: "flag" },
} as const satisfies Record<string, ParamSpec>;

export const POST_QUERY = {
  locale: LOCALE_PARAM,
  preview: { type: "flag" },
} as const satisfies Record<string, ParamSpec>;

export const RELATED_QUERY = {
  limit: { type: "integer", min: 1, max: 10, default: 3 },
  locale: LOCALE_PARAM,
  preview: { type: "flag" },
} as const satisfies Record<string, ParamSpec>;

/** The `:slug` path parameter, decoded and validated: 400 before anything is read. */
export function postSlug(context: FunctionContext): string {
  const slug = pathParam(context, "slug");
  if (slug === null || !SLUG_PATTERN.test(slug)) {
    throw invalidParameters([{ name: "slug", reason: SLUG_REASON }]);
  }
  return slug;
}

type ListPostsQuery = ParsedQuery<typeof LIST_POSTS_QUERY>;

const publicList = (list: PostList): PostList => ({ ...list, data: list.data.map(withSrcset) });

/** What ButterCMS answers for the list, computed from the index: same posts, order and `meta`. */
function pageOf<T>(
  posts: readonly T[],
  page: number,
  pageSize: number,
): { meta: PostList["meta"]; data: T[] } {
  const count = posts.length;
  const lastPage = Math.ceil(count / pageSize);
  // ButterCMS answers 404 here; the contract wants an empty page linking back to the last one.
  if (page > 1 && page > lastPage) return { ...pastTheEnd(count, pageSize), data: [] };
  return {
    meta: { count, next_page: page < lastPage ? page + 1 : null, previous_page: page > 1 ? page - 1 : null },
    data: posts.slice((page - 1) * pageSize, page * pageSize),
  };
}

function filtered(index: PublishedIndex, query: ListPostsQuery): readonly PostSummary[] {
  const { category, tag, author } = query;
  if (!category && !tag && !author) return index.posts;
  return index.posts.filter(
    (post) =>
      (!category || (post.categories ?? []).some((term) => term.slug === category)) &&
      (!tag || (post.tags ?? []).some((term) => term.slug === tag)) &&
      (!author || post.author?.slug === author),
  );
}

async function previewList(scope: ReadScope, query: ListPostsQuery): Promise<ReadResult> {
  const locale = upstreamLocale(localeKey(scope.config, query.locale));
  const params = {
    page_size: query.page_size,
    exclude_body: query.exclude_body,
    category_slug: query.category,
    tag_slug: query.tag,
    author_slug: query.author,
    locale,
  };
  const list = await pageOrPastTheEnd(query.page, query.page_size, (page) =>
    callButter(scope.config, () => listPosts(scope.config, { ...params, page }, true)),
  );
  return { representation: represent(publicList(list), []), preview: true };
}

/**
 * A public read answered from the published index of `locale`: cached in
 * this instance under `key`, marked stale when the index is the
 * last-known-good copy; `null` from `build` is a 404.
 */
async function readFromIndex<Early = undefined>(
  scope: ReadScope,
  target: { key: string; tags: readonly string[]; locale: LocaleKey; notFound: string },
  build: (index: PublishedIndex, early?: Early) => Promise<{ value: unknown; freshness?: Freshness } | null>,
  /** Work to start alongside the index read (on a miss only). */
  start?: () => Early,
): Promise<ReadResult> {
  // Nothing here for this key: the index (and what `start` reads) alongside the shared state.
  const cold = !responseCache.has(target.key);
  let early = cold ? start?.() : undefined;
  if (cold) prefetchIndex(scope, target.locale);
  const served = await read({ ...scope, key: target.key, tags: target.tags }, async () => {
    const started = early ?? start?.();
    early = undefined;
    const index = await publishedIndex(scope, target.locale);
    reconcileIfForgotten(scope, target.locale, indexComparedAt(target.locale));
    const built = await build(index, started);
    if (!built) return null;
    return marked(represent(built.value, target.tags), built.freshness, index.freshness);
  });
  if (!served) throw notFound(target.notFound);
  return { representation: served };
}

/** A post whatever its status, for an authorised preview: never cached, never stored. */
async function previewPost(scope: ReadScope, slug: string, locale: LocaleKey): Promise<PostDetail> {
  const detail = await nullIfNotFound(
    callButter(scope.config, () => retrievePost(scope.config, slug, true, upstreamLocale(locale))),
  );
  if (!detail) throw notFound("No post has this slug.");
  return detail;
}

/** GET /api/posts. */
export async function postListRepresentation(
  scope: RequestScope,
  query: ListPostsQuery,
): Promise<ReadResult> {
  if (query.preview) return previewList(scope, query);
  const locale = localeKey(scope.config, query.locale);
  const { preview: _preview, locale: _locale, ...params } = query;
  const target = { key: requestKey("listPosts", { ...params, locale }), tags: [postsTag(locale)], locale };
  return readFromIndex(scope, { ...target, notFound: "No such list." }, async (index) => {
    const list = pageOf(filtered(index, query), query.page, query.page_size);
    if (query.exclude_body) return { value: publicList(list) };
    const bodies = await withBodies(scope, locale, list.data);
    return { value: publicList({ ...list, data: bodies.posts }), freshness: bodies.freshness };
  });
}

/** The posts with their bodies, as fresh as the least fresh body among them. */
async function withBodies(
  scope: ReadScope,
  locale: LocaleKey,
  posts: readonly PostSummary[],
): Promise<{ posts: Post[]; freshness: Freshness }> {
  const full = await Promise.all(posts.map((post) => publishedPost(scope, locale, post)));
  return {
    posts: full.map((found, position) => found?.post ?? (posts[position] as Post)),
    freshness: leastFresh(...full.map((found) => found?.freshness)),
  };
}

const link = (post: PostSummary | undefined) =>
  post ? { slug: post.slug, title: post.title, featured_image: post.featured_image ?? null } : null;

/** ButterCMS's neighbours of a published post: `next_post` is the newer one, `previous_post` the older. */
function neighbours(index: PublishedIndex, slug: string): PostDetail["meta"] {
  const position = index.positions.get(slug) ?? -1;
  return { next_post: link(index.posts[position - 1]), previous_post: link(index.posts[position + 1]) };
}

/** What an endpoint under `/api/posts/:slug` answers. */
type SlugRead<Q extends Record<string, ParamSpec>> = (
  scope: RequestScope,
  slug: string,
  query: ParsedQuery<Q>,
) => Promise<ReadResult>;

/** GET /api/posts/:slug: a published post; 404 for anything else, with no ButterCMS call. */
export const postRepresentation: SlugRead<typeof POST_QUERY> = async (scope, slug, query) => {
  const locale = localeKey(scope.config, query.locale);
  if (query.preview) {
    const detail = await previewPost(scope, slug, locale);
    return { representation: represent({ ...detail, data: withSrcset(detail.data) }, []), preview: true };
  }
  const tags = [postsTag(locale), postTag(slug, locale)];
  const target = { key: requestKey("post", { slug, locale }), tags, locale, notFound: NOT_PUBLISHED };
  const lookUp = () => lookUpStoredPost(scope, locale, slug);
  return readFromIndex(
    scope,
    target,
    async (index, stored) => {
      const position = index.positions.get(slug);
      const entry = position === undefined ? undefined : index.posts[position];
      const found = entry ? await publishedPost(scope, locale, entry, stored) : null;
      if (!found) return null;
      return {
        value: { meta: neighbours(index, slug), data: withSrcset(found.post) },
        freshness: found.freshness,
      };
    },
    lookUp,
  );
};

const NOT_PUBLISHED = "No published post has this slug.";

const slugsOf = (terms: { slug: string }[] | undefined) => new Set((terms ?? []).map((term) => term.slug));
const shared = (a: Set<string>, b: Set<string>) => [...a].filter((slug) => b.has(slug)).length;

/** Published posts ranked by shared tags, then shared categories, then recency (index order); never `post`. */
function relatedPosts(index: PublishedIndex, post: Post | PostSummary, limit: number): PostSummary[] {
  const tags = slugsOf(post.tags);
  const categories = slugsOf(post.categories);
  return index.posts
    .map((candidate, position) => ({
      candidate,
      position,
      tags: shared(tags, slugsOf(candidate.tags)),
      categories: shared(categories, slugsOf(candidate.categories)),
    }))
    .filter(({ candidate }) => candidate.slug !== post.slug)
    .sort((a, b) => b.tags - a.tags || b.categories - a.categories || a.position - b.position)
    .slice(0, limit)
    .map(({ candidate }) => candidate);
}

/** GET /api/posts/:slug/related: computed from the published index; drafts never appear. */
export const relatedRepresentation: SlugRead<typeof RELATED_QUERY> = async (scope, slug, query) => {
  const locale = localeKey(scope.config, query.locale);
  if (query.preview) {
    // The post asked about may be a draft; what is related to it is still published only.
    const detail = await previewPost(scope, slug, locale);
    const index = await publishedIndex(scope, locale);
    const data = relatedPosts(index, detail.data, query.limit).map(withSrcset);
    return { representation: represent({ data }, []), preview: true };
  }
  const tags = [postsTag(locale), postTag(slug, locale)];
  const key = requestKey("related", { slug, locale, limit: query.limit });
  return readFromIndex(scope, { key, tags, locale, notFound: NOT_PUBLISHED }, async (index) => {
    const position = index.positions.get(slug);
    if (position === undefined) return null;
    return {
      value: { data: relatedPosts(index, index.posts[position] as PostSummary, query.limit).map(withSrcset) },
    };
  });
};

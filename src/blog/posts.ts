/**
 * The posts domain: the public query of each endpoint, its mapping to
 * ButterCMS's parameters, and the rule that unpublished posts exist only for
 * authorised previews.
 */
import { listPosts, retrievePost } from "../butter/client.ts";
import type { ListPostsParams } from "../butter/types.ts";
import type { Config } from "../core/config.ts";
import { invalidParameters, notFound } from "../core/errors.ts";
import { type FunctionContext, pathParam } from "../netlify/context.ts";
import { pageOrPastTheEnd } from "../butter/pagination.ts";
import { type ParamSpec, type ParsedQuery, SLUG_PATTERN, SLUG_REASON } from "../http/query.ts";
import { type Representation, represent } from "../http/representation.ts";
import { nullIfNotFound, read, readRepresentation, requestKey } from "../resilience/cached-read.ts";

export const LIST_POSTS_QUERY = {
  page: { type: "integer", min: 1, max: 100_000, default: 1 },
  page_size: { type: "integer", min: 1, max: 100, default: 10 },
  category: { type: "slug" },
  tag: { type: "slug" },
  author: { type: "slug" },
  exclude_body: { type: "boolean", default: true },
  preview: { type: "flag" },
} as const satisfies Record<string, ParamSpec>;

export const POST_QUERY = {
  preview: { type: "flag" },
} as const satisfies Record<string, ParamSpec>;

/** Whether a request asks for drafts: it then reads a session and is IP-guarded in the preview scope. */
export const asksForPreview = (_req: Request, url: URL): boolean => url.searchParams.has("preview");

/** The `:slug` path parameter, decoded and validated: 400 before ButterCMS is ever called. */
export function postSlug(context: FunctionContext): string {
  const slug = pathParam(context, "slug");
  if (slug === null || !SLUG_PATTERN.test(slug)) {
    throw invalidParameters([{ name: "slug", reason: SLUG_REASON }]);
  }
  return slug;
}

export const POSTS_TAG = "posts";
export const postTag = (slug: string): string => `post:${slug}`;

const LIST_POSTS_KEY = "listPosts";
const RETRIEVE_POST_KEY = "retrievePost";

export type ListPostsQuery = ParsedQuery<typeof LIST_POSTS_QUERY>;

export function toUpstreamParams(query: ListPostsQuery): ListPostsParams {
  return {
    page: query.page,
    page_size: query.page_size,
    exclude_body: query.exclude_body,
    category_slug: query.category,
    tag_slug: query.tag,
    author_slug: query.author,
  };
}

export async function postListRepresentation(
  config: Config,
  context: FunctionContext,
  query: ListPostsQuery,
): Promise<Representation> {
  const params = toUpstreamParams(query);
  const key = requestKey(LIST_POSTS_KEY, { ...params });
  return readRepresentation({ key, tags: [POSTS_TAG], preview: query.preview, config, context }, async () =>
    represent(
      await pageOrPastTheEnd(params.page, params.page_size, (page) =>
        listPosts(config, { ...params, page }, query.preview),
      ),
    ),
  );
}

/** A post by slug; 404 when ButterCMS has none, or when it is unpublished and this is no preview. */
export async function postRepresentation(
  config: Config,
  context: FunctionContext,
  slug: string,
  preview: boolean,
): Promise<Representation> {
  const key = requestKey(RETRIEVE_POST_KEY, { slug });
  const post = await read({ key, tags: [POSTS_TAG, postTag(slug)], preview, config, context }, async () => {
    const detail = await nullIfNotFound(retrievePost(config, slug, preview));
    return detail && (preview || detail.data.status === "published") ? represent(detail) : null;
  });
  if (!post) throw notFound("No published post has this slug.");
  return post;
}

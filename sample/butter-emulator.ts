/**
 * ButterCMS's API v2 emulated over the sample blog: the same URLs, query
 * parameters, pagination meta, filters, `exclude_body`, `preview=1`, and
 * `{ "detail": ... }` errors, as a plain `Request → Response` function. One
 * emulation, two users: the test suite and the benchmarks wrap it in msw
 * handlers (sample/msw-handlers.ts), and `npm start` without a token answers
 * ButterCMS's fetches with it directly (sample/preload.ts), which keeps msw
 * out of every `netlify dev` worker.
 */
import type { Post } from "../src/butter-types.ts";
import { allPosts, publishedPosts } from "./data.ts";

export const BUTTER_API = "https://api.buttercms.com/v2";

export interface EmulatorOptions {
  /** The only `auth_token` accepted; anything else is 401 as in the real API. */
  token: string;
  /** A fixed delay before every answer, as a real network round trip (default 0). */
  latencyMs?: number;
}

const detail = (status: number, text: string) => Response.json({ detail: text }, { status });

const sortKey = (post: Post): string => String(post.published ?? post.scheduled ?? post.updated ?? "");
const newestFirst = (a: Post, b: Post) => sortKey(b).localeCompare(sortKey(a));

function positiveInt(value: string | null, fallback: number): number | null {
  if (value === null) return fallback;
  return /^\d+$/.test(value) && Number(value) >= 1 ? Number(value) : null;
}

function withoutBody(post: Post): Post {
  const { body: _body, ...rest } = post;
  return rest as Post;
}

function paginate(url: URL, posts: Post[], excludeBody: boolean): Response {
  const page = positiveInt(url.searchParams.get("page"), 1);
  const pageSize = positiveInt(url.searchParams.get("page_size"), 10);
  if (page === null || pageSize === null || pageSize > 100) {
    return detail(400, "Invalid page or page_size.");
  }
  const start = (page - 1) * pageSize;
  const data = posts.slice(start, start + pageSize).map((post) => (excludeBody ? withoutBody(post) : post));
  const lastPage = Math.max(1, Math.ceil(posts.length / pageSize));
  return Response.json({
    meta: {
      count: posts.length,
      next_page: page < lastPage ? page + 1 : null,
      previous_page: page > 1 ? Math.min(page - 1, lastPage) : null,
    },
    data,
  });
}

const visiblePosts = (url: URL): Post[] =>
  (url.searchParams.get("preview") === "1" ? allPosts : publishedPosts).slice().sort(newestFirst);

const link = (post: Post | undefined) =>
  post ? { slug: post.slug, title: post.title, featured_image: post.featured_image } : null;

function searchPosts(url: URL): Response {
  const words = (url.searchParams.get("query") ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  const matches = visiblePosts(url).filter((post) =>
    words.every((word) => `${post.title} ${post.summary} ${post.body}`.toLowerCase().includes(word)),
  );
  return paginate(url, matches, false);
}

function retrievePost(slug: string): Response {
  // The real API returns drafts and scheduled posts by slug even without preview=1.
  const post = allPosts.find((candidate) => candidate.slug === slug);
  if (!post) return detail(404, "Not found.");
  const index = publishedPosts.indexOf(post);
  return Response.json({
    meta: {
      next_post: index >= 0 ? link(publishedPosts[index - 1]) : null,
      previous_post: index >= 0 ? link(publishedPosts[index + 1]) : null,
    },
    data: post,
  });
}

function listPosts(url: URL): Response {
  const filters: [string, (post: Post, slug: string) => boolean][] = [
    ["category_slug", (post, slug) => (post.categories ?? []).some((term) => term.slug === slug)],
    ["tag_slug", (post, slug) => (post.tags ?? []).some((term) => term.slug === slug)],
    ["author_slug", (post, slug) => post.author?.slug === slug],
  ];
  let posts = visiblePosts(url);
  for (const [name, matches] of filters) {
    const slug = url.searchParams.get(name);
    if (slug !== null) posts = posts.filter((post) => matches(post, slug));
  }
  return paginate(url, posts, url.searchParams.get("exclude_body") === "true");
}

/** ButterCMS's answer to `request`, or `undefined` when it is not a ButterCMS API URL we emulate. */
export async function emulateButter(
  request: Request,
  options: EmulatorOptions,
): Promise<Response | undefined> {
  if (request.method !== "GET" || !request.url.startsWith(`${BUTTER_API}/`)) return undefined;
  const url = new URL(request.url);
  const path = url.pathname.slice("/v2/".length);
  let route: () => Response;
  if (path === "posts/") route = () => listPosts(url);
  else if (path === "posts/search/") route = () => searchPosts(url);
  else if (/^posts\/[^/]+\/$/.test(path)) route = () => retrievePost(decodeURIComponent(path.slice(6, -1)));
  else return undefined;
  if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
  if (url.searchParams.get("auth_token") !== options.token) return detail(401, "Invalid token.");
  return route();
}

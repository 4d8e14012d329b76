/**
 * msw handlers that emulate ButterCMS's API v2 over the sample blog: the
 * same URLs, query parameters, pagination meta, filters, `exclude_body`,
 * `preview=1`, and `{ "detail": ... }` errors. One emulation, two users: the
 * test suite and `npm start` without a token.
 */
import { HttpResponse, http } from "msw";
import type { Post } from "../src/butter-types.ts";
import { allPosts, publishedPosts } from "./data.ts";

export const BUTTER_API = "https://api.buttercms.com/v2";

export interface EmulatorOptions {
  /** The only `auth_token` accepted; anything else is 401 as in the real API. */
  token: string;
}

const detail = (status: number, text: string) => HttpResponse.json({ detail: text }, { status });

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

function paginate(url: URL, posts: Post[], excludeBody: boolean) {
  const page = positiveInt(url.searchParams.get("page"), 1);
  const pageSize = positiveInt(url.searchParams.get("page_size"), 10);
  if (page === null || pageSize === null || pageSize > 100) {
    return detail(400, "Invalid page or page_size.");
  }
  const start = (page - 1) * pageSize;
  const data = posts.slice(start, start + pageSize).map((post) => (excludeBody ? withoutBody(post) : post));
  const lastPage = Math.max(1, Math.ceil(posts.length / pageSize));
  return HttpResponse.json({
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

export function butterHandlers(options: EmulatorOptions) {
  const authorised = (url: URL) => url.searchParams.get("auth_token") === options.token;

  return [
    http.get(`${BUTTER_API}/posts/search/`, ({ request }) => {
      const url = new URL(request.url);
      if (!authorised(url)) return detail(401, "Invalid token.");
      const words = (url.searchParams.get("query") ?? "").toLowerCase().split(/\s+/).filter(Boolean);
      const matches = visiblePosts(url).filter((post) =>
        words.every((word) => `${post.title} ${post.summary} ${post.body}`.toLowerCase().includes(word)),
      );
      return paginate(url, matches, false);
    }),

    http.get(`${BUTTER_API}/posts/:slug/`, ({ request, params }) => {
      const url = new URL(request.url);
      if (!authorised(url)) return detail(401, "Invalid token.");
      // The real API returns drafts and scheduled posts by slug even without preview=1.
      const post = allPosts.find((candidate) => candidate.slug === params.slug);
      if (!post) return detail(404, "Not found.");
      const list = publishedPosts;
      const index = list.indexOf(post);
      return HttpResponse.json({
        meta: {
          next_post: index >= 0 ? link(list[index - 1]) : null,
          previous_post: index >= 0 ? link(list[index + 1]) : null,
        },
        data: post,
      });
    }),

    http.get(`${BUTTER_API}/posts/`, ({ request }) => {
      const url = new URL(request.url);
      if (!authorised(url)) return detail(401, "Invalid token.");
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
    }),
  ];
}

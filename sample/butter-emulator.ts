/**
 * ButterCMS's API v2 emulated over the sample blog: the same URLs, query
 * parameters, pagination meta, filters, `exclude_body`, `preview=1`, and
 * `{ "detail": ... }` errors, as a plain `Request → Response` function. One
 * emulation, two users: the test suite and the benchmarks wrap it in msw
 * handlers (sample/msw-handlers.ts), and `npm start` without a token answers
 * ButterCMS's fetches with it directly (sample/preload.ts), which keeps msw
 * out of every `netlify dev` worker.
 */
import type { Post } from "../src/butter/types.ts";
import { allPosts, authors, categories, publishedPosts, tags } from "./data.ts";

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
  const lastPage = Math.max(1, Math.ceil(posts.length / pageSize));
  // As the real API (Django REST framework pagination; buttercms-js issue #61): a page past the end is a 404.
  if (page > lastPage) return detail(404, `Invalid page "${page}": That page contains no results.`);
  const start = (page - 1) * pageSize;
  const data = posts.slice(start, start + pageSize).map((post) => (excludeBody ? withoutBody(post) : post));
  return Response.json({
    meta: {
      count: posts.length,
      next_page: page < lastPage ? page + 1 : null,
      previous_page: page > 1 ? page - 1 : null,
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

/** The newest published posts of a term or author, as `include=recent_posts` embeds them. */
const recentPosts = (matches: (post: Post) => boolean) =>
  publishedPosts.filter(matches).slice(0, 3).map(withoutBody);

function listTerms(url: URL, kind: "categories" | "tags"): Response {
  const include = url.searchParams.get("include") === "recent_posts";
  const terms = kind === "categories" ? categories : tags;
  return Response.json({
    data: terms.map((term) => ({
      ...term,
      ...(include
        ? { recent_posts: recentPosts((post) => (post[kind] ?? []).some((t) => t.slug === term.slug)) }
        : {}),
    })),
  });
}

function listAuthors(url: URL): Response {
  const include = url.searchParams.get("include") === "recent_posts";
  return Response.json({
    data: authors.map((author) => ({
      ...author,
      ...(include ? { recent_posts: recentPosts((post) => post.author?.slug === author.slug) } : {}),
    })),
  });
}

const xmlEscape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const SITE = "https://sample-blog.example";

function feedPosts(url: URL): Post[] {
  const category = url.searchParams.get("category_slug");
  const tag = url.searchParams.get("tag_slug");
  return publishedPosts
    .filter((post) => !category || (post.categories ?? []).some((term) => term.slug === category))
    .filter((post) => !tag || (post.tags ?? []).some((term) => term.slug === tag))
    .slice(0, 20);
}

/** ButterCMS answers feeds as JSON whose `data` is the XML document (buttercms-sdk.md Q18). */
function feed(url: URL, type: string): Response {
  const posts = feedPosts(url);
  const name = (post: Post) => `${post.author?.first_name ?? ""} ${post.author?.last_name ?? ""}`.trim();
  let xml: string;
  if (type === "rss") {
    const items = posts.map(
      (post) =>
        `<item><title>${xmlEscape(post.title)}</title><link>${SITE}/blog/${post.slug}</link><guid>${SITE}/blog/${post.slug}</guid><dc:creator>${xmlEscape(name(post))}</dc:creator><pubDate>${new Date(String(post.published)).toUTCString()}</pubDate><description>${xmlEscape(String(post.summary))}</description></item>`,
    );
    xml = `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Sample blog</title><link>${SITE}/blog</link><description>The sample blog</description>${items.join("")}</channel></rss>`;
  } else if (type === "atom") {
    const entries = posts.map(
      (post) =>
        `<entry><title>${xmlEscape(post.title)}</title><link href="${SITE}/blog/${post.slug}"/><id>${SITE}/blog/${post.slug}</id><updated>${post.updated}</updated><author><name>${xmlEscape(name(post))}</name></author><summary>${xmlEscape(String(post.summary))}</summary></entry>`,
    );
    xml = `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>Sample blog</title><id>${SITE}/blog</id><updated>${publishedPosts[0]?.updated}</updated>${entries.join("")}</feed>`;
  } else {
    const urls = publishedPosts.map(
      (post) => `<url><loc>${SITE}/blog/${post.slug}</loc><lastmod>${post.updated}</lastmod></url>`,
    );
    xml = `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${urls.join("")}</urlset>`;
  }
  return Response.json({ data: xml });
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
  else if (path === "categories/" || path === "tags/")
    route = () => listTerms(url, path === "tags/" ? "tags" : "categories");
  else if (path === "authors/") route = () => listAuthors(url);
  else if (/^feeds\/(rss|atom|sitemap)\/$/.test(path)) route = () => feed(url, path.slice(6, -1));
  else return undefined;
  if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
  if (url.searchParams.get("auth_token") !== options.token) return detail(401, "Invalid token.");
  return route();
}

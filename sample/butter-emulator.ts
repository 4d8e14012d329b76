/**
 * ButterCMS's read API v2 emulated over the sample blog, as a plain
 * `Request → Response` function. Every rule follows a page of ButterCMS's
 * documentation, listed in docs/buttercms.md ("Emulation rules"); what is
 * known to differ is listed there too. One emulation, two users: the test
 * suite and the benchmarks wrap it in msw handlers (sample/msw-handlers.ts),
 * and `npm start` without a token answers ButterCMS's fetches with it
 * directly (sample/preload.ts), which keeps msw out of every `netlify dev`
 * worker.
 */
import type { Author, Post, Term } from "../src/butter/types.ts";
import {
  authors,
  categoriesWithPublishedPosts,
  configuredLocales,
  DEFAULT_LOCALE,
  isConfiguredLocale,
  postsIn,
  publishedIn,
  SAMPLE_SITE,
  tags,
} from "./data.ts";
import { type SampleFault, secondsUntilMonthlyReset } from "./faults.ts";
import { stems } from "./stemming.ts";

export const BUTTER_API = "https://api.buttercms.com/v2";

export interface EmulatorOptions {
  /** The only `auth_token` accepted; anything else is 401 as in the real API. */
  token: string;
  /** A fixed delay before every answer, as a real network round trip (default 0). */
  latencyMs?: number;
  /**
   * Answer with a fault instead of content: one for every request, or decided
   * per request (called each time, so a test or a control file can switch it).
   * Default: none.
   */
  fault?: SampleFault | ((url: URL) => SampleFault | undefined) | undefined;
  /** The clock, in ms since the epoch, for the quota's `Retry-After` (default `Date.now`). */
  now?: () => number;
  /** How the search matches query words (default `substring`); see `SearchMode`. */
  search?: SearchMode;
}

/**
 * How `GET /v2/posts/search/` matches a query word, which ButterCMS does not
 * document (docs/buttercms.md, "Search matching is not documented"):
 *
 * - `substring` (the default): the word occurs anywhere in the title,
 *   summary or body ("cach" finds "caching");
 * - `stemming`: a word of the text has the word's stem (sample/stemming.ts:
 *   "running" finds "run", "posts" finds "post"), as search engines commonly
 *   match. `SAMPLE_SEARCH=stemming` selects it under `npm start`.
 */
export const SEARCH_MODES = ["substring", "stemming"] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

/** A search mode named by text (an environment variable); blank is the default. */
export function parseSearchMode(text: string | undefined): SearchMode {
  const name = (text ?? "").trim();
  if (name === "") return "substring";
  if ((SEARCH_MODES as readonly string[]).includes(name)) return name as SearchMode;
  throw new Error(`Unknown sample search mode "${name}" (known: ${SEARCH_MODES.join(", ")})`);
}

/** How long a `timeout` fault waits for the caller to give up before answering 504 itself. */
const HANG_LIMIT_MS = 120_000;

const detail = (status: number, text: string, headers?: HeadersInit) =>
  Response.json({ detail: text }, { status, ...(headers ? { headers } : {}) });

class BadRequest extends Error {}

const sortKey = (post: Post): string => String(post.published ?? post.scheduled ?? post.updated ?? "");
const newestFirst = (a: Post, b: Post) => sortKey(b).localeCompare(sortKey(a));

/** `locale`: absent is the default locale; one not configured is a 400 ("HTTP status codes & errors"). */
function localeOf(url: URL): string {
  const locale = url.searchParams.get("locale");
  if (locale === null) return DEFAULT_LOCALE;
  if (!isConfiguredLocale(locale)) throw new BadRequest("Invalid locale parameter");
  return locale;
}

function integer(url: URL, name: string, fallback: number, min: number, max: number): number {
  const value = url.searchParams.get(name);
  if (value === null) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new BadRequest(`Invalid ${name}: an integer from ${min} to ${max} is required.`);
  }
  return Number(value);
}

function withoutBody(post: Post): Post {
  const { body: _body, ...rest } = post;
  return rest as Post;
}

/**
 * Page-based (`page`, `page_size`: meta `next_page`, `previous_page`, and a
 * 404 past the end) or offset-based (`limit`, `offset`: meta `next_offset`,
 * `previous_offset`) pagination, never both ("Pagination").
 */
function paginate(url: URL, items: Post[], shape: (post: Post) => Post): Response {
  const has = (name: string) => url.searchParams.has(name);
  const offsetBased = has("limit") || has("offset");
  if (offsetBased && (has("page") || has("page_size"))) {
    throw new BadRequest("page/page_size and limit/offset are mutually exclusive.");
  }
  if (offsetBased) {
    const limit = integer(url, "limit", 10, 1, 100);
    const offset = integer(url, "offset", 0, 0, Number.MAX_SAFE_INTEGER);
    return Response.json({
      meta: {
        count: items.length,
        next_offset: offset + limit < items.length ? offset + limit : null,
        previous_offset: offset > 0 ? Math.max(0, offset - limit) : null,
      },
      data: items.slice(offset, offset + limit).map(shape),
    });
  }
  const page = integer(url, "page", 1, 1, Number.MAX_SAFE_INTEGER);
  const pageSize = integer(url, "page_size", 10, 1, 100);
  const lastPage = Math.max(1, Math.ceil(items.length / pageSize));
  // As the real API (Django REST framework pagination; buttercms-js issue #61): a page past the end is a 404.
  if (page > lastPage) return detail(404, `Invalid page "${page}": That page contains no results.`);
  const start = (page - 1) * pageSize;
  return Response.json({
    meta: {
      count: items.length,
      next_page: page < lastPage ? page + 1 : null,
      previous_page: page > 1 ? page - 1 : null,
    },
    data: items.slice(start, start + pageSize).map(shape),
  });
}

const bodyShape = (url: URL) =>
  url.searchParams.get("exclude_body") === "true" ? withoutBody : (p: Post) => p;

const hasTerm = (list: Term[] | undefined, slug: string) => (list ?? []).some((term) => term.slug === slug);

/** `GET /v2/posts/`: published posts of the locale, newest first; drafts and scheduled too with `preview=1`. */
function listPosts(url: URL): Response {
  const locale = localeOf(url);
  const preview = url.searchParams.get("preview") === "1";
  let posts = (preview ? postsIn(locale) : publishedIn(locale)).slice().sort(newestFirst);
  const filters: [string, (post: Post, slug: string) => boolean][] = [
    ["category_slug", (post, slug) => hasTerm(post.categories, slug)],
    ["tag_slug", (post, slug) => hasTerm(post.tags, slug)],
    ["author_slug", (post, slug) => post.author?.slug === slug],
  ];
  for (const [name, matches] of filters) {
    const slug = url.searchParams.get(name);
    if (slug !== null) posts = posts.filter((post) => matches(post, slug));
  }
  return paginate(url, posts, bodyShape(url));
}

const text = (html: unknown) =>
  String(html ?? "")
    .replace(/<[^>]*>/g, " ")
    .replace(/&(amp|lt|gt|quot);/g, " ")
    .toLowerCase();

function occurrences(haystack: string, word: string): number {
  let count = 0;
  for (let at = haystack.indexOf(word); at !== -1; at = haystack.indexOf(word, at + word.length)) count++;
  return count;
}

/**
 * A post's searchable fields (title, summary, body) as lower-case text and
 * as counts of each word stem, kept per post object while its fields are
 * the same strings: a search reads every published post of the locale, and
 * a blog of 10,000 posts (bench/sim) searches often.
 */
interface Searchable {
  source: [unknown, unknown, unknown];
  texts: string[];
  stemCounts?: Map<string, number>[];
}

const searchables = new WeakMap<Post, Searchable>();

function searchable(post: Post): Searchable {
  const source: Searchable["source"] = [post.title, post.summary, post.body];
  const known = searchables.get(post);
  if (known?.source.every((field, i) => field === source[i])) return known;
  const fresh: Searchable = { source, texts: source.map(text) };
  searchables.set(post, fresh);
  return fresh;
}

function stemCounts(found: Searchable): Map<string, number>[] {
  found.stemCounts ??= found.texts.map((field) => {
    const counts = new Map<string, number>();
    for (const word of stems(field)) counts.set(word, (counts.get(word) ?? 0) + 1);
    return counts;
  });
  return found.stemCounts;
}

/** How often each field (title, summary, body) matches one query word: as a substring, or as a word with its stem. */
function hits(post: Post, word: string, mode: SearchMode): number[] {
  const found = searchable(post);
  if (mode === "substring") return found.texts.map((field) => occurrences(field, word));
  const wanted = stems(word);
  // A query word the stemmer splits (e.g. "e-mail") matches where all its parts do, counted by the first.
  return stemCounts(found).map((counts) =>
    wanted.length > 0 && wanted.every((part) => counts.has(part))
      ? (counts.get(wanted[0] as string) ?? 0)
      : 0,
  );
}

/**
 * Relevance of a post to every word of the query, in (0, 1), or null when a
 * word is missing: title matches weigh most, then the summary, then the body
 * ("Search Posts": ranked by relevance, title matches first).
 */
function relevance(post: Post, words: string[], mode: SearchMode): number | null {
  let score = 0;
  for (const word of words) {
    const [title = 0, summary = 0, body = 0] = hits(post, word, mode);
    if (title + summary + body === 0) return null;
    score += title * 1 + summary * 0.4 + body * 0.1;
  }
  return Math.round((score / (score + 1)) * 10_000) / 10_000;
}

/**
 * `GET /v2/posts/search/?query=`: published posts only, even with `preview=1`
 * (the search never returns drafts), each with its numeric `rank`, most
 * relevant first and, at equal rank, newest first. How words match is the
 * emulator's `search` option.
 */
function searchPosts(url: URL, mode: SearchMode): Response {
  const locale = localeOf(url);
  const words = (url.searchParams.get("query") ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  const ranked = publishedIn(locale)
    .map((post) => ({ post, rank: words.length > 0 ? relevance(post, words, mode) : null }))
    .filter((hit): hit is { post: Post; rank: number } => hit.rank !== null)
    .sort((a, b) => b.rank - a.rank || newestFirst(a.post, b.post))
    .map(({ post, rank }) => ({ ...post, rank }));
  return paginate(url, ranked, bodyShape(url));
}

/** `next_post` / `previous_post`: the newer and the older published neighbour in the post's locale. */
const link = (post: Post | undefined) =>
  post ? { slug: post.slug, title: post.title, featured_image: post.featured_image } : null;

/**
 * `GET /v2/posts/<slug>/`: any status, drafts included, even without
 * `preview=1`. Without `locale` the post in the locale it was written in;
 * with `locale`, its translation in that locale, or 404 if it has none.
 */
function retrievePost(slug: string, url: URL): Response {
  const requested = url.searchParams.has("locale") ? localeOf(url) : undefined;
  const original = configuredLocales()
    .map((locale) => ({
      locale,
      post: postsIn(locale).find((candidate) => candidate.slug === slug),
    }))
    .find((found) => found.post !== undefined);
  if (!original?.post) return detail(404, "Not found.");
  // Translations share the original's slug here; the real API links them by a locale group.
  const locale = requested ?? original.locale;
  const post = postsIn(locale).find((candidate) => candidate.slug === original.post?.slug);
  if (!post) return detail(404, "Not found.");
  const published = publishedIn(locale);
  const index = published.indexOf(post);
  return Response.json({
    meta: {
      next_post: index >= 0 ? link(published[index - 1]) : null,
      previous_post: index >= 0 ? link(published[index + 1]) : null,
    },
    data: post,
  });
}

/**
 * `include=recent_posts`: up to 10 of the most recently published posts of
 * the term or author, in the requested locale, each as `{ slug, title,
 * published }` ("List All Categories").
 */
function recentPosts(locale: string, matches: (post: Post) => boolean) {
  return publishedIn(locale)
    .filter(matches)
    .sort(newestFirst)
    .slice(0, 10)
    .map((post) => ({ slug: post.slug, title: post.title, published: post.published }));
}

/** `GET /v2/categories/` lists only categories with published posts; `GET /v2/tags/` lists every tag. */
function listTerms(url: URL, kind: "categories" | "tags"): Response {
  const locale = localeOf(url);
  const include = url.searchParams.get("include") === "recent_posts";
  const terms = kind === "categories" ? categoriesWithPublishedPosts() : tags;
  return Response.json({
    data: terms.map((term) => ({
      name: term.name,
      slug: term.slug,
      ...(include ? { recent_posts: recentPosts(locale, (post) => hasTerm(post[kind], term.slug)) } : {}),
    })),
  });
}

function listAuthors(url: URL): Response {
  const locale = localeOf(url);
  const include = url.searchParams.get("include") === "recent_posts";
  return Response.json({
    data: authors.map((author: Author) => ({
      ...author,
      ...(include ? { recent_posts: recentPosts(locale, (post) => post.author?.slug === author.slug) } : {}),
    })),
  });
}

const xmlEscape = (value: unknown) =>
  String(value ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");

/** Text inside a CDATA section: a `]]>` in it is split across two sections. */
const cdata = (value: unknown) => String(value ?? "").replaceAll("]]>", "]]]]><![CDATA[>");

/** RFC 822 dates as the documented RSS example writes them: `Mon, 15 Jan 2024 10:00:00 +0000`. */
const rfc822 = (iso: unknown) => new Date(String(iso)).toUTCString().replace("GMT", "+0000");

/** The feeds' `language`: the locale code, the default locale as the documented example writes it. */
const feedLanguage = (locale: string): string => (locale === DEFAULT_LOCALE ? "en-us" : locale);

/** RSS and Atom carry the 20 newest posts; the sitemap every published post. */
const FEED_ITEMS = 20;

function feedPosts(url: URL, locale: string): Post[] {
  const category = url.searchParams.get("category_slug");
  const tag = url.searchParams.get("tag_slug");
  return publishedIn(locale)
    .filter((post) => category === null || hasTerm(post.categories, category))
    .filter((post) => tag === null || hasTerm(post.tags, tag));
}

const authorName = (post: Post) => `${post.author?.first_name ?? ""} ${post.author?.last_name ?? ""}`.trim();

function rss(posts: Post[], locale: string): string {
  const items = posts
    .slice(0, FEED_ITEMS)
    .map((post) =>
      [
        "<item>",
        `<title>${xmlEscape(post.title)}</title>`,
        `<link>${xmlEscape(post.url)}</link>`,
        post.featured_image ? `<media:content medium="image" url="${xmlEscape(post.featured_image)}"/>` : "",
        `<dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">${xmlEscape(authorName(post))}</dc:creator>`,
        `<pubDate>${rfc822(post.published)}</pubDate>`,
        `<guid>${xmlEscape(post.url)}</guid>`,
        `<description>${xmlEscape(post.summary)}</description>`,
        `<content:encoded><![CDATA[${cdata(post.body)}]]></content:encoded>`,
        "</item>",
      ].join(""),
    );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:media="http://search.yahoo.com/mrss/" version="2.0">',
    `<channel><title>Latest blog posts</title><link>${SAMPLE_SITE}/blog/rss/</link><description/>`,
    `<atom:link href="${SAMPLE_SITE}/blog/rss/" rel="self"/><language>${feedLanguage(locale)}</language>`,
    `<lastBuildDate>${rfc822(posts[0]?.published ?? new Date(0).toISOString())}</lastBuildDate>`,
    ...items,
    "</channel></rss>",
  ].join("\n");
}

function atom(posts: Post[], locale: string): string {
  const entries = posts
    .slice(0, FEED_ITEMS)
    .map((post) =>
      [
        "<entry>",
        `<title>${xmlEscape(post.title)}</title>`,
        `<link href="${xmlEscape(post.url)}" rel="alternate"/>`,
        `<published>${post.published}</published><updated>${post.updated}</updated>`,
        `<author><name>${xmlEscape(authorName(post))}</name></author>`,
        `<id>${xmlEscape(post.url)}</id>`,
        `<summary type="html">${xmlEscape(post.summary)}</summary>`,
        "</entry>",
      ].join(""),
    );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${feedLanguage(locale)}">`,
    `<title>Latest blog posts</title><link href="${SAMPLE_SITE}/blog/rss/" rel="alternate"/>`,
    `<link href="${SAMPLE_SITE}/blog/atom/" rel="self"/><id>${SAMPLE_SITE}/blog/rss/</id>`,
    `<updated>${posts[0]?.updated ?? new Date(0).toISOString()}</updated>`,
    ...entries,
    "</feed>",
  ].join("\n");
}

function sitemap(posts: Post[]): string {
  const urls = posts.map(
    (post) =>
      `  <url>\n    <loc>${xmlEscape(post.url)}</loc>\n    <lastmod>${String(post.updated).slice(0, 10)}</lastmod>\n  </url>`,
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.sitemaps.org/schemas/sitemap/0.9 http://www.sitemaps.org/schemas/sitemap/0.9/sitemap.xsd">',
    ...urls,
    "</urlset>",
    "",
  ].join("\n");
}

/**
 * `GET /v2/feeds/<rss|atom|sitemap>/`: published posts only, narrowed by
 * `category_slug`, `tag_slug` and `locale`; JSON whose `data` is the XML
 * (docs/buttercms.md, "Feeds arrive wrapped in JSON").
 */
function feed(url: URL, type: string): Response {
  const locale = localeOf(url);
  const posts = feedPosts(url, locale);
  const xml = type === "rss" ? rss(posts, locale) : type === "atom" ? atom(posts, locale) : sitemap(posts);
  return Response.json({ data: xml });
}

function route(path: string, options: EmulatorOptions): ((url: URL) => Response) | undefined {
  if (path === "posts/") return listPosts;
  if (path === "posts/search/") return (url) => searchPosts(url, options.search ?? "substring");
  if (/^posts\/[^/]+\/$/.test(path)) return (url) => retrievePost(decodeURIComponent(path.slice(6, -1)), url);
  if (path === "categories/") return (url) => listTerms(url, "categories");
  if (path === "tags/") return (url) => listTerms(url, "tags");
  if (path === "authors/") return listAuthors;
  if (/^feeds\/(rss|atom|sitemap)\/$/.test(path)) return (url) => feed(url, path.slice(6, -1));
  return undefined;
}

/** Waits for the caller to give up (its signal aborts), then answers a network error, as a dropped connection. */
function hang(signal: AbortSignal): Promise<Response> {
  return new Promise((resolve) => {
    const timer = setTimeout(
      () => resolve(new Response("<html><body>504 Gateway Time-out</body></html>", { status: 504 })),
      HANG_LIMIT_MS,
    );
    const giveUp = () => {
      clearTimeout(timer);
      resolve(Response.error());
    };
    if (signal.aborted) giveUp();
    else signal.addEventListener("abort", giveUp, { once: true });
  });
}

/** Faults that happen before ButterCMS's application sees the request: no token check. */
function transportFault(fault: SampleFault | undefined, request: Request): Promise<Response> | undefined {
  if (fault === "down") return Promise.resolve(Response.error());
  if (fault === "timeout") return hang(request.signal);
  if (fault === "503") {
    const page =
      "<html><head><title>503 Service Unavailable</title></head><body>Service Unavailable</body></html>";
    return Promise.resolve(new Response(page, { status: 503, headers: { "Content-Type": "text/html" } }));
  }
  return undefined;
}

/** Faults of the application itself, answered to an authenticated request. */
function applicationFault(fault: SampleFault | undefined, now: number): Response | undefined {
  if (fault === "500") return detail(500, "A server error occurred.");
  if (fault === "quota") {
    // "Rate limits & throttling": 429 with Retry-After, the seconds until the monthly reset.
    return detail(429, "API Calls limit reached.", { "Retry-After": String(secondsUntilMonthlyReset(now)) });
  }
  return undefined;
}

/**
 * ButterCMS's answer to `request`, or `undefined` when it is not a ButterCMS
 * API URL we emulate. A network error is answered as `Response.error()`
 * (msw turns it into a failed fetch; the preload throws).
 */
export async function emulateButter(
  request: Request,
  options: EmulatorOptions,
): Promise<Response | undefined> {
  if (request.method !== "GET" || !request.url.startsWith(`${BUTTER_API}/`)) return undefined;
  const url = new URL(request.url);
  const handler = route(url.pathname.slice("/v2/".length), options);
  if (!handler) return undefined;
  if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
  const fault = typeof options.fault === "function" ? options.fault(url) : options.fault;
  const transport = transportFault(fault, request);
  if (transport) return transport;
  const token = url.searchParams.get("auth_token");
  // "API error codes": a missing token and a wrong one are both 401, with different details.
  if (!token) return detail(401, "Authentication credentials were not provided");
  if (token !== options.token) return detail(401, "Invalid token");
  const failure = applicationFault(fault, (options.now ?? Date.now)());
  if (failure) return failure;
  try {
    return handler(url);
  } catch (error) {
    if (error instanceof BadRequest) return detail(400, error.message);
    throw error;
  }
}

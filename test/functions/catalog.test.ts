import { describe, expect, it } from "vitest";
import getAuthors from "../../functions/getAuthors.mts";
import getCategories from "../../functions/getCategories.mts";
import getFeed from "../../functions/getFeed.mts";
import getOpenApi from "../../functions/getOpenApi.mts";
import getTags from "../../functions/getTags.mts";
import searchPosts from "../../functions/searchPosts.mts";
import { authors, categories, publishedPosts, tags } from "../../sample/data.ts";
import {
  BUTTER_API,
  butterRequests,
  FAULTS,
  HttpResponse,
  http,
  server,
  TEST_TOKEN,
} from "../helpers/butter.ts";
import { type Handler, invoke } from "../helpers/invoke.ts";
import { expectFaultAnswer } from "../helpers/secrets.ts";

const LISTS: [string, Handler, string, string, number][] = [
  // ButterCMS lists only the categories that have published posts: a publish can change the list.
  [
    "/api/categories",
    getCategories,
    "/v2/categories/",
    "categories,posts",
    categories.filter((term) =>
      publishedPosts.some((post) => post.categories?.some((c) => c.slug === term.slug)),
    ).length,
  ],
  ["/api/tags", getTags, "/v2/tags/", "tags", tags.length],
  ["/api/authors", getAuthors, "/v2/authors/", "authors", authors.length],
];

describe.each(LISTS)("GET %s", (path, handler, upstreamPath, tag, count) => {
  it("answers every item, with the public cache headers and its own cache tag", async () => {
    const res = await invoke(handler, path);
    expect(res.status).toBe(200);
    expect((res.json.data as unknown[]).length).toBe(count);
    expect(res.headers.get("Netlify-Cache-Tag")).toBe(tag);
    expect(res.headers.get("Netlify-Vary")).toBe("query=include");
    expect(res.headers.get("ETag")).toMatch(/^"/);
    expect(butterRequests.map((url) => url.pathname)).toEqual([upstreamPath]);
    expect(butterRequests[0]?.searchParams.has("include")).toBe(false);
  });

  it("embeds exactly ButterCMS's recent posts with include=recent_posts, computed from the index, with the posts tag", async () => {
    const res = await invoke(handler, `${path}?include=recent_posts`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Netlify-Cache-Tag")).toBe(`${tag.split(",")[0]},posts`);
    // The list without recent posts, and the published index: no call for recent posts themselves.
    expect(butterRequests.map((url) => url.pathname).sort()).toEqual([upstreamPath, "/v2/posts/"].sort());
    expect(butterRequests.some((url) => url.searchParams.has("include"))).toBe(false);
    const upstream = await fetch(
      `${BUTTER_API}${upstreamPath.slice(3)}?include=recent_posts&auth_token=${TEST_TOKEN}`,
    );
    const butter = ((await upstream.json()) as { data: { slug: string; recent_posts: unknown[] }[] }).data;
    const ours = res.json.data as { slug: string; recent_posts: Record<string, unknown>[] }[];
    // ButterCMS's documented fields, exactly; the index adds summary, image and URL.
    const documented = (posts: Record<string, unknown>[]) =>
      posts.map(({ slug, title, published }) => ({ slug, title, published }));
    expect(ours.map((item) => [item.slug, documented(item.recent_posts)])).toEqual(
      butter.map((item) => [item.slug, item.recent_posts]),
    );
    const bySlug = new Map(publishedPosts.map((post) => [post.slug, post]));
    for (const recent of ours.flatMap((item) => item.recent_posts)) {
      const post = bySlug.get(recent.slug as string);
      expect(recent).toEqual({
        slug: post?.slug,
        title: post?.title,
        published: post?.published,
        summary: post?.summary,
        featured_image: post?.featured_image,
        url: post?.url,
      });
    }
    expect(ours.some((item) => item.recent_posts.length > 0)).toBe(true);
  });

  it("never shows an email, embedded authors included", async () => {
    const res = await invoke(handler, `${path}?include=recent_posts`);
    expect(res.text).not.toContain("@example.com");
    expect(res.text).not.toContain('"email"');
  });

  it.each(["include=posts", "include=", "page=1", "include=recent_posts&include=recent_posts"])(
    "answers 400 and calls ButterCMS zero times for ?%s",
    async (query) => {
      const res = await invoke(handler, `${path}?${query}`);
      expect(res.status).toBe(400);
      expect(res.json.code).toBe("invalid_parameter");
      expect(butterRequests).toHaveLength(0);
    },
  );

  it("answers 405 with Allow to POST", async () => {
    const res = await invoke(handler, path, { method: "POST" });
    expect(res.status).toBe(405);
    expect(res.headers.get("Allow")).toBe("GET, HEAD, OPTIONS");
  });

  it.each(FAULTS)("answers $status $code when ButterCMS gives $name", async (fault) => {
    server.use(http.get(`${BUTTER_API}${upstreamPath.slice(3)}`, fault.reply));
    const res = await invoke(handler, path);
    expectFaultAnswer(res, fault);
  });
});

describe("GET /api/search", () => {
  const target = publishedPosts[5]!;
  const word = target.title.split(" ").find((w) => w.length > 6)!;

  it("asks ButterCMS once for queries that differ only in case and white space", async () => {
    await invoke(searchPosts, "/api/search?q=Cache%20%20Tags");
    await invoke(searchPosts, "/api/search?q=cache%20tags");
    await invoke(searchPosts, "/api/search?q=%20CACHE%20TAGS%20");
    expect(butterRequests).toHaveLength(1);
  });

  it("finds a post by a word of its title, and asks ButterCMS with the normalised query, without bodies", async () => {
    const res = await invoke(searchPosts, `/api/search?q=${encodeURIComponent(` ${word.toUpperCase()}  `)}`);
    expect(res.status).toBe(200);
    expect((res.json.data as { slug: string }[]).map((post) => post.slug)).toContain(target.slug);
    expect(butterRequests[0]?.pathname).toBe("/v2/posts/search/");
    expect(butterRequests[0]?.searchParams.get("query")).toBe(word.toLowerCase());
    expect(butterRequests[0]?.searchParams.get("exclude_body")).toBe("true");
    expect((res.json.data as { body?: string }[]).every((post) => post.body === undefined)).toBe(true);
    expect(res.headers.get("Netlify-Cache-Tag")).toBe("posts,search");
    expect(res.headers.get("Netlify-Vary")).toBe("query=q|page|page_size|exclude_body|locale");
    expect(res.text).not.toContain("@example.com");
  });

  it("answers a page past the end with 200 and no data", async () => {
    const res = await invoke(searchPosts, "/api/search?q=cache&page=50");
    expect(res.status).toBe(200);
    expect(res.json.data).toEqual([]);
  });

  it("answers an empty page for a word nobody wrote", async () => {
    const res = await invoke(searchPosts, "/api/search?q=zzyzx");
    expect(res.status).toBe(200);
    expect(res.json.data).toEqual([]);
  });

  it.each([
    ["q missing", "", "q"],
    ["q empty", "?q=", "q"],
    ["q only spaces", "?q=%20%20", "q"],
    ["q of 201 characters", `?q=${"a".repeat(201)}`, "q"],
    ["page_size 101", "?q=cache&page_size=101", "page_size"],
    ["an unknown parameter", "?q=cache&query=cache", "query"],
  ])("answers 400 for %s and calls ButterCMS zero times", async (_name, query, name) => {
    const res = await invoke(searchPosts, `/api/search${query}`);
    expect(res.status).toBe(400);
    expect((res.json.errors as { name: string }[]).map((e) => e.name)).toContain(name);
    expect(butterRequests).toHaveLength(0);
  });

  it.each(FAULTS)("answers $status $code when ButterCMS gives $name", async (fault) => {
    server.use(http.get(`${BUTTER_API}/posts/search/`, fault.reply));
    const res = await invoke(searchPosts, "/api/search?q=cache");
    expectFaultAnswer(res, fault);
  });
});

describe("GET /api/feeds/:type", () => {
  const feed = (type: string, query = "") =>
    invoke(getFeed, `/api/feeds/${type}${query}`, { params: { type } });

  it.each([
    ["rss", "application/rss+xml; charset=utf-8", "<rss"],
    ["atom", "application/atom+xml; charset=utf-8", "<feed"],
    ["sitemap", "application/xml; charset=utf-8", "<urlset"],
  ])("answers the %s XML itself with %s", async (type, contentType, root) => {
    const res = await feed(type);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe(contentType);
    expect(res.text.startsWith("<?xml")).toBe(true);
    expect(res.text).toContain(root);
    expect(res.text).toContain(publishedPosts[0]!.slug);
    expect(res.headers.get("Netlify-Cache-Tag")).toBe("posts,feeds");
    expect(butterRequests[0]?.pathname).toBe(`/v2/feeds/${type}/`);
  });

  it.each(["rss", "atom", "sitemap"])("passes category and tag to ButterCMS for %s", async (type) => {
    await feed(type, "?category=performance&tag=caching");
    expect(butterRequests[0]?.searchParams.get("category_slug")).toBe("performance");
    expect(butterRequests[0]?.searchParams.get("tag_slug")).toBe("caching");
  });

  it.each([
    ["sitemap", "?page=2"],
    ["rss", "?category=../x"],
    ["atom", "?limit=5"],
  ])("answers 400 for /api/feeds/%s%s and calls ButterCMS zero times", async (type, query) => {
    const res = await feed(type, query);
    expect(res.status).toBe(400);
    expect(butterRequests).toHaveLength(0);
  });

  it("answers 404 for an unknown feed type", async () => {
    const res = await feed("json");
    expect(res.status).toBe(404);
    expect(butterRequests).toHaveLength(0);
  });

  it("accepts the feed as a bare JSON string too (the OpenAPI example's shape)", async () => {
    server.use(
      http.get(`${BUTTER_API}/feeds/rss/`, () => HttpResponse.json('<?xml version="1.0"?><rss></rss>')),
    );
    const res = await feed("rss");
    expect(res.status).toBe(200);
    expect(res.text).toBe('<?xml version="1.0"?><rss></rss>');
  });

  it("removes email addresses from the XML (RSS <author> is one by definition)", async () => {
    const xml = '<?xml version="1.0"?><rss><item><author>ada.okafor@example.com (Ada)</author></item></rss>';
    server.use(http.get(`${BUTTER_API}/feeds/rss/`, () => HttpResponse.json({ data: xml })));
    const res = await feed("rss");
    expect(res.text).not.toContain("@");
    expect(res.text).toContain("(Ada)");
  });

  it.each(FAULTS)("answers $status $code when ButterCMS gives $name", async (fault) => {
    server.use(http.get(`${BUTTER_API}/feeds/atom/`, fault.reply));
    const res = await feed("atom");
    expectFaultAnswer(res, fault);
  });
});

describe("GET /api/openapi.json", () => {
  it("serves the OpenAPI 3.1 document with public caching and an ETag", async () => {
    const res = await invoke(getOpenApi, "/api/openapi.json");
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe("3.1.0");
    expect(res.headers.get("Netlify-Cache-Tag")).toBe("openapi");
    expect(res.headers.get("Netlify-Vary")).toBeNull();
    const again = await invoke(getOpenApi, "/api/openapi.json", {
      headers: { "If-None-Match": res.headers.get("ETag") as string },
    });
    expect(again.status).toBe(304);
  });

  it("answers 400 to any query parameter", async () => {
    expect((await invoke(getOpenApi, "/api/openapi.json?v=2")).status).toBe(400);
  });
});

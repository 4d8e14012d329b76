/**
 * What the real ButterCMS does that the backend must handle: the monthly
 * quota, locales, search relevance, embedded recent posts, and images on
 * ButterCMS's CDN.
 */
import { describe, expect, it, vi } from "vitest";
import getAuthors from "../../functions/getAuthors.mts";
import getPost from "../../functions/getPost.mts";
import getPosts from "../../functions/getPosts.mts";
import searchPosts from "../../functions/searchPosts.mts";
import { publishedPosts, translatedPosts } from "../../sample/data.ts";
import { secondsUntilMonthlyReset } from "../../sample/faults.ts";
import { QUOTA_PROBE_INTERVAL_MS } from "../../src/content/upstream.ts";
import { BUTTER_API, butterRequests, HttpResponse, http, server } from "../helpers/butter.ts";
import { consoleLines } from "../helpers/console.ts";
import { coldInstance } from "../helpers/instances.ts";
import { invoke } from "../helpers/invoke.ts";

const quotaExhausted = () =>
  HttpResponse.json(
    { detail: "API Calls limit reached." },
    { status: 429, headers: { "Retry-After": String(secondsUntilMonthlyReset(Date.now())) } },
  );

describe("the monthly quota (429 with a month-long Retry-After)", () => {
  it("stops calls from every instance until a probe is due, with the real remaining time in Retry-After", async () => {
    server.use(http.get(`${BUTTER_API}/*`, quotaExhausted));
    const first = await invoke(await coldInstance("getPosts"), "/api/posts");
    expect(first.status).toBe(503);
    expect(first.json.code).toBe("upstream_unavailable");
    const month = secondsUntilMonthlyReset(Date.now());
    expect(Number(first.headers.get("Retry-After"))).toBeGreaterThan(month - 60);
    expect(butterRequests).toHaveLength(1);
    expect(
      consoleLines.filter((line) => line.includes("quota is used up") && line.includes("resetsAt")),
    ).toHaveLength(1);

    // Other, cold instances of other functions: no call to ButterCMS at all.
    const slug = publishedPosts[0]!.slug;
    const post = await invoke(await coldInstance("getPost"), `/api/posts/${slug}`, { params: { slug } });
    const search = await invoke(await coldInstance("searchPosts"), "/api/search?q=cache");
    for (const res of [post, search]) {
      expect(res.status).toBe(503);
      expect(Number(res.headers.get("Retry-After"))).toBeGreaterThan(month - 120);
    }
    expect(butterRequests).toHaveLength(1);
  });

  it("lets one probe through once it is due, and clears the outage when ButterCMS answers again", async () => {
    server.use(http.get(`${BUTTER_API}/*`, quotaExhausted));
    const getPostsA = await coldInstance("getPosts");
    await invoke(getPostsA, "/api/posts");
    server.resetHandlers();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.advanceTimersByTime(QUOTA_PROBE_INTERVAL_MS + 1);
    const [a, b] = [await coldInstance("getPosts"), await coldInstance("getPosts")];
    expect((await invoke(a, "/api/posts")).status).toBe(200);
    expect((await invoke(b, "/api/posts?page=2")).status).toBe(200);
    expect(butterRequests.length).toBeGreaterThan(1);
  });
});

describe("locale (BUTTERCMS_LOCALES)", () => {
  it.each(["/api/posts?locale=es", "/api/search?q=a&locale=es"])(
    "answers 400 invalid_parameter for %s while BUTTERCMS_LOCALES is unset, calling ButterCMS zero times",
    async (path) => {
      const res = await invoke(path.startsWith("/api/search") ? searchPosts : getPosts, path);
      expect(res.status).toBe(400);
      expect(res.json.code).toBe("invalid_parameter");
      expect(butterRequests).toHaveLength(0);
    },
  );

  it("serves another locale with its own ButterCMS calls, cache tags and CDN variation", async () => {
    vi.stubEnv("BUTTERCMS_LOCALES", "en,es");
    const res = await invoke(getPosts, "/api/posts?locale=es");
    expect(res.status).toBe(200);
    expect((res.json.data as { title: string }[])[0]?.title).toBe(translatedPosts[0]?.title);
    expect(res.headers.get("Netlify-Cache-Tag")).toBe("posts:es");
    expect(res.headers.get("Netlify-Vary")).toContain("locale");
    expect(butterRequests.every((url) => url.searchParams.get("locale") === "es")).toBe(true);
  });

  it("treats the default locale (the first listed) as no locale: one index, the plain tags", async () => {
    vi.stubEnv("BUTTERCMS_LOCALES", "en,es");
    const plain = await invoke(getPosts, "/api/posts");
    const explicit = await invoke(getPosts, "/api/posts?locale=en");
    expect(explicit.text).toBe(plain.text);
    expect(explicit.headers.get("Netlify-Cache-Tag")).toBe("posts");
    expect(butterRequests).toHaveLength(1);
    expect(butterRequests[0]?.searchParams.has("locale")).toBe(false);
  });

  it("answers 400 for a locale not in BUTTERCMS_LOCALES", async () => {
    vi.stubEnv("BUTTERCMS_LOCALES", "en,es");
    const res = await invoke(getPosts, "/api/posts?locale=fr");
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([{ name: "locale", reason: "must be one of: en, es" }]);
  });

  it("serves a translated post by slug in its locale", async () => {
    vi.stubEnv("BUTTERCMS_LOCALES", "en,es");
    const translated = translatedPosts[1]!;
    const res = await invoke(getPost, `/api/posts/${translated.slug}?locale=es`, {
      params: { slug: translated.slug },
    });
    expect(res.status).toBe(200);
    expect((res.json.data as { title: string }).title).toBe(translated.title);
    expect(res.headers.get("Netlify-Cache-Tag")).toBe(`posts:es,post:${translated.slug}:es`);
  });
});

describe("search as ButterCMS does it", () => {
  it("keeps ButterCMS's relevance order and passes rank through", async () => {
    const res = await invoke(searchPosts, "/api/search?q=cache");
    const data = res.json.data as { rank?: number }[];
    expect(data.length).toBeGreaterThan(1);
    expect(data.every((post) => typeof post.rank === "number")).toBe(true);
    const ranks = data.map((post) => post.rank as number);
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
  });

  it("sends bodies only when asked with exclude_body=false", async () => {
    const res = await invoke(searchPosts, "/api/search?q=cache&exclude_body=false");
    expect(butterRequests[0]?.searchParams.get("exclude_body")).toBe("false");
    expect((res.json.data as { body?: string }[]).every((post) => typeof post.body === "string")).toBe(true);
  });
});

describe("recent_posts in term lists", () => {
  it("follows ButterCMS's documented definition: each term's 10 newest published posts, newest first", async () => {
    const res = await invoke(getAuthors, "/api/authors?include=recent_posts");
    const terms = res.json.data as { slug: string; recent_posts: Record<string, unknown>[] }[];
    for (const term of terms) {
      const expected = publishedPosts
        .filter((post) => post.author?.slug === term.slug)
        .sort((a, b) => String(b.published).localeCompare(String(a.published)))
        .slice(0, 10)
        .map((post) => ({ slug: post.slug, title: post.title, published: post.published }));
      expect(term.recent_posts.map(({ slug, title, published }) => ({ slug, title, published }))).toEqual(
        expected,
      );
      expect(term.recent_posts.some((post) => "body" in post || "status" in post)).toBe(false);
    }
    expect(terms.some((term) => term.recent_posts.length === 10)).toBe(true);
  });
});

describe("images on ButterCMS's CDN", () => {
  it("adds a srcset of resize transformations next to featured_image, and null elsewhere", async () => {
    const res = await invoke(getPosts, "/api/posts?page_size=100");
    const data = res.json.data as { featured_image: string | null; featured_image_srcset: string | null }[];
    const onCdn = data.filter((post) => post.featured_image?.startsWith("https://cdn.buttercms.com/"));
    expect(onCdn.length).toBeGreaterThan(0);
    for (const post of onCdn) {
      const handle = (post.featured_image as string).split("/").at(-1);
      expect(post.featured_image_srcset).toBe(
        [320, 640, 960, 1280, 1920]
          .map((w) => `https://cdn.buttercms.com/resize=width:${w}/${handle} ${w}w`)
          .join(", "),
      );
    }
    for (const post of data.filter((p) => !p.featured_image?.startsWith("https://cdn.buttercms.com/"))) {
      expect(post.featured_image_srcset).toBeNull();
    }
  });
});

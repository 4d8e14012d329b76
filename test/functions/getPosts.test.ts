import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import handler from "../../functions/getPosts.mts";
import { publishedPosts } from "../../sample/data.ts";
import { markSampleBlogLoaded } from "../../src/butter/sample-flag.ts";
import { enableSessions } from "../helpers/auth.ts";
import {
  BUTTER_API,
  butterRequests,
  FAULTS,
  HttpResponse,
  http,
  server,
  TEST_TOKEN,
} from "../helpers/butter.ts";
import { consoleLines } from "../helpers/console.ts";
import { invoke } from "../helpers/invoke.ts";
import { expectFaultAnswer, expectNoSecrets } from "../helpers/secrets.ts";

const list = (query = "", options = {}) => invoke(handler, `/api/posts${query}`, options);

describe("GET /api/posts", () => {
  it("answers 200 with the ButterCMS list shape, newest first, 10 per page by default", async () => {
    const res = await list();
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(res.json.meta).toEqual({ count: publishedPosts.length, next_page: 2, previous_page: null });
    const data = res.json.data as { slug: string }[];
    expect(data).toHaveLength(10);
    expect(data[0]?.slug).toBe(publishedPosts[0]?.slug);
  });

  it("builds the published index with one ButterCMS call per 100 posts: the token, no 'undefined', no preview", async () => {
    await list("?page=1&page_size=5&category=engineering&tag=netlify&author=ada-okafor");
    expect(butterRequests).toHaveLength(1);
    const url = butterRequests[0] as URL;
    expect(url.pathname).toBe("/v2/posts/");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      page: "1",
      page_size: "100",
      exclude_body: "true",
      auth_token: TEST_TOKEN,
    });
  });

  it("omits filters that were not given instead of sending the string 'undefined'", async () => {
    await list();
    const url = butterRequests[0] as URL;
    expect(url.search).not.toContain("undefined");
    expect(url.searchParams.has("category_slug")).toBe(false);
    expect(url.searchParams.get("exclude_body")).toBe("true");
    expect(url.searchParams.has("preview")).toBe(false);
    expect(url.searchParams.has("test")).toBe(false);
  });

  it("leaves bodies out by default and includes them with exclude_body=false", async () => {
    const without = (await list()).json.data as Record<string, unknown>[];
    expect(without.every((post) => !("body" in post))).toBe(true);
    const withBody = (await list("?exclude_body=0")).json.data as Record<string, unknown>[];
    expect(withBody.every((post) => typeof post.body === "string")).toBe(true);
  });

  it("filters by category, tag and author", async () => {
    const data = (await list("?category=performance&page_size=100")).json.data as {
      categories: { slug: string }[];
    }[];
    expect(data.length).toBeGreaterThan(0);
    expect(data.every((post) => post.categories.some((c) => c.slug === "performance"))).toBe(true);
  });

  it("answers a page past the end (a 404 at ButterCMS) with 200, no data, and a link back to the last page", async () => {
    const res = await list("?page=99");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      meta: { count: publishedPosts.length, next_page: null, previous_page: 4 },
      data: [],
    });
    // Answered from the published index: ButterCMS is asked for the index only.
    expect(butterRequests.map((url) => url.searchParams.get("page_size"))).toEqual(["100"]);
  });

  it("answers an empty filter's page 2 with 200 and no previous page", async () => {
    const res = await list("?page=2&category=no-such-category");
    expect(res.status).toBe(200);
    expect(res.json.meta).toEqual({ count: 0, next_page: null, previous_page: null });
  });

  it("never shows a draft in the public list", async () => {
    const data = (await list("?page_size=100")).json.data as { status: string }[];
    expect(data.every((post) => post.status === "published")).toBe(true);
  });

  it("removes author.email from every post", async () => {
    const res = await list("?page_size=100");
    expect(res.text).not.toMatch(/"email"/);
    expect(res.text).not.toContain("@example.com");
    const data = res.json.data as { author: Record<string, unknown> }[];
    expect(data[0]?.author.slug).toBeTypeOf("string");
  });

  describe("caching headers", () => {
    it("sends the public cache headers, the posts tag and a Netlify-Vary of the documented parameters", async () => {
      const res = await list();
      expect(res.headers.get("Cache-Control")).toBe("public, max-age=0, must-revalidate");
      expect(res.headers.get("Netlify-CDN-Cache-Control")).toBe(
        "public, durable, s-maxage=300, stale-while-revalidate=604800",
      );
      expect(res.headers.get("Netlify-Cache-Tag")).toBe("posts");
      expect(res.headers.get("Netlify-Vary")).toBe(
        "query=page|page_size|category|tag|author|exclude_body|locale|preview",
      );
      expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    });

    it("takes the CDN lifetimes from CDN_MAX_AGE and CDN_SWR", async () => {
      vi.stubEnv("CDN_MAX_AGE", "60");
      vi.stubEnv("CDN_SWR", "120");
      expect((await list()).headers.get("Netlify-CDN-Cache-Control")).toBe(
        "public, durable, s-maxage=60, stale-while-revalidate=120",
      );
    });

    it("answers 500 misconfigured when CDN_MAX_AGE is not an integer", async () => {
      vi.stubEnv("CDN_MAX_AGE", "5m");
      const res = await list();
      expect(res.status).toBe(500);
      expect(res.json.code).toBe("misconfigured");
      expect(consoleLines.join("\n")).toContain("CDN_MAX_AGE");
    });

    it("sends a strong ETag over the body and answers a matching If-None-Match with 304 and no body", async () => {
      const first = await list();
      const etag = first.headers.get("ETag") as string;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
      const second = await list("", { headers: { "If-None-Match": etag } });
      expect(second.status).toBe(304);
      expect(second.text).toBe("");
      expect(second.headers.get("ETag")).toBe(etag);
      expect(second.headers.get("Netlify-Cache-Tag")).toBe("posts");
    });

    it.each([
      ["Netlify's -df suffix", (etag: string) => etag.replace(/"$/, '-df"')],
      ["a weak form", (etag: string) => `W/${etag}`],
      ["a list", (etag: string) => `"other", ${etag}`],
      ["*", () => "*"],
    ])("answers 304 for If-None-Match with %s", async (_name, variant) => {
      const etag = (await list()).headers.get("ETag") as string;
      expect((await list("", { headers: { "If-None-Match": variant(etag) } })).status).toBe(304);
    });

    it("answers 200 when If-None-Match names another ETag", async () => {
      const res = await list("", { headers: { "If-None-Match": '"something-else"' } });
      expect(res.status).toBe(200);
    });

    it("gives different pages different ETags", async () => {
      const one = (await list("?page=1")).headers.get("ETag");
      const two = (await list("?page=2")).headers.get("ETag");
      expect(one).not.toBe(two);
    });
  });

  describe("bad input", () => {
    it.each([
      ["page=0", "page"],
      ["page=-1", "page"],
      ["page=abc", "page"],
      ["page=1.5", "page"],
      ["page=1e2", "page"],
      ["page=0x10", "page"],
      ["page=", "page"],
      ["page=01", "page"],
      ["page=1&page=2", "page"],
      ["page_size=0", "page_size"],
      ["page_size=101", "page_size"],
      ["pagesize=10", "pagesize"],
      ["limit=5", "limit"],
      ["category=../authors", "category"],
      ["category=a%20b", "category"],
      ["category=", "category"],
      ["tag=-leading-dash", "tag"],
      [`author=${"a".repeat(201)}`, "author"],
      ["exclude_body=yes", "exclude_body"],
      ["preview=true", "preview"],
      ["preview=0", "preview"],
    ])("answers 400 and calls ButterCMS zero times for ?%s", async (query, name) => {
      const res = await list(`?${query}`);
      expect(res.status).toBe(400);
      expect(res.headers.get("Content-Type")).toBe("application/problem+json");
      expect(res.json).toMatchObject({
        type: "about:blank",
        title: "Bad Request",
        status: 400,
        code: "invalid_parameter",
      });
      expect(res.json.detail).toBeTypeOf("string");
      expect((res.json.errors as { name: string }[]).map((e) => e.name)).toContain(name);
      expect(res.headers.get("Cache-Control")).toBe("private, no-store");
      expect(res.headers.get("Netlify-CDN-Cache-Control")).toBeNull();
      expect(butterRequests).toHaveLength(0);
    });

    it("lists every invalid parameter at once, each with a reason", async () => {
      const res = await list("?page=0&page_size=500&foo=1");
      const errors = res.json.errors as { name: string; reason: string }[];
      expect(errors.map((e) => e.name).sort()).toEqual(["foo", "page", "page_size"]);
      expect(errors.every((e) => e.reason.length > 0)).toBe(true);
    });

    it("never answers 5xx nor leaks the token for arbitrary query strings", async () => {
      enableSessions(); // as deployed with previews on: preview=1 is then 401, not 503 auth_not_configured
      const names = fc.constantFrom(
        "page",
        "page_size",
        "category",
        "tag",
        "author",
        "exclude_body",
        "preview",
        "x",
        "",
      );
      const values = fc.oneof(
        fc.string(),
        fc.integer().map(String),
        fc.constantFrom("1", "true", "ok", "a-b"),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.oneof(names, fc.string()), values), { maxLength: 5 }),
          async (pairs) => {
            const query = new URLSearchParams(pairs).toString();
            const res = await list(`?${query}`);
            expect(res.status).toBeLessThan(500);
            expect(res.text).not.toContain(TEST_TOKEN);
          },
        ),
        { numRuns: 150 },
      );
    });
  });

  describe("methods and CORS", () => {
    it.each(["POST", "PUT", "PATCH", "DELETE"])("answers %s with 405 and an Allow header", async (method) => {
      const res = await list("", { method });
      expect(res.status).toBe(405);
      expect(res.json.code).toBe("method_not_allowed");
      expect(res.headers.get("Allow")).toBe("GET, HEAD, OPTIONS");
      expect(butterRequests).toHaveLength(0);
    });

    it("answers HEAD like GET without a body", async () => {
      const res = await list("", { method: "HEAD" });
      expect(res.status).toBe(200);
      expect(res.text).toBe("");
      expect(res.headers.get("ETag")).toMatch(/^"/);
    });

    it("answers an OPTIONS preflight with 204 and the allowed methods and headers", async () => {
      const res = await list("", {
        method: "OPTIONS",
        headers: { Origin: "https://app.example", "Access-Control-Request-Method": "GET" },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
      expect(res.headers.get("Access-Control-Allow-Methods")).toBe("GET, HEAD, OPTIONS");
      expect(res.headers.get("Access-Control-Allow-Headers")).toContain("If-None-Match");
      expect(butterRequests).toHaveLength(0);
    });

    it("sends Access-Control-Allow-Origin * and no credentials when ALLOWED_ORIGINS is unset", async () => {
      const res = await list("", { headers: { Origin: "https://anywhere.example" } });
      expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
      expect(res.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    });

    it("echoes only a listed origin when ALLOWED_ORIGINS is set, with Vary: Origin", async () => {
      vi.stubEnv("ALLOWED_ORIGINS", "https://app.example, https://www.example");
      const listed = await list("", { headers: { Origin: "https://www.example" } });
      expect(listed.headers.get("Access-Control-Allow-Origin")).toBe("https://www.example");
      expect(listed.headers.get("Vary")).toContain("Origin");
      expect(listed.headers.get("Netlify-Vary")).toContain("header=Origin");
      const other = await list("", { headers: { Origin: "https://evil.example" } });
      expect(other.status).toBe(200);
      expect(other.headers.get("Access-Control-Allow-Origin")).toBeNull();
    });
  });

  describe("configuration", () => {
    it("answers 500 misconfigured in a deployed context without a token, naming the variable only in the log", async () => {
      vi.stubEnv("BUTTERCMS_API_TOKEN", undefined);
      const res = await list();
      expect(res.status).toBe(500);
      expect(res.json.code).toBe("misconfigured");
      expect(res.text).not.toContain("BUTTERCMS_API_TOKEN");
      expect(consoleLines.join("\n")).toContain("BUTTERCMS_API_TOKEN");
      expect(butterRequests).toHaveLength(0);
    });

    it("serves the sample blog under netlify dev without a token", async () => {
      vi.stubEnv("BUTTERCMS_API_TOKEN", undefined);
      vi.stubEnv("NETLIFY_DEV", "true");
      server.use(
        ...(await import("../../sample/msw-handlers.ts")).butterHandlers({ token: "sample-blog-token" }),
      );
      markSampleBlogLoaded(true);
      const res = await list();
      expect(res.status).toBe(200);
      expect((res.json.data as unknown[]).length).toBe(10);
    });

    it("serves the sample blog with BUTTERCMS_SAMPLE=1 even where a token is set", async () => {
      vi.stubEnv("BUTTERCMS_SAMPLE", "1");
      server.use(
        ...(await import("../../sample/msw-handlers.ts")).butterHandlers({ token: "sample-blog-token" }),
      );
      markSampleBlogLoaded(true);
      expect((await list()).status).toBe(200);
      expect(butterRequests[0]?.searchParams.get("auth_token")).toBe("sample-blog-token");
    });

    it("answers 500 misconfigured in sample mode when the sample blog is not loaded", async () => {
      vi.stubEnv("BUTTERCMS_API_TOKEN", undefined);
      vi.stubEnv("NETLIFY_DEV", "true");
      const res = await list();
      expect(res.status).toBe(500);
      expect(res.json.code).toBe("misconfigured");
      expect(consoleLines.join("\n")).toContain("npm start");
    });

    it("answers 503 auth_not_configured for preview=1 while sessions are not configured", async () => {
      const res = await list("?preview=1");
      expect(res.status).toBe(503);
      expect(res.json.code).toBe("auth_not_configured");
      expect(butterRequests).toHaveLength(0);
    });
  });

  describe("ButterCMS faults", () => {
    it.each(FAULTS)(
      "answers $status $code when ButterCMS gives $name, without leaking the token",
      async (fault) => {
        server.use(http.get(`${BUTTER_API}/posts/`, fault.reply));
        const res = await list();
        expectFaultAnswer(res, fault);
      },
    );

    it("answers 504 upstream_timeout when ButterCMS does not answer within the timeout", async () => {
      vi.stubEnv("UPSTREAM_TIMEOUT_MS", "100");
      vi.stubEnv("UPSTREAM_DEADLINE_MS", "300");
      server.use(
        http.get(`${BUTTER_API}/posts/`, async () => {
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          return HttpResponse.json({});
        }),
      );
      const res = await list();
      expect(res.status).toBe(504);
      expect(res.json.code).toBe("upstream_timeout");
      expectNoSecrets(res);
    });
  });
});

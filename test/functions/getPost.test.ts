import { describe, expect, it, vi } from "vitest";
import handler from "../../functions/getPost.mts";
import { publishedPosts, unpublishedPosts } from "../../sample/data.ts";
import { BUTTER_API, butterRequests, FAULTS, http, server } from "../helpers/butter.ts";
import { invoke } from "../helpers/invoke.ts";
import { expectFaultAnswer, expectNoSecrets } from "../helpers/secrets.ts";

const newest = publishedPosts[0]!;
const second = publishedPosts[1]!;
const draft = unpublishedPosts.find((post) => post.status === "draft")!;
const scheduled = unpublishedPosts.find((post) => post.status === "scheduled")!;

/** Netlify passes path parameters raw (percent-encoded): so do we. */
const get = (rawSlug: string, query = "", options = {}) =>
  invoke(handler, `/api/posts/${rawSlug}${query}`, { params: { slug: rawSlug }, ...options });

describe("GET /api/posts/:slug", () => {
  it("answers 200 with the post and its neighbours", async () => {
    const res = await get(second.slug);
    expect(res.status).toBe(200);
    const body = res.json as {
      meta: Record<string, { slug: string } | null>;
      data: { slug: string; body: string };
    };
    expect(body.data.slug).toBe(second.slug);
    expect(body.data.body).toContain("<h2>");
    expect(body.meta.next_post?.slug).toBe(newest.slug);
    expect(body.meta.previous_post?.slug).toBe(publishedPosts[2]?.slug);
  });

  it("asks ButterCMS for the published index and exactly that slug, never with preview", async () => {
    await get(newest.slug);
    expect(butterRequests.map((url) => url.pathname)).toEqual(["/v2/posts/", `/v2/posts/${newest.slug}/`]);
    expect(butterRequests.some((url) => url.searchParams.has("preview"))).toBe(false);
  });

  it("tags the response with posts and post:<slug> and varies only on preview", async () => {
    const res = await get(newest.slug);
    expect(res.headers.get("Netlify-Cache-Tag")).toBe(`posts,post:${newest.slug}`);
    expect(res.headers.get("Netlify-Vary")).toBe("query=locale|preview");
    expect(res.headers.get("Cache-Control")).toBe("public, max-age=0, must-revalidate");
    expect(res.headers.get("Netlify-CDN-Cache-Control")).toContain("durable");
  });

  it("answers 304 to a matching If-None-Match", async () => {
    const etag = (await get(newest.slug)).headers.get("ETag") as string;
    const res = await get(newest.slug, "", { headers: { "If-None-Match": etag } });
    expect(res.status).toBe(304);
    expect(res.text).toBe("");
  });

  it("removes author.email", async () => {
    const res = await get(newest.slug);
    expect(res.text).not.toContain("@example.com");
    expect((res.json.data as { author: Record<string, unknown> }).author).not.toHaveProperty("email");
  });

  it("decodes a percent-encoded slug before validating it", async () => {
    const encoded = newest.slug.replace(/-/g, "%2D");
    const res = await get(encoded);
    expect(res.status).toBe(200);
    expect(butterRequests.at(-1)?.pathname).toBe(`/v2/posts/${newest.slug}/`);
  });

  it("answers 404 not_found when ButterCMS has no such post", async () => {
    const res = await get("no-such-post");
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ status: 404, code: "not_found", title: "Not Found" });
    expect(res.headers.get("Cache-Control")).toBe("private, no-store");
    expect(res.headers.get("Netlify-CDN-Cache-Control")).toBeNull();
  });

  it.each([
    ["a draft", draft],
    ["a scheduled post", scheduled],
  ])("answers 404 for %s that ButterCMS returns by slug without preview", async (_name, post) => {
    const res = await get(post.slug);
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("not_found");
    expect(res.text).not.toContain(post.title);
  });

  describe("bad input", () => {
    it.each([
      ["a traversal", "..%2Fauthors%2Fx"],
      ["a query in the slug", "x%3Fy%3D1"],
      ["a leading dash", "-abc"],
      ["a leading underscore", "_abc"],
      ["a dot", "a.b"],
      ["a space", "a%20b"],
      ["non-ASCII letters", "caf%C3%A9"],
      ["broken percent-encoding", "abc%E0%A4%A"],
      ["201 characters", "a".repeat(201)],
    ])("answers 400 and calls ButterCMS zero times for %s", async (_name, slug) => {
      const res = await get(slug);
      expect(res.status).toBe(400);
      expect(res.json.code).toBe("invalid_parameter");
      expect((res.json.errors as { name: string }[])[0]?.name).toBe("slug");
      expect(butterRequests).toHaveLength(0);
    });

    it("accepts a slug of exactly 200 characters (404 from the index: no post call)", async () => {
      const res = await get("a".repeat(200));
      expect(res.status).toBe(404);
      expect(butterRequests.map((url) => url.pathname)).toEqual(["/v2/posts/"]);
    });

    it.each(["?page=2", "?preview=yes", "?preview=1&preview=1"])(
      "answers 400 and calls ButterCMS zero times for %s",
      async (query) => {
        const res = await get(newest.slug, query);
        expect(res.status).toBe(400);
        expect(butterRequests).toHaveLength(0);
      },
    );
  });

  it("answers 405 with Allow to POST", async () => {
    const res = await get(newest.slug, "", { method: "POST" });
    expect(res.status).toBe(405);
    expect(res.headers.get("Allow")).toBe("GET, HEAD, OPTIONS");
  });

  it("answers 503 auth_not_configured for preview=1 while sessions are not configured", async () => {
    const res = await get(draft.slug, "?preview=1");
    expect(res.status).toBe(503);
    expect(res.json.code).toBe("auth_not_configured");
    expect(butterRequests).toHaveLength(0);
  });

  describe("ButterCMS faults", () => {
    it.each(FAULTS)(
      "answers $status $code when ButterCMS gives $name, without leaking the token",
      async (fault) => {
        server.use(http.get(`${BUTTER_API}/posts/:slug/`, fault.reply));
        const res = await get(newest.slug);
        expectFaultAnswer(res, fault);
      },
    );

    it("answers 504 upstream_timeout when ButterCMS hangs", async () => {
      vi.stubEnv("UPSTREAM_TIMEOUT_MS", "100");
      vi.stubEnv("UPSTREAM_DEADLINE_MS", "300");
      server.use(http.get(`${BUTTER_API}/posts/:slug/`, () => new Promise<never>(() => {})));
      const res = await get(newest.slug);
      expect(res.status).toBe(504);
      expectNoSecrets(res);
    });
  });
});

/**
 * The typed client (client/index.js) against the real functions, in-process,
 * over the sample blog (ButterCMS emulated by msw).
 */
import { describe, expect, it, vi } from "vitest";
import { BlogApiError, createBlogClient } from "../../client/index.js";
import { publishedPosts, unpublishedPosts } from "../../sample/data.ts";
import { enableSessions } from "../helpers/auth.ts";
import { TEST_SECRETS } from "../helpers/secrets.ts";
import { BASE_URL, hasRoute, inProcessFetch, requests } from "./in-process-fetch.ts";

const blog = () => createBlogClient({ baseUrl: BASE_URL, fetch: inProcessFetch });

/** What a call threw, for assertions on BlogApiError. */
async function thrown(promise: Promise<unknown>): Promise<BlogApiError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(BlogApiError);
  return error as BlogApiError;
}

describe("the blog client", () => {
  it("lists a page of posts, newest first, without bodies by default", async () => {
    const page = await blog().listPosts({ page: 2, page_size: 5 });
    expect(page.meta).toEqual({ count: publishedPosts.length, next_page: 3, previous_page: 1 });
    expect(page.data.map((post) => post.slug)).toEqual(publishedPosts.slice(5, 10).map((post) => post.slug));
    expect(page.data.every((post) => post.body === undefined)).toBe(true);
    expect(requests.at(-1)?.search).toBe("?page=2&page_size=5");
  });

  it("sends only the parameters given (no empty ones the backend would refuse)", async () => {
    await blog().listPosts({ page: undefined, category: undefined });
    expect(requests.at(-1)?.search).toBe("");
  });

  it("gets one post with its body and neighbours", async () => {
    const wanted = publishedPosts[3]!;
    const post = await blog().getPost(wanted.slug);
    expect(post.data.slug).toBe(wanted.slug);
    expect(post.data.title).toBe(wanted.title);
    expect(post.data.body).toContain("<p>");
    // ButterCMS's neighbours: `next_post` is the newer one, `previous_post` the older.
    expect(post.meta.next_post?.slug).toBe(publishedPosts[2]!.slug);
    expect(post.meta.previous_post?.slug).toBe(publishedPosts[4]!.slug);
  });

  it("iterates every published post over every page with allPosts", async () => {
    const before = requests.length;
    const slugs: string[] = [];
    for await (const post of blog().allPosts({ page_size: 10 })) slugs.push(post.slug);
    expect(slugs).toEqual(publishedPosts.map((post) => post.slug));
    expect(slugs).toHaveLength(32);
    const pages = requests.slice(before).map((url) => url.searchParams.get("page"));
    expect(pages).toEqual(["1", "2", "3", "4"]);
  });

  it("throws BlogApiError with the problem's status, code, detail and errors on a 400", async () => {
    const error = await thrown(blog().listPosts({ page_size: 1000, page: 0 }));
    expect(error.status).toBe(400);
    expect(error.code).toBe("invalid_parameter");
    expect(error.detail).toEqual(expect.any(String));
    expect(error.errors.map((field) => field.name).sort()).toEqual(["page", "page_size"]);
    expect(error.message).toContain("invalid_parameter");
  });

  it("throws BlogApiError on a 404 (an unknown slug, a draft)", async () => {
    for (const slug of ["no-such-post", unpublishedPosts[0]!.slug]) {
      const error = await thrown(blog().getPost(slug));
      expect(error.status).toBe(404);
      expect(error.code).toBe("not_found");
      expect(error.errors).toEqual([]);
    }
  });

  it("searches, lists terms and authors, and reads a feed and the OpenAPI document", async () => {
    const client = blog();
    const found = await client.search({ q: "cache" });
    expect(found.data.length).toBeGreaterThan(0);
    const categories = await client.listCategories({ include: "recent_posts" });
    expect(categories.data.length).toBeGreaterThan(0);
    expect((await client.listTags()).data.length).toBeGreaterThan(0);
    const authors = await client.listAuthors();
    expect(authors.data.every((author) => !("email" in author))).toBe(true);
    const rss = await client.getFeed("rss");
    expect(rss).toMatch(/^<\?xml|<rss/);
    expect((await client.getOpenApi()).openapi).toMatch(/^3\.1\./);
  });

  it("logs in, previews drafts with the token, and logs out", async () => {
    enableSessions();
    const anonymous = blog();
    expect(await anonymous.getSession()).toEqual({ authenticated: false });
    expect((await thrown(anonymous.listPosts({ preview: "1" }))).code).toBe("unauthorized");
    expect((await thrown(anonymous.login("wrong password"))).code).toBe("invalid_credentials");

    const session = await anonymous.login(TEST_SECRETS.password);
    const editor = createBlogClient({ baseUrl: BASE_URL, fetch: inProcessFetch, token: session.token });
    expect(await editor.getSession()).toMatchObject({ authenticated: true });
    const preview = await editor.listPosts({ preview: "1", page_size: 100 });
    expect(preview.data.some((post) => post.status === "draft")).toBe(true);
    await expect(editor.logout()).resolves.toBeUndefined();
  });

  it("sends boolean flags as the API spells them: exclude_body=false, preview=1, and no preview for false", async () => {
    enableSessions();
    const session = await blog().login(TEST_SECRETS.password);
    const editor = createBlogClient({ baseUrl: BASE_URL, fetch: inProcessFetch, token: session.token });

    const withBodies = await editor.listPosts({ page_size: 2, exclude_body: false });
    expect(requests.at(-1)?.search).toBe("?page_size=2&exclude_body=false");
    expect(withBodies.data.every((post) => typeof post.body === "string" && post.body.length > 0)).toBe(true);

    await editor.search({ q: "cache", exclude_body: true });
    expect(requests.at(-1)?.searchParams.get("exclude_body")).toBe("true");

    const drafts = await editor.listPosts({ preview: true, page_size: 100 });
    expect(requests.at(-1)?.searchParams.get("preview")).toBe("1");
    expect(drafts.data.some((post) => post.status === "draft")).toBe(true);

    const published = await editor.listPosts({ preview: false, page_size: 100 });
    expect(requests.at(-1)?.searchParams.has("preview")).toBe(false);
    expect(published.data.every((post) => post.status === "published")).toBe(true);

    const draft = unpublishedPosts.find((post) => post.status === "draft")!;
    expect((await editor.getPost(draft.slug, { preview: true })).data.slug).toBe(draft.slug);
  });

  it("reads /api/status with the STATUS_TOKEN, and throws 401 without the right one, 503 when it is unset", async () => {
    expect((await thrown(blog().getStatus("anything"))).code).toBe("status_not_configured");
    const statusToken = "operators-only-0123456789abcdef";
    vi.stubEnv("STATUS_TOKEN", statusToken);
    const status = await blog().getStatus(statusToken);
    // The typed body as the server sent it: live ButterCMS (msw here), one default locale.
    expect(status).toMatchObject({ serving: "live", locales: [{ locale: "default" }] });
    expect(typeof status.checked_at).toBe("string");
    expect(requests.at(-1)?.pathname).toBe("/api/status");
    const refused = await thrown(blog().getStatus("not-the-token"));
    expect(refused.status).toBe(401);
    expect(refused.code).toBe("unauthorized");
  });

  it("needs a baseUrl", () => {
    // @ts-expect-error baseUrl is required
    expect(() => createBlogClient({})).toThrow(TypeError);
  });

  it("gets related posts: published, never the post itself, without bodies", async () => {
    expect(await hasRoute("/api/posts/:slug/related")).toBe(true);
    const slug = publishedPosts[0]!.slug;
    const { data } = await blog().getRelatedPosts(slug, { limit: 5 });
    expect(data.length).toBeGreaterThan(0);
    expect(data.length).toBeLessThanOrEqual(5);
    expect(data.map((post) => post.slug)).not.toContain(slug);
    for (const post of data) {
      expect(post.status).toBe("published");
      expect(post.body).toBeUndefined();
    }
    expect((await thrown(blog().getRelatedPosts("no-such-post"))).status).toBe(404);
  });
});

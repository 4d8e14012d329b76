/**
 * The content layer through `npm start` (netlify dev: every request a fresh
 * worker, Netlify Blobs in the CLI's local sandbox): routing of the /api
 * catch-all, the typed client, and last-known-good copies served by cold
 * workers while ButterCMS fails (switched on through SAMPLE_FAULT_FILE).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBlogClient } from "../../client/index.js";
import { publishedPosts, unpublishedPosts } from "../../sample/data.ts";
import { call, type DevServer, startNetlifyDev } from "../../tools/netlify-dev.ts";
import { TEST_SECRETS } from "../helpers/secrets.ts";

const BOOT_WAIT_MS = 90_000;
const faultFile = join(mkdtempSync(join(tmpdir(), "fault-")), "fault");
let server: DevServer;

const get = (path: string, init: RequestInit = {}) =>
  call(server, path, { ...init, signal: AbortSignal.timeout(30_000) });

const webhook = (event: string, slug: string) =>
  get("/api/webhooks/buttercms", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Webhook-Secret": TEST_SECRETS.webhookSecret },
    body: JSON.stringify({ data: { id: slug, locale: null }, webhook: { event } }),
  });

const cdnMaxAge = (headers: Headers) =>
  Number(/s-maxage=(\d+)/.exec(headers.get("Netlify-CDN-Cache-Control") ?? "")?.[1] ?? Number.NaN);

beforeAll(async () => {
  writeFileSync(faultFile, "");
  server = await startNetlifyDev(
    { WEBHOOK_SECRET: TEST_SECRETS.webhookSecret, SAMPLE_FAULT_FILE: faultFile },
    { timeoutMs: BOOT_WAIT_MS },
  );
}, BOOT_WAIT_MS + 10_000);
afterAll(async () => {
  await server?.stop();
});

describe("routing under netlify dev", () => {
  it.each(["/api/nope", "/api/posts//", "/api", "/api/posts/a/b/c"])(
    "answers %s with 404 problem+json, not the site's HTML page",
    async (path) => {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(res.headers.get("Content-Type")).toBe("application/problem+json");
      expect(res.json.code).toBe("not_found");
      expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    },
  );

  it("still routes every real endpoint to its own function", async () => {
    const slug = publishedPosts[0]!.slug;
    for (const [path, type] of [
      ["/api/posts", "application/json"],
      [`/api/posts/${slug}`, "application/json"],
      [`/api/posts/${slug}/related`, "application/json"],
      ["/api/search?q=cache", "application/json"],
      ["/api/categories", "application/json"],
      ["/api/feeds/rss", "application/rss+xml"],
      ["/api/feeds/sitemap", "application/xml"],
      ["/api/openapi.json", "application/json"],
    ] as const) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("Content-Type"), path).toContain(type);
    }
  });

  it("serves the typed client's calls", async () => {
    const client = createBlogClient({ baseUrl: server.url });
    const page = await client.listPosts({ page_size: 3 });
    expect(page.data.map((post) => post.slug)).toEqual(publishedPosts.slice(0, 3).map((post) => post.slug));
    const related = await client.getRelatedPosts(publishedPosts[0]!.slug, { limit: 2 });
    expect(related.data).toHaveLength(2);
  });
});

describe("last-known-good copies on cold workers while ButterCMS fails", () => {
  const kept = publishedPosts[4]!;
  const deleted = publishedPosts[31]!;
  const draft = unpublishedPosts.find((post) => post.status === "draft")!;

  it("serves a post and a list page served before (200, same body, short CDN lifetime); not a deleted post or a draft", async () => {
    const post = await get(`/api/posts/${kept.slug}`);
    const list = await get("/api/posts?page=2");
    expect((await get(`/api/posts/${deleted.slug}`)).status).toBe(200);
    expect([post.status, list.status]).toEqual([200, 200]);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the workers' background Blobs writes

    writeFileSync(faultFile, "down");
    // A publish arrives while ButterCMS is down: the index can no longer be trusted as current.
    expect((await webhook("post.published", kept.slug)).status).toBeLessThan(300);

    const stalePost = await get(`/api/posts/${kept.slug}`);
    expect(stalePost.status, stalePost.text).toBe(200);
    expect(stalePost.text).toBe(post.text);
    expect(stalePost.headers.get("X-Content-Stale")).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(cdnMaxAge(stalePost.headers)).toBeLessThanOrEqual(60);

    const staleList = await get("/api/posts?page=2");
    expect(staleList.status, staleList.text).toBe(200);
    expect(staleList.text).toBe(list.text);
    expect(cdnMaxAge(staleList.headers)).toBeLessThanOrEqual(60);

    // Deleted during the outage: gone at once (no ButterCMS call needed), never resurrected from Blobs.
    expect((await webhook("post.delete", deleted.slug)).status).toBeLessThan(300);

    expect((await get(`/api/posts/${deleted.slug}`)).status).toBe(404);
    expect((await get(`/api/posts/${draft.slug}`)).status).toBe(404);
    writeFileSync(faultFile, "");
  }, 90_000);
});

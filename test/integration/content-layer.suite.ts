/**
 * The content layer through `npm start` (netlify dev: every request a fresh
 * worker, Netlify Blobs in the CLI's local sandbox): routing of the /api
 * catch-all, the typed client, and last-known-good copies served by cold
 * workers while ButterCMS fails (switched on through SAMPLE_FAULT_FILE).
 */
import { writeFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { createBlogClient } from "../../client/index.js";
import { publishedPosts, unpublishedPosts } from "../../sample/data.ts";
import { call, type DevServer } from "../../tools/netlify-dev.ts";
import { TEST_SECRETS } from "../helpers/secrets.ts";

/**
 * On the shared `npm start` (test/integration/npm-start.test.ts), whose
 * SAMPLE_FAULT_FILE is `faultFile` (empty: ButterCMS answers; "down": it
 * fails) and whose WEBHOOK_SECRET is TEST_SECRETS.webhookSecret. Last: it
 * unpublishes posts.
 */
export function contentLayerTests(dev: () => DevServer, faultFile: string) {
  let server: DevServer;
  const get = (path: string, init: RequestInit = {}) =>
    call(server, path, { ...init, signal: AbortSignal.timeout(30_000) });

  const webhook = (event: string, slug: string) =>
    get("/api/webhooks/buttercms", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Webhook-Secret": TEST_SECRETS.webhookSecret },
      body: JSON.stringify({ data: { id: slug, locale: null }, webhook: { event } }),
    });

  beforeAll(() => {
    server = dev();
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

  describe("cold workers while ButterCMS fails", () => {
    const kept = publishedPosts[4]!;
    const deleted = publishedPosts[31]!;
    const draft = unpublishedPosts.find((post) => post.status === "draft")!;
    const gone = publishedPosts[12]!;
    const word = gone.title
      .split(" ")
      .find((w) => w.length > 4)
      ?.toLowerCase() as string;
    /** Nine paths a reader asks, each served once before the outage. */
    const PATHS = [
      `/api/posts/${kept.slug}`,
      "/api/posts?page=2",
      `/api/posts/${kept.slug}/related`,
      `/api/search?q=${word}`,
      "/api/categories",
      "/api/tags",
      "/api/authors?include=recent_posts",
      "/api/feeds/rss",
      "/api/feeds/sitemap",
    ];

    it("serves posts and lists from Blobs (200, same body); a post deleted during the outage and a draft 404", async () => {
      const post = await get(`/api/posts/${kept.slug}`);
      const list = await get("/api/posts?page=2");
      expect((await get(`/api/posts/${deleted.slug}`)).status).toBe(200);
      expect([post.status, list.status]).toEqual([200, 200]);
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // the workers' background Blobs writes

      writeFileSync(faultFile, "down");
      try {
        // A publish arrives while ButterCMS is down: the webhook cannot ask; reconciliation will.
        expect((await webhook("post.published", kept.slug)).status).toBeLessThan(300);
        const during = await get(`/api/posts/${kept.slug}`);
        expect(during.status, during.text).toBe(200);
        expect(during.text).toBe(post.text);
        const duringList = await get("/api/posts?page=2");
        expect(duringList.status, duringList.text).toBe(200);
        expect(duringList.text).toBe(list.text);
        // Deleted during the outage: the event's word is taken, so it is gone at once, never resurrected.
        expect((await webhook("post.delete", deleted.slug)).status).toBeLessThan(300);
        expect((await get(`/api/posts/${deleted.slug}`)).status).toBe(404);
        expect((await get(`/api/posts/${draft.slug}`)).status).toBe(404);
      } finally {
        writeFileSync(faultFile, "");
      }
    }, 90_000);

    it("answers at least 48 of 50 concurrent readers of nine paths served before, after an unpublish, with ButterCMS failing", async () => {
      const before = new Map<string, string>();
      for (const path of PATHS) {
        const res = await get(path);
        expect(res.status, `${path} ${res.text} ${server.output().slice(-3000)}`).toBe(200);
        before.set(path, res.text);
      }
      expect(before.get(`/api/search?q=${word}`)).toContain(`"${gone.slug}"`);
      await new Promise((resolve) => setTimeout(resolve, 5_000)); // the workers' background Blobs writes
      writeFileSync(faultFile, "down");
      try {
        // Unpublished as the outage starts: copies made before it must be served without it.
        expect((await webhook("post.delete", gone.slug)).status).toBeLessThan(300);
        const readers = await Promise.all(
          Array.from({ length: 50 }, (_, i) => get(PATHS[i % PATHS.length] as string).catch(() => null)),
        );
        const served = readers.filter((res) => res?.status === 200);
        const statuses = readers.map((res, i) =>
          res?.status === 200 ? 200 : `${PATHS[i % PATHS.length]} ${res?.status} ${res?.text.slice(0, 160)}`,
        );
        expect(served.length, JSON.stringify(statuses)).toBeGreaterThanOrEqual(48);
        for (const res of served) expect(res?.text).not.toContain(`"${gone.slug}"`);
        for (const res of served) expect(res?.text).not.toContain(gone.url as string);
      } finally {
        writeFileSync(faultFile, "");
      }
    }, 120_000);
  });
}

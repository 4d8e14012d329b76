import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import webhook from "../../functions/buttercmsWebhook.mts";
import { emulateButter } from "../../sample/butter-emulator.ts";
import { publishedPosts } from "../../sample/data.ts";
import { slowProxyTo, testStore, UNREACHABLE, useBlobsAt } from "../helpers/blobs.ts";
import { BUTTER_API, butterRequests, HttpResponse, http, server, TEST_TOKEN } from "../helpers/butter.ts";
import { consoleLines } from "../helpers/console.ts";
import { invoke } from "../helpers/invoke.ts";
import { expectNoSecrets, TEST_SECRETS } from "../helpers/secrets.ts";

const PURGE_API = "https://api.netlify.com/api/v1/purge";
const PURGE_TOKEN = "nfp_purge_token_0123456789";
const slug = publishedPosts[2]!.slug;

interface PurgeCall {
  authorization: string | null;
  body: { cache_tags?: string[]; site_id?: string };
}

function interceptPurge(status = 202): PurgeCall[] {
  const calls: PurgeCall[] = [];
  server.use(
    http.post(PURGE_API, async ({ request }) => {
      calls.push({
        authorization: request.headers.get("Authorization"),
        body: (await request.json()) as PurgeCall["body"],
      });
      return new HttpResponse(null, { status });
    }),
  );
  return calls;
}

function configure() {
  vi.stubEnv("WEBHOOK_SECRET", TEST_SECRETS.webhookSecret);
  vi.stubEnv("NETLIFY_PURGE_API_TOKEN", PURGE_TOKEN);
  vi.stubEnv("SITE_ID", "site-123");
}

const payload = (event: string, id: unknown = slug) => ({
  data: { id, title: "A post", extra: { anything: true } },
  webhook: { event, target: "https://blog.example/api/webhooks/buttercms" },
});

const send = (
  body: unknown,
  headers: Record<string, string> = { "X-Webhook-Secret": TEST_SECRETS.webhookSecret },
) =>
  invoke(webhook, "/api/webhooks/buttercms", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("POST /api/webhooks/buttercms", () => {
  it.each(["post.published", "post.draft", "post.delete"])(
    "purges exactly posts and post:<slug> at Netlify for %s",
    async (event) => {
      configure();
      const calls = interceptPurge();
      const res = await send(payload(event));
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ accepted: true, event, purged: ["posts", `post:${slug}`] });
      expect(calls).toHaveLength(1);
      expect(calls[0]?.body).toEqual({ cache_tags: ["posts", `post:${slug}`], site_id: "site-123" });
      expect(calls[0]?.authorization).toBe(`Bearer ${PURGE_TOKEN}`);
      expect(res.headers.get("Cache-Control")).toBe("private, no-store");
    },
  );

  it("purges the locale's tags for any valid slug and locale, never an empty list", async () => {
    configure();
    vi.stubEnv("BUTTERCMS_LOCALES", "en,es,pt-br");
    const calls = interceptPurge();
    await fc.assert(
      fc.asyncProperty(
        fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,30}$/),
        fc.constantFrom(null, "en", "es", "pt-br"),
        async (anySlug, locale) => {
          calls.length = 0;
          const res = await send({ data: { id: anySlug, locale }, webhook: { event: "post.delete" } });
          const suffix = locale === null || locale === "en" ? "" : `:${locale}`;
          expect(res.json.purged).toEqual([`posts${suffix}`, `post:${anySlug}${suffix}`]);
          // Earlier delayed second purges may land here too: look for this one's.
          expect(calls.map((call) => call.body.cache_tags)).toContainEqual([
            `posts${suffix}`,
            `post:${anySlug}${suffix}`,
          ]);
        },
      ),
      { numRuns: 15 },
    );
  });

  it.each(["post.localization.published", "post.localization.draft", "post.localization.delete"])(
    "purges the localized tags for %s with data.locale",
    async (event) => {
      configure();
      vi.stubEnv("BUTTERCMS_LOCALES", "en,es");
      // A translated post no other test purges: earlier tests' delayed second purges of `slug` in the
      // default locale may land during this one, later under load.
      const translated = publishedPosts[4]!.slug;
      const calls = interceptPurge();
      const res = await send({ data: { id: translated, locale: "es", extra: 1 }, webhook: { event } });
      expect(res.status).toBe(200);
      expect(calls.map((call) => call.body.cache_tags)).toContainEqual(["posts:es", `post:${translated}:es`]);
      expect(calls.map((call) => call.body.cache_tags)).not.toContainEqual(["posts", `post:${translated}`]);
    },
  );

  it("answers 202 pending at 4 s when ButterCMS takes longer, and records the change after the answer", async () => {
    configure();
    const slug = publishedPosts[8]!.slug; // no other test purges it
    vi.stubEnv("UPSTREAM_TIMEOUT_MS", "6000");
    const calls = interceptPurge();
    server.use(
      http.get(`${BUTTER_API}/posts/${slug}/`, async ({ request }) => {
        await new Promise((resolve) => setTimeout(resolve, 4_500));
        return emulateButter(request, { token: TEST_TOKEN });
      }),
    );
    const background: Promise<unknown>[] = [];
    const started = Date.now();
    const res = await invoke(webhook, "/api/webhooks/buttercms", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Webhook-Secret": TEST_SECRETS.webhookSecret },
      body: JSON.stringify(payload("post.published", slug)),
      waitUntil: (work) => background.push(work),
    });
    expect(Date.now() - started).toBeLessThan(4_800);
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ accepted: true, event: "post.published", pending: ["posts", `post:${slug}`] });
    expect(calls.map((call) => call.body.cache_tags)).not.toContainEqual(["posts", `post:${slug}`]);
    await Promise.allSettled(background.slice(0, 1));
    expect(calls.map((call) => call.body.cache_tags)).toContainEqual(["posts", `post:${slug}`]);
    const state = (await testStore().get("site-state", { type: "json" })) as {
      generations: Record<string, number>;
    };
    expect(state.generations.default).toBe(1);
  }, 30_000);

  it("accepts and ignores an unknown event with 202, purging nothing", async () => {
    configure();
    const calls = interceptPurge();
    const res = await send(payload("page.published", "home"));
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ accepted: true, event: "page.published", ignored: true });
    expect(calls).toHaveLength(0);
  });

  it("ignores an event for a locale not in BUTTERCMS_LOCALES with 202: no ButterCMS call, no purge", async () => {
    configure();
    vi.stubEnv("BUTTERCMS_LOCALES", "en,es");
    const calls = interceptPurge();
    butterRequests.length = 0;
    const res = await send({
      data: { id: slug, locale: "fr" },
      webhook: { event: "post.localization.published" },
    });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ accepted: true, event: "post.localization.published", ignored: true });
    expect(butterRequests).toHaveLength(0);
    expect(calls).toHaveLength(0);
  });

  it("answers within 5 s with ButterCMS at 300 ms a call and Blobs slow, finishing the change after", async () => {
    configure();
    const calls = interceptPurge();
    server.use(
      http.get(`${BUTTER_API}/posts/${slug}/`, async ({ request }) => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        return emulateButter(request, { token: TEST_TOKEN });
      }),
    );
    const slowBlobs = await slowProxyTo(300); // slow, under the 400 ms cut of each call
    slowBlobs.use();
    const background: Promise<unknown>[] = [];
    try {
      const started = Date.now();
      const res = await invoke(webhook, "/api/webhooks/buttercms", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Webhook-Secret": TEST_SECRETS.webhookSecret },
        body: JSON.stringify(payload("post.published")),
        waitUntil: (work) => background.push(work),
      });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect([200, 202]).toContain(res.status);
      if (res.status === 202) expect(res.json.pending).toEqual(["posts", `post:${slug}`]);
      await Promise.allSettled(background);
      expect(calls.map((call) => call.body.cache_tags)).toContainEqual(["posts", `post:${slug}`]);
    } finally {
      await slowBlobs.close();
    }
  }, 30_000);

  it("answers 202 pending when the purge fails, and retries it in the background until it succeeds", async () => {
    configure();
    const pendingSlug = publishedPosts[6]!.slug;
    const statuses = [500, 202, 202];
    const calls: number[] = [];
    server.use(
      http.post(PURGE_API, async ({ request }) => {
        const { cache_tags } = (await request.json()) as { cache_tags: string[] };
        // Earlier tests' delayed second purges may land here too: they are not this test's.
        if (!cache_tags.includes(`post:${pendingSlug}`)) return new HttpResponse(null, { status: 202 });
        const status = statuses[Math.min(calls.length, statuses.length - 1)] as number;
        calls.push(status);
        return new HttpResponse(null, { status });
      }),
    );
    const background: Promise<unknown>[] = [];
    const res = await invoke(webhook, "/api/webhooks/buttercms", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Webhook-Secret": TEST_SECRETS.webhookSecret },
      body: JSON.stringify(payload("post.published", pendingSlug)),
      waitUntil: (work) => background.push(work),
    });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({
      accepted: true,
      event: "post.published",
      pending: ["posts", `post:${pendingSlug}`],
    });
    expect(consoleLines.join("\n")).toContain("purge failed");
    await Promise.all(background);
    expect(calls.slice(0, 2)).toEqual([500, 202]);
    const state = (await testStore().get("site-state", { type: "json" })) as { owedPurge?: unknown };
    expect(state.owedPurge).toBeUndefined();
    expectNoSecrets(res);
    for (const line of consoleLines) expect(line).not.toContain(PURGE_TOKEN);
  }, 15_000);

  it("answers 502 purge_failed when the purge fails and Netlify Blobs cannot record it", async () => {
    configure();
    useBlobsAt(UNREACHABLE);
    server.use(http.post(PURGE_API, () => HttpResponse.error()));
    const res = await send(payload("post.delete"));
    expect(res.status).toBe(502);
    expect(res.json.code).toBe("purge_failed");
  });

  it.each([
    ["no secret header", {}],
    ["a wrong secret", { "X-Webhook-Secret": "nope" }],
    ["the secret in another header", { Authorization: `Bearer ${TEST_SECRETS.webhookSecret}` }],
  ])("answers 401 for %s, purging nothing", async (_name, headers) => {
    configure();
    const calls = interceptPurge();
    const res = await send(payload("post.published"), headers);
    expect(res.status).toBe(401);
    expect(res.json.code).toBe("unauthorized");
    expect(calls).toHaveLength(0);
    expectNoSecrets(res);
  });

  it("answers 503 webhook_not_configured while WEBHOOK_SECRET is unset", async () => {
    const res = await send(payload("post.published"));
    expect(res.status).toBe(503);
    expect(res.json.code).toBe("webhook_not_configured");
  });

  it.each([
    ["malformed JSON", "{", 400],
    ["a JSON array", "[]", 400],
    ["no webhook member", { data: { id: slug } }, 400],
    ["no event", { data: { id: slug }, webhook: {} }, 400],
    ["no data", { webhook: { event: "post.published" } }, 400],
    ["a post event without a slug", payload("post.published", null), 400],
    ["a post event with an invalid slug", payload("post.published", "../x"), 400],
  ])("answers %s with %i, purging nothing", async (_name, body, status) => {
    configure();
    const calls = interceptPurge();
    const res = await send(body);
    expect(res.status).toBe(status);
    expect(res.json.code).toBe("invalid_parameter");
    expect(calls).toHaveLength(0);
  });

  it("answers 415 to a body that is not JSON", async () => {
    configure();
    const res = await send("event=post.published", {
      "X-Webhook-Secret": TEST_SECRETS.webhookSecret,
      "Content-Type": "application/x-www-form-urlencoded",
    });
    expect(res.status).toBe(415);
  });

  it("answers 405 with Allow to GET", async () => {
    const res = await invoke(webhook, "/api/webhooks/buttercms");
    expect(res.status).toBe(405);
    expect(res.headers.get("Allow")).toBe("POST, OPTIONS");
  });
});

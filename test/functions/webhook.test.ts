import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import webhook from "../../functions/buttercmsWebhook.mts";
import getPost from "../../functions/getPost.mts";
import getPosts from "../../functions/getPosts.mts";
import getTags from "../../functions/getTags.mts";
import { publishedPosts } from "../../sample/data.ts";
import { tagsToPurge } from "../../src/blog/webhook.ts";
import { butterRequests, HttpResponse, http, server } from "../helpers/butter.ts";
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

  it("never asks for a purge with an empty tag list (which would purge nothing)", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$/), (anySlug) => {
        const tags = tagsToPurge(anySlug);
        expect(tags.length).toBeGreaterThan(0);
        expect(tags).toContain("posts");
        expect(tags).toContain(`post:${anySlug}`);
      }),
    );
  });

  it("drops this instance's cached post reads, so the next read asks ButterCMS again", async () => {
    configure();
    interceptPurge();
    await invoke(getPosts, "/api/posts");
    await invoke(getPost, `/api/posts/${slug}`, { params: { slug } });
    await invoke(getTags, "/api/tags");
    expect(butterRequests).toHaveLength(3);
    await send(payload("post.published"));
    await invoke(getPosts, "/api/posts");
    await invoke(getPost, `/api/posts/${slug}`, { params: { slug } });
    await invoke(getTags, "/api/tags");
    expect(butterRequests.map((url) => url.pathname)).toEqual([
      "/v2/posts/",
      `/v2/posts/${slug}/`,
      "/v2/tags/",
      "/v2/posts/",
      `/v2/posts/${slug}/`,
    ]);
  });

  it("accepts and ignores an unknown event with 202, purging nothing", async () => {
    configure();
    const calls = interceptPurge();
    const res = await send(payload("page.published", "home"));
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ accepted: true, event: "page.published", ignored: true });
    expect(calls).toHaveLength(0);
  });

  it("answers 502 purge_failed and logs it when Netlify's purge API fails, so ButterCMS retries", async () => {
    configure();
    interceptPurge(500);
    const res = await send(payload("post.published"));
    expect(res.status).toBe(502);
    expect(res.json.code).toBe("purge_failed");
    expect(consoleLines.join("\n")).toContain("purge failed");
    expectNoSecrets(res);
    for (const line of consoleLines) expect(line).not.toContain(PURGE_TOKEN);
  });

  it("answers 502 purge_failed when the purge API cannot be reached", async () => {
    configure();
    server.use(http.post(PURGE_API, () => HttpResponse.error()));
    expect((await send(payload("post.delete"))).status).toBe(502);
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

/**
 * GET /api/status for operators: refused without STATUS_TOKEN (503) or with
 * a wrong one (401), never cached; the month's ButterCMS calls against a
 * counted emulation, refused webhooks, and what reconciliation found.
 */
import { describe, expect, it, vi } from "vitest";
import { publishedPosts } from "../../sample/data.ts";
import { FLUSH_EVERY_MS } from "../../src/content/usage.ts";
import { butterRequests, HttpResponse, http, server } from "../helpers/butter.ts";
import { coldInstance } from "../helpers/instances.ts";
import { invoke } from "../helpers/invoke.ts";
import { expectNoSecrets, TEST_SECRETS } from "../helpers/secrets.ts";

const STATUS_TOKEN = "status-token-0123456789abcdef";
const asOperator = (token = STATUS_TOKEN) => ({ headers: { Authorization: `Bearer ${token}` } });
const status = async (token?: string) =>
  invoke(await coldInstance("getStatus"), "/api/status", asOperator(token));

function enable() {
  vi.stubEnv("STATUS_TOKEN", STATUS_TOKEN);
  vi.stubEnv("WEBHOOK_SECRET", TEST_SECRETS.webhookSecret);
  vi.stubEnv("NETLIFY_PURGE_API_TOKEN", "nfp_test_purge_token_000");
  vi.stubEnv("SITE_ID", "site-123");
  server.use(
    http.post("https://api.netlify.com/api/v1/purge", () => new HttpResponse(null, { status: 202 })),
  );
}

describe("GET /api/status", () => {
  it("answers 503 status_not_configured while STATUS_TOKEN is unset", async () => {
    const res = await status();
    expect(res.status).toBe(503);
    expect(res.json.code).toBe("status_not_configured");
  });

  it.each([
    ["no Authorization", {}],
    ["a wrong token", asOperator("status-token-0123456789abcdeX")],
    ["the token without Bearer", { headers: { Authorization: STATUS_TOKEN } }],
  ])("answers 401 to %s, and never caches", async (_name, options) => {
    enable();
    const res = await invoke(await coldInstance("getStatus"), "/api/status", options);
    expect(res.status).toBe(401);
    expect(res.json.code).toBe("unauthorized");
    expect(res.headers.get("Cache-Control")).toBe("private, no-store");
    expect(res.text).not.toContain(STATUS_TOKEN);
  });

  it("reports the index, the last webhook, refused webhooks and this month's ButterCMS calls as counted", async () => {
    enable();
    vi.stubEnv("BUTTERCMS_PLAN_QUOTA", "100000");
    vi.useFakeTimers({ toFake: ["Date"] });
    const [getPosts, webhook] = await Promise.all([
      coldInstance("getPosts"),
      coldInstance("buttercmsWebhook"),
    ]);
    butterRequests.length = 0;
    expect((await invoke(getPosts, "/api/posts")).status).toBe(200);
    const background: Promise<unknown>[] = [];
    const deliver = (secret: string) =>
      invoke(webhook, "/api/webhooks/buttercms", {
        method: "POST",
        waitUntil: (work) => background.push(work),
        headers: { "Content-Type": "application/json", "X-Webhook-Secret": secret },
        body: JSON.stringify({
          data: { id: publishedPosts[1]!.slug, locale: null },
          webhook: { event: "post.published" },
        }),
      });
    expect((await deliver("not-the-secret")).status).toBe(401);
    expect((await deliver(TEST_SECRETS.webhookSecret)).status).toBe(200);
    // The package's local Blobs server sends no ETags: two instances adding at once would race there.
    await Promise.all(background.slice(-1));
    // getPosts adds its count on a request FLUSH_EVERY_MS later.
    vi.advanceTimersByTime(FLUSH_EVERY_MS + 1);
    expect((await invoke(getPosts, "/api/posts?page=2")).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const made = butterRequests.length;
    expect(made).toBeGreaterThanOrEqual(2);

    const res = await status();
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("private, no-store");
    const body = res.json as Record<string, never>;
    expect(body).toMatchObject({
      serving: "live",
      store: "netlify-blobs",
      locales: [{ locale: "default", published_posts: publishedPosts.length, generation: 1 }],
      webhooks: {
        last: { event: "post.published", slug: publishedPosts[1]!.slug, locale: "default" },
        refused_this_month: 1,
      },
      purges_owed: null,
      quota_outage: null,
      butter_calls: {
        count: made,
        plan_quota: 100_000,
        share_of_quota: Math.round((made / 100_000) * 10_000) / 10_000,
      },
    });
    expectNoSecrets(res);
    expect(res.text).not.toContain(STATUS_TOKEN);
  });

  it("shows the likely cause when reconciliation finds a change no webhook announced", async () => {
    enable();
    const edited = publishedPosts[6]!;
    const [getPosts, reconcile] = await Promise.all([
      coldInstance("getPosts"),
      coldInstance("reconcileIndex"),
    ]);
    expect((await invoke(getPosts, "/api/posts")).status).toBe(200);
    const saved = edited.title;
    edited.title = `${saved} (edited, webhook never set up)`;
    try {
      await invoke(reconcile, "/.netlify/functions/reconcileIndex", { method: "POST", body: "{}" });
    } finally {
      edited.title = saved;
    }
    const body = (await status()).json as { webhooks: { warning: { cause: string; message: string } } };
    expect(body.webhooks.warning).toMatchObject({ cause: "not_set_up" });
    expect(body.webhooks.warning.message).toContain("Settings");
  });
});

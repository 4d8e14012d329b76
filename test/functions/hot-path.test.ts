/**
 * A warm hit: a request a warm instance answered before is answered again
 * from its cache, without parsing it again or asking the blog code for its
 * key (src/endpoint/read-endpoint.ts). The answer must be exactly what the
 * full read would give: same body and headers, 304s, a new configuration's
 * headers, nothing of a preview, and a publish seen within STATE_CHECK_MS.
 */
import { describe, expect, it, vi } from "vitest";
import webhook from "../../functions/buttercmsWebhook.mts";
import getPostHandler from "../../functions/getPost.mts";
import getPostsHandler from "../../functions/getPosts.mts";
import { publishedPosts, unpublishedPosts } from "../../sample/data.ts";
import { STATE_CHECK_MS } from "../../src/content/site-state.ts";
import { craftToken, enableSessions } from "../helpers/auth.ts";
import { blobsRequests } from "../helpers/blobs.ts";
import { butterRequests, HttpResponse, http, server } from "../helpers/butter.ts";
import { invoke } from "../helpers/invoke.ts";
import { TEST_SECRETS } from "../helpers/secrets.ts";

const post = publishedPosts[1]!;
const getPost = (query = "", options = {}) =>
  invoke(getPostHandler, `/api/posts/${post.slug}${query}`, { params: { slug: post.slug }, ...options });
const headersOf = (res: { headers: Headers }) => Object.fromEntries(res.headers);

describe("a warm hit", () => {
  it("is the full read's answer, byte for byte, with no Blobs or ButterCMS call", async () => {
    const first = await getPost();
    const second = await getPost();
    blobsRequests.length = 0;
    butterRequests.length = 0;
    const third = await getPost();
    expect(third.status).toBe(200);
    expect(third.text).toBe(first.text);
    expect(headersOf(third)).toEqual(headersOf(first));
    expect(headersOf(second)).toEqual(headersOf(first));
    expect([blobsRequests, butterRequests]).toEqual([[], []]);
  });

  it("answers 304 to a matching If-None-Match, with the same headers but Content-Type", async () => {
    const first = await getPost();
    const etag = first.headers.get("ETag") as string;
    await getPost();
    const notModified = await getPost("", { headers: { "If-None-Match": etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe("");
    const { "content-type": _type, ...rest } = headersOf(first);
    expect(headersOf(notModified)).toEqual(rest);
  });

  it("is still refused by the IP allowlist when its scope is all, however warm", async () => {
    vi.stubEnv("IP_ALLOWLIST", "203.0.113.0/24");
    vi.stubEnv("IP_ALLOWLIST_SCOPE", "all");
    const inside = { ip: "203.0.113.9" };
    const first = await getPost("", inside);
    expect(first.status).toBe(200);
    expect((await getPost("", inside)).status).toBe(200);
    const outside = await getPost("", { ip: "198.51.100.7" });
    expect(outside.status).toBe(403);
    expect(outside.json.code).toBe("ip_not_allowed");
    expect((await getPost("", inside)).text).toBe(first.text);
  });

  it("is refused outside the allowlist on a deploy preview in scope non-production, and served on production", async () => {
    vi.stubEnv("IP_ALLOWLIST", "203.0.113.0/24");
    vi.stubEnv("IP_ALLOWLIST_SCOPE", "non-production");
    const inside = { ip: "203.0.113.9", deployContext: "deploy-preview" };
    const outside = { ip: "198.51.100.7", deployContext: "deploy-preview" };
    const first = await getPost("", inside);
    expect((await getPost("", inside)).text).toBe(first.text);
    const refused = await getPost("", outside);
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe("ip_not_allowed");
    butterRequests.length = 0;
    const production = await getPost("", { ip: "198.51.100.7", deployContext: "production" });
    expect(production.status).toBe(200);
    expect(production.text).toBe(first.text);
    expect(butterRequests).toEqual([]);
  });

  it("gives each Origin its own CORS headers when ALLOWED_ORIGINS is set", async () => {
    vi.stubEnv("ALLOWED_ORIGINS", "https://app.example, https://www.example");
    const from = (origin: string) => getPost("", { headers: { Origin: origin } });
    const app = await from("https://app.example");
    await from("https://app.example");
    butterRequests.length = 0;
    const www = await from("https://www.example");
    const other = await from("https://evil.example");
    expect(butterRequests).toEqual([]);
    expect(www.text).toBe(app.text);
    expect(www.headers.get("Access-Control-Allow-Origin")).toBe("https://www.example");
    expect(other.status).toBe(200);
    expect(other.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(other.headers.get("Vary")).toContain("Origin");
    expect((await from("https://app.example")).headers.get("Access-Control-Allow-Origin")).toBe(
      "https://app.example",
    );
  });

  it("answers HEAD with GET's headers and no body", async () => {
    const first = await getPost();
    await getPost();
    const head = await getPost("", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.text).toBe("");
    expect(headersOf(head)).toEqual(headersOf(first));
  });

  it("follows a change of configuration: the new CDN lifetime at once", async () => {
    await getPost();
    await getPost();
    vi.stubEnv("CDN_MAX_AGE", "120");
    const after = await getPost();
    expect(after.headers.get("Netlify-CDN-Cache-Control")).toContain("s-maxage=120");
  });

  it("asks the configuration again when it changed: a locale no longer served is refused", async () => {
    vi.stubEnv("BUTTERCMS_LOCALES", "en,es");
    const spanish = () => invoke(getPostsHandler, "/api/posts?locale=es");
    expect((await spanish()).status).toBe(200);
    expect((await spanish()).status).toBe(200);
    vi.stubEnv("BUTTERCMS_LOCALES", "en");
    expect((await spanish()).status).toBe(400);
  });

  it("never answers a preview, nor a public request from a preview's copy", async () => {
    const draft = unpublishedPosts.find((candidate) => candidate.status === "draft")!;
    const list = async (query: string) => invoke(getPostsHandler, `/api/posts${query}`);
    const publicList = await list("?page_size=100");
    await list("?page_size=100");
    enableSessions();
    // No session: the preview is refused, whatever the instance holds for the public list.
    expect((await list("?page_size=100&preview=1")).status).toBe(401);
    const headers = { Authorization: `Bearer ${await craftToken(Math.floor(Date.now() / 1000))}` };
    const preview = () => invoke(getPostsHandler, "/api/posts?page_size=100&preview=1", { headers });
    expect((await preview()).text).toContain(draft.slug);
    expect((await preview()).headers.get("Cache-Control")).toBe("private, no-store");
    expect((await invoke(getPostsHandler, "/api/posts?page_size=100&preview=1")).status).toBe(401);
    const again = await list("?page_size=100");
    expect(again.text).toBe(publicList.text);
    expect(again.text).not.toContain(draft.slug);
  });

  it("shows a publish within STATE_CHECK_MS of the webhook's answer", async () => {
    vi.stubEnv("WEBHOOK_SECRET", TEST_SECRETS.webhookSecret);
    vi.stubEnv("NETLIFY_PURGE_API_TOKEN", "nfp_hot_path_purge_token");
    vi.stubEnv("SITE_ID", "site-123");
    server.use(
      http.post("https://api.netlify.com/api/v1/purge", () => new HttpResponse(null, { status: 202 })),
    );
    await getPost();
    await getPost();
    const oldTitle = post.title;
    vi.useFakeTimers({ toFake: ["Date"] });
    post.title = `${oldTitle} (edited)`;
    try {
      const published = await invoke(webhook, "/api/webhooks/buttercms", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Webhook-Secret": TEST_SECRETS.webhookSecret },
        body: JSON.stringify({ data: { id: post.slug, locale: null }, webhook: { event: "post.published" } }),
      });
      expect(published.status).toBe(200);
      vi.advanceTimersByTime(STATE_CHECK_MS);
      expect((await getPost()).json.data).toMatchObject({ title: post.title });
      expect((await getPost()).json.data).toMatchObject({ title: post.title });
    } finally {
      post.title = oldTitle;
    }
  });
});

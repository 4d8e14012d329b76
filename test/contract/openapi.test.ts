/**
 * The OpenAPI document against reality: every function route is documented,
 * and real responses of every endpoint validate against the schema the
 * document gives for their path, method, status and content type (Ajv, JSON
 * Schema 2020-12, the dialect of OpenAPI 3.1).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import authHandler from "../../functions/auth.mts";
import webhook from "../../functions/buttercmsWebhook.mts";
import getAuthors from "../../functions/getAuthors.mts";
import getCategories from "../../functions/getCategories.mts";
import getFeed from "../../functions/getFeed.mts";
import getOpenApi from "../../functions/getOpenApi.mts";
import getPost from "../../functions/getPost.mts";
import getPosts from "../../functions/getPosts.mts";
import getRelatedPosts from "../../functions/getRelatedPosts.mts";
import getStatus from "../../functions/getStatus.mts";
import getTags from "../../functions/getTags.mts";
import ipAllowlist from "../../functions/ipAllowlist.mts";
import reconcileIndex from "../../functions/reconcileIndex.mts";
import searchPosts from "../../functions/searchPosts.mts";
import document from "../../openapi.json";
import { publishedPosts, unpublishedPosts } from "../../sample/data.ts";
import { resetInstanceState } from "../../src/content/instance-state.ts";
import { SHARED_COPY_MAX_AGE_MS } from "../../src/content/shared-copies.ts";
import { ROOT } from "../../tools/netlify-build.ts";
import { openApiAjv, pointer, responseProblems } from "../../tools/openapi-check.ts";
import { craftToken, enableSessions } from "../helpers/auth.ts";
import { BUTTER_API, HttpResponse, http, server } from "../helpers/butter.ts";
import { type Handler, type InvokeOptions, invoke } from "../helpers/invoke.ts";
import { TEST_SECRETS } from "../helpers/secrets.ts";

type Doc = { paths: Record<string, Record<string, unknown>> };
const doc = document as unknown as Doc;

const ajv = openApiAjv(document as object);

/** Validates one real response against the documented one (tools/openapi-check.ts). */
function check(
  path: string,
  method: string,
  res: { status: number; headers: Headers; text: string; json: unknown },
) {
  expect(
    responseProblems(ajv, document as object, path, method, res),
    `${method} ${path} ${res.status}`,
  ).toEqual([]);
}

const draft = unpublishedPosts.find((post) => post.status === "draft")!;
const slug = publishedPosts[0]!.slug;

const CASES: [string, string, string, Handler, string, InvokeOptions?][] = [
  ["/api/posts", "get", "200 list", getPosts, "/api/posts?page=2&page_size=5&exclude_body=false"],
  ["/api/posts", "get", "200 past the end", getPosts, "/api/posts?page=999"],
  ["/api/posts", "get", "400", getPosts, "/api/posts?pagesize=2"],
  ["/api/posts", "get", "401", getPosts, "/api/posts?preview=1"],
  ["/api/posts", "get", "405", getPosts, "/api/posts", { method: "PUT" }],
  ["/api/posts/{slug}", "get", "200", getPost, `/api/posts/${slug}`, { params: { slug } }],
  ["/api/posts/{slug}", "get", "404", getPost, `/api/posts/${draft.slug}`, { params: { slug: draft.slug } }],
  ["/api/posts/{slug}", "get", "400", getPost, "/api/posts/a.b", { params: { slug: "a.b" } }],
  [
    "/api/posts/{slug}/related",
    "get",
    "200",
    getRelatedPosts,
    `/api/posts/${slug}/related?limit=10`,
    { params: { slug } },
  ],
  [
    "/api/posts/{slug}/related",
    "get",
    "404",
    getRelatedPosts,
    `/api/posts/${draft.slug}/related`,
    { params: { slug: draft.slug } },
  ],
  ["/api/search", "get", "200", searchPosts, "/api/search?q=cache"],
  ["/api/search", "get", "200 with bodies", searchPosts, "/api/search?q=cache&exclude_body=false"],
  ["/api/search", "get", "400", searchPosts, "/api/search"],
  ["/api/categories", "get", "200", getCategories, "/api/categories?include=recent_posts"],
  ["/api/tags", "get", "200", getTags, "/api/tags"],
  ["/api/authors", "get", "200 with recent posts", getAuthors, "/api/authors?include=recent_posts"],
  ["/api/feeds/{type}", "get", "200 rss", getFeed, "/api/feeds/rss", { params: { type: "rss" } }],
  ["/api/feeds/{type}", "get", "200 atom", getFeed, "/api/feeds/atom", { params: { type: "atom" } }],
  ["/api/feeds/{type}", "get", "200 sitemap", getFeed, "/api/feeds/sitemap", { params: { type: "sitemap" } }],
  ["/api/feeds/{type}", "get", "404", getFeed, "/api/feeds/json", { params: { type: "json" } }],
  ["/api/auth", "get", "200 anonymous", authHandler, "/api/auth"],
  ["/api/auth", "delete", "204", authHandler, "/api/auth", { method: "DELETE" }],
  [
    "/api/auth",
    "post",
    "401",
    authHandler,
    "/api/auth",
    { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"password":"wrong"}' },
  ],
  [
    "/api/auth",
    "post",
    "415",
    authHandler,
    "/api/auth",
    { method: "POST", headers: { "Content-Type": "text/plain" }, body: "x" },
  ],
  ["/api/ip-allowlist", "get", "200", ipAllowlist, "/api/ip-allowlist"],
  ["/api/openapi.json", "get", "200", getOpenApi, "/api/openapi.json"],
  [
    "/api/webhooks/buttercms",
    "post",
    "202",
    webhook,
    "/api/webhooks/buttercms",
    {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Webhook-Secret": TEST_SECRETS.webhookSecret },
      body: JSON.stringify({ data: { id: "home" }, webhook: { event: "page.published" } }),
    },
  ],
  ["/api/webhooks/buttercms", "post", "401", webhook, "/api/webhooks/buttercms", { method: "POST" }],
];

describe("openapi.json", () => {
  it("gives every component a schema valid in JSON Schema 2020-12 whose references resolve", () => {
    const schemas = (document as { components: { schemas: Record<string, object> } }).components.schemas;
    expect(Object.keys(schemas).length).toBeGreaterThan(5);
    for (const [name, schema] of Object.entries(schemas)) {
      expect(ajv.validateSchema(schema), `${name}: ${ajv.errorsText()}`).toBe(true);
      // getSchema compiles it: a reference that does not resolve throws.
      expect(ajv.getSchema(`openapi#/${pointer("components", "schemas", name)}`), name).toBeTypeOf(
        "function",
      );
    }
    // The same check refuses a broken schema: it can fail.
    expect(ajv.validateSchema({ type: "strng" })).toBe(false);
  });

  it("documents every function's route, and no route without a function", async () => {
    const routes: string[] = [];
    for (const file of readdirSync(join(ROOT, "functions"))) {
      const mod = await import(join(ROOT, "functions", file));
      // The catch-all for unrouted /api paths is a note in info.description, not an operation.
      if (file === "apiNotFound.mts") continue;
      // Scheduled functions have no route: Netlify invokes them, never a client.
      if (mod.config.schedule !== undefined) continue;
      routes.push(String(mod.config.path).replace(/:(\w+)/g, "{$1}"));
    }
    expect(Object.keys(doc.paths).sort()).toEqual(routes.sort());
  });

  it.each(CASES)(
    "%s %s %s validates against the document",
    async (path, method, _name, handler, url, options) => {
      enableSessions();
      vi.stubEnv("WEBHOOK_SECRET", TEST_SECRETS.webhookSecret);
      check(path, method, await invoke(handler, url, options));
    },
  );

  it("validates the operators' status: 200 with what reconciliation and a webhook left, 401 and 503", async () => {
    vi.stubEnv("WEBHOOK_SECRET", TEST_SECRETS.webhookSecret);
    check("/api/status", "get", await invoke(getStatus, "/api/status"));
    vi.stubEnv("STATUS_TOKEN", "status-token-for-the-contract");
    vi.stubEnv("BUTTERCMS_PLAN_QUOTA", "1000000");
    check(
      "/api/status",
      "get",
      await invoke(getStatus, "/api/status", { headers: { Authorization: "Bearer x" } }),
    );
    await invoke(reconcileIndex, "/.netlify/functions/reconcileIndex", { method: "POST", body: "{}" });
    const res = await invoke(getStatus, "/api/status", {
      headers: { Authorization: "Bearer status-token-for-the-contract" },
    });
    expect(res.status).toBe(200);
    expect((res.json as { reconciliation: { plan: unknown } }).reconciliation.plan).not.toBeNull();
    check("/api/status", "get", res);
  });

  it("validates a login, a session and a preview list", async () => {
    enableSessions();
    const login = await invoke(authHandler, "/api/auth", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ password: TEST_SECRETS.password }),
    });
    check("/api/auth", "post", login);
    const headers = { Authorization: `Bearer ${await craftToken(Math.floor(Date.now() / 1000))}` };
    check("/api/auth", "get", await invoke(authHandler, "/api/auth", { headers }));
    check("/api/posts", "get", await invoke(getPosts, "/api/posts?preview=1&page_size=100", { headers }));
  });

  it.each([
    ["/api/posts", getPosts, "/posts/", "/api/posts", {}],
    ["/api/categories", getCategories, "/categories/", "/api/categories", {}],
    ["/api/feeds/{type}", getFeed, "/feeds/rss/", "/api/feeds/rss", { params: { type: "rss" } }],
  ])(
    "validates %s fault answers (502, and 503 with Retry-After)",
    async (path, handler, upstream, url, options) => {
      for (const reply of [
        () => HttpResponse.json({ detail: "x" }, { status: 401 }),
        () => HttpResponse.json({ detail: "x" }, { status: 429, headers: { "Retry-After": "60" } }),
      ]) {
        server.use(http.get(`${BUTTER_API}${upstream}`, reply));
        check(path, "get", await invoke(handler as Handler, url, options));
      }
    },
  );

  it("validates the content layer's answers: a locale, a stale copy, a quota outage, the webhook's", async () => {
    vi.stubEnv("BUTTERCMS_LOCALES", "en,es");
    check("/api/posts", "get", await invoke(getPosts, "/api/posts?locale=es"));
    check(
      "/api/posts/{slug}",
      "get",
      await invoke(getPost, `/api/posts/${slug}?locale=es`, { params: { slug } }),
    );

    // Served before, then ButterCMS fails on a cold read once the shared copy is due: 200 with X-Content-Stale.
    await invoke(searchPosts, "/api/search?q=cache");
    await new Promise((resolve) => setTimeout(resolve, 50));
    resetInstanceState();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.advanceTimersByTime(SHARED_COPY_MAX_AGE_MS + 1);
    server.use(http.get(`${BUTTER_API}/*`, () => HttpResponse.error()));
    const stale = await invoke(searchPosts, "/api/search?q=cache");
    expect(stale.headers.get("X-Content-Stale")).not.toBeNull();
    check("/api/search", "get", stale);
    vi.useRealTimers();

    // The monthly quota: 503 with a month-long Retry-After.
    resetInstanceState();
    server.use(
      http.get(`${BUTTER_API}/*`, () =>
        HttpResponse.json(
          { detail: "API Calls limit reached." },
          { status: 429, headers: { "Retry-After": "2000000" } },
        ),
      ),
    );
    const quota = await invoke(searchPosts, "/api/search?q=quota");
    expect(quota.status).toBe(503);
    check("/api/search", "get", quota);
    server.resetHandlers();

    vi.stubEnv("WEBHOOK_SECRET", TEST_SECRETS.webhookSecret);
    const deliver = () =>
      invoke(webhook, "/api/webhooks/buttercms", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Webhook-Secret": TEST_SECRETS.webhookSecret },
        body: JSON.stringify({
          data: { id: slug, locale: "es" },
          webhook: { event: "post.localization.published" },
        }),
      });
    server.use(
      http.post("https://api.netlify.com/api/v1/purge", () => new HttpResponse(null, { status: 202 })),
    );
    check("/api/webhooks/buttercms", "post", await deliver());
    server.use(
      http.post("https://api.netlify.com/api/v1/purge", () => new HttpResponse(null, { status: 500 })),
    );
    const pending = await deliver();
    expect(pending.status).toBe(202);
    check("/api/webhooks/buttercms", "post", pending);
  });

  it("validates a logout that revokes and the 401 that follows", async () => {
    enableSessions();
    const login = await invoke(authHandler, "/api/auth", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ password: TEST_SECRETS.password }),
    });
    const headers = { Authorization: `Bearer ${login.json.token as string}` };
    check("/api/auth", "delete", await invoke(authHandler, "/api/auth", { method: "DELETE", headers }));
    const after = await invoke(getPosts, "/api/posts?preview=1", { headers });
    expect(after.status).toBe(401);
    check("/api/posts", "get", after);
  });

  it("rejects a body that breaks the document (the check can fail)", () => {
    const validate = ajv.getSchema(`openapi#/${pointer("components", "schemas", "Author")}`);
    expect(validate?.({ slug: "a", first_name: "A", last_name: "B", email: "a@b.c" })).toBe(false);
    expect(validate?.({ slug: "a", first_name: "A", last_name: "B" })).toBe(true);
  });

  it("states the new shapes strictly (recent posts, summaries, srcset, locale, webhook answers)", () => {
    const schema = (name: string) => ajv.getSchema(`openapi#/${pointer("components", "schemas", name)}`)!;
    const recent = schema("RecentPost");
    const item = {
      slug: "a",
      title: "A",
      published: "2026-11-01T10:00:00Z",
      summary: "S",
      featured_image: null,
      url: "https://x.test/blog/a",
    };
    expect(recent(item)).toBe(true);
    expect(recent({ slug: "a", title: "A" })).toBe(false);
    expect(recent({ ...item, status: "published" })).toBe(false);
    expect(recent({ ...item, body: "<p>x</p>" })).toBe(false);
    const tooMany = Array.from({ length: 11 }, (_, i) => ({ ...item, slug: `p${i}` }));
    expect(schema("Term")({ name: "A", slug: "a", recent_posts: tooMany })).toBe(false);

    const summary = schema("PostSummary");
    const post = {
      slug: "a",
      title: "A",
      status: "published",
      featured_image: null,
      featured_image_srcset: null,
    };
    expect(summary(post)).toBe(true);
    expect(summary({ ...post, body: "<p>x</p>" })).toBe(false);
    const srcset =
      "https://cdn.buttercms.com/resize=width:320/h 320w, https://cdn.buttercms.com/resize=width:640/h 640w";
    expect(schema("Post")({ ...post, featured_image_srcset: srcset })).toBe(true);
    expect(schema("Post")({ ...post, featured_image_srcset: "not a srcset" })).toBe(false);
    expect(schema("SearchResult")({ ...post, rank: 0.93 })).toBe(true);
    expect(schema("SearchResult")({ ...post, rank: "high" })).toBe(false);

    const locale = ajv.compile({
      $ref: `openapi#/${pointer("components", "parameters", "locale", "schema")}`,
    });
    for (const ok of ["en", "fr-CA", "zh-Hant-TW"]) expect(locale(ok), ok).toBe(true);
    for (const bad of ["", "e", "english", "en_US", "en-", `en-${"a".repeat(40)}`])
      expect(locale(bad), bad).toBe(false);

    const problem = schema("Problem");
    const base = { type: "about:blank", title: "Service Unavailable", status: 503, detail: "x" };
    expect(problem({ ...base, code: "session_store_unavailable" })).toBe(true);
    expect(problem({ ...base, code: "no_such_code" })).toBe(false);
    expect(schema("WebhookPending")({ accepted: true, event: "post.published", pending: ["posts"] })).toBe(
      true,
    );
    expect(schema("WebhookPending")({ accepted: true, event: "post.published", pending: [] })).toBe(false);
  });
});

/**
 * Logs an operator can filter (docs/operations.md, "Log events"): each
 * notable event is logged where it happens, once per line as JSON, with
 * the function that logged it, Netlify's request id and the locale and slug
 * where one applies; no line ever carries a secret.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Context } from "@netlify/functions";
import { describe, expect, it, vi } from "vitest";
import webhook from "../../functions/buttercmsWebhook.mts";
import getPosts from "../../functions/getPosts.mts";
import { publishedPosts } from "../../sample/data.ts";
import { secondsUntilMonthlyReset } from "../../sample/faults.ts";
import { resetInstanceState } from "../../src/content/instance-state.ts";
import { SHARED_COPY_MAX_AGE_MS } from "../../src/content/shared-copies.ts";
import { craftToken, enableSessions } from "../helpers/auth.ts";
import { testStore, UNREACHABLE, useBlobsAt } from "../helpers/blobs.ts";
import { BUTTER_API, HttpResponse, http, server } from "../helpers/butter.ts";
import { consoleLines } from "../helpers/console.ts";
import { coldInstance } from "../helpers/instances.ts";
import { type Handler, type InvokeOptions, invoke, netlifyContext, SITE } from "../helpers/invoke.ts";
import { TEST_SECRETS } from "../helpers/secrets.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const REQUEST_ID = "01TESTREQUEST";
const PURGE_API = "https://api.netlify.com/api/v1/purge";
const slug = publishedPosts[4]!.slug;

type Line = Record<string, unknown>;
const lines = (): Line[] => consoleLines.flatMap((text) => (text.startsWith("{") ? [JSON.parse(text)] : []));
const settle = () => new Promise((resolve) => setTimeout(resolve, 100)); // background work

function enableWebhook(purgeStatus = 202): void {
  vi.stubEnv("WEBHOOK_SECRET", TEST_SECRETS.webhookSecret);
  vi.stubEnv("NETLIFY_PURGE_API_TOKEN", "nfp_log_events_purge_token");
  vi.stubEnv("SITE_ID", "site-123");
  server.use(http.post(PURGE_API, () => new HttpResponse(null, { status: purgeStatus })));
}

const deliver = (event: string, headers: Record<string, string> = {}, options: InvokeOptions = {}) =>
  invoke(webhook, "/api/webhooks/buttercms", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Webhook-Secret": TEST_SECRETS.webhookSecret,
      ...headers,
    },
    body: JSON.stringify({ data: { id: slug, locale: null }, webhook: { event } }),
    ...options,
  });

const quotaExhausted = () =>
  HttpResponse.json(
    { detail: "API Calls limit reached." },
    { status: 429, headers: { "Retry-After": String(secondsUntilMonthlyReset(Date.now())) } },
  );

interface Expected {
  level: "info" | "warn" | "error";
  function: string;
  /** Fields the line must carry besides function and requestId (locale, slug, code, …). */
  fields?: Line;
}

/** Each event, the situation that logs it, and what its line must say. */
const CASES: [string, Expected, () => Promise<unknown>][] = [
  [
    "butter.failed",
    { level: "error", function: "getPosts", fields: { code: "upstream_error", status: 502 } },
    async () => {
      server.use(http.get(`${BUTTER_API}/posts/`, () => HttpResponse.json({ detail: "x" }, { status: 500 })));
      expect((await invoke(getPosts, "/api/posts")).status).toBe(502);
    },
  ],
  [
    "butter.stale_copy_served",
    { level: "warn", function: "searchPosts" },
    async () => {
      const search = await coldInstance("searchPosts");
      await invoke(search, "/api/search?q=cache");
      await settle();
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.advanceTimersByTime(SHARED_COPY_MAX_AGE_MS + 3_600_000);
      server.use(http.get(`${BUTTER_API}/*`, () => HttpResponse.json({ detail: "x" }, { status: 500 })));
      expect((await invoke(search, "/api/search?q=cache")).status).toBe(200);
    },
  ],
  [
    "butter.last_known_good_served",
    { level: "warn", function: "searchPosts", fields: { since: expect.stringMatching(/^\d{4}-/) } },
    async () => {
      await invoke(await coldInstance("searchPosts"), "/api/search?q=cache");
      await settle();
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.advanceTimersByTime(SHARED_COPY_MAX_AGE_MS + 1);
      server.use(http.get(`${BUTTER_API}/*`, () => HttpResponse.json({ detail: "x" }, { status: 500 })));
      const during = await invoke(await coldInstance("searchPosts"), "/api/search?q=cache");
      expect(during.headers.get("X-Content-Stale")).toMatch(/^\d{4}-/);
    },
  ],
  [
    "quota.exhausted",
    { level: "error", function: "getPost", fields: { slug, resetsAt: expect.stringMatching(/^\d{4}-/) } },
    async () => {
      server.use(http.get(`${BUTTER_API}/*`, quotaExhausted));
      const res = await invoke(await coldInstance("getPost"), `/api/posts/${slug}`, { params: { slug } });
      expect(res.status).toBe(503);
    },
  ],
  [
    "webhook.applied",
    { level: "info", function: "buttercmsWebhook", fields: { slug, locale: "default", purge: "purged" } },
    async () => {
      enableWebhook();
      expect((await deliver("post.published")).status).toBe(200);
    },
  ],
  [
    "webhook.ignored",
    { level: "info", function: "buttercmsWebhook", fields: { webhookEvent: "page.published" } },
    async () => {
      enableWebhook();
      expect((await deliver("page.published")).status).toBe(202);
    },
  ],
  [
    "webhook.refused",
    { level: "warn", function: "buttercmsWebhook" },
    async () => {
      enableWebhook();
      expect((await deliver("post.published", { "X-Webhook-Secret": "wrong" })).status).toBe(401);
    },
  ],
  [
    "webhook.butter_failed",
    { level: "warn", function: "buttercmsWebhook", fields: { slug, locale: "default" } },
    async () => {
      enableWebhook();
      server.use(
        http.get(`${BUTTER_API}/posts/*`, () => HttpResponse.json({ detail: "x" }, { status: 500 })),
      );
      await deliver("post.published");
    },
  ],
  [
    "purge.owed",
    { level: "error", function: "buttercmsWebhook", fields: { slug, locale: "default" } },
    async () => {
      enableWebhook(500);
      expect((await deliver("post.published")).status).toBe(202);
    },
  ],
  [
    "purge.completed",
    { level: "info", function: "getPosts", fields: { tags: ["posts"] } },
    async () => {
      // A purge the webhook could not make: any instance that reads the site state finishes it.
      enableWebhook();
      await testStore().setJSON("site-state", {
        generations: {},
        owedPurge: { tags: ["posts"], attempts: 1, nextAt: Date.now() - 1 },
      });
      const background: Promise<unknown>[] = [];
      await invoke(getPosts, "/api/posts", { waitUntil: (work) => background.push(work) });
      await Promise.all(background);
    },
  ],
  [
    "purge.failed",
    { level: "error", function: "buttercmsWebhook", fields: { code: "purge_failed" } },
    async () => {
      enableWebhook();
      useBlobsAt(UNREACHABLE);
      server.use(http.post(PURGE_API, () => HttpResponse.error()));
      expect((await deliver("post.delete")).status).toBe(502);
    },
  ],
  [
    "config.invalid",
    { level: "error", function: "getPosts", fields: { code: "misconfigured" } },
    async () => {
      vi.stubEnv("CDN_MAX_AGE", "soon");
      expect((await invoke(getPosts, "/api/posts")).status).toBe(500);
    },
  ],
  [
    "blobs.unreachable",
    { level: "warn", function: "getPosts" },
    async () => {
      useBlobsAt(UNREACHABLE);
      expect((await invoke(getPosts, "/api/posts")).status).toBe(200);
    },
  ],
  [
    "blobs.unavailable",
    { level: "error", function: "getPosts", fields: { code: "session_store_unavailable" } },
    async () => {
      enableSessions();
      useBlobsAt(UNREACHABLE);
      const headers = { Authorization: `Bearer ${await craftToken(Math.floor(Date.now() / 1000))}` };
      expect((await invoke(getPosts, "/api/posts?preview=1", { headers })).status).toBe(503);
    },
  ],
  [
    "index.first_build",
    { level: "info", function: "getPosts", fields: { locale: "default" } },
    async () => {
      expect((await invoke(getPosts, "/api/posts")).status).toBe(200);
    },
  ],
  [
    "index.snapshot_behind",
    { level: "warn", function: "getPosts", fields: { locale: "default" } },
    async () => {
      await invoke(getPosts, "/api/posts");
      await settle();
      // Changes the site state lists no record for (a compaction that failed): the snapshot cannot catch up.
      const state = (await testStore().get("site-state", { type: "json" })) as { generations: object };
      await testStore().setJSON("site-state", { ...state, generations: { default: 7 } });
      resetInstanceState();
      await invoke(getPosts, "/api/posts");
    },
  ],
  [
    "reconcile.drift",
    { level: "warn", function: "reconcileIndex", fields: { locale: "default" } },
    () => reconcileAfterLostWebhook(),
  ],
  [
    "reconcile.webhook_warning",
    { level: "warn", function: "reconcileIndex", fields: { cause: "not_set_up" } },
    () => reconcileAfterLostWebhook(),
  ],
  [
    "reconcile.run",
    { level: "info", function: "reconcileIndex", fields: { report: expect.objectContaining({}) } },
    () => reconcileAfterLostWebhook(),
  ],
];

/** A post edited in ButterCMS whose webhook never came, then a scheduled run. */
async function reconcileAfterLostWebhook(): Promise<void> {
  enableWebhook();
  await invoke(getPosts, "/api/posts");
  await settle();
  const edited = publishedPosts[5]!;
  const saved = { title: edited.title, updated: edited.updated };
  Object.assign(edited, { title: `${edited.title} (lost webhook)`, updated: new Date().toISOString() });
  try {
    const reconcile = await coldInstance("reconcileIndex");
    const run = await invoke(reconcile, "/.netlify/functions/reconcileIndex", { method: "POST", body: "{}" });
    expect(run.status).toBe(204);
  } finally {
    Object.assign(edited, saved);
  }
}

describe("log events", () => {
  it.each(CASES)(
    "logs %s where it happens, with the function and Netlify's request id",
    async (event, expected, act) => {
      await act();
      await settle();
      const found = lines().filter((line) => line.event === event);
      expect(found, `no ${event} line in:\n${consoleLines.join("\n")}`).not.toEqual([]);
      expect(found[0]).toMatchObject({
        level: expected.level,
        event,
        message: expect.any(String),
        function: expected.function,
        requestId: REQUEST_ID,
        ...expected.fields,
      });
      for (const line of consoleLines) {
        for (const secret of Object.values(TEST_SECRETS)) expect(line).not.toContain(secret);
      }
    },
  );

  it("names every function in its lines by its file in functions/", async () => {
    // An invalid IP_ALLOWLIST_SCOPE guards every request and refuses it with a logged 500 (fail closed).
    vi.stubEnv("IP_ALLOWLIST_SCOPE", "everything");
    vi.stubEnv("IP_ALLOWLIST", "10.0.0.0/33");
    const names = readdirSync(join(ROOT, "functions")).map((file) => file.replace(/\.mts$/, ""));
    for (const name of names) {
      consoleLines.length = 0;
      const mod = await import(join(ROOT, "functions", `${name}.mts`));
      const path = [mod.config.path ?? "/.netlify/functions/reconcileIndex"].flat()[0] as string;
      const url = new URL(path.replace(":slug", slug).replace(":type", "rss").replace("*", "x"), SITE);
      const req = new Request(url, { method: name === "buttercmsWebhook" ? "POST" : "GET" });
      // Its own request id: lines an earlier test left running in the background are not this one's.
      const context = { ...netlifyContext({ params: { slug, type: "rss" } }), requestId: `req-${name}` };
      await (mod.default as Handler)(req, context as Context);
      const own = lines().filter((line) => line.requestId === `req-${name}`);
      expect(own.length, `${name} logged nothing`).toBeGreaterThan(0);
      for (const line of own) expect(line, JSON.stringify(line)).toMatchObject({ function: name });
      for (const line of lines()) expect(line, "a line outside any invocation").toHaveProperty("function");
    }
  });

  it("lists every event in docs/operations.md, and logs each somewhere", () => {
    const source = readFileSync(join(ROOT, "src", "core", "log.ts"), "utf8");
    const union = /export type LogEvent =([^;]+);/.exec(source)?.[1] ?? "";
    const events = [...union.matchAll(/"([a-z_]+\.[a-z_]+)"/g)].map((match) => match[1] as string);
    expect(events.length).toBeGreaterThan(20);
    const docs = readFileSync(join(ROOT, "docs", "operations.md"), "utf8");
    const section = docs.slice(docs.indexOf("## Log events"));
    const code = [join(ROOT, "src"), join(ROOT, "functions")]
      .flatMap((dir) => readdirSync(dir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile() && /\.m?ts$/.test(entry.name) && entry.name !== "log.ts")
      .map((entry) => readFileSync(join(entry.parentPath, entry.name), "utf8"))
      .join("\n");
    for (const event of events) {
      expect(section, `docs/operations.md does not list ${event}`).toContain(`\`${event}\``);
      expect(code, `nothing logs ${event}`).toContain(`"${event}"`);
    }
  });
});

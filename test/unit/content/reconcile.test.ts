/**
 * Reconciliation against the ButterCMS emulation, on a store with real
 * ETags: the budget per plan, a lost webhook healed (recorded for every
 * instance, its tags purged), a post missing from a page kept unless
 * ButterCMS says it is gone, and what readers do where no scheduler runs.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { publishedPosts, unpublishedPosts } from "../../../sample/data.ts";
import { loadConfig } from "../../../src/core/config.ts";
import { BUTTER_API, butterRequests, HttpResponse, http, server } from "../../helpers/butter.ts";
import { MemoryStore } from "../../helpers/memory-store.ts";

const store = new MemoryStore();
vi.mock("../../../src/netlify/blobs.ts", async (original) => ({
  ...(await original<object>()),
  openSharedStore: () => store,
}));

vi.resetModules();
const { runReconciliation, reconcileIfForgotten, FORGOTTEN_AFTER_MS } = await import(
  "../../../src/content/reconcile.ts"
);
const { planReconcile, RECONCILE_SHARE, MONTH_MS } = await import("../../../src/content/reconcile-plan.ts");
const { publishedIndex } = await import("../../../src/content/published-index.ts");
const { resetInstanceState, siteState } = await import("../../../src/content/instance-state.ts");
const { writeSnapshot } = await import("../../../src/content/index-snapshot.ts");

const config = loadConfig({ BUTTERCMS_API_TOKEN: "tok_live_4f9c2b7e1d3a8c6f5e0b9d2a7c4e1f8b" });
const background: Promise<unknown>[] = [];
const scope = {
  config,
  context: {
    ip: "",
    params: {},
    requestId: "t",
    waitUntil: (work: Promise<unknown>) => background.push(work),
  },
} as never;
const purged: string[][] = [];
const summary = ({ body: _body, ...post }: (typeof publishedPosts)[0]) => post;
const edited = publishedPosts[4] as (typeof publishedPosts)[0];
const originalTitle = edited.title;
const draft = unpublishedPosts.find((post) => post.status === "draft") as (typeof publishedPosts)[0];

/** What a new instance holding the index sees. */
async function freshIndex() {
  resetInstanceState();
  return publishedIndex(scope, "default");
}

beforeEach(async () => {
  vi.stubEnv("NETLIFY_PURGE_API_TOKEN", "nfp_test_purge_token_000");
  vi.stubEnv("SITE_ID", "site-123");
  server.use(
    http.post("https://api.netlify.com/api/v1/purge", async ({ request }) => {
      purged.push(((await request.json()) as { cache_tags: string[] }).cache_tags);
      return new HttpResponse(null, { status: 202 });
    }),
  );
  store.blobs.clear();
  purged.length = 0;
  background.length = 0;
  resetInstanceState();
  await publishedIndex(scope, "default"); // the first build: the index as ButterCMS lists it
  butterRequests.length = 0;
});
afterEach(() => {
  edited.title = originalTitle;
});

describe("planReconcile", () => {
  it.each([
    ["Free", 50_000, [1]],
    ["Basic", 100_000, [1]],
    ["Advanced", 500_000, [5]],
    ["Professional", 1_000_000, [100, 100, 100]],
  ])(
    "keeps the %s plan within its share, newest posts checked hourly and all daily",
    (_plan, quota, pages) => {
      const plan = planReconcile(quota, pages, 5 * 60_000);
      expect(plan.callsPerMonth / quota).toBeLessThanOrEqual(RECONCILE_SHARE * 0.9);
      expect(plan.checkEveryMs).toBeLessThanOrEqual(60 * 60_000);
      expect(plan.fullEveryMs).toBeLessThan(24 * 3_600_000);
      const calls = (MONTH_MS / plan.checkEveryMs) * pages.length;
      expect(calls).toBeLessThanOrEqual(plan.callsPerMonth + 1);
    },
  );
});

describe("runReconciliation", () => {
  it("finds an edit whose webhook was lost, records it for every instance and purges its tags", async () => {
    await publishedIndex(scope, "default");
    edited.title = "Edited while the webhook was lost";
    const report = await runReconciliation(scope);
    expect(report.locales).toEqual([expect.objectContaining({ locale: "default", drifted: [edited.slug] })]);
    expect(purged).toContainEqual(["posts", `post:${edited.slug}`]);
    const index = await freshIndex();
    expect(index.posts[index.positions.get(edited.slug) as number]?.title).toBe(edited.title);
  });

  it("spends nothing on a run that the plan does not make due", async () => {
    await runReconciliation(scope);
    butterRequests.length = 0;
    const report = await runReconciliation(scope);
    expect(report.locales).toEqual([{ locale: "default", mode: "none", calls: 0, drifted: [] }]);
    expect(butterRequests).toHaveLength(0);
  });

  it("keeps a post missing from the list when ButterCMS says by its slug that it is published", async () => {
    const hidden = publishedPosts[2] as (typeof publishedPosts)[0];
    const listed = (await publishedIndex(scope, "default")).posts.filter((post) => post.slug !== hidden.slug);
    server.use(
      http.get(`${BUTTER_API}/posts/`, () =>
        HttpResponse.json({
          meta: { count: listed.length, next_page: null, previous_page: null },
          data: listed,
        }),
      ),
    );
    const report = await runReconciliation(scope);
    expect(report.locales[0]?.drifted).toEqual([]);
    expect(butterRequests.map((url) => url.pathname)).toContain(`/v2/posts/${hidden.slug}/`);
    expect((await freshIndex()).positions.has(hidden.slug)).toBe(true);
  });

  it("removes a post the index lists and ButterCMS says is a draft, and purges it", async () => {
    const { posts } = await publishedIndex(scope, "default");
    const stored = await store.get<never>("snapshot/default/manifest");
    await writeSnapshot(
      store,
      "default",
      [summary(draft), ...posts],
      { generation: 0, comparedAt: 0 },
      {
        manifest: stored?.value as never,
        etag: stored?.etag as string,
      },
    );
    resetInstanceState();
    const report = await runReconciliation(scope);
    expect(report.locales[0]?.drifted).toEqual([draft.slug]);
    expect((await freshIndex()).positions.has(draft.slug)).toBe(false);
    expect(purged).toContainEqual(["posts", `post:${draft.slug}`]);
  });

  it("asks about the slugs a webhook could not, once, and forgets them", async () => {
    await runReconciliation(scope); // nothing else due in the next run
    const state0 = await store.get<Record<string, unknown>>("site-state");
    await store.set("site-state", { ...state0?.value, recheck: { default: [edited.slug] } });
    resetInstanceState();
    butterRequests.length = 0;
    const report = await runReconciliation(scope);
    expect(butterRequests.filter((url) => url.pathname === `/v2/posts/${edited.slug}/`)).toHaveLength(1);
    expect(report.locales[0]).toMatchObject({ mode: "recheck", calls: 1 });
    const state = (await store.get<{ recheck: Record<string, string[]> }>("site-state"))?.value;
    expect(state?.recheck.default).toEqual([]);
  });
});

describe("reconcileIfForgotten (no scheduler: previews, netlify dev)", () => {
  it("has one reader check the newest page once no reconciliation ran for FORGOTTEN_AFTER_MS", async () => {
    await publishedIndex(scope, "default");
    edited.title = "Edited on a site whose scheduler never runs";
    const comparedAt = Date.now();
    reconcileIfForgotten(scope, "default", comparedAt);
    expect(background).toHaveLength(0);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.advanceTimersByTime(FORGOTTEN_AFTER_MS + 1);
    await siteState.current(store);
    butterRequests.length = 0;
    reconcileIfForgotten(scope, "default", comparedAt);
    reconcileIfForgotten(scope, "default", comparedAt);
    await Promise.all(background);
    vi.useRealTimers();
    expect(butterRequests.filter((url) => url.pathname === "/v2/posts/")).toHaveLength(1);
    const index = await freshIndex();
    expect(index.posts[index.positions.get(edited.slug) as number]?.title).toBe(edited.title);
  });
});

/**
 * What a post change does to the shared state, on a store with real ETags:
 * concurrent webhooks, events replayed or out of order, ButterCMS or Blobs
 * failing half-way, and what an unpublish removes. (Modules the test setup
 * loaded before this file keep the real store; the post change itself,
 * loaded below, gets the memory store.)
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { publishedPosts } from "../../../sample/data.ts";
import { loadConfig } from "../../../src/core/config.ts";
import { BlobsUnavailable } from "../../../src/netlify/blobs.ts";
import { BUTTER_API, butterRequests, HttpResponse, http, server } from "../../helpers/butter.ts";
import { MemoryStore } from "../../helpers/memory-store.ts";

const store = new MemoryStore();
const purged: string[][] = [];
vi.mock("../../../src/netlify/blobs.ts", async (original) => ({
  ...(await original<object>()),
  openSharedStore: () => store,
}));

vi.resetModules();
const { applyPostChange } = await import("../../../src/content/post-change.ts");
const { resetInstanceState } = await import("../../../src/content/instance-state.ts");
const { CHANGES_KEPT } = await import("../../../src/content/index-changes.ts");
const { COMPACT_AFTER } = await import("../../../src/content/index-compaction.ts");
const { writeSnapshot } = await import("../../../src/content/index-snapshot.ts");
const { publishedIndex } = await import("../../../src/content/published-index.ts");

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
const [first, second, third] = publishedPosts as [
  (typeof publishedPosts)[0],
  (typeof publishedPosts)[0],
  (typeof publishedPosts)[0],
];
const summary = ({ body: _body, ...post }: (typeof publishedPosts)[0]) => post;

interface State {
  generations: Record<string, number>;
  changes?: Record<string, { generation: number; key: string }[]>;
  removed?: Record<string, { generation: number; slug: string; url: string | null }[]>;
  recheck?: Record<string, string[]>;
  lastWebhook?: { event: string; slug: string };
}
const state = () => store.blobs.get("site-state")?.value as State;
const records = () =>
  (state().changes?.default ?? []).map(
    (ref) => store.blobs.get(ref.key)?.value as { updates: { slug: string; entry: unknown }[] },
  );
const change = (slug: string, event = "post.published") => ({ event, slug, locale: "default" });
/** What an instance holding the index sees now. */
const indexSlugs = async () => {
  resetInstanceState();
  return (await publishedIndex(scope, "default")).posts.map((post) => post.slug);
};

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
  store.failing = false;
  purged.length = 0;
  background.length = 0;
  resetInstanceState();
  await writeSnapshot(store, "default", [summary(third)], { generation: 0, comparedAt: Date.now() }, null);
});

describe("applyPostChange", () => {
  it("gives two racing publishes a generation each, and every instance then holds both posts", async () => {
    await Promise.all([
      applyPostChange(scope, change(first.slug)),
      applyPostChange(scope, change(second.slug)),
    ]);
    expect(state().generations.default).toBe(2);
    expect(state().changes?.default?.map((ref) => ref.generation)).toEqual([1, 2]);
    expect((await indexSlugs()).sort()).toEqual([first.slug, second.slug, third.slug].sort());
  });

  it("asks ButterCMS on every event: a replayed post.delete of a post published since keeps it published", async () => {
    butterRequests.length = 0;
    await applyPostChange(scope, change(third.slug, "post.delete"));
    expect(butterRequests.map((url) => url.pathname)).toEqual([`/v2/posts/${third.slug}/`]);
    expect(records()[0]?.updates).toEqual([
      {
        slug: third.slug,
        entry: expect.objectContaining({ slug: third.slug, title: third.title }),
        url: null,
      },
    ]);
    expect(await indexSlugs()).toEqual([third.slug]);
    expect(state().lastWebhook).toMatchObject({ event: "post.delete", slug: third.slug });
  });

  it("removes a post ButterCMS no longer has published: its body first, and the removal with its URL", async () => {
    server.use(
      http.get(`${BUTTER_API}/posts/${third.slug}/`, () =>
        HttpResponse.json({ detail: "Not found." }, { status: 404 }),
      ),
    );
    store.blobs.set(`post/default/${third.slug}`, { value: { post: third }, etag: '"p"' });
    await applyPostChange(scope, change(third.slug, "post.delete"));
    expect(store.blobs.has(`post/default/${third.slug}`)).toBe(false);
    expect(await indexSlugs()).toEqual([]);
    expect(state().removed?.default).toEqual([{ generation: 1, slug: third.slug, url: third.url }]);
    expect(purged[0]).toEqual(["posts", `post:${third.slug}`]);
  });

  it("records nothing when ButterCMS cannot say, lists the slug for reconciliation, and still purges", async () => {
    server.use(
      http.get(`${BUTTER_API}/posts/*`, () => HttpResponse.json({ detail: "down" }, { status: 500 })),
    );
    await applyPostChange(scope, change(first.slug));
    expect(state().generations.default ?? 0).toBe(0);
    expect(state().recheck?.default).toEqual([first.slug]);
    expect(purged[0]).toEqual(["posts", `post:${first.slug}`]);
  });

  it("writes the same record again when Blobs fails once half-way, never a second one", async () => {
    const set = store.set.bind(store);
    let failed = false;
    store.set = async (key, ...rest) => {
      if (!failed && key === "site-state") {
        failed = true;
        throw new BlobsUnavailable("write", "once");
      }
      return set(key, ...rest);
    };
    try {
      await applyPostChange(scope, change(first.slug));
    } finally {
      store.set = set;
    }
    expect(state().generations.default).toBe(1);
    expect([...store.blobs.keys()].filter((key) => key.startsWith("change/"))).toHaveLength(1);
  });

  it("still purges, and answers 503 content_store_unavailable, when Blobs fails throughout", async () => {
    store.failing = true;
    await expect(applyPostChange(scope, change(first.slug))).rejects.toMatchObject({
      code: "content_store_unavailable",
    });
    expect(purged[0]).toEqual(["posts", `post:${first.slug}`]);
  });

  it(`keeps the last ${CHANGES_KEPT} records listed and deletes the ones that drop out`, async () => {
    for (let i = 0; i < CHANGES_KEPT + 3; i++) await applyPostChange(scope, change(first.slug));
    await Promise.allSettled(background);
    expect(state().changes?.default).toHaveLength(CHANGES_KEPT);
    expect(state().changes?.default?.[0]?.generation).toBe(4);
    expect([...store.blobs.keys()].filter((key) => key.startsWith("change/"))).toHaveLength(CHANGES_KEPT);
  });

  it(`writes a new snapshot once ${COMPACT_AFTER} records follow the stored one`, async () => {
    const manifest = () =>
      store.blobs.get("snapshot/default/manifest")?.value as { generation: number; count: number };
    for (let i = 0; i < COMPACT_AFTER - 1; i++)
      await applyPostChange(scope, change(i % 2 ? first.slug : second.slug));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(manifest().generation).toBe(0);
    await applyPostChange(scope, change(first.slug));
    await vi.waitFor(() => expect(manifest().generation).toBe(COMPACT_AFTER));
    expect(manifest().count).toBe(3);
  });
});

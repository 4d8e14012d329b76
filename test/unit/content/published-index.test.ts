/**
 * The published index an instance holds, on a store with real ETags: what
 * it reads to stay current (a change, not the index), what a cold instance
 * reads, a new site's first build (one instance asks ButterCMS), and Blobs
 * failing (what it holds, no ButterCMS).
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { publishedPosts } from "../../../sample/data.ts";
import { loadConfig } from "../../../src/core/config.ts";
import { butterRequests } from "../../helpers/butter.ts";
import { MemoryStore } from "../../helpers/memory-store.ts";

const store = new MemoryStore();
vi.mock("../../../src/netlify/blobs.ts", async (original) => ({
  ...(await original<object>()),
  openSharedStore: () => store,
}));

vi.resetModules();
const { publishedIndex } = await import("../../../src/content/published-index.ts");
const { resetInstanceState } = await import("../../../src/content/instance-state.ts");
const { recordChange } = await import("../../../src/content/index-changes.ts");
const { writeSnapshot, MAX_CHUNK_BYTES } = await import("../../../src/content/index-snapshot.ts");
const { STATE_CHECK_MS } = await import("../../../src/content/site-state.ts");

const config = loadConfig({ BUTTERCMS_API_TOKEN: "tok_live_4f9c2b7e1d3a8c6f5e0b9d2a7c4e1f8b" });
const scope = { config, context: { ip: "", params: {}, requestId: "t", waitUntil: () => {} } } as never;
const summary = ({ body: _body, ...post }: (typeof publishedPosts)[0]) => post;
const posts = publishedPosts.map(summary);
const listCalls = () => butterRequests.filter((url) => url.pathname === "/v2/posts/").length;

/** `count` posts shaped like the sample's, newest first. */
function generated(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const base = posts[i % posts.length] as (typeof posts)[0];
    const published = new Date(Date.UTC(2026, 0, 1) - i * 3_600_000).toISOString();
    return { ...base, slug: `${base.slug}-${i}`, published, updated: published };
  });
}

async function publish(post: (typeof posts)[0]) {
  const generation =
    (await store.get<{ generations: Record<string, number> }>("site-state"))?.value.generations.default ?? 0;
  await recordChange(store, "default", {
    id: `r-${generation}`,
    cause: "webhook",
    updates: [{ slug: post.slug, entry: post }],
    effects: [],
  });
}

beforeEach(() => {
  store.blobs.clear();
  store.reads.length = 0;
  store.failing = false;
  resetInstanceState();
  vi.useRealTimers();
});

describe("publishedIndex", () => {
  it("applies a change one generation behind by reading the site state and that change's record only", async () => {
    await writeSnapshot(store, "default", posts.slice(1), { generation: 0, comparedAt: Date.now() }, null);
    expect((await publishedIndex(scope, "default")).posts).toHaveLength(posts.length - 1);
    await publish(posts[0] as (typeof posts)[0]);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.advanceTimersByTime(STATE_CHECK_MS);
    store.reads.length = 0;
    const index = await publishedIndex(scope, "default");
    expect(index.generation).toBe(1);
    expect(index.posts[0]?.slug).toBe(posts[0]?.slug);
    expect(index.freshness.kind).toBe("current");
    expect(store.reads.map((read) => read.key.replace(/\/[^/]+$/, "/*"))).toEqual([
      "site-state",
      "change/default/*",
    ]);
    expect(store.reads.reduce((sum, read) => sum + read.bytes, 0)).toBeLessThan(10_000);
  });

  it("reads a 10,000-post index cold in chunks of at most MAX_CHUNK_BYTES, and asks ButterCMS nothing", async () => {
    await writeSnapshot(store, "default", generated(10_000), { generation: 0, comparedAt: Date.now() }, null);
    butterRequests.length = 0;
    const index = await publishedIndex(scope, "default");
    expect(index.posts).toHaveLength(10_000);
    const chunks = store.reads.filter((read) => read.key.includes("/chunk/"));
    expect(chunks.length).toBeGreaterThan(10);
    expect(Math.max(...store.reads.map((read) => read.bytes))).toBeLessThanOrEqual(MAX_CHUNK_BYTES + 2);
    expect(MAX_CHUNK_BYTES).toBeLessThan(1_000_000);
    expect(butterRequests).toHaveLength(0);
  });

  it("rewrites only the chunk a new post goes into, not every chunk after it", async () => {
    const many = generated(5_000);
    await writeSnapshot(store, "default", many, { generation: 0, comparedAt: Date.now() }, null);
    const before = new Set([...store.blobs.keys()].filter((key) => key.includes("/chunk/")));
    const stored = await store.get<{
      generation: number;
      comparedAt: number;
      count: number;
      chunks: string[];
    }>("snapshot/default/manifest");
    const newest = {
      ...(many[0] as (typeof many)[0]),
      slug: "a-new-post",
      published: "2027-01-01T00:00:00.000Z",
    };
    await writeSnapshot(
      store,
      "default",
      [newest, ...many],
      { generation: 1, comparedAt: Date.now() },
      {
        manifest: stored?.value as never,
        etag: stored?.etag as string,
      },
    );
    const after = [...store.blobs.keys()].filter((key) => key.includes("/chunk/") && !before.has(key));
    expect(after).toHaveLength(1);
  });

  it("has one instance of a new site build the index from ButterCMS while the others wait for it", async () => {
    butterRequests.length = 0;
    const [a, b] = await Promise.all([
      publishedIndex(scope, "default"),
      (async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        resetInstanceState(); // another instance
        return publishedIndex(scope, "default");
      })(),
    ]);
    expect(a.posts.map((post) => post.slug)).toEqual(b.posts.map((post) => post.slug));
    expect(a.posts.length).toBe(posts.length);
    expect(listCalls()).toBe(1);
    expect(store.blobs.has("snapshot/default/manifest")).toBe(true);
    expect(store.blobs.has("snapshot/default/building")).toBe(false);
  });

  it("takes over a build claim older than 30 s (its instance died) and builds at once; a recent one is waited on", async () => {
    // Left by an instance that stopped mid-build 31 s ago: taken over, no waiting.
    await store.set("snapshot/default/building", { since: Date.now() - 31_000 });
    butterRequests.length = 0;
    const started = Date.now();
    const index = await publishedIndex(scope, "default");
    expect(index.posts.length).toBe(posts.length);
    expect(listCalls()).toBe(1);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(store.blobs.has("snapshot/default/building")).toBe(false);

    // A claim 1 s old: this instance waits for the claimer's snapshot instead of asking ButterCMS.
    store.blobs.clear();
    resetInstanceState();
    await store.set("snapshot/default/building", { since: Date.now() - 1_000 });
    butterRequests.length = 0;
    const waiting = publishedIndex(scope, "default");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(listCalls()).toBe(0);
    await writeSnapshot(store, "default", posts, { generation: 0, comparedAt: Date.now() }, null);
    expect((await waiting).posts.length).toBe(posts.length);
    expect(listCalls()).toBe(0);
  });

  it("never rebuilds a stored index from ButterCMS, however old", async () => {
    await writeSnapshot(store, "default", posts, { generation: 0, comparedAt: Date.now() }, null);
    await publishedIndex(scope, "default");
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.advanceTimersByTime(24 * 3_600_000);
    resetInstanceState();
    butterRequests.length = 0;
    expect((await publishedIndex(scope, "default")).posts).toHaveLength(posts.length);
    expect(listCalls()).toBe(0);
  });

  it("keeps serving what it holds while Blobs fails, short-lived, and asks ButterCMS nothing", async () => {
    await writeSnapshot(store, "default", posts, { generation: 0, comparedAt: Date.now() }, null);
    await publishedIndex(scope, "default");
    store.failing = true;
    vi.useFakeTimers({ toFake: ["Date"] });
    butterRequests.length = 0;
    for (const minutes of [1, 10, 60]) {
      vi.advanceTimersByTime(minutes * 60_000);
      const index = await publishedIndex(scope, "default");
      expect(index.posts).toHaveLength(posts.length);
      expect(index.freshness.kind).toBe("unverified");
    }
    expect(butterRequests).toHaveLength(0);
  });

  it("serves a snapshot the change records no longer reach, short-lived", async () => {
    await writeSnapshot(store, "default", posts, { generation: 0, comparedAt: Date.now() }, null);
    store.blobs.set("site-state", {
      value: { generations: { default: 50 }, changes: { default: [] } },
      etag: '"s"',
    });
    const index = await publishedIndex(scope, "default");
    expect(index.generation).toBe(0);
    expect(index.freshness.kind).toBe("unverified");
  });
});

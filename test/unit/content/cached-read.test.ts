/**
 * A shared copy that another instance is refreshing, on a store with real
 * ETags (the package's local server sends none, so no claim ever holds
 * there): after a publish, an instance waits a moment for the refreshed copy
 * rather than handing the CDN the old one; if none comes, the old one goes
 * out short-lived, and ButterCMS is still asked only once for the site.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../../src/core/config.ts";
import { MemoryStore } from "../../helpers/memory-store.ts";

const store = new MemoryStore();
vi.mock("../../../src/netlify/blobs.ts", async (original) => ({
  ...(await original<object>()),
  openSharedStore: () => store,
}));

// The test setup loaded the content layer with the real store: a fresh module graph gets the memory store.
vi.resetModules();
// Reads with a shared copy are `readExisting`: every load here produces a representation.
const { readExisting: read } = await import("../../../src/content/cached-read.ts");
const { resetInstanceState } = await import("../../../src/content/instance-state.ts");
const { SHARED_COPIES } = await import("../../../src/content/shared-copies.ts");
const { represent } = await import("../../../src/http/representation.ts");
const { ButterFailure } = await import("../../../src/butter/failure.ts");

const config = loadConfig({ BUTTERCMS_API_TOKEN: "tok_live_4f9c2b7e1d3a8c6f5e0b9d2a7c4e1f8b" });
const context = { ip: "", params: {}, requestId: "t", waitUntil: () => {} } as never;
const key = "feed:rss?";
const shared = SHARED_COPIES.feed("rss", "default", {}, key);
const oldCopy = represent({ feed: "before the publish" }, ["posts"]);
const newCopy = represent({ feed: "after the publish" }, ["posts"]);

beforeEach(() => {
  store.blobs.clear();
  store.latencyMs = 1;
  resetInstanceState();
  store.blobs.set("site-state", { value: { generations: { default: 1 } }, etag: '"s"' });
  // The copy is from generation 0, and another instance claimed its refresh a moment ago.
  const copy = {
    exact: key,
    representation: oldCopy,
    fetchedAt: new Date().toISOString(),
    generation: 0,
    refreshingSince: Date.now(),
  };
  store.blobs.set(shared.blobs[0] as string, { value: copy, etag: '"c"' });
});

describe("a shared copy another instance is refreshing", () => {
  it("is awaited: the refreshed copy is served, current, and this instance asks ButterCMS nothing", async () => {
    const load = vi.fn(async () => represent({ feed: "asked ButterCMS again" }, ["posts"]));
    setTimeout(() => {
      const refreshed = {
        exact: key,
        representation: newCopy,
        fetchedAt: new Date().toISOString(),
        generation: 1,
      };
      store.blobs.set(shared.blobs[0] as string, { value: refreshed, etag: '"d"' });
    }, 250);
    const served = await read({ config, context, key, tags: ["posts"], shared }, load);
    expect(served?.body).toBe(newCopy.body);
    expect(served?.freshness).toBeUndefined();
    expect(load).not.toHaveBeenCalled();
  });

  it("goes out old and short-lived when the refresh does not come within a second", async () => {
    const load = vi.fn(async () => represent({ feed: "asked ButterCMS again" }, ["posts"]));
    const started = Date.now();
    const served = await read({ config, context, key, tags: ["posts"], shared }, load);
    expect(served?.body).toBe(oldCopy.body);
    expect(served?.freshness?.kind).toBe("unverified");
    expect(load).not.toHaveBeenCalled();
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("waits about a second in all, however slow each Blobs read is", async () => {
    store.latencyMs = 300;
    const load = vi.fn(async () => represent({ feed: "asked ButterCMS again" }, ["posts"]));
    const started = performance.now();
    const served = await read({ config, context, key, tags: ["posts"], shared }, load);
    expect(served?.freshness?.kind).toBe("unverified");
    // The site state and the copy are read before the wait (2 × 300 ms), then at most one read past the second.
    expect(performance.now() - started).toBeLessThan(600 + 1_000 + 1_000);
  });

  it("stops waiting when the instance that claimed the refresh gives up (ButterCMS failing)", async () => {
    const copy = store.blobs.get(shared.blobs[0] as string)?.value as Record<string, unknown>;
    store.blobs.set(shared.blobs[0] as string, {
      value: { ...copy, refreshingSince: undefined },
      etag: '"u"',
    });
    const failing = vi.fn(async (): Promise<never> => {
      await new Promise((resolve) => setTimeout(resolve, 300)); // a timeout, say
      throw new ButterFailure("network", undefined, undefined, "ButterCMS unreachable");
    });
    const claimant = read({ config, context, key, tags: ["posts"], shared }, failing);
    await new Promise((resolve) => setTimeout(resolve, 20)); // the claim is written
    resetInstanceState(); // another instance
    const started = performance.now();
    const waiter = await read({ config, context, key, tags: ["posts"], shared }, failing);
    expect(performance.now() - started).toBeLessThan(700);
    expect(waiter?.body).toBe(oldCopy.body);
    expect(waiter?.freshness?.kind).toBe("unverified");
    expect((await claimant)?.freshness?.kind).toBe("last-known-good");
    expect(failing).toHaveBeenCalledTimes(1);
  });
});

describe("the old copy served while another instance refreshes it", () => {
  const searchKey = "search?query=states";
  const search = SHARED_COPIES.search("default", searchKey);
  const listing = (slugs: string[]) =>
    represent({ meta: { count: slugs.length }, data: slugs.map((slug) => ({ slug })) }, ["posts"]);

  function storeSearch(removed: { generation: number; slug: string; url: null }[]) {
    store.blobs.set("site-state", {
      value: { generations: { default: 1 }, removed: { default: removed } },
      etag: '"s"',
    });
    const copy = {
      exact: searchKey,
      representation: listing(["kept", "unpublished-since"]),
      fetchedAt: new Date().toISOString(),
      generation: 0,
      refreshingSince: Date.now(),
    };
    for (const blob of search.blobs) store.blobs.set(blob, { value: copy, etag: '"c"' });
  }

  it("leaves out a post unpublished since the copy was made", async () => {
    storeSearch([{ generation: 1, slug: "unpublished-since", url: null }]);
    const load = vi.fn(async () => listing(["asked ButterCMS again"]));
    const served = await read({ config, context, key: searchKey, tags: ["posts"], shared: search }, load);
    expect(served?.freshness?.kind).toBe("unverified");
    expect(JSON.parse(served?.body ?? "")).toEqual({ meta: { count: 1 }, data: [{ slug: "kept" }] });
    expect(load).not.toHaveBeenCalled();
  });

  it("is not served when the removals it may miss are forgotten: this instance asks ButterCMS itself", async () => {
    const removed = Array.from({ length: 32 }, (_, i) => ({
      generation: 2 + i,
      slug: `gone-${i}`,
      url: null,
    }));
    storeSearch(removed);
    const load = vi.fn(async () => listing(["asked ButterCMS again"]));
    const served = await read({ config, context, key: searchKey, tags: ["posts"], shared: search }, load);
    expect(load).toHaveBeenCalledTimes(1);
    expect(JSON.parse(served?.body ?? "").data).toEqual([{ slug: "asked ButterCMS again" }]);
  });
});

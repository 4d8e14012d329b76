/**
 * What a post change does to the shared state, on a store with real ETags:
 * concurrent webhooks, Blobs failing half-way, and what an unpublish removes.
 * (Modules the test setup loaded before this file keep the real store; the
 * post change itself, loaded below, gets the memory store.)
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { publishedPosts } from "../../../sample/data.ts";
import { loadConfig } from "../../../src/core/config.ts";
import { BlobsUnavailable } from "../../../src/netlify/blobs.ts";
import { HttpResponse, http, server } from "../../helpers/butter.ts";
import { MemoryStore } from "../../helpers/memory-store.ts";

const store = new MemoryStore();
const purged: string[][] = [];
vi.mock("../../../src/netlify/blobs.ts", async (original) => ({
  ...(await original<object>()),
  openSharedStore: () => store,
}));

const { applyPostChange } = await import("../../../src/content/post-change.ts");
const { resetInstanceState } = await import("../../../src/content/cached-read.ts");

const config = loadConfig({ BUTTERCMS_API_TOKEN: "tok_live_4f9c2b7e1d3a8c6f5e0b9d2a7c4e1f8b" });
const scope = { config, context: { ip: "", params: {}, requestId: "t", waitUntil: () => {} } } as never;
const [first, second, third] = publishedPosts as [
  (typeof publishedPosts)[0],
  (typeof publishedPosts)[0],
  (typeof publishedPosts)[0],
];
const summary = ({ body: _body, ...post }: (typeof publishedPosts)[0]) => post;

interface Index {
  generation: number;
  posts: { slug: string }[];
}
const index = () => store.blobs.get("index/default")?.value as Index;
/** The change records the site state lists for the default locale, oldest first. */
const changeRecords = () => {
  const state = store.blobs.get("site-state")?.value as { changes: Record<string, { key: string }[]> };
  return (state.changes.default ?? []).map(
    (ref) => store.blobs.get(ref.key)?.value as { before: unknown; after: unknown },
  );
};

beforeEach(() => {
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
  resetInstanceState();
  store.blobs.set("index/default", {
    value: { generation: 0, builtAt: Date.now(), posts: [summary(third)] },
    etag: '"seed"',
  });
});

describe("applyPostChange", () => {
  it("keeps both posts when two publishes race, at the newest generation", async () => {
    await Promise.all([
      applyPostChange(scope, first.slug, "default", "published"),
      applyPostChange(scope, second.slug, "default", "published"),
    ]);
    expect(index().posts.map((post) => post.slug)).toEqual([first.slug, second.slug, third.slug]);
    const state = store.blobs.get("site-state")?.value as { generations: Record<string, number> };
    expect(index().generation).toBe(state.generations.default);
    expect(state.generations.default).toBe(2);
  });

  it("removes an unpublished post's body, and marks older shared copies unfit to serve even in an outage", async () => {
    store.blobs.set(`post/default/${third.slug}`, { value: { post: third }, etag: '"p"' });
    await applyPostChange(scope, third.slug, "default", "unpublished");
    expect(index().posts).toEqual([]);
    expect(store.blobs.has(`post/default/${third.slug}`)).toBe(false);
    const state = store.blobs.get("site-state")?.value as {
      generations: Record<string, number>;
      removals: Record<string, number>;
    };
    expect(state.removals.default).toBe(state.generations.default);
    expect(purged[0]).toEqual(["posts", `post:${third.slug}`]);
  });

  it("records what the change could alter: the post before (with its stored body) and after, for its generation", async () => {
    // The version before (an older `updated`), in the post store and the index alike.
    const old = { ...third, title: "Old zebra title", updated: "2020-01-01T00:00:00Z" };
    store.blobs.set(`post/default/${third.slug}`, { value: { post: old }, etag: '"p"' });
    store.blobs.set("index/default", {
      value: { generation: 0, builtAt: Date.now(), posts: [summary(old)] },
      etag: '"i"',
    });
    // Blobs fails once, after the post and the index were already written: the retry must not take them for "before".
    const set = store.set.bind(store);
    let failed = false;
    store.set = async (key, ...rest) => {
      if (!failed && key.startsWith("change/")) {
        failed = true;
        throw new BlobsUnavailable("write", "once");
      }
      return set(key, ...rest);
    };
    try {
      await applyPostChange(scope, third.slug, "default", "published");
    } finally {
      store.set = set;
    }
    const state = store.blobs.get("site-state")?.value as {
      changes: Record<string, { generation: number; id: string; key: string }[]>;
    };
    const [ref] = state.changes.default ?? [];
    expect(ref?.generation).toBe(1);
    const record = store.blobs.get(ref?.key as string)?.value as {
      slug: string;
      before: { text: string; categories: string[] };
      after: { text: string; categories: string[] };
    };
    expect(record.slug).toBe(third.slug);
    expect(record.before.text).toContain("old zebra title");
    expect(record.before.text).toContain(String(third.body).slice(3, 40).toLowerCase());
    expect(record.after.text).not.toContain("zebra");
    expect(record.after.text).toContain(third.title.toLowerCase());
    expect(record.after.categories).toEqual(third.categories?.map((term) => term.slug));
  });

  it("records a post that was not listed as absent before, and an unpublished one as absent after", async () => {
    await applyPostChange(scope, first.slug, "default", "published");
    await applyPostChange(scope, third.slug, "default", "unpublished");
    const records = changeRecords();
    expect(records[0]?.before).toBe("absent");
    expect(records[1]?.after).toBe("absent");
    expect(records[1]?.before).toMatchObject({ text: null }); // listed, but its body was never stored
  });

  it("records the post before as unknown when the index may already hold this or an unrecorded change", async () => {
    // The periodic rebuild got there first: the index already lists the new version.
    store.blobs.set("index/default", {
      value: { generation: 0, builtAt: Date.now(), posts: [summary(third)] },
      etag: '"i"',
    });
    await applyPostChange(scope, third.slug, "default", "published");
    // A change patched at generation 2 whose generation was never bumped (the site state says 1).
    const index = store.blobs.get("index/default")?.value as { generation: number };
    store.blobs.set("index/default", { value: { ...index, generation: 2 }, etag: '"j"' });
    await applyPostChange(scope, first.slug, "default", "published");
    // No index at all.
    store.blobs.delete("index/default");
    await applyPostChange(scope, second.slug, "default", "published");
    expect(changeRecords().map((record) => record.before)).toEqual(["unknown", "unknown", "unknown"]);
  });

  it("leaves the old text out when the stored body is of another version than the index's", async () => {
    const old = { ...third, title: "Old zebra title", updated: "2020-01-01T00:00:00Z" };
    store.blobs.set(`post/default/${third.slug}`, {
      value: { post: { ...old, updated: "2019-01-01T00:00:00Z" } },
      etag: '"p"',
    });
    store.blobs.set("index/default", {
      value: { generation: 0, builtAt: Date.now(), posts: [summary(old)] },
      etag: '"i"',
    });
    await applyPostChange(scope, third.slug, "default", "published");
    expect(changeRecords()[0]?.before).toMatchObject({
      text: null,
      categories: third.categories?.map((t) => t.slug),
    });
  });

  it("still purges, and answers 503 content_store_unavailable, when Blobs fails throughout", async () => {
    store.failing = true;
    await expect(applyPostChange(scope, third.slug, "default", "unpublished")).rejects.toMatchObject({
      code: "content_store_unavailable",
      status: 503,
    });
    expect(purged[0]).toEqual(["posts", `post:${third.slug}`]);
  });
});

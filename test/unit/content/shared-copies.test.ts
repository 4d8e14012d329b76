/**
 * Where shared copies live: a fixed set of blobs whatever clients send, and
 * two candidate slots for each client-invented request, so that a handful
 * of popular searches does not push each other out (an outage would then
 * find no copy of one of them).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { buildClaimKey, chunksOf, manifestKey } from "../../../src/content/index-snapshot.ts";
import { postKey } from "../../../src/content/post-store.ts";
import { SEARCH_SLOTS, SHARED_COPIES, shareCopy, sharedCopy } from "../../../src/content/shared-copies.ts";
import { represent } from "../../../src/http/representation.ts";
import { MemoryStore } from "../../helpers/memory-store.ts";

const store = new MemoryStore();
const search = (query: string) => SHARED_COPIES.search("default", `searchPosts?query=${query}`);
const answer = (query: string) => represent({ data: [], query }, ["posts"]);

/** Two queries whose first candidate slot is the same one. */
function collidingPair(): [string, string] {
  const firstSlot = new Map<string, string>();
  for (let i = 0; i < 100_000; i++) {
    const query = `word${i}`;
    const slot = search(query).blobs[0] as string;
    const other = firstSlot.get(slot);
    if (other && search(other).blobs[1] !== search(query).blobs[1]) return [other, query];
    firstSlot.set(slot, query);
  }
  throw new Error("no two searches share a first slot but not the second");
}

beforeEach(() => store.blobs.clear());

describe("shared copies of searches", () => {
  it("gives every search at most two candidate slots, all under one bounded prefix", () => {
    const keys = new Set<string>();
    for (let i = 0; i < 5_000; i++) for (const blob of search(`q${i}`).blobs) keys.add(blob);
    expect(keys.size).toBeLessThanOrEqual(SEARCH_SLOTS);
    expect([...keys].every((key) => /^shared\/search\/default\/slot-\d+$/.test(key))).toBe(true);
    expect(search("x").blobs.length).toBeGreaterThanOrEqual(1);
    expect(search("x").blobs.length).toBeLessThanOrEqual(2);
  });

  it("keeps both copies of two searches whose first slots collide", async () => {
    const [a, b] = collidingPair();
    await shareCopy(store, search(a), answer(a), 0);
    await shareCopy(store, search(b), answer(b), 0);
    expect((await sharedCopy(store, search(a)))?.representation.body).toBe(answer(a).body);
    expect((await sharedCopy(store, search(b)))?.representation.body).toBe(answer(b).body);
  });

  it("rewrites a search's own slot, and when both are taken by others replaces the one written longest ago", async () => {
    const [a, b] = collidingPair();
    await shareCopy(store, search(a), answer(a), 0);
    await shareCopy(store, search(a), answer(a), 1);
    expect(store.blobs.size).toBe(1);
    // Fill the other candidate of `b` too, later than `a`.
    const [, second] = search(b).blobs as [string, string];
    const later = {
      exact: "searchPosts?query=other",
      representation: answer("other"),
      fetchedAt: new Date(Date.now() + 60_000).toISOString(),
      generation: 0,
    };
    store.blobs.set(second, { value: later, etag: '"l"' });
    await shareCopy(store, search(b), answer(b), 0);
    expect(await sharedCopy(store, search(a))).toBeNull(); // the older one went
    expect(store.blobs.get(second)?.value).toMatchObject({ exact: "searchPosts?query=other" });
    expect((await sharedCopy(store, search(b)))?.representation.body).toBe(answer(b).body);
  });

  it("never fails the caller when Blobs does", async () => {
    store.failing = true;
    await expect(shareCopy(store, search("x"), answer("x"), 0)).resolves.toBeUndefined();
    expect(await sharedCopy(store, search("x"))).toBeNull();
    store.failing = false;
  });
});

describe("blob keys", () => {
  it("never makes one key another key's folder (a store kept as files cannot hold both)", () => {
    const keys = new Set<string>([
      "site-state",
      "reconcile-state",
      "change/default/0b6f",
      postKey("default", "hello"),
    ]);
    for (const locale of ["default", "es"]) {
      keys.add(manifestKey(locale));
      keys.add(buildClaimKey(locale));
      for (const key of chunksOf(locale, [{ slug: "a", title: "A", status: "published" }]).keys())
        keys.add(key);
      for (const type of ["rss", "atom", "sitemap"]) {
        for (const filter of [{}, { category: "news" }, { tag: "netlify" }]) {
          for (const blob of SHARED_COPIES.feed(type, locale, filter, `${type}${JSON.stringify(filter)}`)
            .blobs) {
            keys.add(blob);
          }
        }
      }
      for (const blob of SHARED_COPIES.search(locale, "q").blobs) keys.add(blob);
    }
    for (const resource of ["category", "tag", "author"] as const) {
      for (const blob of SHARED_COPIES.terms(resource, resource).blobs) keys.add(blob);
    }
    const folders = [...keys].filter((key) => [...keys].some((other) => other.startsWith(`${key}/`)));
    expect(folders).toEqual([]);
    expect(keys.size).toBeGreaterThan(30);
  });
});

describe("large copies", () => {
  it("keeps a body over 256 KB gzipped in Blobs, so that no read is large, and reads it back whole", async () => {
    const feed = SHARED_COPIES.feed("sitemap", "default", {}, "feed:sitemap?");
    const xml = `<urlset>${Array.from({ length: 10_000 }, (_, i) => `<url><loc>https://blog.example/blog/post-${i}</loc></url>`).join("")}</urlset>`;
    await shareCopy(store, feed, represent(xml, ["posts"]), 1);
    const stored = JSON.stringify(store.blobs.get(feed.blobs[0] as string)?.value);
    expect(xml.length).toBeGreaterThan(500_000);
    expect(stored.length).toBeLessThan(xml.length / 4);
    expect((await sharedCopy(store, feed))?.representation.body).toBe(JSON.stringify(xml));
  });
});

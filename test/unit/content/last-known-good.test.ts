/**
 * A last-known-good copy made before an unpublish is served without the
 * removed post, or not at all: never with it.
 */
import { describe, expect, it } from "vitest";
import { withoutRemoved } from "../../../src/content/last-known-good.ts";
import { SHARED_COPIES } from "../../../src/content/shared-copies.ts";
import { REMOVALS_KEPT, type Removal } from "../../../src/content/site-state.ts";
import { represent, representText } from "../../../src/http/representation.ts";

const search = SHARED_COPIES.search("default", "q");
const feed = SHARED_COPIES.feed("rss", "default", {}, "rss");
const url = (slug: string) => `https://blog.example/blog/${slug}`;
const item = (slug: string) => `<item><title>${slug}</title><link>${url(slug)}</link></item>`;
const rss = (slugs: string[]) => `<rss><channel><title>t</title>${slugs.map(item).join("")}</channel></rss>`;
const copyOf = (representation: ReturnType<typeof represent>, generation = 3) => ({
  exact: "x",
  representation,
  fetchedAt: "2026-12-01T00:00:00.000Z",
  generation,
});
const removal = (slug: string, generation: number, known = true): Removal => ({
  generation,
  slug,
  url: known ? url(slug) : null,
});

describe("withoutRemoved", () => {
  it("serves the copy as it is when nothing was removed since it was made", () => {
    const copy = copyOf(represent({ data: [{ slug: "a" }] }, ["posts"]));
    expect(withoutRemoved(search, copy, [removal("a", 3)])).toBe(copy.representation);
  });

  it("drops a removed post from a search and counts it out", () => {
    const body = {
      meta: { count: 3, next_page: null, previous_page: null },
      data: [{ slug: "a" }, { slug: "b" }],
    };
    const served = withoutRemoved(search, copyOf(represent(body, ["posts"])), [removal("a", 4)]);
    expect(JSON.parse(served?.body as string)).toEqual({
      ...body,
      meta: { ...body.meta, count: 2 },
      data: [{ slug: "b" }],
    });
    expect(served?.etag).not.toBe(represent(body, ["posts"]).etag);
  });

  it.each([
    ["its URL", true],
    ["its slug, its URL unknown", false],
  ])("drops a removed post's feed item, found by %s", (_name, known) => {
    const served = withoutRemoved(feed, copyOf(representText(rss(["a", "b"]), ["posts"])), [
      removal("a", 4, known),
    ]);
    expect(served?.body).toBe(rss(["b"]));
  });

  it("refuses a copy older than the removals it can still see", () => {
    const removals = Array.from({ length: REMOVALS_KEPT }, (_, i) => removal(`p${i}`, 10 + i));
    expect(withoutRemoved(search, copyOf(represent({ data: [] }, []), 3), removals)).toBeNull();
  });

  it("refuses a feed that still names the removed post after its items are gone", () => {
    const body = `${rss(["b"])}<!-- see ${url("a")} -->`;
    expect(withoutRemoved(feed, copyOf(representText(body, [])), [removal("a", 4)])).toBeNull();
  });

  it("serves a term list as it is: it names terms, not posts", () => {
    const terms = SHARED_COPIES.terms("category", "c");
    const copy = copyOf(represent({ data: [{ slug: "a" }] }, []));
    expect(withoutRemoved(terms, copy, [removal("a", 4)])).toBe(copy.representation);
  });

  it("refuses a search copy whose answer is not a list of posts", () => {
    expect(withoutRemoved(search, copyOf(represent({ unexpected: true }, [])), [removal("a", 4)])).toBeNull();
  });
});

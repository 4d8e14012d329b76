/**
 * When a shared copy from before a post change may still be served: only
 * when the change cannot have altered it, and never on a missing record.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { publishedPosts } from "../../../sample/data.ts";
import {
  affects,
  CHANGES_KEPT,
  type ChangeRecord,
  type CopyDependency,
  factsOf,
  forgetChangeRecords,
  recordKey,
  searchDependency,
  unchangedSince,
  writeChangeRecord,
} from "../../../src/content/change-records.ts";
import { MemoryStore } from "../../helpers/memory-store.ts";

const post = {
  slug: "edge-caching",
  title: "Edge caching in practice",
  status: "published" as const,
  body: "<p>Purge by tag.</p>",
  categories: [{ name: "Engineering", slug: "engineering" }],
  tags: [{ name: "CDN", slug: "cdn" }],
};
const edited = { ...post, title: "Edge caching, revisited", body: "<p>Now with Netlify Blobs.</p>" };
const change = (over: Partial<ChangeRecord> = {}): ChangeRecord => ({
  id: "id-1",
  slug: post.slug,
  before: factsOf(post, true),
  after: factsOf(edited, true),
  ...over,
});
const noBody = '{"data":[]}';

describe("affects", () => {
  it.each<[string, CopyDependency, boolean]>([
    ["a search for a word of the new text", searchDependency("blobs"), true],
    ["a search for a word of the old text", searchDependency("purge"), true],
    ["a search for a word in neither", searchDependency("webhooks"), false],
    ["a search where only one of two words is in the post", searchDependency("caching webhooks"), false],
    ["a feed of the post's category", { kind: "terms", category: "engineering" }, true],
    ["a feed of the post's tag", { kind: "terms", tag: "cdn" }, true],
    ["a feed of another category", { kind: "terms", category: "design" }, false],
    ["an unfiltered feed", { kind: "terms" }, true],
    ["the category list when the categories stayed", { kind: "term-list", resource: "category" }, false],
    ["the tag list when the tags stayed", { kind: "term-list", resource: "tag" }, false],
    ["the author list when the author stayed", { kind: "term-list", resource: "author" }, false],
  ])("an edit affects %s: %s", (_name, dependency, expected) => {
    expect(affects(change(), dependency, noBody)).toBe(expected);
  });

  it("affects a search that lists the post, whatever its words", () => {
    const body = JSON.stringify({ data: [{ slug: post.slug, title: "x" }] });
    expect(affects(change(), searchDependency("webhooks"), body)).toBe(true);
  });

  it("affects every search when the old body is not known", () => {
    expect(affects(change({ before: factsOf(post, false) }), searchDependency("webhooks"), noBody)).toBe(
      true,
    );
  });

  it("affects everything when either side is unknown", () => {
    for (const side of ["before", "after"] as const) {
      expect(affects(change({ [side]: "unknown" }), searchDependency("webhooks"), noBody)).toBe(true);
      expect(affects(change({ [side]: "unknown" }), { kind: "terms", category: "design" }, noBody)).toBe(
        true,
      );
      expect(affects(change({ [side]: "unknown" }), { kind: "term-list", resource: "tag" }, noBody)).toBe(
        true,
      );
    }
  });

  it("affects the category list when a post enters, leaves or changes categories", () => {
    const dependency: CopyDependency = { kind: "term-list", resource: "category" };
    expect(affects(change({ before: "absent" }), dependency, noBody)).toBe(true);
    expect(affects(change({ after: "absent" }), dependency, noBody)).toBe(true);
    const moved = factsOf({ ...edited, categories: [{ name: "Design", slug: "design" }] }, true);
    expect(affects(change({ after: moved }), dependency, noBody)).toBe(true);
  });

  it("affects the tag and author lists only when a post takes a tag or author it did not have", () => {
    const tags: CopyDependency = { kind: "term-list", resource: "tag" };
    const authors: CopyDependency = { kind: "term-list", resource: "author" };
    const newTag = factsOf({ ...edited, tags: [...edited.tags, { name: "New", slug: "brand-new" }] }, true);
    expect(affects(change({ after: newTag }), tags, noBody)).toBe(true);
    // A tag or author stays listed without posts: losing one changes nothing.
    expect(affects(change({ after: "absent" }), tags, noBody)).toBe(false);
    expect(affects(change({ after: "absent" }), authors, noBody)).toBe(false);
    const byOther = factsOf(
      { ...edited, author: { slug: "someone-else", first_name: "S", last_name: "E" } },
      true,
    );
    expect(affects(change({ after: byOther }), authors, noBody)).toBe(true);
    expect(affects(change({ after: byOther }), tags, noBody)).toBe(false);
  });

  it("leaves a search alone when an unpublished post that could not match is published", () => {
    expect(affects(change({ before: "absent" }), searchDependency("webhooks"), noBody)).toBe(false);
    expect(affects(change({ before: "absent" }), searchDependency("blobs"), noBody)).toBe(true);
  });
});

describe("unchangedSince", () => {
  const store = new MemoryStore();
  const dependency = searchDependency("webhooks");
  beforeEach(() => {
    store.blobs.clear();
    forgetChangeRecords();
  });
  const write = async (generation: number, id: string) => ({
    generation,
    id,
    key: await writeChangeRecord(store, "default", generation, change({ id })),
  });

  it("is true only when every generation in between has a record that cannot affect the copy", async () => {
    const refs = [await write(4, "a"), await write(5, "b")];
    expect(await unchangedSince(store, refs, { from: 3, to: 5 }, dependency, noBody)).toBe(true);
    // Generation 3's change has no record (older than those kept, or a rebuild's): ask ButterCMS.
    expect(await unchangedSince(store, refs, { from: 2, to: 5 }, dependency, noBody)).toBe(false);
  });

  it("keeps the last CHANGES_KEPT records in distinct blobs", async () => {
    const keys = new Set<string>();
    for (let generation = 100; generation < 100 + CHANGES_KEPT; generation++)
      keys.add(recordKey("default", generation));
    expect(keys.size).toBe(CHANGES_KEPT);
  });

  it("is false when a record was overwritten by a later one in its slot, or cannot be read", async () => {
    const ref = await write(1, "a");
    store.blobs.set(ref.key, { value: change({ id: "z" }), etag: '"z"' });
    expect(await unchangedSince(store, [ref], { from: 0, to: 1 }, dependency, noBody)).toBe(false);
    store.failing = true;
    expect(await unchangedSince(store, [ref], { from: 0, to: 1 }, dependency, noBody)).toBe(false);
    store.failing = false;
  });

  it("is false for a copy more than CHANGES_KEPT generations old", async () => {
    const refs = [];
    for (let generation = 1; generation <= CHANGES_KEPT + 1; generation++)
      refs.push(await write(generation, `g${generation}`));
    const range = { from: 0, to: CHANGES_KEPT + 1 };
    expect(await unchangedSince(store, refs, range, dependency, noBody)).toBe(false);
  });

  it("counts an edit adding a word as affecting a search for it, whatever its case", () => {
    const sample = publishedPosts[3]!;
    const added = { ...sample, body: `${sample.body}<p>zeppelins</p>` };
    const record = change({ slug: sample.slug, before: factsOf(sample, true), after: factsOf(added, true) });
    expect(affects(record, searchDependency("Zeppelins"), noBody)).toBe(true);
  });
});

/**
 * The emulation's two search modes (sample/butter-emulator.ts `SearchMode`):
 * `substring`, the default, and `stemming` (sample/stemming.ts), which finds
 * what a stemming search engine would. ButterCMS does not document which it
 * does (docs/buttercms.md), so the backend must be right under both.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseSearchMode, type SearchMode } from "../../sample/butter-emulator.ts";
import { publishedPosts } from "../../sample/data.ts";
import { stem, stems } from "../../sample/stemming.ts";
import { asList, butter } from "./emulator.ts";

const search = async (query: string, mode?: SearchMode) =>
  asList(await butter("posts/search/", { query, page_size: "100" }, mode ? { search: mode } : {}));

describe("the stemmer", () => {
  it.each([
    ["running", "run"],
    ["run", "run"],
    ["getting", "get"],
    ["setting", "set"],
    ["started", "start"],
    ["posts", "post"],
    ["caching", "cach"],
    ["cache", "cach"],
    ["hopping", "hop"],
    ["hoping", "hope"],
    ["stories", "stori"],
  ])("stems %s to %s", (word, expected) => {
    expect(stem(word)).toBe(expected);
  });

  it("splits a text into the stems of its words, ignoring case and punctuation", () => {
    expect(stems("Get started: Running posts!")).toEqual(["get", "start", "run", "post"]);
  });
});

describe("search modes", () => {
  const post = publishedPosts[3]!;
  const original = { title: post.title, summary: post.summary, body: post.body };

  beforeEach(() => {
    // One post that says "run", "get started" and "set" but never "running", "getting" or "setting".
    Object.assign(post, {
      title: "How we run the blog",
      summary: "Get started in minutes.",
      body: "<p>We set it up once.</p>",
    });
  });

  afterEach(() => {
    Object.assign(post, original);
  });

  const slugs = async (query: string, mode?: SearchMode) =>
    (await search(query, mode)).data.map((found) => found.slug);

  it("finds a post saying 'run' by 'running' only in stemming mode", async () => {
    expect(await slugs("running")).not.toContain(post.slug);
    expect(await slugs("running", "substring")).not.toContain(post.slug);
    expect(await slugs("running", "stemming")).toContain(post.slug);
  });

  it.each([
    ["getting started", "Get started"],
    ["setting", "set"],
  ])("finds a post saying '%s' by its stem ('%s') only in stemming mode", async (query) => {
    expect(await slugs(query)).not.toContain(post.slug);
    expect(await slugs(query, "stemming")).toContain(post.slug);
  });

  it("matches words, not parts of words, in stemming mode", async () => {
    // "cach" is in "caching" as a substring, and is no word's stem but cache's and caching's.
    expect((await search("cach")).data.length).toBeGreaterThan(0);
    expect((await search("ach", "stemming")).data).toEqual([]);
    expect((await search("ach")).data.length).toBeGreaterThan(0);
  });

  it("ranks title matches first in both modes", async () => {
    for (const mode of ["substring", "stemming"] as const) {
      const found = (await search("cache", mode)).data;
      expect(found.length).toBeGreaterThan(0);
      expect(found[0]!.title.toLowerCase()).toContain("cach");
    }
  });
});

describe("SAMPLE_SEARCH", () => {
  it("is substring when unset or blank, and names a mode otherwise", () => {
    expect(parseSearchMode(undefined)).toBe("substring");
    expect(parseSearchMode(" ")).toBe("substring");
    expect(parseSearchMode("stemming")).toBe("stemming");
    expect(parseSearchMode("substring")).toBe("substring");
  });

  it("rejects an unknown mode, so that a typo never passes silently", () => {
    expect(() => parseSearchMode("fuzzy")).toThrow(/Unknown sample search mode "fuzzy"/);
  });
});

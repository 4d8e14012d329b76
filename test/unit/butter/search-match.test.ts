/**
 * The "could ButterCMS's search return this post?" test: it may say yes too
 * often (that costs one call), never no for a post a search can return
 * (that would keep an old search answer after a publish).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { publishedPosts } from "../../../sample/data.ts";
import { couldMatch, searchableText, searchStems } from "../../../src/butter/search-match.ts";

const matches = (query: string, text: string) => couldMatch(searchStems(query), text);

describe("searchStems and couldMatch", () => {
  it.each([
    ["Caching", "how we cache at the edge"],
    ["runs", "she was running"],
    ["CAFÉ", "the cafe on the corner"],
    ["cafe", "le café"],
    ["don't", "don’t do this"],
    ["serverless   functions", "functions on a serverless platform"],
  ])("lets %j match %j", (query, text) => {
    expect(matches(query, searchableText({ slug: "x", title: text, status: "published" }))).toBe(true);
  });

  it.each([
    ["netlify", "a post about caches"],
    ["cache deploys", "a post about caches"],
  ])("rules out %j for %j (a word it lacks)", (query, text) => {
    expect(matches(query, searchableText({ slug: "x", title: text, status: "published" }))).toBe(false);
  });

  it("lets a query of punctuation alone match anything (nothing to rule out with)", () => {
    expect(searchStems("  -- !! ")).toEqual([]);
    expect(matches("--", "anything")).toBe(true);
  });

  it("looks at the title, summary, body, SEO fields, author and term names", () => {
    const post = publishedPosts[0]!;
    const text = searchableText(post);
    for (const field of [post.title, post.summary, post.body, post.author?.last_name, post.tags?.[0]?.name]) {
      const word = String(field)
        .split(/\s+/)
        .find((candidate) => /^[a-z]{5,}$/i.test(candidate));
      if (word) expect(matches(word, text), word).toBe(true);
    }
  });

  it("never rules out a post that contains every query word, whatever the case (property)", () => {
    const word = fc.stringMatching(/^[a-zA-Zéü0-9]{1,12}$/);
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        (words, picks) => {
          const body = words.join(" ");
          const query = picks.map((pick) => (words[pick % words.length] as string).toUpperCase()).join(" ");
          const post = { slug: "p", title: "t", status: "published" as const, body };
          return matches(query, searchableText(post));
        },
      ),
    );
  });

  it("never rules out a post the emulated ButterCMS search returns, in any script or case (property)", () => {
    // The emulation's rule (sample/butter-emulator.ts): every lower-cased query word occurs in the lower-cased text.
    const chars = [..."aAbBzZ09 éÉeE\u0301ΣσςϹϲİiIıǅǆﬁßẞ-’'_\t", "\u00a0"];
    const emulatorFinds = (query: string, text: string) =>
      query
        .toLowerCase()
        .split(/\s+/)
        .filter(Boolean)
        .every((word) => text.toLowerCase().includes(word));
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...chars), { minLength: 1, maxLength: 40 }),
        fc.nat(),
        fc.nat(),
        (letters, start, length) => {
          const title = letters.join("");
          const from = start % title.length;
          const query = title.slice(from, from + 1 + (length % (title.length - from)));
          if (!emulatorFinds(query, title)) return true;
          return couldMatch(searchStems(query), searchableText({ slug: "p", title, status: "published" }));
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it("never rules out a post whose words only share a prefix with the query's (suffix stemming, property)", () => {
    const stemmed = fc.tuple(
      fc.stringMatching(/^[a-z]{4,8}$/),
      fc.constantFrom("", "s", "es", "ing", "ed", "ation", "ly"),
    );
    fc.assert(
      fc.property(stemmed, stemmed, ([root], [, other]) => {
        const post = { slug: "p", title: "t", status: "published" as const, body: `${root}${other}` };
        return matches(`${root}ing`, searchableText(post)) && matches(root, searchableText(post));
      }),
    );
  });
});

/**
 * Locales beyond the sample's (sample/data.ts `setLocalePosts`): the sim's
 * generated blogs in three locales need ButterCMS to answer a third one.
 * Without it, the sample's locales stay en and es and any other is a 400.
 */
import { afterAll, describe, expect, it } from "vitest";
import { configuredLocales, publishedPosts, setLocalePosts } from "../../sample/data.ts";
import { asList, butter } from "./emulator.ts";

describe("setLocalePosts", () => {
  const french = publishedPosts.slice(0, 3).map((post) => ({ ...post, title: `[fr] ${post.title}` }));

  afterAll(() => {
    setLocalePosts("fr", []);
  });

  it("makes a new locale configured, answered with its own posts", async () => {
    expect((await butter("posts/", { locale: "fr" })).status).toBe(400);
    setLocalePosts("fr", french);
    expect(configuredLocales()).toEqual(["en", "es", "fr"]);
    const list = asList(await butter("posts/", { locale: "fr" }));
    expect(list.data.map((post) => post.title)).toEqual(french.map((post) => post.title));
    const detail = (await butter(`posts/${french[1]!.slug}/`, { locale: "fr" })).body as {
      data: { title: string };
      meta: { next_post: { title: string } };
    };
    expect(detail.data.title).toBe(french[1]!.title);
    expect(detail.meta.next_post.title).toBe(french[0]!.title);
  });

  it("refuses the default locale, whose posts are the module's arrays", () => {
    expect(() => setLocalePosts("en", [])).toThrow(/default locale/);
  });
});

/**
 * The emulation against ButterCMS's documentation: its answers validate
 * against schemas written from the API reference's examples, and each
 * documented rule has a behaviour test (docs/buttercms.md, "Emulation rules").
 */
import { describe, expect, it } from "vitest";
import {
  authors,
  categories,
  listedCategories,
  postUrl,
  publishedPosts,
  SAMPLE_LOCALES,
  SAMPLE_SITE,
  tags,
  translatedPosts,
  unpublishedPosts,
} from "../../sample/data.ts";
import { schemaErrors } from "./butter-schemas.ts";
import { asList, butter, type PostJson } from "./emulator.ts";

const draft = unpublishedPosts.find((post) => post.status === "draft")!;
const newest = publishedPosts[0]!;

/** A post shaped as the API reference's examples show one (values of our own). */
const documentedPost = {
  url: "http://www.example.com/blog/this-is-a-blog-post",
  created: "2020-10-08T18:29:19.987936Z",
  updated: "2020-10-09T15:49:54.580309Z",
  published: "2020-10-08T18:08:00Z",
  author: {
    first_name: "API",
    last_name: "Test",
    email: "apitest@example.com",
    slug: "api-test",
    bio: "A bio.",
    title: "API",
    linkedin_url: "https://www.linkedin.com/in/API",
    facebook_url: null,
    twitter_handle: "api",
    profile_image: "https://cdn.buttercms.com/authors/api.jpg",
  },
  categories: [{ name: "test category", slug: "test-category" }],
  tags: [{ name: "test tag", slug: "test-tag" }],
  featured_image: null,
  featured_image_alt: "",
  slug: "this-is-a-blog-post",
  title: "This is a blog post",
  body: "<p>A post.</p>",
  summary: "A post.",
  seo_title: "This is a blog post",
  meta_description: "A post.",
  status: "published",
};

describe("the schemas", () => {
  it("accept the shapes of the API reference's examples", () => {
    const meta = { count: 25, next_page: 3, previous_page: 1 };
    expect(schemaErrors("postList", { meta, data: [documentedPost] })).toEqual([]);
    expect(schemaErrors("searchResults", { meta, data: [{ ...documentedPost, rank: 0.8573 }] })).toEqual([]);
    const link = { slug: "hello", title: "Hello", featured_image: "https://cdn.buttercms.com/abc" };
    expect(
      schemaErrors("postDetail", { meta: { next_post: null, previous_post: link }, data: documentedPost }),
    ).toEqual([]);
    const recent = [{ slug: "new-features", title: "New features", published: "2024-01-20T10:00:00.000Z" }];
    expect(
      schemaErrors("termListWithRecentPosts", {
        data: [{ name: "Product Updates", slug: "product-updates", recent_posts: recent }],
      }),
    ).toEqual([]);
    expect(
      schemaErrors("feed", { data: '<?xml version="1.0" encoding="UTF-8"?>\n<urlset></urlset>' }),
    ).toEqual([]);
    expect(schemaErrors("error", { detail: "API Calls limit reached." })).toEqual([]);
  });

  it("reject the shapes the emulation answered before it followed the reference", () => {
    expect(
      schemaErrors("postList", {
        meta: { count: 1, next_page: null, previous_page: null },
        data: [{ ...documentedPost, url: "this-is-a-blog-post" }],
      }),
    ).not.toEqual([]);
    const fullPost = { ...documentedPost, body: undefined };
    expect(
      schemaErrors("termListWithRecentPosts", { data: [{ name: "A", slug: "a", recent_posts: [fullPost] }] }),
    ).not.toEqual([]);
    expect(
      schemaErrors("searchResults", {
        meta: { count: 1, next_page: null, previous_page: null },
        data: [documentedPost],
      }),
    ).not.toEqual([]);
    expect(
      schemaErrors("postListWithoutBody", {
        meta: { count: 1, next_page: null, previous_page: null },
        data: [documentedPost],
      }),
    ).not.toEqual([]);
  });
});

describe("the emulation's answers match the schemas written from the API reference", () => {
  it.each([
    ["posts/", {}, "postList"],
    ["posts/", { exclude_body: "true" }, "postListWithoutBody"],
    ["posts/", { preview: "1", page_size: "100" }, "postList"],
    ["posts/", { locale: "es", exclude_body: "true" }, "postListWithoutBody"],
    ["posts/", { limit: "5", offset: "5", exclude_body: "true" }, "postListByOffset"],
    [`posts/${newest.slug}/`, {}, "postDetail"],
    [`posts/${draft.slug}/`, {}, "postDetail"],
    [`posts/${newest.slug}/`, { locale: "es" }, "postDetail"],
    ["posts/search/", { query: "cache" }, "searchResults"],
    ["posts/search/", { query: "cache", exclude_body: "true" }, "searchResultsWithoutBody"],
    ["categories/", {}, "termList"],
    ["categories/", { include: "recent_posts" }, "termListWithRecentPosts"],
    ["tags/", {}, "termList"],
    ["tags/", { include: "recent_posts", locale: "es" }, "termListWithRecentPosts"],
    ["authors/", {}, "authorList"],
    ["authors/", { include: "recent_posts" }, "authorListWithRecentPosts"],
    ["feeds/rss/", {}, "feed"],
    ["feeds/atom/", { category_slug: "performance" }, "feed"],
    ["feeds/sitemap/", { tag_slug: "caching" }, "feed"],
  ] as const)("GET /v2/%s %o validates against %s", async (path, query, schema) => {
    const answer = await butter(path, query);
    expect(answer.status).toBe(200);
    expect(schemaErrors(schema, answer.body)).toEqual([]);
  });

  it.each([
    ["a slug nobody wrote", "posts/no-such-post/", {}, 404],
    ["a page past the end", "posts/", { page: "9" }, 404],
    ["a search page past the end", "posts/search/", { query: "cache", page: "50" }, 404],
    ["a locale the organisation does not have", "posts/", { locale: "fr" }, 400],
    ["page and limit together", "posts/", { page: "1", limit: "5" }, 400],
    ["page_size 101", "posts/", { page_size: "101" }, 400],
    ["no token", "posts/", { auth_token: "" }, 401],
    ["a wrong token", "posts/", { auth_token: "nope" }, 401],
  ])("answers %s with %i and a { detail } body", async (_name, path, query, status) => {
    const answer = await butter(path, query);
    expect(answer.status).toBe(status);
    expect(schemaErrors("error", answer.body)).toEqual([]);
  });

  it("answers the quota fault with 429, { detail }, and Retry-After", async () => {
    const answer = await butter("posts/", {}, { fault: "quota" });
    expect(answer.status).toBe(429);
    expect(answer.body).toEqual({ detail: "API Calls limit reached." });
    expect(schemaErrors("error", answer.body)).toEqual([]);
    expect(answer.headers.get("Retry-After")).toMatch(/^\d+$/);
  });
});

describe("the sample blog", () => {
  it("has 32 published posts with unique slugs, and drafts and a scheduled post besides", () => {
    expect(publishedPosts).toHaveLength(32);
    expect(new Set(publishedPosts.map((post) => post.slug)).size).toBe(32);
    expect(unpublishedPosts.map((post) => post.status).sort()).toEqual([
      "draft",
      "draft",
      "draft",
      "scheduled",
    ]);
  });

  it("gives every post an absolute url on the blog's site, as every documented example does", async () => {
    const { data } = asList(await butter("posts/", { page_size: "100", exclude_body: "true" }));
    expect(data.map((post) => post.url)).toEqual(data.map((post) => `${SAMPLE_SITE}/blog/${post.slug}`));
  });

  it("has published posts without a featured image (null, empty alt) and some on ButterCMS's CDN", async () => {
    const { data } = asList(await butter("posts/", { page_size: "100", exclude_body: "true" }));
    const images = data.map((post) => post.featured_image);
    expect(images.filter((image) => image === null).length).toBeGreaterThanOrEqual(3);
    expect(
      images.filter((image) => image?.startsWith("https://cdn.buttercms.com/")).length,
    ).toBeGreaterThanOrEqual(2);
    expect(images.filter((image) => image?.startsWith("/images/sample/cover-")).length).toBeGreaterThan(20);
    for (const post of publishedPosts.filter((candidate) => candidate.featured_image === null)) {
      expect(post.featured_image_alt).toBe("");
    }
  });
});

describe("search (GET /v2/posts/search/)", () => {
  const search = async (query: Record<string, string>) => asList(await butter("posts/search/", query));

  it("never returns drafts, even with preview=1", async () => {
    const word = "rendering"; // only in the draft "Edge Rendering Trade-offs"
    expect(draft.title.toLowerCase()).toContain(word);
    expect((await search({ query: word })).data).toEqual([]);
    expect((await search({ query: word, preview: "1" })).data).toEqual([]);
    const everything = await search({ query: "the", preview: "1", page_size: "100" });
    expect(everything.data.every((post) => post.status === "published")).toBe(true);
  });

  it("ranks by relevance, not by date: each result has a numeric rank, highest first", async () => {
    const { data } = await search({ query: "security", page_size: "100" });
    const ranks = data.map((post) => post.rank as number);
    expect(ranks.every((rank) => typeof rank === "number" && rank > 0 && rank <= 1)).toBe(true);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    // The one post with the word in its title is second to last by date, yet first.
    expect(data[0]?.slug).toBe("security-headers-for-json-apis");
    const byDate = [...data].sort((a, b) => String(b.published).localeCompare(String(a.published)));
    expect(data.map((post) => post.slug)).not.toEqual(byDate.map((post) => post.slug));
  });

  it("matches every word of the query", async () => {
    const { data } = await search({ query: "cache tags", page_size: "100" });
    expect(data.length).toBeGreaterThan(0);
    for (const post of data) {
      const text = `${post.title} ${post.body}`.toLowerCase();
      expect(text).toContain("cache");
      expect(text).toContain("tags");
    }
  });

  it("honours exclude_body=true", async () => {
    const { data } = await search({ query: "cache", exclude_body: "true" });
    expect(data.length).toBeGreaterThan(0);
    expect(data.every((post) => !("body" in post))).toBe(true);
  });

  it("pages like the post list: page meta, and a 404 for a page past the end", async () => {
    const all = await search({ query: "the", page_size: "100" });
    const count = all.data.length;
    expect(count).toBeGreaterThan(3);
    const second = await search({ query: "the", page: "2", page_size: "3" });
    expect(second.meta).toEqual({ count, next_page: count > 6 ? 3 : null, previous_page: 1 });
    expect(second.data.map((post) => post.slug)).toEqual(all.data.slice(3, 6).map((post) => post.slug));
    const past = await butter("posts/search/", {
      query: "the",
      page: String(Math.ceil(count / 3) + 1),
      page_size: "3",
    });
    expect(past.status).toBe(404);
  });

  it("pages by limit and offset too", async () => {
    const page = await search({ query: "the", limit: "2", offset: "2" });
    expect(page.meta).toMatchObject({ next_offset: 4, previous_offset: 0 });
    expect(page.data).toHaveLength(2);
  });

  it("answers an empty list for a word nobody wrote, and for an empty query", async () => {
    expect((await search({ query: "zzyzx" })).data).toEqual([]);
    expect((await search({})).data).toEqual([]);
  });
});

describe("categories, tags and authors", () => {
  it("lists only categories with published posts: a category with only a draft is left out", async () => {
    const listed = (await butter("categories/")).body as { data: { slug: string }[] };
    const events = categories.find((category) => category.slug === "events")!;
    expect(unpublishedPosts.some((post) => post.categories?.some((c) => c.slug === events.slug))).toBe(true);
    expect(listed.data.map((category) => category.slug)).toEqual(listedCategories.map((c) => c.slug));
    expect(listed.data.map((category) => category.slug)).not.toContain("events");
    expect(listed.data).toHaveLength(categories.length - 1);
  });

  it("lists every tag and every author (the reference does not narrow them)", async () => {
    expect(((await butter("tags/")).body as { data: unknown[] }).data).toHaveLength(tags.length);
    expect(((await butter("authors/")).body as { data: unknown[] }).data).toHaveLength(authors.length);
  });

  it.each(["categories/", "tags/", "authors/"])(
    "%s with include=recent_posts embeds up to 10 of the newest published posts, as slug, title, published",
    async (path) => {
      const { data } = (await butter(path, { include: "recent_posts" })).body as {
        data: { slug: string; recent_posts: { slug: string; title: string; published: string }[] }[];
      };
      const published = new Set(publishedPosts.map((post) => post.slug));
      for (const item of data) {
        expect(item.recent_posts.length).toBeLessThanOrEqual(10);
        expect(item.recent_posts.every((post) => published.has(post.slug))).toBe(true);
        const dates = item.recent_posts.map((post) => post.published);
        expect(dates).toEqual([...dates].sort().reverse());
        for (const post of item.recent_posts)
          expect(Object.keys(post).sort()).toEqual(["published", "slug", "title"]);
      }
      expect(data.some((item) => item.recent_posts.length > 0)).toBe(true);
    },
  );

  it("caps recent_posts at 10 where there are more (two authors wrote 11 posts)", async () => {
    const { data } = (await butter("authors/", { include: "recent_posts" })).body as {
      data: { slug: string; recent_posts: { slug: string }[] }[];
    };
    const counts = data.map(
      (author) => publishedPosts.filter((post) => post.author?.slug === author.slug).length,
    );
    expect(counts.filter((count) => count > 10)).toHaveLength(2);
    for (const author of data) {
      const theirs = publishedPosts.filter((post) => post.author?.slug === author.slug);
      expect(author.recent_posts.map((post) => post.slug)).toEqual(
        theirs.slice(0, 10).map((post) => post.slug),
      );
    }
  });

  it("narrows recent_posts to the locale asked for", async () => {
    const { data } = (await butter("tags/", { include: "recent_posts", locale: "es" })).body as {
      data: { recent_posts: { slug: string; title: string }[] }[];
    };
    const spanish = new Set(translatedPosts.map((post) => post.title));
    const embedded = data.flatMap((tag) => tag.recent_posts);
    expect(embedded.length).toBeGreaterThan(0);
    expect(embedded.every((post) => spanish.has(post.title))).toBe(true);
  });
});

describe("feeds (GET /v2/feeds/<type>/)", () => {
  const xml = async (type: string, query: Record<string, string> = {}) =>
    ((await butter(`feeds/${type}/`, query)).body as { data: string }).data;
  const slugsIn = (document: string) =>
    [...document.matchAll(new RegExp(`${SAMPLE_SITE}/blog/([a-z0-9-]+)(?=[<"])`, "g"))].map(
      (match) => match[1],
    );

  it.each(["rss", "atom", "sitemap"])("%s narrows to category_slug and tag_slug", async (type) => {
    const all = new Set(slugsIn(await xml(type)));
    const performance = new Set(slugsIn(await xml(type, { category_slug: "performance" })));
    const caching = new Set(slugsIn(await xml(type, { tag_slug: "caching" })));
    expect(performance.size).toBeGreaterThan(0);
    expect(caching.size).toBeGreaterThan(0);
    for (const slug of performance) {
      expect(publishedPosts.find((post) => post.slug === slug)?.categories?.[0]?.slug).toBe("performance");
    }
    for (const slug of caching) {
      expect(publishedPosts.find((post) => post.slug === slug)?.tags?.some((t) => t.slug === "caching")).toBe(
        true,
      );
    }
    expect(performance.size).toBeLessThan(all.size);
  });

  it.each(["rss", "atom", "sitemap"])(
    "%s lists published posts only, at their absolute url",
    async (type) => {
      const document = await xml(type);
      expect(document).toContain(postUrl(newest.slug));
      for (const post of unpublishedPosts) expect(document).not.toContain(post.slug);
    },
  );

  it("answers a sitemap of every published post, with dates as lastmod", async () => {
    const document = await xml("sitemap");
    expect(slugsIn(document)).toHaveLength(publishedPosts.length);
    expect(document).toMatch(/<lastmod>\d{4}-\d{2}-\d{2}<\/lastmod>/);
  });

  it("answers the feeds of a locale, with its posts only", async () => {
    const document = await xml("rss", { locale: "es" });
    expect(document).toContain("<language>es</language>");
    expect(document).toContain(translatedPosts[0]!.title);
    expect(document).not.toContain(newest.title);
  });
});

describe("offset paging (limit, offset)", () => {
  it("answers meta next_offset and previous_offset instead of pages", async () => {
    const first = asList(await butter("posts/", { limit: "10", exclude_body: "true" }));
    expect(first.meta).toEqual({ count: 32, next_offset: 10, previous_offset: null });
    const middle = asList(await butter("posts/", { limit: "10", offset: "15", exclude_body: "true" }));
    expect(middle.meta).toEqual({ count: 32, next_offset: 25, previous_offset: 5 });
    expect(middle.data.map((post) => post.slug)).toEqual(
      publishedPosts.slice(15, 25).map((post) => post.slug),
    );
    const last = asList(await butter("posts/", { limit: "10", offset: "30", exclude_body: "true" }));
    expect(last.meta).toEqual({ count: 32, next_offset: null, previous_offset: 20 });
    expect(last.data).toHaveLength(2);
  });

  it("answers an offset past the end with an empty page, not a 404", async () => {
    const past = await butter("posts/", { limit: "10", offset: "40" });
    expect(past.status).toBe(200);
    expect(asList(past)).toEqual({ meta: { count: 32, next_offset: null, previous_offset: 30 }, data: [] });
  });

  it.each<Record<string, string>>([
    { page: "1", limit: "5" },
    { page_size: "5", offset: "5" },
  ])("answers 400 to page-based and offset-based parameters together: %o", async (query) => {
    expect((await butter("posts/", query)).status).toBe(400);
  });

  it.each<Record<string, string>>([{ limit: "0" }, { limit: "101" }, { offset: "-1" }, { limit: "x" }])(
    "answers 400 to %o",
    async (query) => {
      expect((await butter("posts/", query)).status).toBe(400);
    },
  );
});

describe("locales", () => {
  it("exports the organisation's locales, the default first", () => {
    expect(SAMPLE_LOCALES).toEqual(["en", "es"]);
  });

  it("answers the default locale without locale=, the same as locale=en", async () => {
    const without = asList(await butter("posts/", { page_size: "100" }));
    const english = asList(await butter("posts/", { page_size: "100", locale: "en" }));
    expect(without).toEqual(english);
    expect(without.data.map((post) => post.slug)).toEqual(publishedPosts.map((post) => post.slug));
  });

  it("lists the translated posts of locale=es, newest first", async () => {
    const spanish = asList(await butter("posts/", { locale: "es", page_size: "100" }));
    expect(spanish.meta.count).toBe(8);
    expect(spanish.data.map((post) => post.title)).toEqual(translatedPosts.map((post) => post.title));
    expect(spanish.data.map((post) => post.slug)).toEqual(
      publishedPosts.slice(0, 8).map((post) => post.slug),
    );
  });

  it("answers a post's translation by the same slug with locale=es, and its neighbours in that locale", async () => {
    const detail = (await butter(`posts/${publishedPosts[1]!.slug}/`, { locale: "es" })).body as {
      meta: { next_post: { slug: string; title: string }; previous_post: { title: string } };
      data: PostJson;
    };
    expect(detail.data.title).toBe(translatedPosts[1]!.title);
    expect(detail.data.url).toBe(postUrl(publishedPosts[1]!.slug, "es"));
    expect(detail.meta.next_post.title).toBe(translatedPosts[0]!.title);
    expect(detail.meta.previous_post.title).toBe(translatedPosts[2]!.title);
  });

  it("answers 404 for locale=es of a post that has no Spanish version", async () => {
    const untranslated = publishedPosts[20]!;
    expect((await butter(`posts/${untranslated.slug}/`)).status).toBe(200);
    expect((await butter(`posts/${untranslated.slug}/`, { locale: "es" })).status).toBe(404);
  });

  it("searches within the locale", async () => {
    const found = asList(await butter("posts/search/", { query: "caché", locale: "es" }));
    expect(found.data.length).toBeGreaterThan(0);
    expect(found.data.every((post) => translatedPosts.some((t) => t.title === post.title))).toBe(true);
  });

  it.each([
    ["posts/", {}],
    [`posts/${newest.slug}/`, {}],
    ["posts/search/", { query: "cache" }],
    ["categories/", { include: "recent_posts" }],
    ["authors/", {}],
    ["feeds/sitemap/", {}],
  ])("answers 400 Invalid locale parameter to an unknown locale at %s", async (path, query) => {
    const answer = await butter(path, { ...query, locale: "fr" });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ detail: "Invalid locale parameter" });
  });
});

describe("posts (GET /v2/posts/ and /v2/posts/<slug>/)", () => {
  it("answers drafts by slug even without preview=1, as the real API", async () => {
    const answer = await butter(`posts/${draft.slug}/`);
    expect(answer.status).toBe(200);
    expect((answer.body as { data: PostJson }).data.status).toBe("draft");
  });

  it("lists drafts and the scheduled post only with preview=1", async () => {
    const published = asList(await butter("posts/", { page_size: "100" }));
    const preview = asList(await butter("posts/", { page_size: "100", preview: "1" }));
    expect(published.meta.count).toBe(32);
    expect(preview.meta.count).toBe(32 + unpublishedPosts.length);
  });

  it("filters by category_slug, tag_slug and author_slug together", async () => {
    const { data } = asList(
      await butter("posts/", { category_slug: "engineering", author_slug: "ada-okafor", page_size: "100" }),
    );
    expect(data.length).toBeGreaterThan(0);
    expect(
      data.every((post) => post.categories[0]?.slug === "engineering" && post.author.slug === "ada-okafor"),
    ).toBe(true);
  });
});

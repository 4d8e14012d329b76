/**
 * Type tests of the client: the types come from openapi.json, so a call the
 * document does not allow must not compile. `tsc --noEmit` (part of
 * `npm test`) checks every `@ts-expect-error` below; vitest runs the
 * `expectTypeOf` assertions (no request is ever sent).
 */
import type { BlogClient as ExportedClient } from "butter-netlify-blog-backend/client";
import { describe, expectTypeOf, it } from "vitest";
import {
  type AuthorList,
  type BlogApiError,
  type BlogClient,
  createBlogClient,
  type FeedType,
  type Post,
  type PostDetail,
  type PostList,
  type ProblemCode,
  type RecentPost,
  type RelatedPosts,
  type SearchResults,
  type SessionStatus,
} from "../../client/index.js";

const neverCalled = (): Promise<Response> => {
  throw new Error("the type tests send no request");
};
const client = createBlogClient({ baseUrl: "http://blog.test", fetch: neverCalled });

describe("client types", () => {
  it("returns the document's response types", () => {
    expectTypeOf(client).toEqualTypeOf<BlogClient>();
    // What package.json's "exports" gives a frontend that imports the package by name.
    expectTypeOf<ExportedClient>().toEqualTypeOf<BlogClient>();
    expectTypeOf(client.listPosts).returns.resolves.toEqualTypeOf<PostList>();
    expectTypeOf(client.getPost).returns.resolves.toEqualTypeOf<PostDetail>();
    expectTypeOf(client.getRelatedPosts).returns.resolves.toEqualTypeOf<RelatedPosts>();
    expectTypeOf(client.search).returns.resolves.toEqualTypeOf<SearchResults>();
    expectTypeOf(client.listAuthors).returns.resolves.toEqualTypeOf<AuthorList>();
    expectTypeOf(client.getFeed).returns.resolves.toBeString();
    expectTypeOf(client.getSession).returns.resolves.toEqualTypeOf<SessionStatus>();
    expectTypeOf(client.logout).returns.resolves.toBeVoid();
    expectTypeOf(client.allPosts).returns.toEqualTypeOf<AsyncGenerator<Post, void, undefined>>();
  });

  it("types the post fields, new ones included", () => {
    expectTypeOf<Post["featured_image"]>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<Post["featured_image_srcset"]>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<Post["status"]>().toEqualTypeOf<"published" | "draft" | "scheduled">();
    expectTypeOf<RelatedPosts["data"][number]["body"]>().toEqualTypeOf<undefined>();
    expectTypeOf<SearchResults["data"][number]["rank"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<RecentPost["status"]>().toEqualTypeOf<undefined>();
    expectTypeOf<PostList["meta"]["next_page"]>().toEqualTypeOf<number | null>();
  });

  it("types the error", () => {
    expectTypeOf<BlogApiError["status"]>().toBeNumber();
    expectTypeOf<BlogApiError["code"]>().toEqualTypeOf<ProblemCode | null>();
    expectTypeOf<"session_store_unavailable">().toMatchTypeOf<ProblemCode>();
    expectTypeOf<BlogApiError["errors"]>().toEqualTypeOf<{ name: string; reason: string }[]>();
    expectTypeOf<BlogApiError>().toMatchTypeOf<Error>();
  });

  it("accepts the documented parameters", () => {
    expectTypeOf(client.listPosts).toBeCallableWith({
      page: 2,
      page_size: 10,
      category: "performance",
      tag: "caching",
      author: "jane",
      exclude_body: "false",
      locale: "en",
      preview: "1",
    });
    expectTypeOf(client.listPosts).toBeCallableWith();
    expectTypeOf(client.getPost).toBeCallableWith("a-post", { preview: "1", locale: "fr-CA" });
    expectTypeOf(client.getRelatedPosts).toBeCallableWith("a-post", { limit: 3 });
    expectTypeOf(client.search).toBeCallableWith({ q: "cache", exclude_body: "0", page: 1 });
    expectTypeOf(client.listCategories).toBeCallableWith({ include: "recent_posts" });
    expectTypeOf(client.getFeed).toBeCallableWith("atom", { category: "performance" });
    expectTypeOf(client.getFeed).toBeCallableWith("sitemap", { category: "performance", tag: "caching" });
    expectTypeOf<FeedType>().toEqualTypeOf<"rss" | "atom" | "sitemap">();
  });

  it("takes booleans for the flags", () => {
    expectTypeOf(client.listPosts).toBeCallableWith({ exclude_body: false, preview: true });
    expectTypeOf(client.listPosts).toBeCallableWith({ exclude_body: true, preview: false });
    expectTypeOf(client.search).toBeCallableWith({ q: "cache", exclude_body: false });
    expectTypeOf(client.getPost).toBeCallableWith("a-post", { preview: true });
    expectTypeOf(client.getRelatedPosts).toBeCallableWith("a-post", { preview: true, limit: 3 });
  });

  it("rejects what the document does not allow", () => {
    // @ts-expect-error page_size is an integer
    expectTypeOf(client.listPosts).toBeCallableWith({ page_size: "ten" });
    // @ts-expect-error an unknown parameter (the backend answers 400 too)
    expectTypeOf(client.listPosts).toBeCallableWith({ pagesize: 5 });
    // @ts-expect-error preview is only "1"
    expectTypeOf(client.listPosts).toBeCallableWith({ preview: "0" });
    // @ts-expect-error exclude_body is a boolean or one of its four spellings
    expectTypeOf(client.listPosts).toBeCallableWith({ exclude_body: "yes" });
    // @ts-expect-error preview is a boolean or "1", not a number
    expectTypeOf(client.getPost).toBeCallableWith("a-post", { preview: 1 });
    // @ts-expect-error the slug is a string
    expectTypeOf(client.getPost).toBeCallableWith(42);
    // @ts-expect-error getPost takes no page
    expectTypeOf(client.getPost).toBeCallableWith("a-post", { page: 2 });
    // @ts-expect-error there is no "json" feed
    expectTypeOf(client.getFeed).toBeCallableWith("json");
    // @ts-expect-error search needs q
    expectTypeOf(client.search).toBeCallableWith({ page: 1 });
    // @ts-expect-error include has one value
    expectTypeOf(client.listTags).toBeCallableWith({ include: "posts" });
    // @ts-expect-error limit is a number
    expectTypeOf(client.getRelatedPosts).toBeCallableWith("a-post", { limit: "3" });
  });

  it("checks raw openapi-fetch calls against the paths too", () => {
    expectTypeOf(client.raw.GET).toBeCallableWith("/api/posts/{slug}", { params: { path: { slug: "a" } } });
    // @ts-expect-error a path parameter that does not exist
    expectTypeOf(client.raw.GET).toBeCallableWith("/api/posts/{slug}", { params: { path: { id: "a" } } });
    // @ts-expect-error a path that is not documented
    expectTypeOf(client.raw.GET).toBeCallableWith("/api/post", {});
  });
});

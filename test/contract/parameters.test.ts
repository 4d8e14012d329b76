/**
 * The query parameters openapi.json documents are exactly the ones the code
 * accepts, endpoint by endpoint (each feed type on its own, the sitemap
 * included): what a 200 varies on at the CDN (`Netlify-Vary`, built from the
 * code's query spec) is the documented list, and an undocumented parameter
 * is `400 invalid_parameter`, `/api/auth` included.
 */
import { describe, expect, it } from "vitest";
import authHandler from "../../functions/auth.mts";
import getAuthors from "../../functions/getAuthors.mts";
import getCategories from "../../functions/getCategories.mts";
import getFeed from "../../functions/getFeed.mts";
import getPost from "../../functions/getPost.mts";
import getPosts from "../../functions/getPosts.mts";
import getRelatedPosts from "../../functions/getRelatedPosts.mts";
import getTags from "../../functions/getTags.mts";
import searchPosts from "../../functions/searchPosts.mts";
import document from "../../openapi.json";
import { publishedPosts } from "../../sample/data.ts";
import { enableSessions } from "../helpers/auth.ts";
import { butterRequests } from "../helpers/butter.ts";
import { type Handler, type InvokeOptions, invoke } from "../helpers/invoke.ts";
import { TEST_SECRETS } from "../helpers/secrets.ts";

type Parameter = { name?: string; in?: string; $ref?: string };
type Operation = { parameters?: Parameter[]; responses: Record<string, unknown> };
const paths = (document as unknown as { paths: Record<string, Record<string, Operation>> }).paths;
const components = (document as unknown as { components: { parameters: Record<string, Parameter> } })
  .components;

/** The query parameters an operation documents, shared ones ($ref) resolved. */
function documentedQuery(path: string, method: string): string[] {
  const operation = paths[path]?.[method];
  expect(operation, `${method.toUpperCase()} ${path} is documented`).toBeDefined();
  return (operation?.parameters ?? [])
    .map((parameter) =>
      parameter.$ref ? components.parameters[parameter.$ref.split("/").at(-1) as string] : parameter,
    )
    .filter((parameter) => parameter?.in === "query")
    .map((parameter) => parameter?.name as string)
    .sort();
}

const slug = publishedPosts[0]!.slug;

/** [documented path, one request that answers 200, handler, options] */
const READS: [string, string, Handler, InvokeOptions?][] = [
  ["/api/posts", "/api/posts", getPosts],
  ["/api/posts/{slug}", `/api/posts/${slug}`, getPost, { params: { slug } }],
  ["/api/posts/{slug}/related", `/api/posts/${slug}/related`, getRelatedPosts, { params: { slug } }],
  ["/api/search", "/api/search?q=cache", searchPosts],
  ["/api/categories", "/api/categories", getCategories],
  ["/api/tags", "/api/tags", getTags],
  ["/api/authors", "/api/authors", getAuthors],
  ["/api/feeds/{type}", "/api/feeds/rss", getFeed, { params: { type: "rss" } }],
  ["/api/feeds/{type}", "/api/feeds/atom", getFeed, { params: { type: "atom" } }],
  ["/api/feeds/{type}", "/api/feeds/sitemap", getFeed, { params: { type: "sitemap" } }],
];

describe("documented query parameters are the accepted ones", () => {
  it.each(READS)(
    "%s (%s) varies on exactly what openapi.json documents",
    async (path, url, handler, options) => {
      const res = await invoke(handler, url, options);
      expect(res.status, res.text).toBe(200);
      const varied = (res.headers.get("Netlify-Vary") ?? "")
        .replace(/^query=/, "")
        .split("|")
        .sort();
      expect(varied).toEqual(documentedQuery(path, "get"));
    },
  );

  it.each(READS)(
    "%s (%s) answers 400 for an undocumented parameter",
    async (_path, url, handler, options) => {
      const res = await invoke(handler, `${url}${url.includes("?") ? "&" : "?"}utm_source=x`, options);
      expect(res.status).toBe(400);
      expect(res.json.code).toBe("invalid_parameter");
      expect(res.json.errors).toEqual([expect.objectContaining({ name: "utm_source" })]);
    },
  );

  it("narrows the sitemap by category and tag, as documented, and passes them to ButterCMS", async () => {
    const post = publishedPosts[0]!;
    const category = (post.categories as { slug: string }[])[0]!.slug;
    const all = await invoke(getFeed, "/api/feeds/sitemap", { params: { type: "sitemap" } });
    const narrowed = await invoke(getFeed, `/api/feeds/sitemap?category=${category}`, {
      params: { type: "sitemap" },
    });
    expect(narrowed.status).toBe(200);
    expect(narrowed.text).toContain(post.slug);
    expect(narrowed.text.split("<url>").length).toBeLessThan(all.text.split("<url>").length);
    expect(butterRequests.at(-1)?.searchParams.get("category_slug")).toBe(category);
    const documented = paths["/api/feeds/{type}"]?.get?.parameters ?? [];
    const described = documented.filter((parameter) => ["category", "tag"].includes(parameter.name ?? ""));
    expect(described).toHaveLength(2);
    for (const parameter of described) expect(JSON.stringify(parameter)).not.toMatch(/rss and atom/i);
  });
});

describe("/api/auth refuses query parameters like every other endpoint", () => {
  it.each(["get", "post", "delete"])("documents 400 for %s", (method) => {
    expect(paths["/api/auth"]?.[method]?.responses["400"]).toBeDefined();
    expect(documentedQuery("/api/auth", method)).toEqual([]);
  });

  it.each([
    ["GET", undefined],
    ["POST", JSON.stringify({ password: TEST_SECRETS.password })],
    ["DELETE", undefined],
  ])("answers %s /api/auth?x=1 with 400 invalid_parameter naming x", async (method, body) => {
    enableSessions();
    const res = await invoke(authHandler, "/api/auth?x=1", {
      method,
      body,
      headers: body ? { "Content-Type": "application/json" } : {},
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(res.headers.get("Cache-Control")).toBe("private, no-store");
    expect(res.json.code).toBe("invalid_parameter");
    expect(res.json.errors).toEqual([expect.objectContaining({ name: "x" })]);
    expect(res.headers.get("Set-Cookie")).toBeNull();
  });

  it("does not log out on a refused DELETE: the session still works afterwards", async () => {
    enableSessions();
    const login = await invoke(authHandler, "/api/auth", {
      method: "POST",
      body: JSON.stringify({ password: TEST_SECRETS.password }),
      headers: { "Content-Type": "application/json" },
    });
    const authorization = { Authorization: `Bearer ${login.json.token as string}` };
    const refused = await invoke(authHandler, "/api/auth?all=1", {
      method: "DELETE",
      headers: authorization,
    });
    expect(refused.status).toBe(400);
    const status = await invoke(authHandler, "/api/auth", { headers: authorization });
    expect(status.json.authenticated).toBe(true);
  });

  it("still answers the documented requests", async () => {
    enableSessions();
    expect((await invoke(authHandler, "/api/auth")).status).toBe(200);
    expect((await invoke(authHandler, "/api/auth", { method: "DELETE" })).status).toBe(204);
  });
});

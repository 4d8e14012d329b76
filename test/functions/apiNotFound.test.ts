import { describe, expect, it } from "vitest";
import apiNotFound, { config } from "../../functions/apiNotFound.mts";
import getPosts from "../../functions/getPosts.mts";
import { butterRequests } from "../helpers/butter.ts";
import { invoke } from "../helpers/invoke.ts";

describe("paths under /api that no endpoint owns", () => {
  it.each([
    ["GET", "/api/nope"],
    ["GET", "/api"],
    ["POST", "/api/posts/a/b/c"],
    ["PUT", "/api/whatever"],
    ["DELETE", "/api/feeds"],
  ])("answer %s %s with 404 problem+json, CORS and nosniff", async (method, path) => {
    const res = await invoke(apiNotFound, path, { method });
    expect(res.status).toBe(404);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(res.json.code).toBe("not_found");
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.get("Cache-Control")).toBe("private, no-store");
    expect(butterRequests).toHaveLength(0);
  });

  it("excludes every real endpoint's path, so the catch-all never shadows one", () => {
    expect(config.path).toEqual(["/api", "/api/*"]);
    expect(config.excludedPath).toEqual(
      expect.arrayContaining([
        "/api/posts",
        "/api/posts/:slug",
        "/api/posts/:slug/related",
        "/api/feeds/:type",
      ]),
    );
  });

  it("is answered by an endpoint too when Netlify hands it a path its pattern does not own", async () => {
    const res = await invoke(getPosts, "/api/posts//");
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("not_found");
    expect(butterRequests).toHaveLength(0);
  });
});

/** The wrapper against the SDK's reproduced traps (buttercms-sdk.md), one test each. */
import { describe, expect, it, vi } from "vitest";
import { listPosts, retrievePost, sdkParams } from "../../src/butter/client.ts";
import { getConfig } from "../../src/core/config.ts";
import { classifySdkError, parseRetryAfter, UpstreamError } from "../../src/butter/failure.ts";
import { BUTTER_API, butterRequests, HttpResponse, http, server, TEST_TOKEN } from "../helpers/butter.ts";

const params = { page: 1, page_size: 2, exclude_body: true };

describe("the ButterCMS wrapper", () => {
  it("Q3: returns our own data, never the SDK's response object (whose config.url carries the token)", async () => {
    const list = await listPosts(getConfig(), params, false);
    expect(Object.keys(list).sort()).toEqual(["data", "meta"]);
    expect(JSON.stringify(list)).not.toContain(TEST_TOKEN);
  });

  it("Q7: keeps one SDK instance working across many requests (it never calls cancelRequest)", async () => {
    for (let i = 0; i < 20; i++) await listPosts(getConfig(), { ...params, page: (i % 5) + 1 }, false);
    expect(butterRequests).toHaveLength(20);
  });

  it("Q9: passes UPSTREAM_TIMEOUT_MS, a string in the environment, as a number", async () => {
    vi.stubEnv("UPSTREAM_TIMEOUT_MS", "1500");
    await expect(listPosts(getConfig(), params, false)).resolves.toHaveProperty("data");
  });

  it("Q10: sends preview=1 only when asked, and never test=1", async () => {
    await listPosts(getConfig(), params, false);
    await listPosts(getConfig(), params, true);
    expect(
      butterRequests.map((url) => [url.searchParams.get("preview"), url.searchParams.get("test")]),
    ).toEqual([
      [null, null],
      ["1", null],
    ]);
  });

  it("Q12: drops undefined and null params instead of sending the string 'undefined'", () => {
    expect(sdkParams({ a: 1, b: undefined, c: null, d: false, e: "x" })).toEqual({
      a: "1",
      d: "false",
      e: "x",
    });
  });

  it("Q13: refuses a slug that would change the URL, without calling ButterCMS", async () => {
    await expect(retrievePost(getConfig(), "../authors/x?y=1", false)).rejects.toMatchObject({
      upstreamStatus: 404,
    });
    expect(butterRequests).toHaveLength(0);
  });

  it("Q20: answers misconfigured instead of letting the SDK throw a bare string for a missing token", async () => {
    vi.stubEnv("BUTTERCMS_API_TOKEN", "");
    await expect(listPosts(getConfig(), params, false)).rejects.toMatchObject({ code: "misconfigured" });
  });

  it("Q4: maps the SDK's raw SyntaxError for an HTML error body to a retryable upstream error", async () => {
    server.use(http.get(`${BUTTER_API}/posts/`, () => new HttpResponse("<html>", { status: 503 })));
    const error = await listPosts(getConfig(), params, false).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ failure: "bad_body", code: "upstream_error", retryable: true });
  });
});

describe("classifySdkError", () => {
  const headers = (value: string) => new Headers({ "retry-after": value });
  it.each([
    ["an HTTP 404", new Error("[detail]: Not found. (404)", { cause: { status: 404 } }), "not_found", 404],
    [
      "an HTTP 401",
      new Error("[detail]: Invalid token. (401)", { cause: { status: 401 } }),
      "upstream_error",
      502,
    ],
    ["an HTTP 500", new Error("x", { cause: { status: 500 } }), "upstream_error", 502],
    ["a raw SyntaxError", new SyntaxError("Unexpected token <"), "upstream_error", 502],
    [
      "a wrapped SyntaxError (200 not JSON)",
      new Error("SyntaxError: Unexpected end of JSON input"),
      "upstream_error",
      502,
    ],
    [
      "a timeout message",
      new Error("Post (https://x/): Request timed out after 100ms."),
      "upstream_timeout",
      504,
    ],
    ["a network failure", new Error("TypeError: fetch failed"), "upstream_error", 502],
    ["a bare string", "ButterCMS API token not set", "upstream_error", 502],
  ])("maps %s to %s (%i)", (_name, thrown, code, status) => {
    const error = classifySdkError(thrown);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.message).not.toContain("https://");
  });

  it("passes Retry-After on for a 429, in seconds or as an HTTP date", () => {
    const seconds = classifySdkError(new Error("x", { cause: { status: 429, headers: headers("100") } }));
    expect(seconds).toMatchObject({ code: "upstream_unavailable", headers: { "Retry-After": "100" } });
    const now = Date.parse("2026-11-28T12:00:00Z");
    expect(parseRetryAfter("Sat, 28 Nov 2026 12:01:00 GMT", now)).toBe(60);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("999999999", now)).toBe(86_400);
  });
});

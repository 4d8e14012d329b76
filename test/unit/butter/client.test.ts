/**
 * The wrapper against the SDK's and the API's traps (docs/buttercms.md), one
 * test each, named after the trap's anchor there. The SDK's factory is wrapped
 * in a spy that still builds the real SDK, so that a test can see how the
 * wrapper builds and uses it while every request goes through the real code.
 */
import Butter from "buttercms";
import { describe, expect, it, vi } from "vitest";
import { butterHandlers } from "../../../sample/msw-handlers.ts";
import {
  listPosts,
  listTerms,
  retrieveFeed,
  retrievePost,
  sdkParams,
  searchPosts,
} from "../../../src/butter/client.ts";
import { ButterFailure, classifySdkError, parseRetryAfter } from "../../../src/butter/failure.ts";
import { getConfig } from "../../../src/core/config.ts";
import { BUTTER_API, butterRequests, HttpResponse, http, server, TEST_TOKEN } from "../../helpers/butter.ts";

vi.mock("buttercms", async (importOriginal) => {
  const real = (await importOriginal<typeof import("buttercms")>()).default;
  return { default: vi.fn(real) };
});
const factory = vi.mocked(Butter);

const params = { page: 1, page_size: 2, exclude_body: true };

/** The SDK instance the wrapper builds for a timeout no other test uses, built by one call. */
interface SdkInstance {
  post: {
    list: (...args: unknown[]) => unknown;
    search: (...args: unknown[]) => unknown;
    cancelRequest: () => void;
  };
}
async function freshInstance(timeoutMs: number): Promise<SdkInstance> {
  vi.stubEnv("UPSTREAM_TIMEOUT_MS", String(timeoutMs));
  factory.mockClear();
  await listPosts(getConfig(), params, false);
  expect(factory).toHaveBeenCalledTimes(1);
  return factory.mock.results[0]?.value as SdkInstance;
}

describe("the ButterCMS wrapper", () => {
  it("token-in-response-config: returns our own data, never the SDK's response object (whose config.url carries the token)", async () => {
    const list = await listPosts(getConfig(), params, false);
    expect(Object.keys(list).sort()).toEqual(["data", "meta"]);
    expect(JSON.stringify(list)).not.toContain(TEST_TOKEN);
  });

  it("shared-abort-controller: builds one SDK instance for many requests and never cancels it", async () => {
    const sdk = await freshInstance(2_345);
    const list = vi.spyOn(sdk.post, "list");
    const cancel = vi.spyOn(sdk.post, "cancelRequest");
    for (let i = 0; i < 19; i++) await listPosts(getConfig(), { ...params, page: (i % 5) + 1 }, false);
    expect(factory).toHaveBeenCalledTimes(1);
    expect(list).toHaveBeenCalledTimes(19);
    expect(cancel).not.toHaveBeenCalled();
    expect(butterRequests).toHaveLength(20);
  });

  it("numeric-timeout: hands the SDK UPSTREAM_TIMEOUT_MS, a string in the environment, as a number", async () => {
    vi.stubEnv("UPSTREAM_TIMEOUT_MS", "1501");
    factory.mockClear();
    await listPosts(getConfig(), params, false);
    expect(factory.mock.calls).toHaveLength(1);
    const [token, options] = factory.mock.calls[0] as [string, { timeout: unknown }];
    expect(token).toBe(TEST_TOKEN);
    expect(typeof options.timeout).toBe("number");
    expect(options.timeout).toBe(1501);
  });

  it("constructor-signature-changed: passes the SDK a typed options object, with nothing but the timeout (no testMode, cache or hooks)", async () => {
    vi.stubEnv("UPSTREAM_TIMEOUT_MS", "1502");
    factory.mockClear();
    await listPosts(getConfig(), params, true);
    expect(factory.mock.calls).toEqual([[TEST_TOKEN, { timeout: 1502 }]]);
  });

  it("test-mode-truthy: sends preview=1 only when asked, and never test=1", async () => {
    await listPosts(getConfig(), params, false);
    await listPosts(getConfig(), params, true);
    expect(
      butterRequests.map((url) => [url.searchParams.get("preview"), url.searchParams.get("test")]),
    ).toEqual([
      [null, null],
      ["1", null],
    ]);
  });

  it("undefined-params-serialised: drops undefined and null params instead of sending the string 'undefined'", () => {
    expect(sdkParams({ a: 1, b: undefined, c: null, d: false, e: "x" })).toEqual({
      a: "1",
      d: "false",
      e: "x",
    });
  });

  it("slug-not-encoded: refuses a slug that would change the URL, without calling ButterCMS", async () => {
    await expect(retrievePost(getConfig(), "../authors/x?y=1", false)).rejects.toMatchObject({
      upstreamStatus: 404,
    });
    expect(butterRequests).toHaveLength(0);
  });

  it("search-mutates-options: hands the SDK's search a fresh object on every call, never the caller's", async () => {
    const sdk = await freshInstance(3_456);
    const search = vi.spyOn(sdk.post, "search");
    const query = { query: "cache", page: 1, page_size: 2, exclude_body: true };
    await searchPosts(getConfig(), query);
    await searchPosts(getConfig(), query);
    const [first, second] = search.mock.calls.map((call) => call[1]);
    expect(first).not.toBe(second);
    expect(first).not.toBe(query);
    expect(query).toEqual({ query: "cache", page: 1, page_size: 2, exclude_body: true });
    expect(butterRequests.slice(1).map((url) => url.searchParams.get("query"))).toEqual(["cache", "cache"]);
  });

  it("missing-token-throws-string: answers misconfigured instead of letting the SDK throw a bare string", async () => {
    vi.stubEnv("BUTTERCMS_API_TOKEN", "");
    await expect(listPosts(getConfig(), params, false)).rejects.toMatchObject({ code: "misconfigured" });
  });

  it("non-json-error-bodies: maps the SDK's raw SyntaxError for an HTML error body to a retryable failure", async () => {
    server.use(http.get(`${BUTTER_API}/posts/`, () => new HttpResponse("<html>", { status: 503 })));
    const error = await listPosts(getConfig(), params, false).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ButterFailure);
    expect(error).toMatchObject({ failure: "bad_body", retryable: true });
  });

  it("only-200-succeeds: treats any other 2xx as a failure, never as content", async () => {
    const list = { meta: { count: 0, next_page: null, previous_page: null }, data: [] };
    server.use(http.get(`${BUTTER_API}/posts/`, () => HttpResponse.json(list, { status: 203 })));
    const error = await listPosts(getConfig(), params, false).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ButterFailure);
    expect(error).toMatchObject({ failure: "http", upstreamStatus: 203, retryable: false });
  });

  it("feeds-arrive-wrapped-in-json: takes the XML from { data } and from a bare JSON string alike", async () => {
    const xml = '<?xml version="1.0"?><rss></rss>';
    server.use(http.get(`${BUTTER_API}/feeds/rss/`, () => HttpResponse.json({ data: xml })));
    expect(await retrieveFeed(getConfig(), "rss", {})).toBe(xml);
    server.use(http.get(`${BUTTER_API}/feeds/rss/`, () => HttpResponse.json(xml)));
    expect(await retrieveFeed(getConfig(), "rss", {})).toBe(xml);
  });

  it("emails-in-responses: strips every email member and every address in a feed", async () => {
    const list = await listPosts(getConfig(), { ...params, page_size: 10 }, false);
    expect(JSON.stringify(list)).not.toMatch(/"email"|@example\.com/);
    const terms = await listTerms(getConfig(), "author", true);
    expect(JSON.stringify(terms)).not.toMatch(/"email"|@example\.com/);
    const xml = '<?xml version="1.0"?><rss><author>ada.okafor@example.com (Ada)</author></rss>';
    server.use(http.get(`${BUTTER_API}/feeds/rss/`, () => HttpResponse.json({ data: xml })));
    expect(await retrieveFeed(getConfig(), "rss", {})).not.toContain("@");
  });

  it("trailing-slash-required: calls https://api.buttercms.com/v2/ paths that end with a slash", async () => {
    const config = getConfig();
    await listPosts(config, params, false);
    await retrievePost(config, "etags-and-conditional-requests", false);
    await searchPosts(config, { query: "cache", page: 1, page_size: 2, exclude_body: true });
    await listTerms(config, "category", true);
    await retrieveFeed(config, "sitemap", {});
    expect(butterRequests.map((url) => `${url.origin}${url.pathname}`)).toEqual([
      `${BUTTER_API}/posts/`,
      `${BUTTER_API}/posts/etags-and-conditional-requests/`,
      `${BUTTER_API}/posts/search/`,
      `${BUTTER_API}/categories/`,
      `${BUTTER_API}/feeds/sitemap/`,
    ]);
  });

  it("monthly-quota-429: keeps the month-long Retry-After of a quota 429 and knows the quota is used up", async () => {
    const now = Date.parse("2026-11-28T12:00:00Z");
    server.use(...butterHandlers({ token: TEST_TOKEN, fault: "quota", now: () => now }));
    const error = await listPosts(getConfig(), params, false).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ButterFailure);
    expect(error).toMatchObject({ failure: "http", upstreamStatus: 429, retryAfterSeconds: 216_000 });
    expect((error as ButterFailure).isQuotaExhausted).toBe(true);
  });
});

describe("classifySdkError (error-shapes)", () => {
  const headers = (value: string) => new Headers({ "retry-after": value });
  it.each([
    ["an HTTP 404", new Error("[detail]: Not found. (404)", { cause: { status: 404 } }), "http", 404, false],
    [
      "an HTTP 401",
      new Error("[detail]: Invalid token. (401)", { cause: { status: 401 } }),
      "http",
      401,
      false,
    ],
    ["an HTTP 500", new Error("x", { cause: { status: 500 } }), "http", 500, true],
    ["a raw SyntaxError", new SyntaxError("Unexpected token <"), "bad_body", undefined, true],
    [
      "a wrapped SyntaxError (200 not JSON)",
      new Error("SyntaxError: Unexpected end of JSON input"),
      "bad_body",
      200,
      false,
    ],
    [
      "a timeout message",
      new Error("Post (https://x/?auth_token=t): Request timed out after 100ms."),
      "timeout",
      undefined,
      true,
    ],
    ["a network failure", new Error("TypeError: fetch failed"), "network", undefined, true],
    ["a bare string", "ButterCMS API token not set", "network", undefined, true],
  ])("maps %s to %s %s (retryable: %s)", (_name, thrown, failure, status, retryable) => {
    const error = classifySdkError(thrown);
    expect(error).toMatchObject({ failure, upstreamStatus: status, retryable });
  });

  it("shared-error-message-prefix: never keeps the SDK's message or URL (it may name another request)", () => {
    const error = classifySdkError(
      new Error("Post (https://api.buttercms.com/v2/posts/?auth_token=t): Request timed out after 100ms."),
    );
    expect(`${error.message} ${String(error.cause)}`).not.toContain("https://");
    expect(`${error.message} ${String(error.cause)}`).not.toContain("auth_token");
  });

  it("passes Retry-After on for a 429, in seconds or as an HTTP date, a month included", () => {
    const seconds = classifySdkError(new Error("x", { cause: { status: 429, headers: headers("100") } }));
    expect(seconds).toMatchObject({ upstreamStatus: 429, retryAfterSeconds: 100 });
    const now = Date.parse("2026-11-28T12:00:00Z");
    expect(parseRetryAfter("Sat, 28 Nov 2026 12:01:00 GMT", now)).toBe(60);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(String(31 * 86_400), now)).toBe(31 * 86_400);
    const capped = parseRetryAfter("999999999", now) as number;
    expect(capped).toBeGreaterThanOrEqual(31 * 86_400);
    expect(capped).toBeLessThan(999_999_999);
  });
});

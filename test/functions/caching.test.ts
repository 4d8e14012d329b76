import { describe, expect, it, vi } from "vitest";
import getPostHandler from "../../functions/getPost.mts";
import getPostsHandler from "../../functions/getPosts.mts";
import searchPostsHandler from "../../functions/searchPosts.mts";
import { unpublishedPosts } from "../../sample/data.ts";
import { CACHE_TIMES } from "../../src/content/instance-state.ts";
import { craftToken, enableSessions } from "../helpers/auth.ts";
import { BUTTER_API, butterRequests, HttpResponse, http, server } from "../helpers/butter.ts";
import { consoleLines } from "../helpers/console.ts";
import { invoke } from "../helpers/invoke.ts";

const list = (query = "", options = {}) => invoke(getPostsHandler, `/api/posts${query}`, options);
/** Search still asks ButterCMS through this instance's cache (lists are answered from the published index). */
const search = (options = {}) => invoke(searchPostsHandler, "/api/search?q=cache", options);
const draft = unpublishedPosts.find((post) => post.status === "draft")!;

describe("the in-function cache behind getPosts and getPost", () => {
  it("answers a repeated request from the cache: one ButterCMS call, identical body and ETag", async () => {
    const first = await list("?page=2&page_size=5");
    const second = await list("?page_size=5&page=2");
    expect(butterRequests).toHaveLength(1);
    expect(second.text).toBe(first.text);
    expect(second.headers.get("ETag")).toBe(first.headers.get("ETag"));
  });

  it("treats defaults and explicit values as the same request", async () => {
    await list();
    await list("?page=1&page_size=10&exclude_body=true");
    expect(butterRequests).toHaveLength(1);
  });

  it("makes one ButterCMS call for 50 concurrent misses of one query", async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => list("?tag=netlify")));
    expect(results.every((res) => res.status === 200)).toBe(true);
    expect(butterRequests).toHaveLength(1);
  });

  it("answers a missing slug and a draft's slug from the published index: the same calls, never the post", async () => {
    for (const slug of ["no-such-post", draft.slug, "no-such-post", draft.slug]) {
      const res = await invoke(getPostHandler, `/api/posts/${slug}`, { params: { slug } });
      expect(res.status).toBe(404);
    }
    expect(butterRequests.map((url) => url.pathname)).toEqual(["/v2/posts/"]);
  });

  it("never lets a preview read or write a shared entry", async () => {
    enableSessions();
    const headers = { Authorization: `Bearer ${await craftToken(Math.floor(Date.now() / 1000))}` };
    const publicFirst = await list("?page_size=100");
    const preview = await list("?page_size=100&preview=1", { headers });
    const previewAgain = await list("?page_size=100&preview=1", { headers });
    const publicAgain = await list("?page_size=100");
    expect(butterRequests.map((url) => url.searchParams.get("preview"))).toEqual([null, "1", "1"]);
    expect(preview.text).toContain(draft.slug);
    expect(previewAgain.text).toContain(draft.slug);
    expect(publicAgain.text).toBe(publicFirst.text);
    expect(publicAgain.text).not.toContain(draft.slug);

    const slug = draft.slug;
    const shown = await invoke(getPostHandler, `/api/posts/${slug}?preview=1`, { params: { slug }, headers });
    expect(shown.status).toBe(200);
    const hidden = await invoke(getPostHandler, `/api/posts/${slug}`, { params: { slug } });
    expect(hidden.status).toBe(404);
  });

  it("asks ButterCMS again once the TTL is over", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    await search();
    vi.advanceTimersByTime(CACHE_TIMES.ttlMs - 1);
    await search();
    expect(butterRequests).toHaveLength(1);
    vi.advanceTimersByTime(CACHE_TIMES.ttlMs + CACHE_TIMES.staleWhileRevalidateMs);
    await search();
    expect(butterRequests).toHaveLength(2);
  });

  it("serves a stale copy at once after the TTL and refreshes it through context.waitUntil", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const first = await search();
    vi.advanceTimersByTime(CACHE_TIMES.ttlMs + 1);
    const background: Promise<unknown>[] = [];
    const stale = await search({ waitUntil: (work: Promise<unknown>) => background.push(work) });
    expect(stale.text).toBe(first.text);
    // The refresh (and the month's call count, added in the background too).
    expect(background.length).toBeGreaterThanOrEqual(1);
    await Promise.all(background);
    expect(butterRequests).toHaveLength(2);
  });

  it("serves the last good copy when ButterCMS fails (stale-if-error), and logs it", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const first = await search();
    vi.advanceTimersByTime(CACHE_TIMES.ttlMs + CACHE_TIMES.staleWhileRevalidateMs + 1);
    server.use(
      http.get(`${BUTTER_API}/posts/search/`, () =>
        HttpResponse.json({ detail: "API Calls limit reached." }, { status: 429 }),
      ),
    );
    const stale = await search();
    expect(stale.status).toBe(200);
    expect(stale.text).toBe(first.text);
    expect(consoleLines.join("\n")).toContain("stale copy");
  });

  it("answers the error once stale-if-error is over", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    await search();
    vi.advanceTimersByTime(CACHE_TIMES.ttlMs + CACHE_TIMES.staleIfErrorMs + 1);
    server.use(
      http.get(`${BUTTER_API}/posts/search/`, () => HttpResponse.json({ detail: "x" }, { status: 429 })),
    );
    const res = await search();
    expect(res.status).toBe(503);
    expect(res.json.code).toBe("upstream_unavailable");
  });

  it("retries a 500 twice before answering 502: three ButterCMS calls", async () => {
    server.use(
      http.get(`${BUTTER_API}/posts/`, () => HttpResponse.json({ detail: "boom" }, { status: 500 })),
    );
    const res = await list();
    expect(res.status).toBe(502);
    expect(butterRequests).toHaveLength(3);
  });

  it("does not retry a 401: one ButterCMS call", async () => {
    server.use(
      http.get(`${BUTTER_API}/posts/`, () =>
        HttpResponse.json({ detail: "Invalid token." }, { status: 401 }),
      ),
    );
    await list();
    expect(butterRequests).toHaveLength(1);
  });

  it("opens the circuit after repeated failures: later requests fail fast without calling ButterCMS", async () => {
    server.use(http.get(`${BUTTER_API}/posts/`, () => HttpResponse.error()));
    await list("?page=1");
    await list("?page=2");
    const callsBefore = butterRequests.length;
    const res = await list("?page=3");
    expect(res.status).toBe(503);
    expect(res.json.code).toBe("upstream_unavailable");
    expect(Number(res.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(butterRequests.length).toBe(callsBefore);
  });
});

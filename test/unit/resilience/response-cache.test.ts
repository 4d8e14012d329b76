import { describe, expect, it, vi } from "vitest";
import { ResponseCache } from "../../../src/resilience/response-cache.ts";

const TIMES = { ttlMs: 1_000, staleWhileRevalidateMs: 5_000, staleIfErrorMs: 60_000 };

function setup(bounds = { maxEntries: 100, maxBytes: 1_000_000 }) {
  let now = 0;
  const cache = new ResponseCache<string>({ ...TIMES, ...bounds, now: () => now }, (value) => value.length);
  let calls = 0;
  const loader = (value: string) => async () => {
    calls += 1;
    return value;
  };
  return {
    cache,
    loader,
    calls: () => calls,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe("ResponseCache", () => {
  it("serves a fresh entry without loading again until the TTL ends", async () => {
    const { cache, loader, calls, advance } = setup();
    expect((await cache.get("k", loader("v1"))).outcome).toBe("miss");
    advance(999);
    expect(await cache.get("k", loader("v2"))).toEqual({ value: "v1", outcome: "hit" });
    expect(calls()).toBe(1);
  });

  it("serves a stale entry at once within stale-while-revalidate and refreshes it in the background", async () => {
    const { cache, loader, calls, advance } = setup();
    await cache.get("k", loader("v1"));
    advance(1_000);
    const background: Promise<unknown>[] = [];
    const stale = await cache.get("k", loader("v2"), (work) => background.push(work));
    expect(stale).toEqual({ value: "v1", outcome: "stale" });
    expect(background).toHaveLength(1);
    await Promise.all(background);
    expect(calls()).toBe(2);
    expect(await cache.get("k", loader("v3"))).toEqual({ value: "v2", outcome: "hit" });
  });

  it("makes one background refresh for many stale hits", async () => {
    const { cache, loader, calls, advance } = setup();
    await cache.get("k", loader("v1"));
    advance(2_000);
    const background: Promise<unknown>[] = [];
    await Promise.all(
      Array.from({ length: 20 }, () => cache.get("k", loader("v2"), (w) => background.push(w))),
    );
    await Promise.all(background);
    expect(calls()).toBe(2);
  });

  it("loads again once stale-while-revalidate is over", async () => {
    const { cache, loader, advance } = setup();
    await cache.get("k", loader("v1"));
    advance(6_000);
    expect(await cache.get("k", loader("v2"))).toEqual({ value: "v2", outcome: "miss" });
  });

  it("serves the stale copy when the reload fails within stale-if-error", async () => {
    const { cache, loader, advance } = setup();
    await cache.get("k", loader("v1"));
    advance(6_000 + 50_000);
    const failing = () => Promise.reject(new Error("down"));
    expect(await cache.get("k", failing)).toEqual({ value: "v1", outcome: "stale-if-error" });
  });

  it("rethrows once stale-if-error is over", async () => {
    const { cache, loader, advance } = setup();
    await cache.get("k", loader("v1"));
    advance(61_000);
    await expect(cache.get("k", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
  });

  it("rethrows a failed miss when nothing was cached", async () => {
    const { cache } = setup();
    await expect(cache.get("k", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
  });

  it("makes exactly one load for N concurrent misses of one key (single flight)", async () => {
    const { cache } = setup();
    let calls = 0;
    let release: (value: string) => void = () => {};
    const slow = () => {
      calls += 1;
      return new Promise<string>((resolve) => {
        release = resolve;
      });
    };
    const results = Promise.all(Array.from({ length: 50 }, () => cache.get("k", slow)));
    release("v");
    const values = await results;
    expect(calls).toBe(1);
    expect(values.every((result) => result.value === "v")).toBe(true);
  });

  it("lets a failed single flight fail every waiter, and the next call try again", async () => {
    const { cache } = setup();
    const load = vi.fn().mockRejectedValueOnce(new Error("down")).mockResolvedValue("v");
    const settled = await Promise.allSettled([cache.get("k", load), cache.get("k", load)]);
    expect(settled.map((s) => s.status)).toEqual(["rejected", "rejected"]);
    expect((await cache.get("k", load)).value).toBe("v");
    expect(load).toHaveBeenCalledTimes(2);
  });

  it("evicts the least recently used entry beyond maxEntries", async () => {
    const { cache, loader } = setup({ maxEntries: 2, maxBytes: 1_000 });
    await cache.get("a", loader("1"));
    await cache.get("b", loader("2"));
    await cache.get("a", loader("x")); // touch a: b is now the oldest
    await cache.get("c", loader("3"));
    expect(cache.size).toBe(2);
    expect((await cache.get("a", loader("x"))).outcome).toBe("hit");
    expect((await cache.get("b", loader("2"))).outcome).toBe("miss");
  });

  it("evicts beyond maxBytes and never stores a value larger than the bound", async () => {
    const { cache, loader } = setup({ maxEntries: 100, maxBytes: 10 });
    await cache.get("a", loader("12345"));
    await cache.get("b", loader("123456"));
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(6);
    await cache.get("huge", loader("x".repeat(11)));
    expect(cache.bytes).toBeLessThanOrEqual(10);
    expect((await cache.get("huge", loader("y"))).outcome).toBe("miss");
  });

  it("drops the entries that carry a tag, and a tagged load started before the drop does not store its value", async () => {
    const { cache, loader } = setup();
    await cache.get("post:a", loader("a1"), undefined, ["posts", "post:a"]);
    await cache.get("list:1", loader("l1"), undefined, ["lists"]);
    let release: (value: string) => void = () => {};
    const inflight = cache.get(
      "post:b",
      () => new Promise<string>((resolve) => (release = resolve)),
      undefined,
      ["posts", "post:b"],
    );
    expect(cache.deleteTagged("posts")).toBe(1);
    release("old");
    await inflight;
    expect((await cache.get("post:b", loader("new"))).value).toBe("new");
    expect((await cache.get("list:1", loader("x"))).outcome).toBe("hit");
  });

  it("returns but never keeps a value its keep rule refuses", async () => {
    const times = { ttlMs: 1_000, staleWhileRevalidateMs: 0, staleIfErrorMs: 0 };
    const keep = (value: string) => value !== "stale";
    const cache = new ResponseCache<string>(
      { ...times, maxEntries: 10, maxBytes: 1_000, keep },
      (v) => v.length,
    );
    expect((await cache.get("k", async () => "stale")).value).toBe("stale");
    expect(cache.size).toBe(0);
    expect((await cache.get("k", async () => "fresh")).outcome).toBe("miss");
    expect(cache.size).toBe(1);
  });
});

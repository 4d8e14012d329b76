/**
 * The shared site state on a store with real ETags: each instance reads it
 * at most every STATE_CHECK_MS, keeps what it had (unverified) when Blobs
 * fails, tells listeners when a locale's generation moves, and writes with
 * compare-and-set so that concurrent writers never lose each other's change.
 */
import { describe, expect, it, vi } from "vitest";
import {
  type SiteState,
  SiteStateView,
  STATE_CHECK_MS,
  updateSiteState,
} from "../../../src/content/site-state.ts";
import { MemoryStore } from "../../helpers/memory-store.ts";

function view() {
  let now = 1_000_000;
  const clock = { advance: (ms: number) => (now += ms) };
  return { state: new SiteStateView(() => now), clock };
}

describe("SiteStateView", () => {
  it("reads Blobs at most once per STATE_CHECK_MS, and once for concurrent callers", async () => {
    const store = new MemoryStore();
    store.blobs.set("site-state", { value: { generations: { default: 3 } }, etag: '"a"' });
    const { state, clock } = view();
    await Promise.all([state.current(store), state.current(store), state.current(store)]);
    expect(store.reads).toHaveLength(1);
    clock.advance(STATE_CHECK_MS - 1);
    await state.current(store);
    expect(store.reads).toHaveLength(1);
    clock.advance(1);
    await state.current(store);
    expect(store.reads).toHaveLength(2);
    expect(state.peek()).toMatchObject({ verified: true, state: { generations: { default: 3 } } });
  });

  it("keeps the state it had, unverified, when Blobs fails, and verifies it again when Blobs answers", async () => {
    const store = new MemoryStore();
    store.blobs.set("site-state", { value: { generations: { default: 3 } }, etag: '"a"' });
    const { state, clock } = view();
    await state.current(store);
    store.failing = true;
    clock.advance(STATE_CHECK_MS);
    const failed = await state.current(store);
    expect(failed).toMatchObject({ verified: false, state: { generations: { default: 3 } } });
    expect(state.isCurrent()).toBe(false);
    store.failing = false;
    // Not read again at once (every step of one request would wait for it), but within STATE_CHECK_MS.
    const reads = store.reads.length;
    expect((await state.current(store)).verified).toBe(false);
    expect(store.reads).toHaveLength(reads);
    clock.advance(STATE_CHECK_MS);
    expect((await state.current(store)).verified).toBe(true);
  });

  it("tells its listeners what changed, and only when it did", async () => {
    const store = new MemoryStore();
    store.blobs.set("site-state", { value: { generations: { default: 1 } }, etag: '"a"' });
    const { state, clock } = view();
    const changes: [SiteState, SiteState][] = [];
    state.onChange((previous, next) => changes.push([previous, next]));
    await state.current(store);
    store.blobs.set("site-state", { value: { generations: { default: 2 } }, etag: '"b"' });
    clock.advance(STATE_CHECK_MS);
    await state.current(store);
    expect(changes.map(([, next]) => next.generations.default)).toEqual([1, 2]);
  });

  it("reads a malformed state as empty rather than failing", async () => {
    const store = new MemoryStore();
    store.blobs.set("site-state", { value: { generations: "nonsense" }, etag: '"a"' });
    const { state } = view();
    expect((await state.current(store)).state).toEqual({ generations: {} });
  });
});

describe("updateSiteState", () => {
  it("loses no change when writers race (compare-and-set)", async () => {
    const store = new MemoryStore();
    store.latencyMs = 2;
    await Promise.all(
      ["default", "es", "fr"].map((locale) =>
        updateSiteState(store, (state) => ({ ...state, generations: { ...state.generations, [locale]: 1 } })),
      ),
    );
    expect((store.blobs.get("site-state") as { value: SiteState }).value.generations).toEqual({
      default: 1,
      es: 1,
      fr: 1,
    });
  });

  it("gives up with BlobsUnavailable after four writers in a row beat it", async () => {
    const store = new MemoryStore();
    const set = store.set.bind(store);
    store.set = vi.fn(async () => false);
    await expect(updateSiteState(store, (state) => state)).rejects.toMatchObject({
      name: "BlobsUnavailable",
    });
    expect(store.set).toHaveBeenCalledTimes(4);
    store.set = set;
  });
});

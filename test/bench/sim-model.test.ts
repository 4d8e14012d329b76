/**
 * The sim's model, piece by piece (bench/SIM.md, "What the model assumes"):
 * Netlify Blobs charges latency plus size over throughput, fails and slows
 * down on demand, and counts what it reads; scheduled functions run on the
 * cron forms the project uses. On the sim's own virtual clock, not installed
 * globally, so nothing here waits in real time.
 */
import { describe, expect, it } from "vitest";
import { BlobsEmulator } from "../../bench/sim/blobs.ts";
import { VirtualClock } from "../../bench/sim/clock.ts";
import { nextRun } from "../../bench/sim/platform.ts";

const MB = 2 ** 20;
const SITE = "site-1";
const TOKEN = "token-1";
const ORIGIN = "https://blobs-origin.test";

function blobs() {
  const clock = new VirtualClock(Date.UTC(2026, 11, 1));
  const store = new BlobsEmulator(clock, {
    siteID: SITE,
    token: TOKEN,
    edgeURL: "https://blobs-edge.test",
    uncachedEdgeURL: ORIGIN,
    edgeReadMs: 10,
    originReadMs: 30,
    writeMs: 50,
    edgeStaleSeconds: 60,
    throughputBytesPerSecond: 20 * MB,
    variableSegments: ["en", "es"],
  });
  /** One call; resolves with its status and how long it took in virtual ms. */
  const call = async (
    method: string,
    key: string,
    init: { body?: Uint8Array<ArrayBuffer>; timeoutMs?: number } = {},
  ) => {
    const started = clock.now;
    const controller = new AbortController();
    if (init.timeoutMs !== undefined)
      clock.setTimeout(() => controller.abort(new Error("timeout")), init.timeoutMs);
    const request = new Request(`${ORIGIN}/${SITE}/store/${key}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}` },
      signal: controller.signal,
      ...(init.body ? { body: init.body } : {}),
    });
    try {
      const response = await clock.drive(store.handle(request), 1);
      return { status: response.status, ms: clock.now - started };
    } catch {
      return { status: 0, ms: clock.now - started };
    }
  };
  return { clock, store, call };
}

describe("the Blobs model", () => {
  it("charges a write and a read their latency plus size over 20 MB/s", async () => {
    const { store, call } = blobs();
    const write = await call("PUT", "index/en/chunk/1", { body: new Uint8Array(2 * MB) });
    expect(write.status).toBe(200);
    expect(write.ms).toBeCloseTo(50 + 100, 0);
    const read = await call("GET", "index/en/chunk/1");
    expect(read.status).toBe(200);
    expect(read.ms).toBeCloseTo(30 + 100, 0);
    expect(store.stats.bytes).toBe(2 * MB);
    expect(store.stats.largestBytes).toBe(2 * MB);
    expect(store.stats.largestKey).toBe("store/index/en/chunk/1");
    expect(store.stats.byClass["store:index/*/chunk/*"]).toEqual({
      reads: 1,
      bytes: 2 * MB,
      largest: 2 * MB,
    });
  });

  it("is 10 times slower with slowFactor 10, and a caller's time limit cuts a read mid-transfer", async () => {
    const { store, call } = blobs();
    await call("PUT", "big", { body: new Uint8Array(MB) });
    store.slowFactor = 10;
    expect((await call("GET", "big")).ms).toBeCloseTo(10 * (30 + 50), 0);
    const cut = await call("GET", "big", { timeoutMs: 400 });
    expect(cut).toEqual({ status: 0, ms: 400 });
    expect(store.stats.abortedReads).toBe(1);
    expect(store.stats.abortedBytes).toBe(MB);
    expect(store.stats.reads).toBe(1);
  });

  it("answers 503 while failing, or nothing until the caller gives up", async () => {
    const { store, call } = blobs();
    store.fault = "503";
    expect(await call("GET", "x")).toEqual({ status: 503, ms: 30 });
    store.fault = "hang";
    expect(await call("GET", "x", { timeoutMs: 400 })).toEqual({ status: 0, ms: 400 });
    expect(store.stats.failedCalls).toBe(2);
    store.fault = null;
    expect((await call("GET", "x")).status).toBe(404);
  });
});

describe("schedules", () => {
  const at = (iso: string) => Date.parse(iso);
  const next = (schedule: string, iso: string) => new Date(nextRun(schedule, at(iso))).toISOString();

  it.each([
    ["*/5 * * * *", "2026-12-01T08:00:00.000Z", "2026-12-01T08:05:00.000Z"],
    ["*/5 * * * *", "2026-12-01T08:03:10.000Z", "2026-12-01T08:05:00.000Z"],
    ["*/7 * * * *", "2026-12-01T08:57:00.000Z", "2026-12-01T09:00:00.000Z"],
    ["* * * * *", "2026-12-01T08:03:10.000Z", "2026-12-01T08:04:00.000Z"],
    ["@hourly", "2026-12-01T08:00:00.000Z", "2026-12-01T09:00:00.000Z"],
    ["@daily", "2026-12-01T08:00:00.000Z", "2026-12-02T00:00:00.000Z"],
  ])("runs %s after %s at %s", (schedule, after, expected) => {
    expect(next(schedule, after)).toBe(expected);
  });

  it.each(["0 * * * *", "@weekly", "*/90 * * * *"])("refuses %s rather than never running it", (schedule) => {
    expect(() => nextRun(schedule, 0)).toThrow(/schedule/);
  });
});

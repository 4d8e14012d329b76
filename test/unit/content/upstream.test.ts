/**
 * The quota gate and the call counter, on a store with real ETags: a
 * monthly quota outage found by one instance stops every instance's calls
 * until one of them, and only one, probes; every request to ButterCMS,
 * retries included, is counted for the month.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../../src/core/config.ts";
import { BUTTER_API, butterRequests, HttpResponse, http, server } from "../../helpers/butter.ts";
import { MemoryStore } from "../../helpers/memory-store.ts";

const store = new MemoryStore();
vi.mock("../../../src/netlify/blobs.ts", async (original) => ({
  ...(await original<object>()),
  openSharedStore: () => store,
}));

vi.resetModules();
const { callButter, QUOTA_PROBE_INTERVAL_MS } = await import("../../../src/content/upstream.ts");
const { resetInstanceState } = await import("../../../src/content/instance-state.ts");
const { flushUsage, monthUsage, countRefusedWebhook } = await import("../../../src/content/usage.ts");
const { listTerms } = await import("../../../src/butter/client.ts");

const config = loadConfig({ BUTTERCMS_API_TOKEN: "tok_live_4f9c2b7e1d3a8c6f5e0b9d2a7c4e1f8b" });
const background: Promise<unknown>[] = [];
const scope = {
  config,
  context: {
    ip: "",
    params: {},
    requestId: "t",
    waitUntil: (work: Promise<unknown>) => background.push(work),
  },
} as never;
const tagsCall = () => callButter(config, () => listTerms(config, "tag", false));
const quotaAnswer = () =>
  HttpResponse.json(
    { detail: "API Calls limit reached." },
    { status: 429, headers: { "Retry-After": "2000000" } },
  );

beforeEach(() => {
  store.blobs.clear();
  store.failing = false;
  background.length = 0;
  resetInstanceState();
  vi.useRealTimers();
});

describe("the quota gate", () => {
  it("records a monthly quota outage for every instance, which then ask ButterCMS nothing", async () => {
    server.use(http.get(`${BUTTER_API}/tags/`, quotaAnswer));
    await expect(tagsCall()).rejects.toMatchObject({ isQuotaExhausted: true });
    const quota = (store.blobs.get("site-state") as { value: { quota: { until: number } } }).value.quota;
    expect(quota.until - Date.now()).toBeGreaterThan(1_999_000_000);
    resetInstanceState(); // another instance
    butterRequests.length = 0;
    await expect(tagsCall()).rejects.toMatchObject({
      failure: "quota_exhausted",
      retryAfterSeconds: expect.any(Number),
    });
    expect(butterRequests).toHaveLength(0);
  });

  it("lets one instance probe once the probe is due, and clears the outage when ButterCMS answers", async () => {
    server.use(http.get(`${BUTTER_API}/tags/`, quotaAnswer));
    await expect(tagsCall()).rejects.toBeDefined();
    server.resetHandlers();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.advanceTimersByTime(QUOTA_PROBE_INTERVAL_MS);
    butterRequests.length = 0;
    resetInstanceState(); // the prober
    await expect(tagsCall()).resolves.toMatchObject({ data: expect.any(Array) });
    expect(butterRequests).toHaveLength(1);
    expect((store.blobs.get("site-state") as { value: { quota?: unknown } }).value.quota).toBeUndefined();
  });

  it("lets only the instance that claims the probe call", async () => {
    server.use(http.get(`${BUTTER_API}/tags/`, quotaAnswer));
    await expect(tagsCall()).rejects.toBeDefined();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.advanceTimersByTime(QUOTA_PROBE_INTERVAL_MS);
    resetInstanceState(); // the prober: still out of quota
    butterRequests.length = 0;
    await expect(tagsCall()).rejects.toBeDefined();
    resetInstanceState(); // another instance, right after
    await expect(tagsCall()).rejects.toMatchObject({ failure: "quota_exhausted" });
    expect(butterRequests).toHaveLength(1);
  });
});

describe("the month's ButterCMS calls", () => {
  it("counts every request, a retry too, and adds them to the month's counter", async () => {
    let first = true;
    server.use(
      http.get(`${BUTTER_API}/tags/`, () => {
        if (!first) return undefined;
        first = false;
        return HttpResponse.json({ detail: "busy" }, { status: 500 });
      }),
    );
    butterRequests.length = 0;
    await tagsCall();
    await tagsCall();
    countRefusedWebhook();
    flushUsage(scope, store, true);
    await Promise.all(background);
    expect(butterRequests).toHaveLength(3);
    expect(await monthUsage(store)).toMatchObject({ butterCalls: 3, webhooksRefused: 1 });
  });

  it("keeps what it could not write, and adds it at the next flush", async () => {
    await tagsCall();
    store.failing = true;
    flushUsage(scope, store, true);
    await Promise.all(background);
    store.failing = false;
    await tagsCall();
    flushUsage(scope, store, true);
    await Promise.all(background);
    expect((await monthUsage(store))?.butterCalls).toBe(2);
  });
});

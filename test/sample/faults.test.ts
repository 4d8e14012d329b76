/**
 * Faults on demand: the emulator's `fault` option for in-process tests, and
 * the control file the `npm start` preload re-reads on every request, so an
 * integration test can make ButterCMS fail while `netlify dev` runs.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Butter from "buttercms";
import { afterEach, describe, expect, it } from "vitest";
import { BUTTER_API } from "../../sample/butter-emulator.ts";
import { emulatingFetch } from "../../sample/emulating-fetch.ts";
import {
  faultFromEnvironment,
  parseFault,
  SAMPLE_FAULTS,
  type SampleFault,
  secondsUntilMonthlyReset,
} from "../../sample/faults.ts";
import { butter, TOKEN } from "./emulator.ts";

const DAY = 86_400;

describe("the quota fault", () => {
  it("answers 429 API Calls limit reached with Retry-After: the seconds until the 1st of next month, 00:00 UTC", async () => {
    const now = Date.parse("2026-11-28T12:00:00Z");
    const answer = await butter("posts/", {}, { fault: "quota", now: () => now });
    expect(answer.status).toBe(429);
    expect(answer.body).toEqual({ detail: "API Calls limit reached." });
    expect(answer.headers.get("Retry-After")).toBe(String(2.5 * DAY));
  });

  it.each([
    ["at the start of a month", "2026-03-01T00:00:01Z", 31 * DAY - 1],
    ["in the middle of February", "2027-02-14T00:00:00Z", 15 * DAY],
    ["on New Year's Eve", "2026-12-31T23:59:30Z", 30],
  ])("is about a month at most: %s", (_name, at, seconds) => {
    expect(secondsUntilMonthlyReset(Date.parse(at))).toBe(seconds);
  });

  it("is about a month with the real clock, and a whole number of seconds", async () => {
    const answer = await butter("posts/", {}, { fault: "quota" });
    const retryAfter = Number(answer.headers.get("Retry-After"));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(31 * DAY);
  });

  it("still checks the token first (the quota belongs to an account)", async () => {
    expect((await butter("posts/", { auth_token: "nope" }, { fault: "quota" })).status).toBe(401);
  });
});

describe("the other faults", () => {
  it("down: a network error", async () => {
    expect((await butter("posts/", {}, { fault: "down" })).type).toBe("error");
  });

  it("500: a JSON { detail } error", async () => {
    const answer = await butter("categories/", {}, { fault: "500" });
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({ detail: "A server error occurred." });
  });

  it("503: a gateway's HTML page, not JSON", async () => {
    const answer = await butter("feeds/rss/", {}, { fault: "503" });
    expect(answer.status).toBe(503);
    expect(answer.headers.get("Content-Type")).toBe("text/html");
    expect(String(answer.body)).toContain("<html>");
  });

  it("timeout: no answer until the caller gives up", async () => {
    const controller = new AbortController();
    let settled = false;
    const pending = butter("posts/", {}, { fault: "timeout", signal: controller.signal }).then((answer) => {
      settled = true;
      return answer;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
    expect((await pending).type).toBe("error");
  });

  it("can be decided per request, e.g. failing only the search", async () => {
    const fault = (url: URL): SampleFault | undefined =>
      url.pathname.endsWith("/search/") ? "500" : undefined;
    expect((await butter("posts/search/", { query: "cache" }, { fault })).status).toBe(500);
    expect((await butter("posts/", {}, { fault })).status).toBe(200);
  });
});

describe("the control file (SAMPLE_FAULT_FILE) and SAMPLE_FAULT", () => {
  const dir = mkdtempSync(join(tmpdir(), "sample-fault-"));
  const file = join(dir, "fault");
  afterEach(() => rmSync(file, { force: true }));

  it("is re-read on every request, so the fault can be switched on and off while the server runs", async () => {
    const fault = faultFromEnvironment({ SAMPLE_FAULT_FILE: file });
    expect((await butter("posts/", {}, { fault })).status).toBe(200);
    writeFileSync(file, "quota\n");
    expect((await butter("posts/", {}, { fault })).status).toBe(429);
    writeFileSync(file, "500");
    expect((await butter("posts/", {}, { fault })).status).toBe(500);
    writeFileSync(file, "down");
    expect((await butter("posts/", {}, { fault })).type).toBe("error");
    writeFileSync(file, "");
    expect((await butter("posts/", {}, { fault })).status).toBe(200);
  });

  it("decides alone when it is set: missing or empty means no fault, whatever SAMPLE_FAULT says", () => {
    expect(faultFromEnvironment({ SAMPLE_FAULT_FILE: file, SAMPLE_FAULT: "quota" })()).toBeUndefined();
  });

  it("SAMPLE_FAULT alone sets one fault for the process", () => {
    expect(faultFromEnvironment({ SAMPLE_FAULT: "timeout" })()).toBe("timeout");
    expect(faultFromEnvironment({})()).toBeUndefined();
  });

  it("refuses an unknown fault name instead of ignoring a typo", () => {
    writeFileSync(file, "qouta");
    expect(() => faultFromEnvironment({ SAMPLE_FAULT_FILE: file })()).toThrow(/Unknown sample fault "qouta"/);
    expect(() => parseFault("offline")).toThrow(/known: down, 500, 503, quota, timeout/);
  });

  it("knows these faults, and none", () => {
    expect(SAMPLE_FAULTS).toEqual(["down", "500", "503", "quota", "timeout"]);
    expect(parseFault(" none ")).toBeUndefined();
  });
});

describe("the preload's fetch (npm start)", () => {
  const options = (fault?: SampleFault) => ({ token: TOKEN, fault });
  const nowhere: typeof fetch = () => Promise.reject(new Error("passed through"));

  it("passes every other URL through", async () => {
    const passed: string[] = [];
    const through: typeof fetch = async (input) => {
      passed.push(input instanceof Request ? input.url : String(input));
      return new Response(input instanceof Request && input.body ? await input.text() : "ok");
    };
    const patched = emulatingFetch(through, options());
    await patched("https://example.com/x");
    await patched(`${BUTTER_API}/pages/*/home/?auth_token=${TOKEN}`);
    // With a body: what passes through still carries it (Netlify Blobs writes under npm start).
    const put = await patched("https://example.com/blob", { method: "PUT", body: "payload" });
    expect(await put.text()).toBe("payload");
    expect(passed).toEqual([
      "https://example.com/x",
      `${BUTTER_API}/pages/*/home/?auth_token=${TOKEN}`,
      "https://example.com/blob",
    ]);
  });

  it("rejects with TypeError: fetch failed when ButterCMS is down, as undici does", async () => {
    const patched = emulatingFetch(nowhere, options("down"));
    await expect(patched(`${BUTTER_API}/posts/?auth_token=${TOKEN}`)).rejects.toThrow(
      new TypeError("fetch failed"),
    );
  });

  it("rejects with the signal's reason when the caller gives up on a hung request", async () => {
    const patched = emulatingFetch(nowhere, options("timeout"));
    const controller = new AbortController();
    const pending = patched(`${BUTTER_API}/posts/?auth_token=${TOKEN}`, { signal: controller.signal });
    const reason = new DOMException("The operation was aborted due to timeout", "TimeoutError");
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it("lets the real SDK see the quota fault as an HTTP 429 with its Retry-After", async () => {
    const original = globalThis.fetch;
    globalThis.fetch = emulatingFetch(original, { token: TOKEN, fault: "quota" });
    try {
      const error = (await Butter(TOKEN, { timeout: 2_000 })
        .post.list({})
        .catch((e: unknown) => e)) as Error & { cause: { status: number; headers: Headers } };
      expect(error.cause.status).toBe(429);
      expect(Number(error.cause.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      globalThis.fetch = original;
    }
  });

  it("gives the SDK a response whose url is the request's (the SDK parses it on errors)", async () => {
    const patched = emulatingFetch(nowhere, options());
    const res = await patched(`${BUTTER_API}/posts/no-such-post/?auth_token=${TOKEN}`);
    expect(res.status).toBe(404);
    expect(res.url).toBe(`${BUTTER_API}/posts/no-such-post/?auth_token=${TOKEN}`);
  });
});

import { describe, expect, it, vi } from "vitest";
import { ButterFailure } from "../../../src/butter/failure.ts";
import { ApiError } from "../../../src/core/errors.ts";
import { CircuitBreaker } from "../../../src/resilience/circuit-breaker.ts";
import { type RetryOptions, withRetries } from "../../../src/resilience/retry-policy.ts";

function harness(overrides: Partial<RetryOptions> = {}) {
  let now = 0;
  const sleeps: number[] = [];
  const options: RetryOptions = {
    deadlineMs: 10_000,
    maxRetries: 2,
    baseDelayMs: 100,
    maxDelayMs: 1_000,
    maxRetryAfterMs: 2_000,
    breaker: new CircuitBreaker({ threshold: 100, cooldownMs: 1_000, now: () => now }),
    random: () => 0.5,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    ...overrides,
  };
  return { options, sleeps, advance: (ms: number) => (now += ms) };
}

const fails = (...errors: Error[]) => {
  const attempt = vi.fn();
  for (const error of errors) attempt.mockRejectedValueOnce(error);
  attempt.mockResolvedValue("ok");
  return attempt;
};

describe("withRetries", () => {
  it.each([
    ["a network error", new ButterFailure("network")],
    ["a timeout", new ButterFailure("timeout")],
    ["a 500", new ButterFailure("http", 500)],
    ["a 503", new ButterFailure("http", 503)],
    ["a non-JSON error body", new ButterFailure("bad_body")],
  ])("retries %s at most twice, then gives up", async (_name, error) => {
    const { options } = harness();
    const attempt = fails(error, error, error);
    await expect(withRetries(attempt, options)).rejects.toBe(error);
    expect(attempt).toHaveBeenCalledTimes(3);
  });

  it("succeeds on the retry after a transient failure", async () => {
    const { options } = harness();
    const attempt = fails(new ButterFailure("http", 502));
    await expect(withRetries(attempt, options)).resolves.toBe("ok");
    expect(attempt).toHaveBeenCalledTimes(2);
  });

  it.each([
    ["401", new ButterFailure("http", 401)],
    ["403", new ButterFailure("http", 403)],
    ["404", new ButterFailure("http", 404)],
    ["400", new ButterFailure("http", 400)],
    ["429 without Retry-After", new ButterFailure("http", 429)],
    ["429 with a Retry-After beyond the cap", new ButterFailure("http", 429, 100)],
    ["a 200 that is not JSON", new ButterFailure("bad_body", 200)],
  ])("does not retry %s", async (_name, error) => {
    const { options } = harness();
    const attempt = fails(error);
    await expect(withRetries(attempt, options)).rejects.toBe(error);
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it("does not retry errors that are not upstream failures (e.g. misconfigured)", async () => {
    const { options } = harness();
    const error = new ApiError("misconfigured", "x");
    const attempt = fails(error);
    await expect(withRetries(attempt, options)).rejects.toBe(error);
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it("honours a short Retry-After on 429", async () => {
    const { options, sleeps } = harness();
    const attempt = fails(new ButterFailure("http", 429, 1));
    await expect(withRetries(attempt, options)).resolves.toBe("ok");
    expect(sleeps).toEqual([1_000]);
  });

  it("waits with full jitter: random × min(max, base × 2^retry)", async () => {
    const { options, sleeps } = harness({ random: () => 0.25 });
    const error = new ButterFailure("network");
    await withRetries(fails(error, error), options);
    expect(sleeps).toEqual([25, 50]);
    const capped = harness({ random: () => 1, baseDelayMs: 800, maxDelayMs: 1_000 });
    await withRetries(fails(error, error), capped.options);
    expect(capped.sleeps).toEqual([800, 1_000]);
  });

  it("stops retrying when the next wait would pass the deadline", async () => {
    const { options } = harness({ deadlineMs: 1_000, maxRetryAfterMs: 5_000 });
    const attempt = fails(new ButterFailure("http", 429, 2));
    await expect(withRetries(attempt, options)).rejects.toMatchObject({ upstreamStatus: 429 });
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it("times out an attempt that outlives the total deadline", async () => {
    vi.useFakeTimers();
    const { options } = harness({ deadlineMs: 500 });
    const hung = vi.fn(() => new Promise<string>(() => {}));
    const result = withRetries(hung, { ...options, now: Date.now });
    const assertion = expect(result).rejects.toMatchObject({ failure: "timeout" });
    await vi.advanceTimersByTimeAsync(600);
    await assertion;
  });
});

describe("circuit breaker", () => {
  it("opens after the threshold of failed attempts, fails fast with 503 and Retry-After, then lets one trial through", async () => {
    let now = 0;
    const breaker = new CircuitBreaker({ threshold: 3, cooldownMs: 10_000, now: () => now });
    const { options } = harness({ breaker, maxRetries: 0 });
    const down = vi.fn().mockRejectedValue(new ButterFailure("http", 500));
    for (let i = 0; i < 3; i++)
      await expect(withRetries(down, options)).rejects.toMatchObject({ upstreamStatus: 500 });
    expect(breaker.state).toBe("open");

    await expect(withRetries(down, options)).rejects.toMatchObject({
      failure: "circuit_open",
      retryAfterSeconds: 10,
    });
    expect(down).toHaveBeenCalledTimes(3);

    now += 10_000;
    expect(breaker.state).toBe("half-open");
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false); // one trial at a time
    breaker.recordFailure();
    expect(breaker.state).toBe("open");

    now += 10_000;
    const up = vi.fn().mockResolvedValue("ok");
    await expect(withRetries(up, options)).resolves.toBe("ok");
    expect(breaker.state).toBe("closed");
  });

  it("does not count 4xx answers as failures", async () => {
    const breaker = new CircuitBreaker({ threshold: 2, cooldownMs: 1_000 });
    const { options } = harness({ breaker });
    const notFound = vi.fn().mockRejectedValue(new ButterFailure("http", 404));
    for (let i = 0; i < 5; i++) await expect(withRetries(notFound, options)).rejects.toBeDefined();
    expect(breaker.state).toBe("closed");
  });
});

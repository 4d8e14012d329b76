/**
 * How one upstream read is attempted (ky is the model): a total deadline, a
 * per-attempt timeout within it, at most `maxRetries` retries on network
 * errors, timeouts, 5xx, and 429 when its `Retry-After` is short; full
 * jitter between attempts; no retry on any other 4xx; and a circuit breaker
 * that fails fast while ButterCMS is down.
 */

import { ButterFailure } from "../butter/failure.ts";
import { sleep as realSleep } from "../core/sleep.ts";
import type { CircuitBreaker } from "./circuit-breaker.ts";

export interface RetryOptions {
  deadlineMs: number;
  maxRetries: number;
  /** Full jitter: each wait is random() × min(maxDelayMs, baseDelayMs × 2^retry). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A 429 is retried only when its Retry-After is at most this. */
  maxRetryAfterMs: number;
  breaker: CircuitBreaker;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

function breakerOpen(breaker: CircuitBreaker): ButterFailure {
  const seconds = Math.max(1, Math.ceil(breaker.retryInMs / 1000));
  return new ButterFailure("circuit_open", undefined, seconds);
}

/** Rejects with a timeout once `ms` have passed; the attempt itself is left to its own timeout. */
function withinDeadline<T>(attempt: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ButterFailure("timeout")), ms);
  });
  return Promise.race([attempt, deadline]).finally(() => clearTimeout(timer));
}

/** The wait before retry number `retry` (0-based), or `null` when the failure must not be retried. */
function retryDelay(
  error: ButterFailure,
  retry: number,
  options: RetryOptions,
  random: () => number,
): number | null {
  if (!error.retryable) return null;
  if (error.upstreamStatus === 429) {
    if (error.retryAfterSeconds === undefined) return null;
    const ms = error.retryAfterSeconds * 1000;
    return ms <= options.maxRetryAfterMs ? ms : null;
  }
  return random() * Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
}

export async function withRetries<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const deadline = now() + options.deadlineMs;
  for (let retry = 0; ; retry++) {
    if (!options.breaker.tryAcquire()) throw breakerOpen(options.breaker);
    try {
      const value = await withinDeadline(attempt(), Math.max(0, deadline - now()));
      options.breaker.recordSuccess();
      return value;
    } catch (thrown) {
      if (!(thrown instanceof ButterFailure)) {
        options.breaker.recordNeutral();
        throw thrown; // not an upstream failure (e.g. misconfigured): nothing to retry
      }
      const error = thrown;
      if (error.retryable) options.breaker.recordFailure();
      else options.breaker.recordNeutral();
      const delay = retry < options.maxRetries ? retryDelay(error, retry, options, random) : null;
      if (delay === null || now() + delay >= deadline) throw error;
      await sleep(delay);
    }
  }
}

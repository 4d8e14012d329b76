/**
 * A per-instance circuit breaker for ButterCMS: after `threshold` failed
 * attempts in a row it opens and fails fast for `cooldownMs`, then lets one
 * trial attempt through (half-open): success closes it, failure re-opens it.
 * It stops a warm instance from hammering a ButterCMS that is down.
 */

type BreakerState = "closed" | "open" | "half-open";

interface BreakerOptions {
  threshold: number;
  cooldownMs: number;
  now?: () => number;
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;
  private readonly now: () => number;

  constructor(private readonly options: BreakerOptions) {
    this.now = options.now ?? (() => Date.now());
  }

  get state(): BreakerState {
    if (this.failures < this.options.threshold) return "closed";
    return this.now() - this.openedAt >= this.options.cooldownMs ? "half-open" : "open";
  }

  /** Milliseconds until a trial is allowed (0 when closed or half-open). */
  get retryInMs(): number {
    return this.state === "open" ? this.options.cooldownMs - (this.now() - this.openedAt) : 0;
  }

  /** Whether an attempt may start now; in half-open, only one trial at a time. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === "closed") return true;
    if (state === "open" || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  recordSuccess(): void {
    this.failures = 0;
    this.trialInFlight = false;
  }

  recordFailure(): void {
    this.trialInFlight = false;
    this.failures += 1;
    if (this.failures >= this.options.threshold) this.openedAt = this.now();
  }

  /** An attempt that ended in neither (e.g. a 404): frees a trial slot without changing state. */
  recordNeutral(): void {
    if (this.trialInFlight) this.recordSuccess();
  }
}

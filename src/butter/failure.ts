/**
 * What ButterCMS did, classified once from whatever the SDK threw
 * (docs/buttercms.md, "Error shapes"): an HTTP status with a JSON body, a raw
 * SyntaxError for a non-JSON error body, an Error wrapping a SyntaxError for
 * a 200 that is not JSON, a "timed out" message, or a network failure. Plus
 * two things we decided ourselves: the breaker is open, or the monthly quota
 * is known to be used up, so we did not call at all.
 *
 * This is not an HTTP answer: `src/http/problem.ts` is the one boundary that
 * turns a failure into our problem response. Messages and URLs from the SDK
 * are never kept (they may name the wrong URL, and the success object carries
 * the token); `cause` keeps a sanitised summary for the log.
 */

type FailureKind = "timeout" | "network" | "http" | "bad_body" | "circuit_open" | "quota_exhausted";

const MAX_RETRY_AFTER_SECONDS = 40 * 86_400;

export class ButterFailure extends Error {
  readonly failure: FailureKind;
  readonly upstreamStatus: number | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(failure: FailureKind, upstreamStatus?: number, retryAfterSeconds?: number, cause?: string) {
    super(`ButterCMS failure: ${failure}${upstreamStatus === undefined ? "" : ` (${upstreamStatus})`}`, {
      cause,
    });
    this.name = "ButterFailure";
    this.failure = failure;
    this.upstreamStatus = upstreamStatus;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** ButterCMS answered that the thing does not exist: an answer, not a fault. */
  get isNotFound(): boolean {
    return this.failure === "http" && this.upstreamStatus === 404;
  }

  /**
   * Worth another attempt: network errors, timeouts, 5xx, 429, and an error
   * body that was not JSON (status unknown: typically a gateway's HTML page).
   */
  get retryable(): boolean {
    if (this.failure === "timeout" || this.failure === "network") return true;
    if (this.failure === "bad_body" && this.upstreamStatus === undefined) return true;
    if (this.failure !== "http") return false;
    const status = this.upstreamStatus ?? 0;
    return status === 429 || status >= 500;
  }

  /** ButterCMS's monthly API quota is used up: a 429 whose Retry-After is longer than any retry. */
  get isQuotaExhausted(): boolean {
    return (
      this.failure === "quota_exhausted" ||
      (this.failure === "http" && this.upstreamStatus === 429 && (this.retryAfterSeconds ?? 0) > 60)
    );
  }
}

/** Retry-After as seconds: delta-seconds or an HTTP-date (RFC 9110 §10.2.3), capped at 40 days. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  let seconds: number;
  if (/^\d+$/.test(trimmed)) seconds = Number(trimmed);
  else {
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return undefined;
    seconds = Math.max(0, Math.ceil((date - now) / 1000));
  }
  return Math.min(seconds, MAX_RETRY_AFTER_SECONDS);
}

interface SdkHttpCause {
  status: number;
  headers?: { get(name: string): string | null };
}

function httpCause(error: unknown): SdkHttpCause | undefined {
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause && typeof cause === "object" && typeof (cause as SdkHttpCause).status === "number") {
    return cause as SdkHttpCause;
  }
  return undefined;
}

/** Maps anything the SDK (or our deadline) threw to a ButterFailure. */
export function classifySdkError(error: unknown): ButterFailure {
  if (error instanceof ButterFailure) return error;
  const cause = httpCause(error);
  if (cause) {
    const retryAfter = parseRetryAfter(cause.headers?.get("retry-after"));
    return new ButterFailure("http", cause.status, retryAfter, `HTTP ${cause.status}`);
  }
  // docs/buttercms.md "Non-JSON error bodies": they escape as a raw SyntaxError with no status.
  if (error instanceof SyntaxError) return new ButterFailure("bad_body", undefined, undefined, "SyntaxError");
  const message = error instanceof Error ? error.message : String(error);
  const name = (error as Error | null)?.name ?? typeof error;
  if (/timed out/i.test(message) || name === "TimeoutError") {
    return new ButterFailure("timeout", undefined, undefined, name);
  }
  // A 200 whose body is not JSON: the SDK wraps the SyntaxError into `new Error(err)`.
  if (message.startsWith("SyntaxError")) return new ButterFailure("bad_body", 200, undefined, "SyntaxError");
  return new ButterFailure("network", undefined, undefined, name);
}

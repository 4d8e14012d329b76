/**
 * ButterCMS failures as members of our error family, classified once from
 * whatever the SDK threw (buttercms-sdk.md Q4, Q5): an HTTP status with a
 * JSON body, a raw SyntaxError for a non-JSON error body, an Error wrapping
 * a SyntaxError for a 200 that is not JSON, a "timed out" message, or a
 * network failure. Messages and URLs from the SDK are never kept: they may be
 * wrong (Q8) and we must not risk echoing the token.
 */
import { ApiError } from "../core/errors.ts";

/** `circuit_open`: we did not call ButterCMS at all, because it failed repeatedly just before. */
export type UpstreamFailure = "timeout" | "network" | "http" | "bad_body" | "circuit_open";

const MAX_RETRY_AFTER_SECONDS = 86_400;

export class UpstreamError extends ApiError {
  readonly failure: UpstreamFailure;
  readonly upstreamStatus: number | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(failure: UpstreamFailure, upstreamStatus?: number, retryAfterSeconds?: number) {
    const { code, detail, log } = describe(failure, upstreamStatus);
    super(code, detail, {
      logDetail: log,
      headers:
        code === "upstream_unavailable" && retryAfterSeconds !== undefined
          ? { "Retry-After": String(retryAfterSeconds) }
          : {},
    });
    this.name = "UpstreamError";
    this.failure = failure;
    this.upstreamStatus = upstreamStatus;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /**
   * Worth another attempt: network errors, timeouts, 5xx, 429, and an error
   * body that was not JSON (status unknown: typically a gateway's HTML page).
   */
  get retryable(): boolean {
    if (this.failure === "timeout" || this.failure === "network") return true;
    if (this.failure === "bad_body" && this.upstreamStatus === undefined) return true;
    const status = this.upstreamStatus ?? 0;
    return status === 429 || status >= 500;
  }
}

function describe(failure: UpstreamFailure, status: number | undefined) {
  switch (failure) {
    case "timeout":
      return {
        code: "upstream_timeout" as const,
        detail: "The content service did not answer in time.",
        log: "ButterCMS did not answer within the deadline",
      };
    case "network":
      return {
        code: "upstream_error" as const,
        detail: "The content service could not be reached.",
        log: "ButterCMS could not be reached (network error)",
      };
    case "circuit_open":
      return {
        code: "upstream_unavailable" as const,
        detail: "The content service is unavailable; try again later.",
        log: "ButterCMS failed repeatedly: the circuit breaker is open, failing fast",
      };
    case "bad_body":
      return {
        code: "upstream_error" as const,
        detail: "The content service sent an invalid answer.",
        log: `ButterCMS answered ${status ?? "?"} with a body that is not the expected JSON`,
      };
    case "http":
      if (status === 404) {
        return { code: "not_found" as const, detail: "No such resource.", log: "ButterCMS 404" };
      }
      if (status === 429) {
        return {
          code: "upstream_unavailable" as const,
          detail: "The content service is busy; try again later.",
          log: "ButterCMS rate-limited us (429)",
        };
      }
      return {
        code: "upstream_error" as const,
        detail: "The content service failed to answer.",
        log:
          status === 401 || status === 403
            ? `ButterCMS answered ${status}: the API token was rejected (check BUTTERCMS_API_TOKEN)`
            : `ButterCMS answered ${status}`,
      };
  }
}

/** Retry-After as seconds: delta-seconds or an HTTP-date (RFC 9110 §10.2.3), capped. */
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

/** Maps anything the SDK (or our deadline) threw to an UpstreamError. */
export function classifySdkError(error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const cause = httpCause(error);
  if (cause) {
    return new UpstreamError("http", cause.status, parseRetryAfter(cause.headers?.get("retry-after")));
  }
  // Q4: a non-JSON error body escapes as a raw SyntaxError with no status.
  if (error instanceof SyntaxError) return new UpstreamError("bad_body");
  const message = error instanceof Error ? error.message : String(error);
  if (/timed out/i.test(message) || (error as Error | null)?.name === "TimeoutError") {
    return new UpstreamError("timeout");
  }
  // A 200 whose body is not JSON: the SDK wraps the SyntaxError into `new Error(err)`.
  if (message.startsWith("SyntaxError")) return new UpstreamError("bad_body", 200);
  return new UpstreamError("network");
}

/**
 * The one place that turns errors into RFC 9457 problem responses, and the
 * one boundary where what ButterCMS did (a `ButterFailure`) becomes our
 * answer. Unknown errors become a bare 500 `internal_error`: their messages
 * may carry upstream detail, so they go to the (redacted) log, never to the
 * client.
 */
import { ButterFailure } from "../butter/failure.ts";
import { ApiError, type ErrorCode, internalError } from "../core/errors.ts";
import { type LogEvent, log } from "../core/log.ts";
import { PRIVATE_NO_STORE } from "./cache-headers.ts";

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

const retryAfter = (seconds: number | undefined): Record<string, string> =>
  seconds === undefined ? {} : { "Retry-After": String(Math.max(1, seconds)) };

/** Our answer to a ButterCMS failure; the log line says what ButterCMS did, with its cause. */
function upstreamProblem(failure: ButterFailure): ApiError {
  const status = failure.upstreamStatus;
  const cause = failure.cause === undefined ? "" : ` [cause: ${String(failure.cause)}]`;
  const make = (code: ConstructorParameters<typeof ApiError>[0], detail: string, why: string, headers = {}) =>
    new ApiError(code, detail, { logDetail: `${why}${cause}`, headers });
  switch (failure.failure) {
    case "timeout":
      return make("upstream_timeout", "The content service did not answer in time.", "ButterCMS timed out");
    case "network":
      return make(
        "upstream_error",
        "The content service could not be reached.",
        "ButterCMS could not be reached",
      );
    case "circuit_open":
      return make(
        "upstream_unavailable",
        "The content service is unavailable; try again later.",
        "ButterCMS failed repeatedly: the circuit breaker is open, failing fast",
        retryAfter(failure.retryAfterSeconds),
      );
    case "quota_exhausted":
      return make(
        "upstream_unavailable",
        "The content service's API quota is used up; try again later.",
        "ButterCMS's API quota is used up: not calling it until the reset",
        retryAfter(failure.retryAfterSeconds),
      );
    case "bad_body":
      return make(
        "upstream_error",
        "The content service sent an invalid answer.",
        `ButterCMS answered ${status ?? "?"} with a body that is not the expected JSON`,
      );
    case "http":
      if (status === 404) return make("not_found", "No such resource.", "ButterCMS 404");
      if (status === 429) {
        return make(
          "upstream_unavailable",
          "The content service is busy; try again later.",
          "ButterCMS rate-limited us (429)",
          retryAfter(failure.retryAfterSeconds),
        );
      }
      return make(
        "upstream_error",
        "The content service failed to answer.",
        status === 401 || status === 403
          ? `ButterCMS answered ${status}: the API token was rejected (check BUTTERCMS_API_TOKEN)`
          : `ButterCMS answered ${status}`,
      );
  }
}

/** The log event of each answer the operator must hear about (5xx); anything else unforeseen is `request.failed`. */
const EVENT_OF: Partial<Record<ErrorCode, LogEvent>> = {
  upstream_error: "butter.failed",
  upstream_timeout: "butter.failed",
  upstream_unavailable: "butter.failed",
  misconfigured: "config.invalid",
  auth_not_configured: "config.invalid",
  webhook_not_configured: "config.invalid",
  status_not_configured: "config.invalid",
  session_store_unavailable: "blobs.unavailable",
  content_store_unavailable: "blobs.unavailable",
  purge_failed: "purge.failed",
};

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ButterFailure) return upstreamProblem(error);
  return internalError(error);
}

/**
 * `headers` are the request's common headers (CORS, nosniff); the problem's
 * own win. A 5xx is logged (the invocation's function and request id come
 * with the line: core/log-context.ts).
 */
export function problemResponse(error: unknown, headers: Readonly<Record<string, string>> = {}): Response {
  const problem = asApiError(error);
  if (problem.status >= 500) {
    const event = EVENT_OF[problem.code] ?? "request.failed";
    log("error", event, problem.detailForLog(), { code: problem.code, status: problem.status });
  }
  const body = {
    type: "about:blank",
    title: TITLES[problem.status] ?? "Error",
    status: problem.status,
    detail: problem.message,
    code: problem.code,
    ...(problem.errors ? { errors: problem.errors } : {}),
    ...problem.extensions,
  };
  return new Response(JSON.stringify(body), {
    status: problem.status,
    headers: {
      ...headers,
      "Content-Type": "application/problem+json",
      "Cache-Control": PRIVATE_NO_STORE,
      ...problem.headers,
    },
  });
}

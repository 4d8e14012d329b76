/**
 * The one place that turns errors into RFC 9457 problem responses. Unknown
 * errors become a bare 500 `internal_error`: their messages may carry
 * upstream detail, so they go to the (redacted) log, never to the client.
 */
import { ApiError } from "../core/errors.ts";
import { log } from "../core/log.ts";

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

const asApiError = (error: unknown): ApiError =>
  error instanceof ApiError
    ? error
    : new ApiError("internal_error", "An unexpected error occurred.", {
        logDetail: error instanceof Error ? `${error.name}: ${error.message}` : `thrown: ${String(error)}`,
      });

/** `headers` are the request's common headers (CORS, nosniff); the problem's own win. */
export function problemResponse(
  error: unknown,
  requestId?: string,
  headers: Record<string, string> = {},
): Response {
  const problem = asApiError(error);
  if (problem.status >= 500) {
    log("error", problem.detailForLog(), { code: problem.code, status: problem.status, requestId });
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
      "Cache-Control": "private, no-store",
      ...problem.headers,
    },
  });
}

/**
 * The one error family of the API, and every factory of it. Handlers throw
 * these; `problemResponse` (src/http/problem.ts) is the only place that turns
 * them, and ButterCMS failures, into HTTP responses.
 */

export type ErrorCode =
  | "invalid_parameter"
  | "unauthorized"
  | "invalid_credentials"
  | "ip_not_allowed"
  | "not_found"
  | "method_not_allowed"
  | "payload_too_large"
  | "unsupported_media_type"
  | "internal_error"
  | "misconfigured"
  | "upstream_error"
  | "upstream_unavailable"
  | "auth_not_configured"
  | "webhook_not_configured"
  | "status_not_configured"
  | "purge_failed"
  | "session_store_unavailable"
  | "content_store_unavailable"
  | "upstream_timeout";

const STATUS_OF: Record<ErrorCode, number> = {
  invalid_parameter: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  ip_not_allowed: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal_error: 500,
  misconfigured: 500,
  upstream_error: 502,
  upstream_unavailable: 503,
  auth_not_configured: 503,
  webhook_not_configured: 503,
  status_not_configured: 503,
  purge_failed: 502,
  session_store_unavailable: 503,
  content_store_unavailable: 503,
  upstream_timeout: 504,
};

/** A validation failure of one named input, as listed in a problem's `errors`. */
export interface FieldError {
  name: string;
  reason: string;
}

interface ApiErrorOptions {
  /** Validation failures, sent as the problem's `errors` member. */
  errors?: FieldError[];
  /** Response headers the status needs (`Allow`, `Retry-After`, ...). */
  headers?: Record<string, string>;
  /** Extra members of the problem body (e.g. `ip`). Never secrets. */
  extensions?: Record<string, unknown>;
  /** What the log line says; never sent to the client. Never secrets. */
  logDetail?: string;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown>;
  readonly logDetail: string | undefined;

  constructor(code: ErrorCode, detail: string, options: ApiErrorOptions = {}) {
    super(detail);
    this.name = "ApiError";
    this.code = code;
    this.status = STATUS_OF[code];
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
    this.logDetail = options.logDetail;
  }

  /** The log line: the internal detail where there is one, else the public one. */
  detailForLog(): string {
    return this.logDetail ?? this.message;
  }
}

export const invalidParameters = (errors: FieldError[]): ApiError =>
  new ApiError(
    "invalid_parameter",
    errors.length === 1
      ? `The parameter '${errors[0]?.name}' is invalid.`
      : `${errors.length} parameters are invalid.`,
    { errors },
  );

export const notFound = (detail = "No such resource."): ApiError => new ApiError("not_found", detail);

/** RFC 9110 §15.5.6: a 405 must carry `Allow`. */
export const methodNotAllowed = (method: string, allow: string[]): ApiError =>
  new ApiError("method_not_allowed", `The method ${method} is not allowed here.`, {
    headers: { Allow: allow.join(", ") },
  });

/** `logDetail` goes to the log only: the response never names configuration. */
export const misconfigured = (logDetail: string): ApiError =>
  new ApiError("misconfigured", "The server is not configured correctly.", { logDetail });

export const authNotConfigured = (logDetail: string): ApiError =>
  new ApiError("auth_not_configured", "Preview sessions are not configured on this server.", {
    logDetail,
  });

export const unauthorized = (): ApiError =>
  new ApiError("unauthorized", "A valid preview session is required.");

export const webhookNotConfigured = (): ApiError =>
  new ApiError("webhook_not_configured", "Webhooks are not configured on this server.", {
    logDetail: "WEBHOOK_SECRET is not set: webhooks are refused",
  });

export const statusNotConfigured = (): ApiError =>
  new ApiError("status_not_configured", "The status endpoint is not configured on this server.", {
    logDetail: "STATUS_TOKEN is not set: GET /api/status is refused",
  });

export const statusUnauthorized = (): ApiError =>
  new ApiError("unauthorized", "A valid status token is required (Authorization: Bearer <STATUS_TOKEN>).");

export const webhookUnauthorized = (header: string): ApiError =>
  new ApiError("unauthorized", `The ${header} header is missing or wrong.`);

export const invalidCredentials = (): ApiError =>
  new ApiError("invalid_credentials", "The password is not correct.");

export const ipNotAllowed = (ip: string): ApiError =>
  new ApiError("ip_not_allowed", "Your IP address is not allowed to use this endpoint.", {
    extensions: { ip },
  });

export const payloadTooLarge = (maxBytes: number): ApiError =>
  new ApiError("payload_too_large", `The request body must be at most ${maxBytes} bytes.`);

export const unsupportedMediaType = (): ApiError =>
  new ApiError("unsupported_media_type", "The request body must be application/json.");

export const purgeFailed = (logDetail: string): ApiError =>
  new ApiError("purge_failed", "The CDN purge failed and could not be recorded for a retry.", { logDetail });

/** Previews fail closed when the list of ended sessions cannot be read. */
export const sessionStoreUnavailable = (logDetail: string): ApiError =>
  new ApiError("session_store_unavailable", "Preview sessions cannot be checked right now; try again.", {
    logDetail,
    headers: { "Retry-After": "5" },
  });

/** The webhook purged the CDN but could not record the change for every instance. */
export const changeNotRecorded = (logDetail: string): ApiError =>
  new ApiError(
    "content_store_unavailable",
    "The CDN was purged, but the change could not be recorded for every instance: they show it at their next index refresh.",
    { logDetail },
  );

/** An unknown error becomes this: its message may carry upstream detail, so only the log sees it. */
export const internalError = (error: unknown): ApiError =>
  new ApiError("internal_error", "An unexpected error occurred.", {
    logDetail: error instanceof Error ? `${error.name}: ${error.message}` : `thrown: ${String(error)}`,
  });

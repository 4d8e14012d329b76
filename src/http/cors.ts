/**
 * CORS headers, set in code because netlify.toml `[[headers]]` do not apply
 * to function responses.
 *
 * - "public": ALLOWED_ORIGINS unset → `*`, never credentials; set → the
 *   request's origin echoed if listed.
 * - "credentials" (anything that reads a session): only a listed origin is
 *   echoed, with `Access-Control-Allow-Credentials: true`; never `*`, never
 *   the literal `null` origin (sandboxed frames, file: URLs).
 */
export type CorsMode = "public" | "credentials";

const ALLOWED_HEADERS = "Authorization, Content-Type, If-None-Match";
const EXPOSED_HEADERS = "ETag, Retry-After, X-Content-Stale";
const PREFLIGHT_MAX_AGE = "600";

/** The answer of public endpoints when ALLOWED_ORIGINS is unset: the same for every request. */
export const PUBLIC_CORS: Readonly<Record<string, string>> = Object.freeze({
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": EXPOSED_HEADERS,
});

export function corsHeaders(
  origin: string | null,
  mode: CorsMode,
  allowedOrigins: readonly string[] | null,
): Readonly<Record<string, string>> {
  if (mode === "public" && allowedOrigins === null) return PUBLIC_CORS;
  const headers: Record<string, string> = { Vary: "Origin" };
  const listed = origin !== null && origin !== "null" && (allowedOrigins ?? []).includes(origin);
  if (!listed) return headers;
  headers["Access-Control-Allow-Origin"] = origin;
  headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS;
  if (mode === "credentials") headers["Access-Control-Allow-Credentials"] = "true";
  return headers;
}

/** Extra headers of a preflight answer (204). */
export function preflightHeaders(methods: readonly string[]): Record<string, string> {
  return {
    "Access-Control-Allow-Methods": [...methods, "OPTIONS"].join(", "),
    "Access-Control-Allow-Headers": ALLOWED_HEADERS,
    "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
  };
}

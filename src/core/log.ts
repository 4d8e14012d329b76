/**
 * The one logger. Every line is one JSON object (what Netlify's log drains
 * take): its `level`, a stable `event` name an operator can filter on
 * (docs/operations.md, "Log events" says what to do about each), a
 * sentence, the function and Netlify's request id of the invocation
 * (log-context.ts), the locale and slug where one applies, and the event's
 * own fields.
 *
 * Secrets registered with `registerSecret`, e-mail addresses and
 * token-shaped text (JWTs, `Bearer …`, `token=…`) are replaced in every
 * value, error messages included, as a second line of defence: code should
 * not log them in the first place.
 */
import { currentLogContext } from "./log-context.ts";

const secrets = new Set<string>();

/** Secrets shorter than 4 characters would redact ordinary text; they are not worth keeping secret anyway. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

const EMAIL = /[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/gi;
const JWT = /\beyJ[\w-]*\.[\w-]*\.[\w-]*/g;
const BEARER = /\b(bearer\s+)[^\s"',;]+/gi;
/** `auth_token=` is how the ButterCMS SDK puts the API token in its URLs. */
const TOKEN_PARAM = /\b(\w*token=)[^&\s"',;]+/gi;

function redact(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("[redacted]");
  return out
    .replace(JWT, "[redacted]")
    .replace(BEARER, "$1[redacted]")
    .replace(TOKEN_PARAM, "$1[redacted]")
    .replace(EMAIL, "[email]");
}

/** Redacts every string value; an Error becomes its name and message (JSON has no place for it otherwise). */
const scrub = (_key: string, value: unknown): unknown => {
  if (typeof value === "string") return redact(value);
  if (value instanceof Error) return redact(`${value.name}: ${value.message}`);
  return value;
};

type LogLevel = "info" | "warn" | "error";

/** Every event the backend logs; docs/operations.md ("Log events") lists them with what to do. */
export type LogEvent =
  | "butter.failed"
  | "butter.stale_copy_served"
  | "butter.last_known_good_served"
  | "quota.exhausted"
  | "quota.not_shared"
  | "quota.recovered"
  | "purge.owed"
  | "purge.completed"
  | "purge.retry_failed"
  | "purge.failed"
  | "webhook.applied"
  | "webhook.ignored"
  | "webhook.refused"
  | "webhook.butter_failed"
  | "webhook.not_recorded"
  | "reconcile.run"
  | "reconcile.drift"
  | "reconcile.webhook_warning"
  | "reconcile.failed"
  | "reconcile.reader_check"
  | "reconcile.reader_check_failed"
  | "config.invalid"
  | "blobs.unreachable"
  | "blobs.unavailable"
  | "index.update_failed"
  | "index.snapshot_behind"
  | "index.snapshot_write_failed"
  | "index.first_build"
  | "index.first_build_wait_expired"
  | "copy.share_failed"
  | "usage.flush_failed"
  | "session.sweep_failed"
  | "request.failed";

/** An event's own fields; what every line carries is not theirs to set. */
type LogFields = Record<string, unknown> & {
  level?: never;
  event?: never;
  message?: never;
  function?: never;
  requestId?: never;
};

export function log(level: LogLevel, event: LogEvent, message: string, fields: LogFields = {}): void {
  const line = JSON.stringify({ level, event, message, ...currentLogContext(), ...fields }, scrub);
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.info(line);
}

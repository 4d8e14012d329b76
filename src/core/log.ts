/**
 * The one logger. Every line is JSON on one line. Secrets registered with
 * `registerSecret` are replaced by `[redacted]` in every line as a second
 * line of defence: code should not log them in the first place.
 */

const secrets = new Set<string>();

/** Secrets shorter than 4 characters would redact ordinary text; they are not worth keeping secret anyway. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("[redacted]");
  return out;
}

export type LogLevel = "info" | "warn" | "error";

export function log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
  const line = redact(JSON.stringify({ level, message, ...fields }));
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.info(line);
}

/**
 * The ButterCMS webhook: authenticate, validate, and hand a post change to
 * the content layer (src/content/post-change.ts), which patches what every
 * instance shares and purges the CDN.
 *
 * Payload (ButterCMS webhook reference): `{ "data": { "id": "<slug>",
 * "locale": null | "<code>", ... }, "webhook": { "event": "post.published",
 * "target": "<url>" } }`; extra fields are accepted. Localized accounts send
 * `post.localization.*` with the locale in `data.locale` (docs/buttercms.md).
 */

import { SLUG_PATTERN, SLUG_REASON } from "../butter/slug.ts";
import { webhookLocale } from "../content/locale.ts";
import type { PostEvent } from "../content/post-change.ts";
import { type Config, LOCALE_PATTERN, required } from "../core/config.ts";
import { secretsMatch } from "../core/constant-time.ts";
import { type FieldError, invalidParameters, webhookUnauthorized } from "../core/errors.ts";
import { isJsonObject } from "../core/json-object.ts";

/** The header to configure in ButterCMS's webhook settings, carrying WEBHOOK_SECRET. */
const WEBHOOK_SECRET_HEADER = "X-Webhook-Secret";

/**
 * Post events that can change what readers see. Which change it was is not
 * taken from the event: ButterCMS is asked for the post's state now.
 */
const POST_EVENTS: ReadonlySet<string> = new Set([
  "post.published",
  "post.draft",
  "post.delete",
  "post.all",
  "post.localization.published",
  "post.localization.draft",
  "post.localization.delete",
]);

type WebhookEvent =
  | { kind: "post"; change: PostEvent }
  | { kind: "ignored"; event: string; reason: "not a post event" | "locale not served" };

export function authenticateWebhook(req: Request, config: Config): void {
  const secret = required(config.webhookSecret);
  const given = req.headers.get(WEBHOOK_SECRET_HEADER) ?? "";
  if (!secretsMatch(given, secret)) throw webhookUnauthorized(WEBHOOK_SECRET_HEADER);
}

/** `data.locale`: null, absent or empty is the default locale; anything else a lower-cased code. */
function localeCode(data: Record<string, unknown>, errors: FieldError[]): string | null {
  const locale = data.locale;
  if (locale === undefined || locale === null || locale === "") return null;
  const code = typeof locale === "string" ? locale.toLowerCase() : "";
  if (!LOCALE_PATTERN.test(code)) {
    errors.push({ name: "data.locale", reason: "must be null or a locale code such as en or pt-br" });
  }
  return code;
}

/** The event and, for post events, the post's slug and locale; 400 listing what is malformed. */
export function parseWebhook(body: Record<string, unknown>, config: Config): WebhookEvent {
  const errors: FieldError[] = [];
  const webhook = body.webhook;
  const event = isJsonObject(webhook) ? webhook.event : undefined;
  if (typeof event !== "string" || event === "" || event.length > 100) {
    errors.push({ name: "webhook.event", reason: "is required: a string such as post.published" });
  }
  if (!isJsonObject(body.data)) errors.push({ name: "data", reason: "is required: an object" });
  if (errors.length > 0) throw invalidParameters(errors);
  const name = event as string;
  if (!POST_EVENTS.has(name)) return { kind: "ignored", event: name, reason: "not a post event" };
  const data = body.data as Record<string, unknown>;
  if (typeof data.id !== "string" || !SLUG_PATTERN.test(data.id)) {
    errors.push({ name: "data.id", reason: `is the post's slug and ${SLUG_REASON}` });
  }
  const code = localeCode(data, errors);
  if (errors.length > 0) throw invalidParameters(errors);
  const locale = webhookLocale(config, code);
  if (locale === null) return { kind: "ignored", event: name, reason: "locale not served" };
  return { kind: "post", change: { event: name, slug: data.id as string, locale } };
}

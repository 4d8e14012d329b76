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
import { DEFAULT_LOCALE, type LocaleKey } from "../content/cache-tags.ts";
import type { PostChange } from "../content/post-change.ts";
import { type Config, LOCALE_PATTERN, required } from "../core/config.ts";
import { secretsMatch } from "../core/constant-time.ts";
import { type FieldError, invalidParameters, webhookUnauthorized } from "../core/errors.ts";
import { isJsonObject } from "../core/json-object.ts";

/** The header to configure in ButterCMS's webhook settings, carrying WEBHOOK_SECRET. */
export const WEBHOOK_SECRET_HEADER = "X-Webhook-Secret";

/** Post events that change what readers see, and what each means for the post. */
export const POST_EVENTS: Record<string, PostChange> = {
  "post.published": "published",
  "post.draft": "unpublished",
  "post.delete": "unpublished",
  "post.all": "unknown",
  "post.localization.published": "published",
  "post.localization.draft": "unpublished",
  "post.localization.delete": "unpublished",
};

export type WebhookEvent =
  | { event: string; post: null }
  | { event: string; post: { slug: string; locale: LocaleKey; change: PostChange } };

export function authenticateWebhook(req: Request, config: Config): void {
  const secret = required(config.webhookSecret);
  const given = req.headers.get(WEBHOOK_SECRET_HEADER) ?? "";
  if (!secretsMatch(given, secret)) throw webhookUnauthorized(WEBHOOK_SECRET_HEADER);
}

/** `data.locale`: null or absent is the default locale; ButterCMS's default code is too. */
function localeOf(data: Record<string, unknown>, config: Config, errors: FieldError[]): LocaleKey {
  const locale = data.locale;
  if (locale === undefined || locale === null || locale === "") return DEFAULT_LOCALE;
  const code = typeof locale === "string" ? locale.toLowerCase() : "";
  if (!LOCALE_PATTERN.test(code)) {
    errors.push({ name: "data.locale", reason: "must be null or a locale code such as en or pt-br" });
    return DEFAULT_LOCALE;
  }
  const locales = Array.isArray(config.locales) ? config.locales : [];
  // Without BUTTERCMS_LOCALES this backend serves the default locale only: whatever changed, purge that.
  if (locales.length === 0) return DEFAULT_LOCALE;
  return code === locales[0] ? DEFAULT_LOCALE : code;
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
  const change = Object.hasOwn(POST_EVENTS, event as string) ? POST_EVENTS[event as string] : undefined;
  if (change === undefined) return { event: event as string, post: null };
  const data = body.data as Record<string, unknown>;
  if (typeof data.id !== "string" || !SLUG_PATTERN.test(data.id)) {
    errors.push({ name: "data.id", reason: `is the post's slug and ${SLUG_REASON}` });
  }
  const locale = localeOf(data, config, errors);
  if (errors.length > 0) throw invalidParameters(errors);
  return { event: event as string, post: { slug: data.id as string, locale, change } };
}

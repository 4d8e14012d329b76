/**
 * ButterCMS's blog-post webhook payloads, built as the webhook reference's
 * examples show them (docs/buttercms.md, "Webhook payloads"):
 *
 *     { "data": { "id": "<slug>", "_id": 5678 },
 *       "webhook": { "event": "post.published", "target": "<the endpoint URL>" } }
 *
 * and, for the localized events, `data.locale` naming the locale variant.
 */
import { allPosts, type SampleLocale, translatedPosts } from "./data.ts";

export const POST_WEBHOOK_EVENTS = ["post.published", "post.draft", "post.delete"] as const;
export const LOCALIZED_POST_WEBHOOK_EVENTS = [
  "post.localization.published",
  "post.localization.draft",
  "post.localization.delete",
] as const;

export type PostWebhookEvent = (typeof POST_WEBHOOK_EVENTS)[number];
export type LocalizedPostWebhookEvent = (typeof LOCALIZED_POST_WEBHOOK_EVENTS)[number];

export interface PostWebhookPayload {
  data: { id: string; _id: number; locale?: string };
  webhook: { event: PostWebhookEvent | LocalizedPostWebhookEvent; target: string };
}

/** Where the sample's payloads say they were sent: this backend's webhook path on the sample site. */
export const WEBHOOK_TARGET = "https://sample-blog.example/api/webhooks/buttercms";

/** ButterCMS's numeric id of a post (`_id`): stable per slug and locale; unknown slugs get ids past the sample's. */
function numericId(slug: string, locale: string | undefined): number {
  const posts = locale === "es" ? translatedPosts : allPosts;
  const index = posts.findIndex((post) => post.slug === slug);
  const base = locale === "es" ? 2000 : 1000;
  if (index >= 0) return base + index;
  let hash = 0;
  for (const char of slug) hash = (hash * 31 + char.charCodeAt(0)) % 100_000;
  return 10_000 + hash;
}

interface PayloadOptions {
  /** The endpoint ButterCMS delivers to (default WEBHOOK_TARGET). */
  target?: string;
  /** ButterCMS's numeric post id (default: derived from the slug). */
  id?: number;
}

/** A `post.published`, `post.draft` or `post.delete` payload for the post with this slug. */
export function postWebhook(
  event: PostWebhookEvent,
  slug: string,
  options: PayloadOptions = {},
): PostWebhookPayload {
  return {
    data: { id: slug, _id: options.id ?? numericId(slug, undefined) },
    webhook: { event, target: options.target ?? WEBHOOK_TARGET },
  };
}

/**
 * A `post.localization.*` payload: the same, plus the locale variant that
 * changed (any string, so a test can also send a locale the site does not serve).
 */
export function localizedPostWebhook(
  event: LocalizedPostWebhookEvent,
  slug: string,
  locale: SampleLocale | (string & {}),
  options: PayloadOptions = {},
): PostWebhookPayload {
  return {
    data: { id: slug, _id: options.id ?? numericId(slug, locale), locale },
    webhook: { event, target: options.target ?? WEBHOOK_TARGET },
  };
}

/**
 * ButterCMS webhooks (POST /api/webhooks/buttercms): authenticate the shared
 * secret header, validate the documented payload, and purge what a post
 * event changed: Netlify's CDN by cache tag, and this instance's cache.
 *
 * Payload (ButterCMS docs): `{ "data": { "id": "<slug>", ... },
 * "webhook": { "event": "post.published", "target": "<url>" } }`; extra
 * fields are accepted.
 */

import { purgeCache } from "@netlify/functions";
import { type Config, required } from "../core/config.ts";
import { secretsMatch } from "../core/constant-time.ts";
import { ApiError, type FieldError, invalidParameters } from "../core/errors.ts";
import { isJsonObject } from "../core/json-object.ts";
import { log } from "../core/log.ts";
import { POSTS_TAG, postTag } from "./posts.ts";
import { SLUG_PATTERN, SLUG_REASON } from "../http/query.ts";
import { dropCachedByTags } from "../resilience/cached-read.ts";

/** The header to configure in ButterCMS's webhook settings, carrying WEBHOOK_SECRET. */
export const WEBHOOK_SECRET_HEADER = "X-Webhook-Secret";

/** Post events that change what readers see; other events are acknowledged and ignored. */
export const POST_EVENTS = ["post.published", "post.draft", "post.delete", "post.all"] as const;

export type WebhookEvent = { event: string; slug: string | null };

export function authenticateWebhook(req: Request, config: Config): void {
  const secret = required(config.webhookSecret);
  const given = req.headers.get(WEBHOOK_SECRET_HEADER) ?? "";
  if (!secretsMatch(given, secret)) {
    throw new ApiError("unauthorized", `The ${WEBHOOK_SECRET_HEADER} header is missing or wrong.`);
  }
}

/** The event and, for post events, the post's slug; 400 listing what is malformed. */
export function parseWebhook(body: Record<string, unknown>): WebhookEvent {
  const errors: FieldError[] = [];
  const webhook = body.webhook;
  const event = isJsonObject(webhook) ? webhook.event : undefined;
  if (typeof event !== "string" || event === "" || event.length > 100) {
    errors.push({ name: "webhook.event", reason: "is required: a string such as post.published" });
  }
  if (!isJsonObject(body.data)) errors.push({ name: "data", reason: "is required: an object" });
  if (errors.length > 0) throw invalidParameters(errors);
  const isPostEvent = (POST_EVENTS as readonly string[]).includes(event as string);
  if (!isPostEvent) return { event: event as string, slug: null };
  const slug = (body.data as Record<string, unknown>).id;
  if (typeof slug !== "string" || !SLUG_PATTERN.test(slug)) {
    throw invalidParameters([{ name: "data.id", reason: `is the post's slug and ${SLUG_REASON}` }]);
  }
  return { event: event as string, slug };
}

/** Every post-derived response, and the post's own: never an empty list (that purges nothing). */
export const tagsToPurge = (slug: string): string[] => [POSTS_TAG, postTag(slug)];

export async function purgeForPost(slug: string): Promise<string[]> {
  const tags = tagsToPurge(slug);
  const dropped = dropCachedByTags(tags);
  try {
    await purgeCache({ tags });
  } catch (error) {
    log("error", "Netlify cache purge failed", { tags, error: (error as Error).message });
    throw new ApiError("purge_failed", "The CDN purge failed; retry the webhook.");
  }
  log("info", "Purged after a ButterCMS webhook", { tags, droppedInstanceEntries: dropped });
  return tags;
}

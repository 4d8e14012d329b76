import type { Config } from "@netlify/functions";
import { authenticateWebhook, parseWebhook } from "../src/blog/webhook.ts";
import { tagsForPostChange } from "../src/content/cache-tags.ts";
import { applyPostChange } from "../src/content/post-change.ts";
import { countRefusedWebhook, flushUsage } from "../src/content/usage.ts";
import { ApiError } from "../src/core/errors.ts";
import { log } from "../src/core/log.ts";
import { annotateLogContext } from "../src/core/log-context.ts";
import { defineEndpoint } from "../src/endpoint/define-endpoint.ts";
import { jsonResponse } from "../src/http/representation.ts";
import { readJsonObject } from "../src/http/request-body.ts";
import { openSharedStore } from "../src/netlify/blobs.ts";
import { settleWithin } from "../src/netlify/context.ts";

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/webhooks/buttercms" };

const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;
/** ButterCMS waits 5 s for a 2xx and never sends the event again: answer by then, finish after. */
const ANSWER_WITHIN_MS = 4_000;

/** POST /api/webhooks/buttercms: a post changed; record what ButterCMS says now and purge the CDN. */
export default defineEndpoint({
  name: "buttercmsWebhook",
  config,
  methods: {
    POST: async (scope) => {
      try {
        authenticateWebhook(scope.req, scope.config);
      } catch (error) {
        // Counted for the status endpoint: a wrong secret in ButterCMS's settings loses every publish.
        if (error instanceof ApiError && error.code === "unauthorized") {
          log("warn", "webhook.refused", "Refused a webhook without the right X-Webhook-Secret", {});
          countRefusedWebhook();
          flushUsage(scope, openSharedStore(scope.config.content.storeName));
        }
        throw error;
      }
      const parsed = parseWebhook(await readJsonObject(scope.req, MAX_WEBHOOK_BODY_BYTES), scope.config);
      if (parsed.kind === "ignored") {
        log("info", "webhook.ignored", "Ignored a ButterCMS webhook", {
          webhookEvent: parsed.event,
          reason: parsed.reason,
        });
        return jsonResponse({ accepted: true, event: parsed.event, ignored: true }, 202);
      }
      const { change } = parsed;
      annotateLogContext({ slug: change.slug, locale: change.locale });
      const applied = applyPostChange(scope, change).then((outcome) => {
        log("info", "webhook.applied", "Applied a ButterCMS webhook", {
          webhookEvent: change.event,
          purge: outcome.purge,
        });
        return outcome;
      });
      const outcome = await settleWithin(scope.context, applied, ANSWER_WITHIN_MS);
      if (!outcome.done) {
        const pending = tagsForPostChange(change.slug, change.locale);
        return jsonResponse({ accepted: true, event: change.event, pending }, 202);
      }
      const { tags, purge } = outcome.value;
      return purge === "purged"
        ? jsonResponse({ accepted: true, event: change.event, purged: tags }, 200)
        : jsonResponse({ accepted: true, event: change.event, pending: tags }, 202);
    },
  },
});

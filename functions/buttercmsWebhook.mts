import type { Config } from "@netlify/functions";
import { authenticateWebhook, parseWebhook } from "../src/blog/webhook.ts";
import { applyPostChange } from "../src/content/post-change.ts";
import { log } from "../src/core/log.ts";
import { defineEndpoint } from "../src/endpoint/define-endpoint.ts";
import { jsonResponse } from "../src/http/representation.ts";
import { readJsonObject } from "../src/http/request-body.ts";

const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

/** POST /api/webhooks/buttercms: a post changed; purge the CDN (README: "Publishing"). */
export default defineEndpoint({
  route: () => config.path,
  methods: {
    POST: async (scope) => {
      authenticateWebhook(scope.req, scope.config);
      const { event, post } = parseWebhook(
        await readJsonObject(scope.req, MAX_WEBHOOK_BODY_BYTES),
        scope.config,
      );
      if (post === null) {
        log("info", "Ignored a ButterCMS webhook that is not a post event", { event });
        return jsonResponse({ accepted: true, event, ignored: true }, 202);
      }
      const { tags, purge } = await applyPostChange(scope, post.slug, post.locale, post.change);
      return purge === "purged"
        ? jsonResponse({ accepted: true, event, purged: tags }, 200)
        : jsonResponse({ accepted: true, event, pending: tags }, 202);
    },
  },
});

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/webhooks/buttercms" };

import type { Config } from "@netlify/functions";
import { PRIVATE_NO_STORE } from "../src/http/cache-headers.ts";
import { defineEndpoint } from "../src/endpoint/define-endpoint.ts";
import { readJsonObject } from "../src/http/request-body.ts";
import { jsonResponse } from "../src/http/representation.ts";
import { authenticateWebhook, parseWebhook, purgeForPost } from "../src/blog/webhook.ts";

const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

/** POST /api/webhooks/buttercms: purge the CDN when a post changes (README: "ButterCMS webhook"). */
export default defineEndpoint({
  route: () => config.path,
  methods: {
    POST: async ({ req, config, headers }) => {
      authenticateWebhook(req, config);
      const { event, slug } = parseWebhook(await readJsonObject(req, MAX_WEBHOOK_BODY_BYTES));
      if (slug === null) {
        return jsonResponse({ accepted: true, event, ignored: true }, 202, {
          ...headers,
          ...PRIVATE_NO_STORE,
        });
      }
      const purged = await purgeForPost(slug);
      return jsonResponse({ accepted: true, event, purged }, 200, { ...headers, ...PRIVATE_NO_STORE });
    },
  },
});

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/webhooks/buttercms" };

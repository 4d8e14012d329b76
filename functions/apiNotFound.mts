import type { Config } from "@netlify/functions";
import { notFound } from "../src/core/errors.ts";
import { defineEndpoint } from "../src/endpoint/define-endpoint.ts";

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
// Every real endpoint's path is excluded, so this never shadows one, whatever the platform's
// order between functions (netlify dev checks functions in reverse file-name order).
export const config: Config = {
  path: ["/api", "/api/*"],
  excludedPath: [
    "/api/posts",
    "/api/posts/:slug",
    "/api/posts/:slug/related",
    "/api/search",
    "/api/categories",
    "/api/tags",
    "/api/authors",
    "/api/feeds/:type",
    "/api/auth",
    "/api/ip-allowlist",
    "/api/webhooks/buttercms",
    "/api/openapi.json",
    "/api/status",
  ],
};

const noEndpoint = async (): Promise<never> => {
  throw notFound("No endpoint has this path.");
};

/** Any /api path no endpoint owns: 404 problem+json, never the site's HTML 404 page. */
export default defineEndpoint({
  name: "apiNotFound",
  config,
  methods: { GET: noEndpoint },
  otherMethods: noEndpoint,
});

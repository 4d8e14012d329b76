import type { Config } from "@netlify/functions";
import { postSlug, RELATED_QUERY, relatedRepresentation } from "../src/blog/posts.ts";
import { defineReadEndpoint } from "../src/endpoint/read-endpoint.ts";
import { requirePreviewSession } from "../src/preview/session.ts";

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/posts/:slug/related" };

/** GET /api/posts/:slug/related: published posts sharing tags, then categories, then recent ones. */
export default defineReadEndpoint({
  name: "getRelatedPosts",
  config,
  query: RELATED_QUERY,
  previews: requirePreviewSession,
  read: (scope, query) => relatedRepresentation(scope, postSlug(scope.context), query),
});

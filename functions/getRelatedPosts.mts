import type { Config } from "@netlify/functions";
import { asksForPreview, postSlug, RELATED_QUERY, relatedRepresentation } from "../src/blog/posts.ts";
import { defineReadEndpoint } from "../src/endpoint/read-response.ts";
import { requirePreviewSession } from "../src/preview/session.ts";

/** GET /api/posts/:slug/related: published posts sharing tags, then categories, then recent ones. */
export default defineReadEndpoint({
  route: () => config.path,
  usesSession: asksForPreview,
  query: RELATED_QUERY,
  read: async (scope, query) => {
    const slug = postSlug(scope.context);
    if (query.preview) await requirePreviewSession(scope.req, scope.config);
    return relatedRepresentation(scope, slug, query);
  },
});

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/posts/:slug/related" };

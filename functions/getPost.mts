import type { Config } from "@netlify/functions";
import { asksForPreview, POST_QUERY, postRepresentation, postSlug } from "../src/blog/posts.ts";
import { defineReadEndpoint } from "../src/endpoint/read-response.ts";
import { requirePreviewSession } from "../src/preview/session.ts";

/** GET /api/posts/:slug: one post; unpublished posts only for authorised previews. */
export default defineReadEndpoint({
  route: () => config.path,
  usesSession: asksForPreview,
  query: POST_QUERY,
  read: async (scope, query) => {
    const slug = postSlug(scope.context);
    if (query.preview) await requirePreviewSession(scope.req, scope.config);
    return postRepresentation(scope, slug, query);
  },
});

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/posts/:slug" };

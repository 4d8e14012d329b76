import type { Config } from "@netlify/functions";
import { POST_QUERY, postRepresentation, postSlug } from "../src/blog/posts.ts";
import { defineReadEndpoint } from "../src/endpoint/read-endpoint.ts";
import { requirePreviewSession } from "../src/preview/session.ts";

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/posts/:slug" };

/** GET /api/posts/:slug: one post; unpublished posts only for authorised previews. */
export default defineReadEndpoint({
  name: "getPost",
  config,
  query: POST_QUERY,
  previews: requirePreviewSession,
  read: (scope, query) => postRepresentation(scope, postSlug(scope.context), query),
});

import type { Config } from "@netlify/functions";
import { asksForPreview, LIST_POSTS_QUERY, postListRepresentation } from "../src/blog/posts.ts";
import { defineReadEndpoint } from "../src/endpoint/read-response.ts";
import { requirePreviewSession } from "../src/preview/session.ts";

/** GET /api/posts: a page of posts, newest first (docs/http-contract.md). */
export default defineReadEndpoint({
  route: () => config.path,
  usesSession: asksForPreview,
  query: LIST_POSTS_QUERY,
  read: async (scope, query) => {
    if (query.preview) await requirePreviewSession(scope.req, scope.config);
    return postListRepresentation(scope, query);
  },
});

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/posts" };

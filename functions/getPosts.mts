import type { Config } from "@netlify/functions";
import { defineEndpoint } from "../src/endpoint/define-endpoint.ts";
import { asksForPreview, LIST_POSTS_QUERY, POSTS_TAG, postListRepresentation } from "../src/blog/posts.ts";
import { parseQuery } from "../src/http/query.ts";
import { readResponse } from "../src/endpoint/read-response.ts";
import { requirePreviewSession } from "../src/preview/session.ts";

/** GET /api/posts: a page of posts, newest first (api-contract.md). */
export default defineEndpoint({
  route: () => config.path,
  previewGrade: asksForPreview,
  methods: {
    GET: async (scope) => {
      const query = parseQuery(scope.url.searchParams, LIST_POSTS_QUERY);
      if (query.preview) await requirePreviewSession(scope.req, scope.config);
      const representation = await postListRepresentation(scope.config, scope.context, query);
      return readResponse(scope, representation, {
        preview: query.preview,
        tags: [POSTS_TAG],
        query: LIST_POSTS_QUERY,
      });
    },
  },
});

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/posts" };

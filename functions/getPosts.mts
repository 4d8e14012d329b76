import type { Config } from "@netlify/functions";
import { defineEndpoint } from "../src/endpoint.ts";
import { LIST_POSTS_QUERY, POSTS_TAG, postListRepresentation } from "../src/posts.ts";
import { parseQuery } from "../src/query.ts";
import { readResponse } from "../src/read-response.ts";
import { requirePreviewSession } from "../src/session.ts";

/** GET /api/posts: a page of posts, newest first (api-contract.md). */
export default defineEndpoint({
  route: () => config.path,
  previewGrade: (_req, url) => url.searchParams.has("preview"),
  methods: {
    GET: async (scope) => {
      const { req, url, config, context } = scope;
      const query = parseQuery(url.searchParams, LIST_POSTS_QUERY);
      if (query.preview) await requirePreviewSession(req, config);
      const representation = await postListRepresentation(config, context, query);
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

import type { Config } from "@netlify/functions";
import { defineEndpoint } from "../src/endpoint/define-endpoint.ts";
import {
  asksForPreview,
  POST_QUERY,
  POSTS_TAG,
  postRepresentation,
  postSlug,
  postTag,
} from "../src/blog/posts.ts";
import { parseQuery } from "../src/http/query.ts";
import { readResponse } from "../src/endpoint/read-response.ts";
import { requirePreviewSession } from "../src/preview/session.ts";

/** GET /api/posts/:slug: one post; unpublished posts only for authorised previews. */
export default defineEndpoint({
  route: () => config.path,
  previewGrade: asksForPreview,
  methods: {
    GET: async (scope) => {
      const slug = postSlug(scope.context);
      const query = parseQuery(scope.url.searchParams, POST_QUERY);
      if (query.preview) await requirePreviewSession(scope.req, scope.config);
      const representation = await postRepresentation(scope.config, scope.context, slug, query.preview);
      const tags = [POSTS_TAG, postTag(slug)];
      return readResponse(scope, representation, { preview: query.preview, tags, query: POST_QUERY });
    },
  },
});

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/posts/:slug" };

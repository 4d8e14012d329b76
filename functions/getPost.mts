import type { Config } from "@netlify/functions";
import { defineEndpoint } from "../src/endpoint.ts";
import { invalidParameters } from "../src/errors.ts";
import { pathParam } from "../src/netlify-context.ts";
import { POST_QUERY, POSTS_TAG, postRepresentation, postTag } from "../src/posts.ts";
import { parseQuery, SLUG_PATTERN, SLUG_REASON } from "../src/query.ts";
import { readResponse } from "../src/read-response.ts";
import { requirePreviewSession } from "../src/session.ts";

/** GET /api/posts/:slug: one post; unpublished posts only for authorised previews. */
export default defineEndpoint({
  route: () => config.path,
  previewGrade: (_req, url) => url.searchParams.has("preview"),
  methods: {
    GET: async (scope) => {
      const { req, url, config, context } = scope;
      const slug = pathParam(context, "slug");
      if (slug === null || !SLUG_PATTERN.test(slug)) {
        throw invalidParameters([{ name: "slug", reason: SLUG_REASON }]);
      }
      const query = parseQuery(url.searchParams, POST_QUERY);
      if (query.preview) await requirePreviewSession(req, config);
      const representation = await postRepresentation(config, context, slug, query.preview);
      return readResponse(scope, representation, {
        preview: query.preview,
        tags: [POSTS_TAG, postTag(slug)],
        query: POST_QUERY,
      });
    },
  },
});

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/posts/:slug" };

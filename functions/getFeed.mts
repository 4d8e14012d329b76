import type { Config } from "@netlify/functions";
import { FEED_TAGS, FEED_TYPES, feedRepresentation, isFeedType } from "../src/blog/catalog.ts";
import { defineEndpoint } from "../src/endpoint/define-endpoint.ts";
import { notFound } from "../src/core/errors.ts";
import { pathParam } from "../src/netlify/context.ts";
import { parseQuery } from "../src/http/query.ts";
import { readResponse } from "../src/endpoint/read-response.ts";

/** GET /api/feeds/rss|atom|sitemap: the XML itself, with its own content type. */
export default defineEndpoint({
  route: () => config.path,
  methods: {
    GET: async (scope) => {
      const type = pathParam(scope.context, "type") ?? "";
      if (!isFeedType(type)) {
        throw notFound("No such feed: use rss, atom or sitemap.");
      }
      const { contentType, query: spec } = FEED_TYPES[type];
      const query = parseQuery(scope.url.searchParams, spec) as { category?: string; tag?: string };
      const representation = await feedRepresentation(scope, type, query);
      return readResponse(scope, representation, {
        preview: false,
        tags: FEED_TAGS,
        query: spec,
        contentType,
      });
    },
  },
});

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/feeds/:type" };

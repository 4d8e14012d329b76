import type { Config } from "@netlify/functions";
import { FEED_QUERY, feedRepresentation, isFeedType } from "../src/blog/catalog.ts";
import { notFound } from "../src/core/errors.ts";
import { defineReadEndpoint } from "../src/endpoint/read-endpoint.ts";
import { pathParam } from "../src/netlify/context.ts";

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/feeds/:type" };

/** GET /api/feeds/rss|atom|sitemap: the XML itself, with its own content type. */
export default defineReadEndpoint({
  name: "getFeed",
  config,
  query: FEED_QUERY,
  read: async (scope, query) => {
    const type = pathParam(scope.context, "type") ?? "";
    if (!isFeedType(type)) throw notFound("No such feed: use rss, atom or sitemap.");
    return feedRepresentation(scope, type, query);
  },
});

import type { Config } from "@netlify/functions";
import { SEARCH_QUERY, SEARCH_TAGS, searchRepresentation } from "../src/blog/catalog.ts";
import { defineEndpoint } from "../src/endpoint/define-endpoint.ts";
import { parseQuery } from "../src/http/query.ts";
import { readResponse } from "../src/endpoint/read-response.ts";

/** GET /api/search?q=: published posts matching every word, newest first. */
export default defineEndpoint({
  route: () => config.path,
  methods: {
    GET: async (scope) => {
      const query = parseQuery(scope.url.searchParams, SEARCH_QUERY);
      const representation = await searchRepresentation(scope, query);
      return readResponse(scope, representation, { preview: false, tags: SEARCH_TAGS, query: SEARCH_QUERY });
    },
  },
});

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/search" };

import type { Config } from "@netlify/functions";
import document from "../openapi.json";
import { defineEndpoint } from "../src/endpoint/define-endpoint.ts";
import { parseQuery } from "../src/http/query.ts";
import { readResponse } from "../src/endpoint/read-response.ts";
import { type Representation, represent } from "../src/http/representation.ts";

let representation: Representation | undefined;

/** GET /api/openapi.json: the OpenAPI 3.1 document of this API (openapi.json in the repo). */
export default defineEndpoint({
  route: () => config.path,
  methods: {
    GET: async (scope) => {
      parseQuery(scope.url.searchParams, {});
      representation ??= represent(document);
      return readResponse(scope, representation, { preview: false, tags: ["openapi"], query: {} });
    },
  },
});

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/openapi.json" };

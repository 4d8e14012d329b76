import type { Config } from "@netlify/functions";
import { authorizeStatus, siteStatus } from "../src/content/status.ts";
import { defineEndpoint } from "../src/endpoint/define-endpoint.ts";
import { parseQuery } from "../src/http/query.ts";
import { jsonResponse } from "../src/http/representation.ts";

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/status" };

/** GET /api/status: for operators, behind `Authorization: Bearer <STATUS_TOKEN>`; never cached. */
export default defineEndpoint({
  name: "getStatus",
  config,
  methods: {
    GET: async (scope) => {
      authorizeStatus(scope.req, scope.config);
      parseQuery(scope.url.searchParams, {});
      return jsonResponse(await siteStatus(scope));
    },
  },
});

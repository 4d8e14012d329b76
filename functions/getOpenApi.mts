import type { Config } from "@netlify/functions";
import document from "../openapi.json";
import { OPENAPI_TAG } from "../src/content/cache-tags.ts";
import { defineReadEndpoint } from "../src/endpoint/read-endpoint.ts";
import { type Representation, represent } from "../src/http/representation.ts";

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/openapi.json" };

let representation: Representation | undefined;

/** GET /api/openapi.json: the OpenAPI 3.1 document of this API (openapi.json in the repo). */
export default defineReadEndpoint({
  name: "getOpenApi",
  config,
  query: {},
  read: async () => {
    representation ??= represent(document, [OPENAPI_TAG]);
    return { representation };
  },
});

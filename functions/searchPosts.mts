import type { Config } from "@netlify/functions";
import { searchReader } from "../src/blog/catalog.ts";
import { defineReadEndpoint } from "../src/endpoint/read-endpoint.ts";

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
// Every distinct search is a ButterCMS call: limited per client IP (aggregateBy must be an array).
export const config: Config = {
  path: "/api/search",
  rateLimit: { windowLimit: 60, windowSize: 60, aggregateBy: ["ip", "domain"] },
};

/** GET /api/search?q=: published posts matching `q`, in ButterCMS's relevance order. */
export default defineReadEndpoint({ name: "searchPosts", config, ...searchReader });

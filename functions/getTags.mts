import type { Config } from "@netlify/functions";
import { termListReader } from "../src/blog/catalog.ts";
import { defineReadEndpoint } from "../src/endpoint/read-endpoint.ts";

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/tags" };

/** GET /api/tags: all tags; `include=recent_posts` embeds each one's newest posts. */
export default defineReadEndpoint({ name: "getTags", config, ...termListReader("tag") });

import type { Config } from "@netlify/functions";
import { RELATED_QUERY, relatedRepresentation } from "../src/blog/posts.ts";
import { defineSlugEndpoint } from "../src/endpoint/post-endpoint.ts";

/** GET /api/posts/:slug/related: published posts sharing tags, then categories, then recent ones. */
export default defineSlugEndpoint("getRelatedPosts", () => config.path, RELATED_QUERY, relatedRepresentation);

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/posts/:slug/related" };
